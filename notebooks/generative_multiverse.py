# %% [markdown]
# # Paper G — every claim under every specification of the multiverse
#
# Reads `results/multiverse/verdicts.csv` (claim_id, specification, replicated_value, verdict)
# and `results/multiverse/specifications.csv` (one row per specification, one column per choice)
# and draws the claims (rows) × specifications (columns) coloured by verdict, the configured
# analysis marked.

# %% tags=["parameters"]
verdicts = "results/multiverse/verdicts.csv"  # one row per (claim, specification)
specifications = "results/multiverse/specifications.csv"  # one row per specification
output_stem = "paper/figures/generative_figS12_claims_across_the_multiverse"  # outputs: stem + .pdf/.png

# %%
import matplotlib.colors as colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from scalingrepro.pipeline import plotting
from scalingrepro.verdict.checks import VERDICTS

plotting.apply_style()
# One colour per verdict, in the order of scalingrepro.verdict.checks.VERDICTS.
VERDICT_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#bdbdbd", "#e7e7e7", "#e6ab02"]
judged = pd.read_csv(verdicts, keep_default_na=False)
choices = pd.read_csv(specifications)
# Columns sorted by the choices, so that neighbouring columns differ in the last choices only.
order = choices.sort_values(["checkpoint_subset", "overtraining_exclusion", "estimator", "horizon", "min_residual_dof"], kind="stable")["specification"].tolist()
claims = list(dict.fromkeys(judged["claim_id"]))
grid = judged.pivot(index="claim_id", columns="specification", values="verdict").reindex(index=claims, columns=order)
codes = grid.apply(lambda column: column.map(VERDICTS.index)).to_numpy(dtype=float)
reproduced = (grid == VERDICTS[0]).sum(axis=1)

# %%
figure, axis = plt.subplots(figsize=(14, 0.2 * len(claims) + 3.2))
axis.imshow(codes, aspect="auto", interpolation="nearest", cmap=colors.ListedColormap(VERDICT_COLOURS), vmin=-0.5, vmax=len(VERDICTS) - 0.5)
axis.set_yticks(range(len(claims)), [f"{claim}  ({reproduced[claim]}/{len(order)})" for claim in claims], fontsize=6)
subsets = choices.set_index("specification").loc[order]
axis.set_xticks(range(len(order)), [f"{row.estimator[:4]} {row.horizon.split('_')[0]} {row.min_residual_dof}" for row in subsets.itertuples()], rotation=90, fontsize=5)
for position, subset in enumerate(subsets["checkpoint_subset"] + " · " + subsets["overtraining_exclusion"]):
    if position == 0 or subset != (subsets["checkpoint_subset"] + " · " + subsets["overtraining_exclusion"]).iloc[position - 1]:
        axis.axvline(position - 0.5, color="white", linewidth=1.5)
        axis.text(position, -1.0, subset, fontsize=6, rotation=30, ha="left", va="bottom")
default = order.index(choices.loc[choices["default"], "specification"].iloc[0])
axis.add_patch(plt.Rectangle((default - 0.5, -0.5), 1, len(claims), fill=False, edgecolor="black", linewidth=1.2))
handles = [plt.Rectangle((0, 0), 1, 1, color=colour) for colour in VERDICT_COLOURS]
axis.legend(handles, VERDICTS, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=7, frameon=False)
axis.set_xlabel("specification: estimator, horizon definition, minimum residual dof (groups: checkpoint subset · over-training exclusion; box: the configured analysis)", fontsize=7)
axis.set_title(f"Paper G claims under {len(order)} specifications (in brackets: reproduced under n of them)", fontsize=9, pad=75)
figure.tight_layout()
plotting.save_figure(figure, output_stem)
