# %% [markdown]
# # Paper G §3.2, §4.2, §5.2 — backtesting the scaling laws
#
# Reads `results/generative/<benchmark>/backtest.csv` (each law fit on the checkpoints with
# C ≤ C_max and extrapolated to Pythia-12B at 300B tokens) and `stability.csv` (full-fit values
# and stability horizons), and draws one view: a backtest figure (Figs. 3, 5, 7, 15, 17) for one
# (benchmark, law, estimator), or the table of stability horizons beside the paper's statements.

# %% tags=["parameters"]
backtest = "results/generative/gsm8k/backtest.csv"  # backtest table of one benchmark (backtest_figure view)
stability = "results/generative/gsm8k/stability.csv"  # stability table of the same benchmark (backtest_figure view)
stability_gsm8k = "results/generative/gsm8k/stability.csv"  # GSM8K stability table (stability_table view)
stability_math = "results/generative/math/stability.csv"  # MATH stability table (stability_table view; "" to leave out)
output_stem = "paper/figures/generative_fig03_backtest_compute_gsm8k"  # outputs: stem + .pdf/.png or .csv/.tex
view = "backtest_figure"  # backtest_figure | stability_table
law = "compute"  # compute | params_tokens | gold_likelihood (backtest_figure view)
benchmark = "gsm8k"  # benchmark named in titles (backtest_figure view)
estimator = "beta_binomial"  # pass@k estimator drawn (backtest_figure view)
paper_claims = {}  # benchmark -> law -> {"parameters": text or {parameter: text}, "relative_error": text}: the paper's statements

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm

from scalingrepro.generative.laws import LAWS
from scalingrepro.pipeline import plotting

plotting.apply_style()
BENCHMARK_TITLES = {"gsm8k": "GSM8K", "math": "MATH"}
LAW_TITLES = {"compute": "Pretraining compute (Eq. 3)", "params_tokens": "Parameters + tokens (Eq. 4)", "gold_likelihood": "Gold reference likelihood (Eq. 6)"}
PARAMETER_LABELS = {
    "E0": r"$E_0(k)$", "C0": r"$C_0(k)$", "alpha": r"$\alpha(k)$", "N0": r"$N_0(k)$", "beta": r"$\beta(k)$",
    "D0": r"$D_0(k)$", "gamma": r"$\gamma(k)$", "xi0": r"$\xi_0(k)$", "K0": r"$K_0(k)$", "kappa": r"$\kappa(k)$",
}
PREFACTORS = {"C0", "N0", "D0", "K0"}  # span orders of magnitude: log axis
# Fits on a handful of early checkpoints run to the optimizer's bounds (e.g. alpha = 10,
# C0 = 1e140); parameter axes show this window around the full-fit values and mark clipped points.
PREFACTOR_WINDOW_DECADES = 3
LINEAR_WINDOW_FACTOR = 3


# %%
def read_backtest(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    table["skip_reason"] = table["skip_reason"].fillna("")
    table["at_bound"] = table["at_bound"].astype(bool)
    return table


def parameter_window(name: str, full_fit_values: pd.Series) -> tuple[float, float] | None:
    """Axis limits for a backtested parameter: a window around its full-fit values over k."""
    finite = full_fit_values[np.isfinite(full_fit_values)]
    if finite.empty:
        return None
    if name in PREFACTORS:
        return finite.min() / 10**PREFACTOR_WINDOW_DECADES, finite.max() * 10**PREFACTOR_WINDOW_DECADES
    return min(0.0, LINEAR_WINDOW_FACTOR * finite.min()), max(LINEAR_WINDOW_FACTOR * finite.max(), 1.0)


def draw_clipped(axis: plt.Axes, x: pd.Series, y: pd.Series, window: tuple[float, float] | None, color) -> None:
    """Line of y vs x inside `window`; points outside are drawn at its edge as open triangles."""
    if window is None:
        axis.plot(x, y, marker="o", markersize=3, color=color)
        return
    low, high = window
    clipped = y.clip(low, high)
    outside = (y < low) | (y > high)
    axis.plot(x, clipped, color=color, linewidth=1)
    axis.plot(x[~outside], clipped[~outside], linestyle="", marker="o", markersize=3, color=color)
    axis.plot(x[y > high], clipped[y > high], linestyle="", marker="^", markersize=5, markerfacecolor="none", color=color)
    axis.plot(x[y < low], clipped[y < low], linestyle="", marker="v", markersize=5, markerfacecolor="none", color=color)


def draw_on_bound(axis: plt.Axes, x: pd.Series, y: pd.Series, window: tuple[float, float] | None, color) -> None:
    """Fits whose exponent sits on its bound, as crosses apart from the line: they are not estimates."""
    if window is not None:
        y = y.clip(*window)
    axis.plot(x, y, linestyle="", marker="x", markersize=5, color=color)


def backtest_figure(table: pd.DataFrame, stability_table: pd.DataFrame) -> plt.Figure:
    """Relative error and every parameter vs C_max / C_target, one line per k; dashed: full-fit values;
    crosses: fits on an exponent bound, left off the lines and out of the stability horizons."""
    names = LAWS[law].parameter_names
    rows = table[(table["law"] == law) & (table["estimator"] == estimator)]
    fitted = rows[rows["skip_reason"] == ""]
    ks = sorted(rows["k"].unique())
    drawn_ks = sorted(fitted["k"].unique())
    norm = LogNorm(vmin=max(min(ks), 1), vmax=max(max(ks), 10))
    colour = {k: plt.cm.viridis(norm(max(k, 1))) for k in ks}
    n_panels = 1 + len(names)
    n_columns = 2 if n_panels <= 4 else 3
    figure, axes = plt.subplots(2, n_columns, figsize=(4.2 * n_columns, 7.2), squeeze=False)
    axes = axes.ravel()
    reference = stability_table[(stability_table["law"] == law) & (stability_table["estimator"] == estimator)].set_index(["k", "parameter"])
    windows = {name: parameter_window(name, reference.xs(name, level="parameter")["full_fit"]) if name in reference.index.get_level_values("parameter") else None for name in names}
    for k in drawn_ks:
        series = fitted[fitted["k"] == k].sort_values("c_max_over_target")
        on_bound = series[series["at_bound"]]
        series = series[~series["at_bound"]]
        axes[0].plot(series["c_max_over_target"], series["relative_error"], marker="o", markersize=3, color=colour[k], label=f"k = {k:g}")
        draw_on_bound(axes[0], on_bound["c_max_over_target"], on_bound["relative_error"], None, colour[k])
        for axis, name in zip(axes[1:], names):
            draw_clipped(axis, series["c_max_over_target"], series[name], windows[name], colour[k])
            draw_on_bound(axis, on_bound["c_max_over_target"], on_bound[name], windows[name], colour[k])
            if (k, name) in reference.index and np.isfinite(reference.loc[(k, name), "full_fit"]):
                axis.axhline(reference.loc[(k, name), "full_fit"], color=colour[k], linestyle="--", linewidth=1)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("Relative error of −log pass@k")
    axes[0].legend(fontsize="small")
    missing = [k for k in ks if k not in drawn_ks]
    if missing:
        axes[0].set_title(f"not estimable at the target: k = {', '.join(f'{k:g}' for k in missing)}", fontsize="small")
    for axis, name in zip(axes[1:], names):
        axis.set_ylabel(PARAMETER_LABELS[name])
        if name in PREFACTORS:
            axis.set_yscale("log")
        if windows[name] is not None:
            axis.set_ylim(*windows[name])
    for axis in axes[:n_panels]:
        axis.set_xscale("log")
        axis.set_xlabel(r"$C_{\max} / C_{\mathrm{target}}$")
    for axis in axes[n_panels:]:
        axis.set_visible(False)
    figure.suptitle(
        f"{BENCHMARK_TITLES.get(benchmark, benchmark)}: backtesting {LAW_TITLES[law]} — {estimator} pass@k\n"
        "dashed: full-fit value; open triangles: backtested value outside the axis window (clipped); "
        "crosses: fit with an exponent on its bound (not an estimate)",
        fontsize="medium",
    )
    figure.tight_layout()
    return figure


def format_range(values: pd.Series) -> str:
    values = values.dropna()
    if values.empty:
        return "—"
    return f"{values.median():.2f} [{values.min():.2f}, {values.max():.2f}]"


def stability_summary(tables: dict[str, pd.DataFrame], claims: dict) -> pd.DataFrame:
    """One row per (benchmark, law, estimator, parameter or relative error): horizons per k, median [range], paper."""
    rows = []
    for bench, table in tables.items():
        for (law_name, estimator_name), group in table.groupby(["law", "estimator"], sort=False):
            claim = claims.get(bench, {}).get(law_name, {})
            for parameter in LAWS[law_name].parameter_names:
                values = group[group["parameter"] == parameter].set_index("k")["stable_orders"]
                row = {"benchmark": bench, "law": law_name, "estimator": estimator_name, "quantity": parameter}
                row.update({f"k={k:g}": values.get(k, np.nan) for k in sorted(group["k"].unique())})
                row["median [range]"] = format_range(values)
                stated = claim.get("parameters", "")  # one text for every parameter, or parameter -> text
                row["paper"] = stated.get(parameter, "not stated") if isinstance(stated, dict) else stated
                rows.append(row)
            errors = group.drop_duplicates("k").set_index("k")["error_stays_below_orders"]
            row = {"benchmark": bench, "law": law_name, "estimator": estimator_name, "quantity": "relative error"}
            row.update({f"k={k:g}": errors.get(k, np.nan) for k in sorted(group["k"].unique())})
            row["median [range]"] = format_range(errors)
            row["paper"] = claim.get("relative_error", "")
            rows.append(row)
    return pd.DataFrame(rows)


# %%
if view == "backtest_figure":
    table = read_backtest(backtest)
    stability_table = pd.read_csv(stability)
    figure = backtest_figure(table, stability_table)
    plotting.save_figure(figure, output_stem)
    display(stability_table[(stability_table["law"] == law) & (stability_table["estimator"] == estimator)])
elif view == "stability_table":
    tables = {name: pd.read_csv(path) for name, path in {"gsm8k": stability_gsm8k, "math": stability_math}.items() if path}
    summary = stability_summary(tables, paper_claims)
    plotting.save_table(summary, output_stem, float_format="%.2f")
    display(summary)
else:
    raise ValueError(f"unknown view {view!r}")
