# %% [markdown]
# # Paper G — full fits of the scaling laws and their parameters as functions of k
#
# Reads the fit tables written by `fit_scaling_laws` / `combine_fits`
# (`results/generative/<benchmark>/fits.csv`, `fit_variants.csv`), the benchmark pass@k table
# and the gold-likelihood covariate, and draws one view:
#
# - `full_fit` (Figs. 1, 4, 6, 14, 16): −log pass@k against the law's covariate for a few k, points
#   coloured by model size (hollow: excluded from the fit), the fitted law, its values in the legend;
# - `parameters_vs_k` (Figs. 2, 11, 12, 13, 20, 21): each parameter against k with its 90%
#   bootstrap interval (`main` style marks the values the paper states);
# - `exclusions` (§2): fitted exponents with and without the checkpoint exclusions;
# - `gold_aggregate_table` (§5): the gold law under the two readings of GoldProb.

# %% tags=["parameters"]
output_stem = "paper/figures/generative_fig01_compute_law_full_fit_gsm8k"  # outputs: stem + .pdf/.png or .csv/.tex
view = "full_fit"  # full_fit | parameters_vs_k | exclusions | gold_aggregate_table
fits = "results/generative/gsm8k/fits.csv"  # fits.csv of the benchmark (full_fit, parameters_vs_k)
pass_at_k = "results/generative/gsm8k/pass_at_k.csv"  # benchmark pass@k table (full_fit)
gold_likelihood = ""  # gold_likelihood.csv of the benchmark (gold law only)
law = "compute"  # compute | params_tokens | gold_likelihood
benchmark = "gsm8k"  # gsm8k | math
estimator = "beta_binomial"  # beta_binomial | unbiased
figure_k = [1, 100, 10000]  # k of the full-fit panels
size_order = ["14M", "70M", "160M", "410M", "1B", "1.4B", "2.8B", "6.9B", "12B"]  # model sizes, ascending
excluded_checkpoints = []  # [size, step] pairs left out of the fits (drawn hollow)
style = "appendix"  # parameters_vs_k: main (paper's stated values marked) | appendix
paper_values = []  # records {benchmark, parameter, k, value, where}: values the paper states (comparison only)
benchmarks = ["gsm8k", "math"]  # exclusions / gold_aggregate_table: benchmarks drawn
variants_gsm8k = "results/generative/gsm8k/fit_variants.csv"  # point fits under alternative settings
variants_math = "results/generative/math/fit_variants.csv"  # point fits under alternative settings
fits_gsm8k = "results/generative/gsm8k/fits.csv"  # exclusions: configured fits with bootstrap intervals
fits_math = "results/generative/math/fits.csv"  # exclusions: configured fits with bootstrap intervals
failed_fit_label = "fit failed"  # full_fit: the panel text where a law's fit failed (and why, where that is known)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from scalingrepro.generative.laws import LAWS
from scalingrepro.pipeline import plotting

plotting.apply_style()
BENCHMARK_NAMES = {"gsm8k": "GSM8K", "math": "MATH"}
SYMBOLS = {
    "E0": r"$E_0$", "C0": r"$C_0$", "alpha": r"$\alpha$", "N0": r"$N_0$", "beta": r"$\beta$", "D0": r"$D_0$",
    "gamma": r"$\gamma$", "xi0": r"$\xi_0$", "K0": r"$K_0$", "kappa": r"$\kappa$",
}
PREFACTORS = {"C0", "N0", "D0", "K0"}
COVARIATE_LABELS = {
    "compute": "Pretraining compute C = 6ND (FLOP)",
    "neg_log_gold_prob": r"$-\log(\mathrm{GoldProb}_\mathcal{B})$",
}
variant_paths = {"gsm8k": variants_gsm8k, "math": variants_math}
fit_paths = {"gsm8k": fits_gsm8k, "math": fits_math}


def symbol(name: str) -> str:
    return r"$\mathcal{E}_0$" if (name == "E0" and law == "params_tokens") else SYMBOLS[name]


def format_value(value: float) -> str:
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 or value == 0 else f"{value:.2e}"


def fit_row(table: pd.DataFrame, k: int) -> pd.Series:
    rows = table[(table["law"] == law) & (table["estimator"] == estimator) & (table["k"] == k)]
    if rows.empty:
        raise ValueError(f"no {law} fit for estimator {estimator} at k = {k}: is k on the k grid?")
    return rows.iloc[0]


# %%
def full_fit_figure() -> plt.Figure:
    law_spec = LAWS[law]
    points = pd.read_csv(pass_at_k)
    points = points[points["estimator"] == estimator]
    if law == "gold_likelihood":
        gold = pd.read_csv(gold_likelihood)[["size", "step", "neg_log_gold_prob"]]
        points = points.merge(gold, on=["size", "step"], how="inner")
    x_column = "neg_log_gold_prob" if law == "gold_likelihood" else "compute"
    excluded = {(str(size), int(step)) for size, step in excluded_checkpoints}
    points["excluded"] = [(str(size), int(step)) in excluded for size, step in zip(points["size"], points["step"])]
    table = pd.read_csv(fits)
    palette = dict(zip(size_order, sns.color_palette("viridis", len(size_order))))
    figure, axes = plt.subplots(1, len(figure_k), figsize=(4.6 * len(figure_k), 4.2), sharex=True)
    axes = np.atleast_1d(axes)
    for axis, k in zip(axes, figure_k):
        at_k = points[points["k"] == k]
        drawable = at_k[np.isfinite(at_k["neg_log_pass_at_k"]) & (at_k["neg_log_pass_at_k"] > 0)]
        for size in size_order:
            of_size = drawable[drawable["size"] == size]
            kept, left_out = of_size[~of_size["excluded"]], of_size[of_size["excluded"]]
            axis.scatter(kept[x_column], kept["neg_log_pass_at_k"], color=palette[size], s=22, zorder=3)
            axis.scatter(left_out[x_column], left_out["neg_log_pass_at_k"], facecolors="none", edgecolors=palette[size], s=22, zorder=3)
        row = fit_row(table, k)
        parameters = {name: row[name] for name in law_spec.parameter_names}
        fitted = row["converged"] and all(np.isfinite(list(parameters.values())))
        values = ", ".join(f"{symbol(name)}={format_value(value)}" for name, value in parameters.items()) if fitted else failed_fit_label
        if fitted and law == "params_tokens":
            # Eq. 4 depends on N and D separately: one curve per model size over its training tokens
            tokens = np.geomspace(points["tokens"].min(), points["tokens"].max(), 200)
            for size in size_order:
                params = points.loc[points["size"] == size, "params"]
                if params.empty:
                    continue
                curve = pd.DataFrame({"params": params.iloc[0], "tokens": tokens})
                axis.plot(6 * curve["params"] * curve["tokens"], law_spec.predict(parameters, curve), color=palette[size], linewidth=1.2)
        elif fitted:
            grid = np.geomspace(points[x_column].min(), points[x_column].max(), 200)
            axis.plot(grid, law_spec.predict(parameters, pd.DataFrame({x_column: grid})), color="black", linewidth=1.5)
        unusable = len(at_k) - len(drawable)
        axis.set_title(f"k = {k:,}" + (f" ({unusable} checkpoints with pass@k = 0 or undefined)" if unusable else ""), fontsize=9)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(COVARIATE_LABELS[x_column])
        axis.legend(handles=[Line2D([], [], color="black", label=f"{law_spec.equation}: {values}")], loc="lower left", fontsize=7)
    axes[0].set_ylabel(r"$-\log(\mathrm{pass}_\mathcal{B}@k)$")
    size_handles = [Line2D([], [], marker="o", linestyle="", color=palette[size], label=size) for size in size_order]
    size_handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none", color="grey", label="excluded"))
    figure.legend(handles=size_handles, title="Parameters", loc="center left", bbox_to_anchor=(1.0, 0.5))
    figure.suptitle(f"{BENCHMARK_NAMES[benchmark]}: {law_spec.equation} fit per k ({estimator} pass@k estimator)")
    figure.tight_layout()
    return figure


# %%
def parameters_vs_k_figure() -> plt.Figure:
    law_spec = LAWS[law]
    table = pd.read_csv(fits)
    table = table[(table["law"] == law) & (table["estimator"] == estimator)].sort_values("k")
    converged = table[table["converged"].astype(bool)]
    names = law_spec.parameter_names
    figure, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.6))
    norm = plt.matplotlib.colors.LogNorm(table["k"].min(), table["k"].max())
    for axis, name in zip(axes, names):
        axis.fill_between(converged["k"], converged[f"{name}_q05"], converged[f"{name}_q95"], color="grey", alpha=0.3, linewidth=0, label="90% bootstrap interval")
        axis.plot(converged["k"], converged[name], color="grey", linewidth=1)
        axis.scatter(converged["k"], converged[name], c=converged["k"], cmap="viridis", norm=norm, s=18, zorder=3)
        for record in paper_values:
            if record["parameter"] == name and record["benchmark"] == benchmark:
                axis.scatter([record["k"]], [record["value"]], marker="*", s=140, color="red", zorder=4, label="paper states")
        axis.set_xscale("log")
        if name in PREFACTORS or (style == "appendix" and name not in {"E0", "xi0"}):
            axis.set_yscale("log")
        axis.set_xlabel("k (attempts per problem)")
        axis.set_title(symbol(name))
    legend_entries = {}  # label -> first handle, over all panels (each star adds one)
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels()):
            legend_entries.setdefault(label, handle)
    handles, labels = list(legend_entries.values()), list(legend_entries)
    failed = len(table) - len(converged)
    figure.legend(handles, labels, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.08))
    figure.suptitle(
        f"{BENCHMARK_NAMES[benchmark]}: {law_spec.equation} parameters by k ({estimator} estimator)"
        + (f"; {failed} k without a converged fit omitted" if failed else "")
    )
    figure.tight_layout()
    return figure


# %%
EXPONENTS = [("compute", "alpha"), ("params_tokens", "beta"), ("params_tokens", "gamma")]


def exclusions_figure() -> plt.Figure:
    figure, axes = plt.subplots(len(benchmarks), len(EXPONENTS), figsize=(4.2 * len(EXPONENTS), 3.4 * len(benchmarks)), squeeze=False)
    for row, name in enumerate(benchmarks):
        configured = pd.read_csv(fit_paths[name])
        variants = pd.read_csv(variant_paths[name])
        toggled = variants[(variants["variant"] == "exclusions_toggled") & (variants["estimator"] == estimator)]
        with_exclusions = bool(variants.loc[variants["variant"] == "configured", "apply_exclusions"].iloc[0])
        for column, (law_name, parameter) in enumerate(EXPONENTS):
            axis = axes[row, column]
            fit = configured[(configured["law"] == law_name) & (configured["estimator"] == estimator) & configured["converged"].astype(bool)].sort_values("k")
            other = toggled[(toggled["law"] == law_name) & toggled["converged"].astype(bool)].sort_values("k")
            label_configured = "with exclusions (configured)" if with_exclusions else "all checkpoints (configured)"
            label_other = "all checkpoints" if with_exclusions else "with exclusions"
            axis.fill_between(fit["k"], fit[f"{parameter}_q05"], fit[f"{parameter}_q95"], color="C0", alpha=0.25, linewidth=0)
            axis.plot(fit["k"], fit[parameter], color="C0", marker="o", markersize=3, label=label_configured)
            axis.plot(other["k"], other[parameter], color="C3", linestyle="--", marker="x", markersize=4, label=label_other)
            axis.set_xscale("log")
            axis.set_title(f"{BENCHMARK_NAMES[name]}: {SYMBOLS[parameter]} ({LAWS[law_name].equation})")
            axis.set_xlabel("k")
    axes[0, 0].legend(fontsize=8)
    figure.suptitle(f"Fitted exponents with and without the checkpoint exclusions ({estimator} estimator; band: 90% bootstrap interval)")
    figure.tight_layout()
    return figure


def gold_aggregate_table() -> pd.DataFrame:
    name = benchmarks[0]
    variants = pd.read_csv(variant_paths[name])
    gold = variants[(variants["law"] == "gold_likelihood") & (variants["estimator"] == estimator) & variants["variant"].isin(["configured", "gold_aggregate_toggled"])]
    gold = gold[gold["k"].isin(figure_k)]
    table = gold[["gold_aggregate", "k", "xi0", "K0", "kappa", "sse_log", "n_points", "converged"]].sort_values(["gold_aggregate", "k"])
    return table.reset_index(drop=True)


# %%
if view == "full_fit":
    plotting.save_figure(full_fit_figure(), output_stem)
elif view == "parameters_vs_k":
    plotting.save_figure(parameters_vs_k_figure(), output_stem)
elif view == "exclusions":
    plotting.save_figure(exclusions_figure(), output_stem)
elif view == "gold_aggregate_table":
    table = gold_aggregate_table()
    plotting.save_table(table, output_stem)
    display(table)
else:
    raise ValueError(f"unknown view {view!r}")
