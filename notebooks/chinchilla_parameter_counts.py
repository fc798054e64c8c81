# %% [markdown]
# # Paper C §2 — three interpretations of Chinchilla's parameter counts
#
# Reads `results/chinchilla/parameter_counts.csv` (reported, standard-formula and
# best-fit-formula counts of the 50 models of Hoffmann et al.'s Table A9) and draws one view:
# Fig. 1 (relative errors), Table 1 (a snippet) or Table 2 (the full table).

# %% tags=["parameters"]
parameter_counts = "results/chinchilla/parameter_counts.csv"  # table written by count_chinchilla_parameters
output_stem = "paper/figures/chinchilla_fig01_parameter_count_relative_error"  # outputs: stem + .pdf/.png or .csv/.tex
view = "relative_error_figure"  # relative_error_figure | snippet_table | full_table
match_tolerance_pct = 1.0  # |relative error| below which a formula "matches" the reported count
snippet_rows = 3  # rows shown from each end of the table in the snippet

# %%
import matplotlib.pyplot as plt
import pandas as pd

from scalingrepro.chinchilla.counts import summarize_relative_errors
from scalingrepro.pipeline import plotting

plotting.apply_style()
counts = pd.read_csv(parameter_counts)
summary = summarize_relative_errors(counts, match_tolerance_pct)
summary

# %%
FORMULA_TITLES = {"standard": "Standard formula (Eq. 1)", "best_fit": "Best-fit formula (Eq. 3)"}


def relative_error_figure(counts: pd.DataFrame, summary: pd.DataFrame) -> plt.Figure:
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for axis, (formula, title) in zip(axes, FORMULA_TITLES.items()):
        stats = summary.set_index("formula").loc[formula]
        errors = counts[f"rel_err_{formula}_pct"]
        matching = errors.abs() < match_tolerance_pct
        axis.scatter(counts.loc[matching, "reported"], errors[matching], label=f"matches (|error| < {match_tolerance_pct:g}%)", s=25)
        axis.scatter(counts.loc[~matching, "reported"], errors[~matching], label="mismatch", s=25)
        axis.axhline(0, color="black", linewidth=0.8)
        axis.set_xscale("log")
        axis.set_xlabel("Reported model parameters (Table A9)")
        axis.set_title(
            f"{title}\nmatches {int(stats.n_matching)}/{int(stats.n_models)}, mean |err| "
            f"{stats.mean_abs_rel_err_pct:.3f}%, max {stats.max_abs_rel_err_pct:.1f}%"
        )
        axis.legend(loc="upper left")
    axes[0].set_ylabel("Relative error (%) (Eq. 2)")
    figure.tight_layout()
    return figure


def interpretations_table(counts: pd.DataFrame) -> pd.DataFrame:
    table = counts[["d_model", "ffw_size", "kv_size", "n_heads", "n_layers", "vocab_size"]].copy()
    for column, label in [("reported", "reported_M"), ("best_fit", "best_fit_M"), ("standard", "standard_M")]:
        table[label] = (counts[column] / 1e6).round().astype(int)
    return table


# %%
if view == "relative_error_figure":
    figure = relative_error_figure(counts, summary)
    plotting.save_figure(figure, output_stem)
elif view == "snippet_table":
    table = interpretations_table(counts)
    snippet = pd.concat([table.head(snippet_rows), table.tail(snippet_rows)])
    plotting.save_table(snippet, output_stem, float_format="%d")
    display(snippet)
elif view == "full_table":
    table = interpretations_table(counts)
    plotting.save_table(table, output_stem, float_format="%d")
    display(table)
else:
    raise ValueError(f"unknown view {view!r}")
