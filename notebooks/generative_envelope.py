# %% [markdown]
# # Paper G §6, App. E — the compute law as the envelope of the parameters + tokens law
#
# Reads `results/generative/<benchmark>/misallocation.csv` (per checkpoint and Eq. 4 fit: the
# misallocation ratio r = N/N*(C), the penalty Φ and the effective-compute multiplier) and
# `envelope.csv` (the envelope of each Eq. 4 fit beside the fitted Eq. 3), and draws one view:
# Fig. 8, the envelope-vs-fit figure, or its table.

# %% tags=["parameters"]
misallocation = "results/generative/gsm8k/misallocation.csv"  # misallocation table (misallocation_figure view)
envelope_gsm8k = "results/generative/gsm8k/envelope.csv"  # GSM8K envelope table (envelope views)
envelope_math = "results/generative/math/envelope.csv"  # MATH envelope table (envelope views; "" to leave out)
output_stem = "paper/figures/generative_fig08_effective_compute_misallocation_gsm8k"  # outputs: stem + .pdf/.png or .csv/.tex
view = "misallocation_figure"  # misallocation_figure | envelope_figure | envelope_table
benchmark = "gsm8k"  # benchmark named in the title (misallocation_figure view)
estimator = "beta_binomial"  # pass@k estimator drawn (misallocation_figure view)
figure_k = [1, 100, 10000]  # k values whose penalty curves are drawn (misallocation_figure view)
log10_r_range = [-3.0, 3.0]  # log10 range of r drawn (misallocation_figure view)
table_k = [1, 10, 100, 1000, 10000]  # k values listed (envelope_table view)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from scalingrepro.generative import envelope
from scalingrepro.pipeline import plotting

plotting.apply_style()
BENCHMARK_TITLES = {"gsm8k": "GSM8K", "math": "MATH"}


# %%
def misallocation_figure(table: pd.DataFrame) -> plt.Figure:
    """Φ^(−1/α) vs r for the Eq. 4 fits at `figure_k`, the checkpoints marked on their curve."""
    rows = table[(table["estimator"] == estimator) & table["k"].isin(figure_k)]
    r_grid = np.logspace(*log10_r_range, 400)
    figure, axis = plt.subplots(figsize=(7, 4.5))
    palette = plt.cm.viridis(np.linspace(0.0, 0.85, len(figure_k)))
    for k, colour in zip(figure_k, palette):
        at_k = rows[rows["k"] == k]
        if at_k.empty:
            continue
        beta, gamma = at_k["beta"].iloc[0], at_k["gamma"].iloc[0]
        if not (np.isfinite(beta) and np.isfinite(gamma)):
            continue
        curve = envelope.penalty_curve(r_grid, beta, gamma)
        alpha = envelope.envelope_exponent(beta, gamma)
        axis.plot(curve["r"], curve["effective_compute_multiplier"], color=colour, label=f"k = {k:g}: β = {beta:.3f}, γ = {gamma:.3f}, α = {alpha:.3f}")
        kept = at_k[~at_k["excluded"]]
        dropped = at_k[at_k["excluded"]]
        axis.scatter(kept["r"], kept["effective_compute_multiplier"], color=colour, s=14, zorder=3)
        axis.scatter(dropped["r"], dropped["effective_compute_multiplier"], facecolors="none", edgecolors=colour, s=14, zorder=3)
    axis.axvline(1.0, color="black", linewidth=0.8, linestyle=":")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlim(10 ** log10_r_range[0], 10 ** log10_r_range[1])
    axis.set_xlabel(r"Misallocation ratio $r = N / N^*(C)$   (r < 1: overtrained, r > 1: undertrained)")
    axis.set_ylabel(r"Effective / actual compute $\Phi(r)^{-1/\alpha}$")
    axis.set_title(f"{BENCHMARK_TITLES.get(benchmark, benchmark)}: cost of non-optimal allocation — {estimator} pass@k")
    axis.legend(fontsize="small", loc="lower center")
    figure.tight_layout()
    return figure


def read_envelopes() -> pd.DataFrame:
    tables = [pd.read_csv(path).assign(benchmark=name) for name, path in {"gsm8k": envelope_gsm8k, "math": envelope_math}.items() if path]
    return pd.concat(tables, ignore_index=True)


def envelope_figure(table: pd.DataFrame) -> plt.Figure:
    """α, C0, E0 of the fitted compute law (solid) and of the envelope (dashed) vs k."""
    quantities = [("alpha", r"$\alpha(k)$", "linear"), ("C0", r"$C_0(k)$", "log"), ("E0", r"$E_0(k)$", "linear")]
    groups = list(table.groupby(["benchmark", "estimator"], sort=True))
    palette = dict(zip([key for key, _ in groups], plt.cm.tab10(np.arange(len(groups)))))
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for (bench, estimator_name), group in groups:
        group = group.sort_values("k")
        label = f"{BENCHMARK_TITLES.get(bench, bench)}, {estimator_name}"
        for axis, (name, title, scale) in zip(axes, quantities):
            axis.plot(group["k"], group[f"{name}_fit"], color=palette[(bench, estimator_name)], marker="o", markersize=3, label=f"{label}: fit (Eq. 3)")
            axis.plot(group["k"], group[f"{name}_envelope"], color=palette[(bench, estimator_name)], linestyle="--", label=f"{label}: envelope (Eq. 4)")
            axis.set_yscale(scale)
            axis.set_ylabel(title)
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("k (attempts per problem)")
    axes[0].legend(fontsize="x-small")
    figure.suptitle("Fitted compute law vs the compute-optimal envelope of the parameters + tokens law")
    figure.tight_layout()
    return figure


def envelope_summary(table: pd.DataFrame) -> pd.DataFrame:
    rows = table[table["k"].isin(table_k)].copy()
    rows["alpha_ratio"] = rows["alpha_envelope"] / rows["alpha_fit"]
    rows["log10_C0_ratio"] = np.log10(rows["C0_envelope"] / rows["C0_fit"])
    columns = ["benchmark", "estimator", "k", "alpha_fit", "alpha_envelope", "alpha_ratio", "beta", "gamma", "C0_fit", "C0_envelope", "log10_C0_ratio", "E0_fit", "E0_envelope"]
    return rows[columns].sort_values(["benchmark", "estimator", "k"]).reset_index(drop=True)


# %%
if view == "misallocation_figure":
    table = pd.read_csv(misallocation)
    figure = misallocation_figure(table)
    plotting.save_figure(figure, output_stem)
    display(table[(table["estimator"] == estimator) & table["k"].isin(figure_k)].groupby("k")[["r", "phi", "effective_compute_multiplier"]].describe().T)
elif view == "envelope_figure":
    figure = envelope_figure(read_envelopes())
    plotting.save_figure(figure, output_stem)
elif view == "envelope_table":
    summary = envelope_summary(read_envelopes())
    plotting.save_table(summary, output_stem, float_format="%.4g")
    display(summary)
else:
    raise ValueError(f"unknown view {view!r}")
