# %% [markdown]
# # Paper G — where the two pass@k estimators agree
#
# Reads the benchmark and per-problem pass@k tables of both benchmarks (both estimators) and
# the outcomes tables, and compares the unbiased estimator (Eq. 1) with the empirical-Bayes
# beta-binomial estimator wherever the unbiased one is defined (n >= k).

# %% tags=["parameters"]
gsm8k_pass_at_k = "results/generative/gsm8k/pass_at_k.csv"  # benchmark pass@k, GSM8K
gsm8k_problem_pass_at_k = "results/generative/gsm8k/problem_pass_at_k.parquet"  # per-problem pass@k, GSM8K
gsm8k_outcomes = "results/generative/gsm8k/outcomes.parquet"  # outcomes (sample counts), GSM8K
math_pass_at_k = "results/generative/math/pass_at_k.csv"  # benchmark pass@k, MATH
math_problem_pass_at_k = "results/generative/math/problem_pass_at_k.parquet"  # per-problem pass@k, MATH
math_outcomes = "results/generative/math/outcomes.parquet"  # outcomes (sample counts), MATH
output_stem = "paper/figures/generative_figS01_estimator_agreement"  # outputs: stem + .pdf/.png
view = "estimator_agreement"  # estimator_agreement

# %%
import matplotlib.colors as colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from scalingrepro.generative.outcomes import read_outcomes
from scalingrepro.generative.passk import estimator_agreement
from scalingrepro.pipeline import plotting

plotting.apply_style()
INPUTS = {
    "GSM8K": (gsm8k_pass_at_k, gsm8k_problem_pass_at_k, gsm8k_outcomes),
    "MATH": (math_pass_at_k, math_problem_pass_at_k, math_outcomes),
}
# Success-count bins for the per-problem panel: the prior's pull fades as successes accumulate.
SUCCESS_BINS = [(1, 9, "1-9 successes"), (10, 99, "10-99 successes"), (100, np.inf, ">= 100 successes")]


def paired_benchmark(table: pd.DataFrame) -> pd.DataFrame:
    """Both estimators' benchmark -log pass@k per (checkpoint, k) where the unbiased one exists."""
    wide = table.pivot_table(index=["size", "step", "k"], columns="estimator", values="neg_log_pass_at_k").reset_index()
    wide = wide.dropna(subset=["unbiased", "beta_binomial"])
    return wide[np.isfinite(wide["unbiased"]) & np.isfinite(wide["beta_binomial"])]


def binned_relative_difference(agreement: pd.DataFrame, low: float, high: float) -> pd.DataFrame:
    """Median and 10-90% quantiles of |relative difference| per half-decade of n/k, for problems with low..high successes."""
    n_correct = (agreement["unbiased_successes"]).astype(float)
    subset = agreement[(n_correct >= low) & (n_correct <= high)].dropna(subset=["relative_difference"])
    edges = np.arange(0, 7.5, 0.5)
    bins = pd.cut(np.log10(subset["samples_per_attempt"]), edges)
    grouped = subset["relative_difference"].abs().groupby(bins, observed=True)
    summary = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    summary["center"] = [10 ** interval.mid for interval in summary.index]
    return summary


# %%
def agreement_figure() -> plt.Figure:
    figure, axes = plt.subplots(2, 2, figsize=(11, 9))
    for row, (name, (benchmark_path, problem_path, outcomes_path)) in enumerate(INPUTS.items()):
        paired = paired_benchmark(pd.read_csv(benchmark_path))
        axis = axes[row, 0]
        points = axis.scatter(paired["unbiased"], paired["beta_binomial"], c=paired["k"], norm=colors.LogNorm(), cmap="viridis", s=10)
        limits = [paired[["unbiased", "beta_binomial"]].min().min() * 0.8, paired[["unbiased", "beta_binomial"]].max().max() * 1.2]
        axis.plot(limits, limits, color="black", linewidth=0.8)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("-log pass@k, unbiased (Eq. 1)")
        axis.set_ylabel("-log pass@k, beta-binomial")
        ratio = paired["beta_binomial"] / paired["unbiased"]
        axis.set_title(f"{name}: {len(paired)} (checkpoint, k) estimable; median ratio {ratio.median():.3f}")
        figure.colorbar(points, ax=axis, label="k")

        outcomes = read_outcomes(outcomes_path)
        agreement = estimator_agreement(pd.read_parquet(problem_path), outcomes)
        agreement = agreement.merge(outcomes[["size", "step", "problem_idx", "n_correct"]].rename(columns={"n_correct": "unbiased_successes"}), on=["size", "step", "problem_idx"])
        axis = axes[row, 1]
        for low, high, label in SUCCESS_BINS:
            summary = binned_relative_difference(agreement, low, high)
            if summary.empty:
                continue
            line = axis.plot(summary["center"], summary[0.5], marker="o", markersize=3, label=label)[0]
            axis.fill_between(summary["center"], summary[0.1], summary[0.9], color=line.get_color(), alpha=0.15)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_ylim(bottom=1e-5)  # below this both estimators agree to display precision
        axis.set_xlabel("Samples per attempt, n / k")
        axis.set_ylabel("|beta-binomial - unbiased| / unbiased (per problem)")
        axis.set_title(f"{name}: per-problem agreement")
        axis.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    return figure


# %%
if view == "estimator_agreement":
    figure = agreement_figure()
    plotting.save_figure(figure, output_stem)
else:
    raise ValueError(f"unknown view {view!r}")
