# %% [markdown]
# # Paper G, App. B-C — samples per problem and the cost of sampling
#
# Draws one view for one benchmark: the heatmap of samples per checkpoint per problem
# (Figs. 9-10) from `results/generative/<benchmark>/outcomes.parquet`, or the sampling-cost
# table (Tables 1-2 with App. C's arithmetic) from `results/generative/<benchmark>/sampling_cost.csv`.

# %% tags=["parameters"]
outcomes = "results/generative/gsm8k/outcomes.parquet"  # canonical outcomes table (samples_heatmap view)
sampling_cost = "results/generative/gsm8k/sampling_cost.csv"  # table written by estimate_sampling_cost (cost_table view)
output_stem = "paper/figures/generative_fig09_samples_per_problem_gsm8k"  # outputs: stem + .pdf/.png or .csv/.tex
view = "samples_heatmap"  # samples_heatmap | cost_table
benchmark = "gsm8k"  # gsm8k | math (titles only)

# %%
import matplotlib.colors as colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from scalingrepro.generative.outcomes import read_outcomes, samples_heatmap
from scalingrepro.pipeline import plotting

plotting.apply_style()
BENCHMARK_NAMES = {"gsm8k": "GSM8K", "math": "MATH"}
# Printed headers of the sampling_cost.csv columns (the samples-per-problem readings of App. B-C).
COST_HEADERS = {
    "reported_a100_s_per_batch": "A100-s per 128 samples (reported)",
    "app_c_formula": "App. C sum (32e4/problem)",
    "app_c_text": "App. C text (3.2e4/problem)",
    "app_b_minimum": "App. B minimum (2^14/problem)",
    "released_samples": "released samples",
    "released_counts": "at released counts",
    "paper_stated": "paper states",
}


def samples_heatmap_figure(table: pd.DataFrame) -> plt.Figure:
    wide = samples_heatmap(table)
    figure, axis = plt.subplots(figsize=(14, max(6, 0.16 * len(wide))))
    image = axis.imshow(wide.to_numpy(dtype=float), aspect="auto", interpolation="nearest", cmap="viridis", norm=colors.LogNorm(vmin=np.nanmin(wide.to_numpy()), vmax=np.nanmax(wide.to_numpy())))
    axis.set_yticks(range(len(wide)), wide.index, fontsize=6)
    tick_every = max(1, len(wide.columns) // 16)
    axis.set_xticks(range(0, len(wide.columns), tick_every), wide.columns[::tick_every], fontsize=7, rotation=90)
    axis.set_xlabel(f"{BENCHMARK_NAMES[benchmark]} problem (test-split index)")
    axis.set_ylabel("Pythia checkpoint")
    axis.grid(False)
    total = table["n_samples"].sum()
    axis.set_title(
        f"Samples per checkpoint per {BENCHMARK_NAMES[benchmark]} problem: {wide.shape[0]} checkpoints, "
        f"{wide.shape[1]} problems, {total / 1e6:.0f}M samples"
    )
    figure.colorbar(image, ax=axis, label="Number of samples", fraction=0.03, pad=0.01)
    figure.tight_layout()
    return figure


# %%
if view == "samples_heatmap":
    table = read_outcomes(outcomes)
    display(table.groupby("size")["n_samples"].describe())
    figure = samples_heatmap_figure(table)
    plotting.save_figure(figure, output_stem)
elif view == "cost_table":
    cost = pd.read_csv(sampling_cost).rename(columns=COST_HEADERS)
    plotting.save_table(
        cost,
        output_stem,
        float_format="%.3g",
        caption=f"{BENCHMARK_NAMES[benchmark]} sampling cost: reported A100-seconds per 128 samples and App. C's arithmetic.",
    )
    display(cost)
else:
    raise ValueError(f"unknown view {view!r}")
