"""Paper C §2: parameter-count formulas, relative errors, the runs table and their bad inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from scalingrepro.chinchilla import counts as chinchilla_counts
from scalingrepro.pipeline import paths
from scalingrepro.pipeline.errors import InputError


@pytest.fixture(scope="module")
def counts(repo_root):
    return chinchilla_counts.parameter_counts(chinchilla_counts.load_table_a9(repo_root / paths.TABLE_A9))


@pytest.fixture(scope="module")
def exact_counts(repo_root):
    return chinchilla_counts.parameter_counts(chinchilla_counts.load_table_a9(repo_root / paths.TABLE_A9), "exact")


def test_formulas_on_the_smallest_model_by_hand(counts, exact_counts):
    embedding = 32168 * 512
    attention_per_matrix = 8 * 512 * 64 * 8  # n_layers * d_model * kv_size * n_heads
    feed_forward = 8 * 2 * 512 * 2048
    standard, best_fit = embedding + 4 * attention_per_matrix + feed_forward, embedding + 5 * attention_per_matrix + feed_forward
    for table in (counts, exact_counts):
        smallest = table.iloc[0]
        assert (smallest.standard_exact, smallest.best_fit_exact) == (standard, best_fit)
        assert (smallest.standard_printed, smallest.best_fit_printed) == (42_000_000, 44_000_000)  # Table 1: 42, 44
        assert smallest.reported == 44_000_000
    assert (counts.iloc[0].standard, exact_counts.iloc[0].standard) == (42_000_000, standard)
    assert counts.iloc[0].rel_err_standard_pct == pytest.approx(100 * (44e6 - 42e6) / 44e6)
    assert exact_counts.iloc[0].rel_err_standard_pct == pytest.approx(100 * (44e6 - standard) / 44e6)


def test_printed_counts_reproduce_the_papers_three_decimals_exact_counts_do_not(counts, exact_counts):
    # Fig. 1: "relative errors averaging 7.388%"; the exact formula counts give 7.390%.
    assert counts.rel_err_standard_pct.abs().mean() == pytest.approx(7.388, abs=5e-4)
    assert exact_counts.rel_err_standard_pct.abs().mean() == pytest.approx(7.390, abs=5e-4)


def test_an_unknown_precision_is_refused(repo_root):
    with pytest.raises(ValueError, match="count precision"):
        chinchilla_counts.parameter_counts(chinchilla_counts.load_table_a9(repo_root / paths.TABLE_A9), "rounded")


def test_section_2_numbers_come_out_of_the_computation(counts, config):
    summary = chinchilla_counts.summarize_relative_errors(counts, config["chinchilla"]["match_tolerance_pct"]).set_index("formula")
    standard, best_fit = summary.loc["standard"], summary.loc["best_fit"]
    # Paper: mean 7.388%, max 15.2%, min 3.6% (from the counts printed in whole millions).
    assert standard.mean_abs_rel_err_pct == pytest.approx(7.388, abs=5e-4)
    assert 15.2 <= standard.max_abs_rel_err_pct < 15.3
    assert standard.min_abs_rel_err_pct == pytest.approx(3.6, abs=0.05)
    assert standard.n_matching == 0  # "disagrees ... for 50/50 models"
    # Paper: best fit matches 44/50, largest relative error 8.7%.
    assert best_fit.n_matching == 44
    assert best_fit.max_abs_rel_err_pct == pytest.approx(8.7, abs=0.05)


def test_counts_table_contract(counts):
    assert list(counts.columns) == [
        "d_model", "ffw_size", "kv_size", "n_heads", "n_layers", "vocab_size",
        "reported", "standard_exact", "best_fit_exact", "standard_printed", "standard", "best_fit_printed", "best_fit",
        "rel_err_standard_pct", "rel_err_best_fit_pct",
    ]
    assert len(counts) == 50
    assert (counts[["reported", "standard", "best_fit"]] > 1e7).all().all(), "counts are raw numbers, not millions"


def test_every_epoch_run_maps_to_a_table_a9_model(counts, mirror):
    runs = chinchilla_counts.runs_table(chinchilla_counts.load_epoch_runs(mirror / "epoch_research_svg_extracted_data.csv"), counts)
    assert len(runs) == 245
    assert runs[["reported", "standard", "best_fit"]].notna().all().all()
    assert runs.tokens.mul(6 * runs.model_size).div(runs.training_flop).sub(1).abs().max() < 1e-12
    assert (runs.model_size / 1e6).round().eq(runs.reported / 1e6).all()


def write_epoch_csv(path, frame: pd.DataFrame):
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def epoch_frame():
    return pd.DataFrame({"Model Size": [44e6, 57e6], "Training FLOP": [1e18, 2e18], "loss": [3.1, 3.0]})


def test_epoch_csv_missing_column_is_named(tmp_path, epoch_frame):
    path = write_epoch_csv(tmp_path / "epoch.csv", epoch_frame.drop(columns="loss"))
    with pytest.raises(InputError, match=r"missing required column\(s\) \['loss'\]") as raised:
        chinchilla_counts.load_epoch_runs(path)
    assert str(path) in str(raised.value)


def test_epoch_csv_non_numeric_loss_names_the_row(tmp_path, epoch_frame):
    epoch_frame["loss"] = ["3.1", "n/a"]
    path = write_epoch_csv(tmp_path / "epoch.csv", epoch_frame)
    with pytest.raises(InputError, match=r"column 'loss' must hold finite numbers, but data row\(s\) 1 \(counting from 0\) hold \['n/a'\]"):
        chinchilla_counts.load_epoch_runs(path)


def test_unmatched_run_is_reported(counts, epoch_frame):
    odd = epoch_frame.rename(columns={"Model Size": "model_size", "Training FLOP": "training_flop"}).assign(model_size=[44e6, 3e6])
    with pytest.raises(InputError, match="match no reported count"):
        chinchilla_counts.runs_table(odd, counts)


def test_table_a9_non_positive_dimension_names_the_row(tmp_path, repo_root):
    lines = (repo_root / paths.TABLE_A9).read_text().splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("d_model"))
    fields = lines[header_at + 3].split(",")
    fields[4] = "0"  # n_layers of the third model
    lines[header_at + 3] = ",".join(fields)
    path = tmp_path / "table_a9.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"column 'n_layers' must be positive, but data row\(s\) 2 \(counting from 0\) hold \[0"):
        chinchilla_counts.load_table_a9(path)
