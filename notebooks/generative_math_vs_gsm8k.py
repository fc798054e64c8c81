# %% [markdown]
# # Paper G §7 — how the compute law depends on the benchmark: MATH vs GSM8K
#
# Reads the fit tables of both benchmarks (`results/generative/<benchmark>/fits.csv`, written by
# `combine_fits`) and draws one view:
#
# - `figure`: the irreducible error E0(k) and the compute exponent α(k) of Eq. 3 for GSM8K and
#   MATH side by side, with 90% bootstrap intervals over problems and the values the paper states;
# - `table`: E0, C0 and α at the powers of ten of k, with their intervals, beside the paper's values.

# %% tags=["parameters"]
output_stem = "paper/figures/generative_figS07_math_vs_gsm8k_compute_law"  # outputs: stem + .pdf/.png or .csv/.tex
view = "figure"  # figure | table
fits_gsm8k = "results/generative/gsm8k/fits.csv"  # GSM8K fits (combine_fits)
fits_math = "results/generative/math/fits.csv"  # MATH fits (combine_fits)
estimator = "beta_binomial"  # pass@k estimator whose fits are drawn
paper_values = []  # records {benchmark, parameter, k, value, where}: values the paper states (comparison only)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from scalingrepro.pipeline import plotting

plotting.apply_style()
LAW = "compute"
BENCHMARK_NAMES = {"gsm8k": "GSM8K", "math": "MATH"}
SYMBOLS = {"E0": r"$E_0$", "C0": r"$C_0$", "alpha": r"$\alpha$"}
fit_paths = {"gsm8k": fits_gsm8k, "math": fits_math}


def compute_law_fits(benchmark: str) -> pd.DataFrame:
    """Converged Eq. 3 fits of one benchmark under `estimator`, by k."""
    table = pd.read_csv(fit_paths[benchmark])
    table = table[(table["law"] == LAW) & (table["estimator"] == estimator) & table["converged"].astype(bool)]
    if table.empty:
        raise ValueError(f"{fit_paths[benchmark]} has no converged compute-law fit for estimator {estimator!r}")
    return table.sort_values("k").assign(benchmark=benchmark)


fits = pd.concat([compute_law_fits(benchmark) for benchmark in BENCHMARK_NAMES], ignore_index=True)
stated = pd.DataFrame(paper_values, columns=["benchmark", "parameter", "k", "value", "where"])
stated


# %%
def comparison_figure() -> plt.Figure:
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for axis, parameter in zip(axes, ("E0", "alpha")):
        for color, (benchmark, name) in zip(("C0", "C3"), BENCHMARK_NAMES.items()):
            rows = fits[fits["benchmark"] == benchmark]
            axis.fill_between(rows["k"], rows[f"{parameter}_q05"], rows[f"{parameter}_q95"], color=color, alpha=0.2, linewidth=0)
            axis.plot(rows["k"], rows[parameter], color=color, marker="o", markersize=3, label=name)
            marks = stated[(stated["benchmark"] == benchmark) & (stated["parameter"] == parameter)]
            axis.scatter(marks["k"], marks["value"], marker="*", s=160, color=color, edgecolors="black", zorder=4, label=f"{name}: paper states")
        axis.set_xscale("log")
        axis.set_xlabel("k (attempts per problem)")
        axis.set_title(SYMBOLS[parameter])
    axes[0].legend(fontsize=8)
    figure.suptitle(f"Compute law (Eq. 3) on GSM8K and MATH ({estimator} estimator; bands: 90% bootstrap intervals)")
    figure.tight_layout()
    return figure


def comparison_table() -> pd.DataFrame:
    decades = fits[np.isclose(np.log10(fits["k"]) % 1, 0) | np.isclose(np.log10(fits["k"]) % 1, 1)]
    rows = []
    for record in decades.itertuples():
        row = {"benchmark": BENCHMARK_NAMES[record.benchmark], "k": int(record.k)}
        for parameter in SYMBOLS:
            row[parameter] = getattr(record, parameter)
            row[f"{parameter}_q05"] = getattr(record, f"{parameter}_q05")
            row[f"{parameter}_q95"] = getattr(record, f"{parameter}_q95")
            match = stated[(stated["benchmark"] == record.benchmark) & (stated["parameter"] == parameter) & (stated["k"] == record.k)]
            row[f"{parameter}_paper"] = match["value"].iloc[0] if len(match) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


# %%
if view == "figure":
    plotting.save_figure(comparison_figure(), output_stem)
elif view == "table":
    table = comparison_table()
    plotting.save_table(table, output_stem)
    display(table)
else:
    raise ValueError(f"unknown view {view!r}")
