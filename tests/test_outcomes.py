"""The canonical outcomes table: the released-data adapter, validation errors named by row, and
facts about the released data (mirror README)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scalingrepro.generative import outcomes, passk
from scalingrepro.pipeline.errors import InputError


def canonical_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "benchmark": "gsm8k",
            "size": ["12B", "12B", "14M"],
            "step": [143000, 143000, 1],
            "params": [1.2e10, 1.2e10, 1.4e7],
            "tokens": [3e11, 3e11, 2e6],
            "compute": [2.16e22, 2.16e22, 1.68e14],
            "problem_idx": [12, 20, 12],
            "n_samples": [128, 256, 1024],
            "n_correct": [3, 0, 0],
        }
    )


def test_valid_table_passes_with_integer_counts():
    table = outcomes.validate(canonical_rows().astype({"n_correct": float}), "x.parquet")
    assert list(table.columns) == outcomes.OUTCOME_COLUMNS
    assert table["n_correct"].dtype == np.int64


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("n_correct", 300, "0 <= n_correct <= n_samples"),
        ("n_correct", -1, "0 <= n_correct <= n_samples"),
        ("n_correct", 2.5, "must hold integers"),
        ("n_samples", np.nan, "must hold integers"),
        ("n_samples", 0, "at least 1"),
    ],
)
def test_violations_are_reported_by_row(column, value, message):
    table = canonical_rows()
    table[column] = table[column].astype(float)
    table.loc[1, column] = value
    with pytest.raises(InputError) as error:
        outcomes.validate(table, "bad.parquet")
    assert message in str(error.value) and "row(s) 1" in str(error.value) and "bad.parquet" in str(error.value)


def test_duplicate_keys_are_reported_by_row():
    table = pd.concat([canonical_rows(), canonical_rows().iloc[[2]]], ignore_index=True)
    with pytest.raises(InputError, match=r"2, 3"):
        outcomes.validate(table, "dup.parquet")


def test_missing_column_is_named():
    with pytest.raises(InputError, match="n_correct"):
        outcomes.validate(canonical_rows().drop(columns="n_correct"), "cols.parquet")


def released_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Model Nickname": ["Pythia_12B_300B"] * 4 + ["Pythia_14M_2M"] * 2,
            "prompt_idx": [12, 12, 20, 20, 12, 12],
            "Num. Samples": [128, 128, 256, 256, 1024, 1024],
            "Num. Samples Correct": [3.0, 3.0, 0.0, 0.0, 0.0, 0.0],
            "k": [1, 10000, 1, 10000, 1, 10000],
            "pass@k": [0.02, 1.0, 0.0, 1.0, 0.0, 0.0],
        }
    )


def test_released_adapter_maps_names_and_drops_k_repeats(config):
    table = outcomes.from_released(released_rows(), "gsm8k", config["generative"]["outcomes"], "released.parquet")
    assert list(table.columns) == outcomes.OUTCOME_COLUMNS
    assert table[["size", "step", "problem_idx", "n_samples", "n_correct"]].values.tolist() == [
        ["14M", 1, 12, 1024, 0],
        ["12B", 143000, 12, 128, 3],
        ["12B", 143000, 20, 256, 0],
    ]
    assert table.loc[1, "compute"] == pytest.approx(2.16e22)


def test_released_adapter_rejects_unknown_checkpoints_by_row(config):
    released = released_rows()
    released.loc[5, "Model Nickname"] = "Pythia_13B_300B"
    with pytest.raises(InputError, match=r"row\(s\) 5 .*Pythia_13B_300B"):
        outcomes.from_released(released, "gsm8k", config["generative"]["outcomes"], "released.parquet")


def test_released_adapter_rejects_counts_that_differ_across_k(config):
    released = released_rows()
    released.loc[1, "Num. Samples Correct"] = 4.0
    with pytest.raises(InputError, match="differ across the k rows"):
        outcomes.from_released(released, "gsm8k", config["generative"]["outcomes"], "released.parquet")


def test_majority_problem_set_drops_problems_of_few_checkpoints():
    rows = canonical_rows()
    extra = rows.iloc[[0]].assign(problem_idx=99)
    table = pd.concat([rows, extra], ignore_index=True)
    assert outcomes.problem_set(table, "majority").tolist() == [12]
    assert outcomes.problem_set(table, "all").tolist() == [12, 20, 99]


# Facts from the mirror README, checked on the real released files.


@pytest.fixture(scope="module")
def released_tables(mirror, config):
    outcomes_config = config["generative"]["outcomes"]
    result = {}
    for benchmark in outcomes_config["benchmarks"]:
        path = mirror / f"{benchmark}_pass_at_k.parquet"
        result[benchmark] = (pd.read_parquet(path), outcomes.from_released(outcomes.read_released(path), benchmark, outcomes_config, str(path)))
    return result


def test_released_data_shapes(released_tables, config):
    gsm8k, math = released_tables["gsm8k"][1], released_tables["math"][1]
    assert len(gsm8k[["size", "step"]].drop_duplicates()) == 81 and gsm8k["problem_idx"].nunique() == 130
    assert len(math[["size", "step"]].drop_duplicates()) == 72 and math["problem_idx"].nunique() == 128
    problems_per_checkpoint = gsm8k.groupby(["size", "step"]).size()
    assert problems_per_checkpoint.value_counts().to_dict() == {128: 78, 30: 1, 129: 1, 130: 1}
    assert outcomes.problem_set(gsm8k, "majority").size == 128
    assert outcomes.problem_set(math, "majority").size == 128
    # MATH lacks step 256, hence 8 checkpoints per size.
    assert sorted(set(gsm8k["step"]) - set(math["step"])) == [256]
    assert gsm8k["n_samples"].min() == 128 and gsm8k["n_samples"].max() > 2_000_000


def test_released_pass_at_k_column_is_wrong_where_n_below_k(released_tables):
    released = released_tables["gsm8k"][0]
    short = released[(released["Num. Samples"] < released["k"]) & (released["Num. Samples Correct"] == 0)]
    assert len(short) > 0 and (short["pass@k"] == 1.0).all()
    recomputed = passk.unbiased_pass_at_k(short["Num. Samples"].to_numpy(), 0, short["k"].to_numpy())
    assert np.isnan(recomputed).all()
    # Where n >= k the released column agrees with Eq. 1 recomputed from the counts.
    fine = released[released["Num. Samples"] >= released["k"]].sample(2000, random_state=0)
    ours = passk.unbiased_pass_at_k(fine["Num. Samples"].to_numpy(), fine["Num. Samples Correct"].to_numpy().astype(int), fine["k"].to_numpy())
    np.testing.assert_allclose(ours, fine["pass@k"], rtol=1e-6, atol=1e-9)


def test_sampling_cost_reproduces_and_exposes_the_papers_arithmetic(config):
    cost_config = config["generative"]["outcomes"]["sampling_cost"]
    sizes = ["14M", "70M", "160M", "410M", "1B", "1.4B", "2.8B", "6.9B", "12B"]
    table = outcomes.sampling_cost_table(canonical_rows(), cost_config, "gsm8k", sizes)
    totals = table[table["size"] == "total"].set_index("unit")
    # App. C.1: sum over sizes of 8 x 128 x 32e4 / 128 x X = 292e6 A100-s = 81e3 A100-hr, > $112k at $1.39.
    assert totals.loc["A100-s", "app_c_formula"] == pytest.approx(2.92e8, rel=0.005)
    assert totals.loc["A100-hours", "app_c_formula"] == pytest.approx(8.1e4, rel=0.005)
    assert totals.loc["USD at 1.39/A100-hour", "app_c_formula"] == pytest.approx(1.12e5, rel=0.01)
    # The sentence's 3.2e4 samples per problem gives a tenth of it: the paper's sum used 32e4.
    assert totals.loc["A100-s", "app_c_text"] == pytest.approx(totals.loc["A100-s", "app_c_formula"] / 10)
    # Released counts: 12B step 143000 has 128 + 256 samples at 36 A100-s per 128.
    per_size = table[table["unit"] == "A100-s"].set_index("size")
    assert per_size.loc["12B", "released_counts"] == pytest.approx((128 + 256) / 128 * 36)
    assert totals.loc["A100-s", "paper_stated"] == cost_config["paper_stated"]["gsm8k"]["a100_seconds"]


def test_samples_heatmap_orders_checkpoints_by_size_then_step():
    wide = outcomes.samples_heatmap(canonical_rows())
    assert wide.index.tolist() == ["14M step 1", "12B step 143000"]
    assert np.isnan(wide.loc["14M step 1", 20]) and wide.loc["12B step 143000", 20] == 256
