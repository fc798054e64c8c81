"""The Pythia checkpoint registry: sizes, steps, nominal N and D, C = 6ND, exclusions."""

from __future__ import annotations

import pytest

from scalingrepro.generative import pythia


def test_checkpoint_table_covers_nine_sizes_by_nine_steps(config):
    table = pythia.checkpoint_table(config["generative"]["outcomes"])
    assert list(table.columns) == pythia.CHECKPOINT_COLUMNS
    assert len(table) == 81 and not table.duplicated(["size", "step"]).any()
    assert pythia.size_order(config["generative"]["outcomes"]) == ["14M", "70M", "160M", "410M", "1B", "1.4B", "2.8B", "6.9B", "12B"]
    assert sorted(table["step"].unique().tolist()) == [1, 32, 256, 1000, 3000, 10000, 30000, 100000, 143000]
    assert set(table["hf_repo"]) == {f"EleutherAI/pythia-{size.lower()}" for size in table["size"]}


def test_compute_is_six_n_d_with_the_papers_target(config):
    table = pythia.checkpoint_table(config["generative"]["outcomes"]).set_index(["size", "step"])
    # Paper G §3.2: Pythia-12B at 300B tokens is ~2.16e22 FLOP.
    assert table.loc[("12B", 143000), "compute"] == pytest.approx(2.16e22)
    assert table.loc[("1.4B", 10000), "tokens"] == 2e10  # Pythia_1.4B_20B in the released data
    assert (table["compute"] == 6 * table["params"] * table["tokens"]).all()


def test_exclusions_are_marked_and_queryable(config):
    outcomes_config = config["generative"]["outcomes"]
    table = pythia.checkpoint_table(outcomes_config)
    listed = {(entry["size"], entry["step"]) for entry in outcomes_config["excluded_checkpoints"]}
    assert set(map(tuple, table.loc[table["excluded"], ["size", "step"]].to_numpy().tolist())) == listed
    assert pythia.is_excluded("14M", 143000, outcomes_config)
    assert not pythia.is_excluded("12B", 143000, outcomes_config)
    assert not pythia.checkpoint_table({**outcomes_config, "excluded_checkpoints": []})["excluded"].any()


@pytest.mark.parametrize(
    "nickname, expected",
    [("Pythia_1.4B_20B", ("1.4B", 2e10)), ("Pythia_12B_300B", ("12B", 3e11)), ("Pythia_14M_512M", ("14M", 5.12e8)), ("Llama_7B_1T", None)],
)
def test_parse_nickname(nickname, expected):
    assert pythia.parse_nickname(nickname) == expected


def test_hf_revision():
    assert pythia.hf_revision(143000) == "step143000"
