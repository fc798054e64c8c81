# %% [markdown]
# # Paper C §2-3 — Chinchilla fits per interpretation and under four perturbations
#
# Reads the tables of `results/chinchilla/` written by the fit and perturbation rules and draws one
# view: Fig. 2 (fits and tokens per parameter per interpretation), Fig. 3 (the perturbations),
# Fig. 4 (refitted parameters vs perturbation value), Fig. 5 (tokens per parameter under each
# perturbation), or one of the tables: the fits with standard errors (S03), App. C predictions vs
# the refits (S04) and how the tokens-per-parameter trend moves (S05).

# %% tags=["parameters"]
fits = "results/chinchilla/fits.csv"  # fit per interpretation with bootstrap SEs (interpretations views)
tokens_per_parameter = "results/chinchilla/tokens_per_parameter.csv"  # D/N bands per interpretation (interpretations views)
slopes = "results/chinchilla/tokens_per_parameter_slopes.csv"  # D/N slope per decade per interpretation (interpretations views)
runs = "results/chinchilla/runs.csv"  # runs with every interpretation's counts (schematic_figure)
perturbation_fits = "results/chinchilla/perturbation_fits.csv"  # refit per perturbation configuration (perturbed_parameters_figure)
predictions = "results/chinchilla/perturbation_predictions.csv"  # App. C predictions per perturbation value (perturbed_parameters_figure)
perturbation_tokens_per_parameter = "results/chinchilla/perturbation_tokens_per_parameter.csv"  # D/N bands per configuration (perturbed_tokens_per_parameter_figure)
realistic_bands = "results/chinchilla/perturbation_realistic_bands.csv"  # perturbation values moving no count by more than the realistic error (Figs. 4-5)
agreement = "results/chinchilla/perturbation_agreement.csv"  # theory vs simulation per perturbation and parameter (agreement_table)
power_law = "results/chinchilla/systematic_bias_power_law.csv"  # alpha-hat = 10^c s^p fitted to the bias sweep (agreement_table)
trend_summary = "results/chinchilla/perturbation_trend_summary.csv"  # D/N slope ranges per perturbation (trend_table)
count_precision_slopes = "results/chinchilla/count_precision_slopes.csv"  # D/N slope on printed vs exact formula counts (count_precision_table)
output_stem = "paper/figures/chinchilla_fig02_fits_and_tokens_per_parameter_by_interpretation"  # outputs: stem + .pdf/.png or .csv/.tex
view = "interpretations_figure"  # interpretations_figure | schematic_figure | perturbed_parameters_figure | perturbed_tokens_per_parameter_figure | interpretations_table | agreement_table | trend_table | count_precision_table
paper_slopes = {"standard": -0.572, "best_fit": -1.049, "reported": -1.248}  # paper's D/N slope per decade per interpretation
epoch_published = {"E": 1.8172, "A": 482.01, "alpha": 0.3478, "B": 2085.43, "beta": 0.3658}  # Besiroglu et al.'s published fit
quantiles = [0.1, 0.5, 0.9]  # low, median, high quantiles of the D/N bands (for labels)
counts_interpretation = "standard"  # interpretation whose counts are perturbed (schematic_figure)
n_excluded_highest_loss = 5  # runs dropped before fitting, so the schematic shows the fitted models (schematic_figure)
noise_seed = 20240419  # seed of the noise perturbation (schematic_figure)
schematic_values = {"multiplicative": [0.1, 10.0], "additive": [-1e7, 1e7], "systematic_bias": [0.5, 2.0], "log_normal_noise": [0.3, 1.0]}  # values drawn per perturbation (schematic_figure)
paper_power_law = {"log10_prefactor": -0.46, "exponent": -1.0, "r_squared": "> 0.999", "p_value": 5.9e-90}  # paper's alpha-hat vs s power law (agreement_table)
agreement_standard_errors = 2.0  # a refit agrees with its prediction within this many bootstrap SEs (agreement_table)
paper_trend_statements = {}  # perturbation -> the paper's statement on the D/N trend (trend_table)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap, LogNorm, Normalize
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from scalingrepro.chinchilla.fit import INTERPRETATION_COLUMNS, kept_runs
from scalingrepro.chinchilla.perturb import PERTURBATIONS, Configuration, perturb
from scalingrepro.chinchilla.solver import PARAMETER_NAMES
from scalingrepro.pipeline import plotting

plotting.apply_style()
INTERPRETATION_LABELS = {"epoch_model_size": "Epoch AI model size", "reported": "Reported (Table A9)", "standard": "Standard formula (Eq. 1)", "best_fit": "Best-fit formula (Eq. 3)"}
PARAMETER_LABELS = {"E": r"$\hat{E}$", "A": r"$\hat{A}$", "alpha": r"$\hat{\alpha}$", "B": r"$\hat{B}$", "beta": r"$\hat{\beta}$"}
LOG_PARAMETERS = {"A", "B"}  # prefactors span orders of magnitude under the perturbations
PERTURBATION_TITLES = {
    "multiplicative": r"Multiplicative: $\tilde N = c_m N$ (Eq. 6)",
    "additive": r"Additive: $\tilde N = N + c_a$ (Eq. 7)",
    "systematic_bias": r"Systematic bias: $\tilde N = \mu_{geo}(N/\mu_{geo})^s$ (Eq. 8)",
    "log_normal_noise": r"Log-normal noise: $\tilde N = e^{\delta} N$, $\delta \sim \mathcal{N}(0, \sigma^2)$ (Eq. 9)",
}
VALUE_LABELS = {"multiplicative": r"$c_m$", "additive": r"$c_a$", "systematic_bias": r"$s$", "log_normal_noise": r"$\sigma$"}
VALUE_SYMBOLS = {"multiplicative": "c_m", "additive": "c_a", "systematic_bias": "s", "log_normal_noise": "σ"}
INTERVAL = f"{100 * (quantiles[-1] - quantiles[0]):g}%"


def read_sweep_fits(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    table["reason"] = table["reason"].fillna("")
    return table


VALUE_TICKS = {"systematic_bias": [0.3, 0.5, 1, 2, 3], "log_normal_noise": [0, 0.3, 1, 3]}


def set_value_axis(axis: plt.Axes, kind: str) -> None:
    """Log x for the multiplicative and bias sweeps, signed values for the additive one, symlog for σ (which includes 0)."""
    if kind in ("multiplicative", "systematic_bias"):
        axis.set_xscale("log")
    elif kind == "log_normal_noise":
        axis.set_xscale("symlog", linthresh=0.3, linscale=0.5)
    if kind in VALUE_TICKS:
        axis.xaxis.set_major_locator(FixedLocator(VALUE_TICKS[kind]))
        axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.xaxis.set_minor_formatter(NullFormatter())
    axis.set_xlabel(VALUE_LABELS[kind])


def truncated(cmap, top: float = 0.85):
    """The colour map without its palest end, so every line stays visible on white."""
    return LinearSegmentedColormap.from_list(f"{cmap.name}_truncated", cmap(np.linspace(0.0, top, 256)))


def value_colours(kind: str, values: np.ndarray):
    """A colour map over the perturbation values: log for c_m and s, diverging for c_a, linear for σ."""
    if kind in ("multiplicative", "systematic_bias"):
        return LogNorm(vmin=values.min(), vmax=values.max()), truncated(plt.cm.viridis)
    if kind == "additive":
        extent = np.abs(values).max()
        return Normalize(vmin=-extent, vmax=extent), truncated(plt.cm.viridis)
    return Normalize(vmin=0.0, vmax=values.max()), truncated(plt.cm.plasma)


def format_value(kind: str, value: float) -> str:
    return f"{value:.3g}" if kind != "additive" else f"{value:.3g}".replace("e+0", "e")


# %% [markdown]
# ## Fig. 2 and Table S03: the fit under each interpretation

# %%
def interpretations_figure(fit_table: pd.DataFrame, bands: pd.DataFrame, slope_table: pd.DataFrame) -> plt.Figure:
    """Top: the five parameters ± SE per interpretation; bottom: D/N vs compute with its interval."""
    interpretations = list(fit_table["interpretation"])
    colours = dict(zip(interpretations, plt.cm.tab10.colors))
    figure = plt.figure(figsize=(15, 8.5))
    grid = GridSpec(2, 5, figure=figure, height_ratios=[1, 1.25])
    positions = np.arange(len(interpretations))
    for column, name in enumerate(PARAMETER_NAMES):
        axis = figure.add_subplot(grid[0, column])
        for position, row in zip(positions, fit_table.itertuples()):
            axis.errorbar(position, getattr(row, name), yerr=getattr(row, f"{name}_se"), fmt="o", color=colours[row.interpretation], capsize=4)
        if "epoch_model_size" in interpretations and name in epoch_published:
            axis.plot(interpretations.index("epoch_model_size"), epoch_published[name], marker="x", color="grey", markersize=9, linestyle="none", label="Besiroglu et al. (2024)")
        axis.set_xticks(positions, [INTERPRETATION_LABELS.get(i, i).split(" (")[0] for i in interpretations], rotation=35, ha="right")
        axis.set_title(PARAMETER_LABELS[name])
        axis.set_xlim(-0.6, len(interpretations) - 0.4)
    figure.axes[0].legend(loc="upper right", fontsize="small")
    axis = figure.add_subplot(grid[1, :])
    slope_of = slope_table.set_index("interpretation")["slope_per_decade"]
    for interpretation in interpretations:
        series = bands[bands["interpretation"] == interpretation].sort_values("compute")
        paper = f" (paper {paper_slopes[interpretation]:+.3f})" if interpretation in paper_slopes else ""
        label = f"{INTERPRETATION_LABELS.get(interpretation, interpretation)}: slope {slope_of[interpretation]:+.3f} per decade{paper}"
        axis.plot(series["compute"], series["median"], color=colours[interpretation], label=label)
        axis.fill_between(series["compute"], series["low"], series["high"], color=colours[interpretation], alpha=0.12)
    axis.axhline(20, color="black", linestyle=":", linewidth=1)
    axis.set_xscale("log")
    axis.set_xlabel("Pretraining compute C (FLOP), C = 6ND")
    axis.set_ylabel(r"Compute-optimal tokens per parameter $D_{opt}/N_{opt}$")
    axis.legend(loc="lower left", fontsize="small", title=f"median and {INTERVAL} interval; dotted: 20")
    figure.suptitle(r"Chinchilla fit $L(N, D) = E + A N^{-\alpha} + B D^{-\beta}$ under each interpretation of the parameter counts (error bars: bootstrap SE)")
    figure.tight_layout()
    return figure


def interpretations_table(fit_table: pd.DataFrame, slope_table: pd.DataFrame) -> pd.DataFrame:
    """Estimates ± SE, the D/N slope beside the paper's, and Besiroglu et al.'s published fit."""
    digits = {"E": 4, "A": 1, "alpha": 4, "B": 1, "beta": 4}
    slope_of = slope_table.set_index("interpretation")["slope_per_decade"]
    rows = []
    for row in fit_table.itertuples():
        record = {"interpretation": row.interpretation}
        for name in PARAMETER_NAMES:
            record[name] = f"{getattr(row, name):.{digits[name]}f} ± {getattr(row, f'{name}_se'):.{digits[name]}f}"
        record["D/N slope per decade"] = slope_of[row.interpretation]
        record["paper slope per decade"] = paper_slopes.get(row.interpretation, np.nan)
        record["runs"] = row.n_runs
        record["converged resamples"] = row.n_bootstraps
        rows.append(record)
    published = {"interpretation": "Besiroglu et al. (2024), published", **{name: f"{epoch_published[name]:.{digits[name]}f}" for name in PARAMETER_NAMES}}
    table = pd.DataFrame(rows + [published])
    return table.astype({"runs": "Int64", "converged resamples": "Int64"})


# %% [markdown]
# ## Fig. 3: the four perturbations

# %%
def schematic_figure(run_table: pd.DataFrame) -> plt.Figure:
    """Perturbed vs true count of every fitted model for a few values of each perturbation."""
    kept = kept_runs(run_table, n_excluded_highest_loss)
    true_counts = np.unique(kept[INTERPRETATION_COLUMNS[counts_interpretation]].to_numpy(dtype=float))
    figure, axes = plt.subplots(2, 2, figsize=(11, 9.5))
    for axis, kind in zip(axes.ravel(), PERTURBATIONS):
        values = np.asarray(schematic_values[kind], dtype=float)
        norm, cmap = value_colours(kind, values)
        dropped = []
        for value in values:
            perturbed = perturb(true_counts, Configuration(kind, float(value), 0), noise_seed)
            positive = perturbed > 0
            if not positive.all():
                dropped.append(f"{VALUE_SYMBOLS[kind]} = {format_value(kind, value)}: {int((~positive).sum())} model(s) ≤ 0")
            style = {"marker": "o", "markersize": 3, "linestyle": "none"} if kind == "log_normal_noise" else {"marker": "o", "markersize": 2.5}
            axis.plot(true_counts[positive], perturbed[positive], color=cmap(norm(value)), label=f"{VALUE_SYMBOLS[kind]} = {format_value(kind, value)}", **style)
        axis.plot(true_counts, true_counts, color="black", linestyle="--", linewidth=1, label="no perturbation")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(f"True parameters N ({counts_interpretation} counts)")
        axis.set_ylabel(r"Perturbed parameters $\tilde N$")
        title = PERTURBATION_TITLES[kind]
        if dropped:
            title += "\nnot drawn: " + "; ".join(dropped)
        axis.set_title(title, fontsize="small")
        axis.legend(fontsize="x-small", loc="upper left")
    figure.suptitle(f"The four perturbations of the parameter counts of the {len(true_counts)} fitted models (noise: repeat 0)")
    figure.tight_layout()
    return figure


# %% [markdown]
# ## Fig. 4: refitted parameters under each perturbation

# %%
def aggregate_repeats(group: pd.DataFrame) -> pd.DataFrame:
    """One row per value: the median over the valid repeats of each estimate and of each SE."""
    columns = list(PARAMETER_NAMES) + [f"{name}_se" for name in PARAMETER_NAMES]
    return group.groupby("value", as_index=False)[columns].median()


def invalid_note(kind: str, group: pd.DataFrame) -> str:
    """'c_a = -3.98e7 (reason)' for every value with an invalid configuration."""
    notes = []
    for value, rows in group.groupby("value"):
        invalid = rows[~rows["valid"]]
        if invalid.empty:
            continue
        reason = invalid["reason"].iloc[0]
        count = f"{len(invalid)}/{len(rows)} repeats, e.g. " if len(rows) > 1 else ""
        notes.append(f"{VALUE_SYMBOLS[kind]} = {format_value(kind, value)} ({count}{reason})")
    return "; ".join(notes)


def perturbed_parameters_figure(sweep: pd.DataFrame, predicted: pd.DataFrame, band_table: pd.DataFrame) -> plt.Figure:
    """Rows: perturbation; columns: E, A, alpha, B, beta; refit ± SE, App. C prediction, realistic band."""
    figure, axes = plt.subplots(len(PERTURBATIONS), len(PARAMETER_NAMES), figsize=(17, 14), squeeze=False)
    bands = band_table.set_index("perturbation")
    notes = []
    for row_axes, kind in zip(axes, PERTURBATIONS):
        group = sweep[sweep["perturbation"] == kind]
        valid = group[group["valid"]]
        summary = aggregate_repeats(valid).sort_values("value")
        prediction = predicted[predicted["perturbation"] == kind].sort_values("value")
        repeated = group["repeat"].nunique() > 1
        note = invalid_note(kind, group)
        if note:
            notes.append(f"{kind.replace('_', ' ')}: {note}")
        for axis, name in zip(row_axes, PARAMETER_NAMES):
            if kind in bands.index:
                axis.axvspan(bands.loc[kind, "low"], bands.loc[kind, "high"], color="grey", alpha=0.2, linewidth=0)
            if repeated:
                axis.plot(valid["value"], valid[name], linestyle="none", marker=".", markersize=3, color="grey", alpha=0.5)
            axis.errorbar(summary["value"], summary[name], yerr=summary[f"{name}_se"], fmt="o-", markersize=4, capsize=3, linewidth=1, label="refit ± SE" + (" (median of repeats)" if repeated else ""))
            prediction_label = "errors-in-variables prediction" if kind == "log_normal_noise" else "App. C prediction"
            axis.plot(prediction["value"], prediction[name], color="C3", linestyle="--", linewidth=1.5, label=prediction_label, zorder=4)
            if name in LOG_PARAMETERS:
                axis.set_yscale("log")
            set_value_axis(axis, kind)
            axis.set_title(PARAMETER_LABELS[name])
        row_axes[0].set_ylabel(PERTURBATION_TITLES[kind].split(":")[0], fontsize="large")
        row_axes[0].legend(fontsize="x-small", loc="best")
    footnote = "Shaded: values that move no count by more than the realistic relative error."
    if notes:
        footnote += "\nLeft out (invalid): " + "\n".join(notes)
    figure.suptitle("Refitted Chinchilla parameters under four perturbations of the parameter counts", fontsize="x-large")
    figure.tight_layout(rect=(0, 0.03 + 0.012 * len(notes), 1, 0.98))
    figure.text(0.01, 0.005, footnote, fontsize="small", va="bottom", wrap=True)
    return figure


# %% [markdown]
# ## Fig. 5: tokens per parameter under each perturbation

# %%
def perturbed_tokens_per_parameter_figure(bands: pd.DataFrame, band_table: pd.DataFrame) -> plt.Figure:
    """One panel per perturbation, one line per value (median over repeats), realistic values thick."""
    figure, axes = plt.subplots(2, 2, figsize=(17, 10.5))
    realistic = band_table.set_index("perturbation")
    for axis, kind in zip(axes.ravel(), PERTURBATIONS):
        rows = bands[bands["perturbation"] == kind]
        per_value = rows.groupby(["value", "compute"], as_index=False)[["low", "median", "high"]].median()
        values = np.sort(per_value["value"].unique())
        norm, cmap = value_colours(kind, values)
        low, high = realistic.loc[kind, ["low", "high"]] if kind in realistic.index else (np.nan, np.nan)
        missing = []
        for value in values:
            series = per_value[per_value["value"] == value].sort_values("compute")
            if series["median"].isna().all():
                missing.append(format_value(kind, value))
                continue
            inside = low <= value <= high
            colour = cmap(norm(value))
            axis.plot(series["compute"], series["median"], color=colour, linewidth=2.8 if inside else 1.0, label=f"{VALUE_SYMBOLS[kind]} = {format_value(kind, value)}" + (" (realistic)" if inside else ""))
            axis.fill_between(series["compute"], series["low"], series["high"], color=colour, alpha=0.08, linewidth=0)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("Pretraining compute C (FLOP)")
        axis.set_ylabel(r"$D_{opt}/N_{opt}$")
        title = PERTURBATION_TITLES[kind] + f"\nthick: within the realistic range [{format_value(kind, low)}, {format_value(kind, high)}]"
        if missing:
            title += f"; no line (invalid): {VALUE_SYMBOLS[kind]} = {', '.join(missing)}"
        axis.set_title(title, fontsize="small")
        axis.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.suptitle(f"Compute-optimal tokens per parameter under four perturbations (median and {INTERVAL} interval; noise: median over repeats)")
    figure.tight_layout()
    return figure


# %% [markdown]
# ## Tables S04 and S05: App. C predictions vs the refits, and the trend of D/N

# %%
PREDICTION_FORMULAS = {
    ("multiplicative", "A"): "A c_m^α",
    ("multiplicative", "alpha"): "α",
    ("additive", "A"): "A (1 + c_a/μ_geo)^α̂",
    ("additive", "alpha"): "α / ⟨N/(N + c_a)⟩",
    ("systematic_bias", "A"): "μ_geo^(α(1−s)/s) A",
    ("systematic_bias", "alpha"): "α / s",
    ("log_normal_noise", "A"): "A μ_geo^(α̂−α) (errors-in-variables, not in App. C)",
    ("log_normal_noise", "alpha"): "α Var(log N) / (Var(log N) + σ²) (errors-in-variables, not in App. C)",
}


def agreement_summary(agreement_rows: pd.DataFrame, fitted_power_law: pd.Series) -> pd.DataFrame:
    """Agreement per perturbation and parameter, then the bias power law beside the paper's."""
    table = agreement_rows.rename(
        columns={
            "n_configurations": "valid configurations",
            "median_abs_relative_error": "median |relative error|",
            "max_abs_relative_error": "max |relative error|",
            "within_se_fraction": f"share within {agreement_standard_errors:g} SE",
            "log_r_squared": "R² (log fitted vs log predicted)",
        }
    )
    table.insert(2, "prediction", [PREDICTION_FORMULAS.get((kind, name), "") for kind, name in zip(table["perturbation"], table["parameter"])])
    power_law_row = {
        "perturbation": "systematic_bias",
        "parameter": "alpha",
        "prediction": "power law α̂ = 10^c s^p fitted to the sweep",
        "power law c": fitted_power_law["log10_prefactor"],
        "power law p": fitted_power_law["exponent"],
        "power law R²": fitted_power_law["r_squared"],
        "power law p-value": fitted_power_law["p_value"],
        "paper c": paper_power_law["log10_prefactor"],
        "paper p": paper_power_law["exponent"],
        "paper R²": paper_power_law["r_squared"],
        "paper p-value": paper_power_law["p_value"],
    }
    return pd.concat([table, pd.DataFrame([power_law_row])], ignore_index=True)


def trend_summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Slopes (ratio units per decade) and exponents of C (scale-free), over the sweep and in range, beside the paper."""
    table = summary.rename(
        columns={
            "baseline_slope_per_decade": "unperturbed slope per decade",
            "sweep_min_slope_per_decade": "sweep min slope",
            "sweep_max_slope_per_decade": "sweep max slope",
            "band_low": "realistic range low",
            "band_high": "realistic range high",
            "band_n_configurations": "configurations in range",
            "band_min_slope_per_decade": "in-range min slope",
            "band_max_slope_per_decade": "in-range max slope",
            "n_invalid": "invalid configurations",
            "sweep_min_ratio_exponent": "sweep min exponent of C",
            "sweep_max_ratio_exponent": "sweep max exponent of C",
            "band_min_ratio_exponent": "in-range min exponent of C",
            "band_max_ratio_exponent": "in-range max exponent of C",
        }
    )
    table["paper"] = [paper_trend_statements.get(kind, "") for kind in table["perturbation"]]
    return table


# %%
if view == "interpretations_figure":
    fit_table = pd.read_csv(fits)
    figure = interpretations_figure(fit_table, pd.read_csv(tokens_per_parameter), pd.read_csv(slopes))
    plotting.save_figure(figure, output_stem)
    display(fit_table)
elif view == "interpretations_table":
    table = interpretations_table(pd.read_csv(fits), pd.read_csv(slopes))
    plotting.save_table(table, output_stem, float_format="%.3f", na_rep="—")
    display(table)
elif view == "schematic_figure":
    figure = schematic_figure(pd.read_csv(runs))
    plotting.save_figure(figure, output_stem)
elif view == "perturbed_parameters_figure":
    sweep = read_sweep_fits(perturbation_fits)
    figure = perturbed_parameters_figure(sweep, pd.read_csv(predictions), pd.read_csv(realistic_bands))
    plotting.save_figure(figure, output_stem)
    display(sweep[~sweep["valid"]][["perturbation", "value", "repeat", "reason"]])
elif view == "perturbed_tokens_per_parameter_figure":
    figure = perturbed_tokens_per_parameter_figure(pd.read_csv(perturbation_tokens_per_parameter), pd.read_csv(realistic_bands))
    plotting.save_figure(figure, output_stem)
elif view == "agreement_table":
    table = agreement_summary(pd.read_csv(agreement), pd.read_csv(power_law).iloc[0])
    plotting.save_table(table, output_stem, float_format="%.4g", na_rep="—")
    display(table)
elif view == "count_precision_table":
    # Printed (whole millions, as the paper's tables) vs exact formula counts: slope per decade and exponents.
    table = pd.read_csv(count_precision_slopes)
    plotting.save_table(table, output_stem, float_format="%.3f", na_rep="—")
    display(table)
elif view == "trend_table":
    table = trend_summary_table(pd.read_csv(trend_summary))
    plotting.save_table(table, output_stem, float_format="%.4g", na_rep="—")
    display(table)
else:
    raise ValueError(f"unknown view {view!r}")
