"""The table comparison used to check that a faster computation gives the same results."""

import numpy as np
import pandas as pd
import pytest

from scalingrepro.commands import compare_tables


def write(folder, name, table):
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / name, index=False)


FITS = pd.DataFrame({"perturbation": ["additive", "additive"], "value": [0.0, 1e7], "alpha": [0.34, 0.35], "alpha_se": [0.02, np.inf], "valid": [True, False], "reason": ["", "non-finite standard error"]})


def test_relative_difference_against_hand_values():
    before, after = np.array([1.0, 0.0, -2.0, 5.0]), np.array([1.0 + 1e-9, 0.0, -2.2, 5.0])
    np.testing.assert_allclose(compare_tables.relative_difference(before, after), [1e-9 / (1 + 1e-9), 0.0, 0.2 / 2.2, 0.0], rtol=1e-6)


def test_identical_files_compare_as_byte_identical(tmp_path):
    write(tmp_path / "a", "fits.csv", FITS)
    write(tmp_path / "b", "fits.csv", FITS)
    [result] = compare_tables.compare_folders(tmp_path / "a", tmp_path / "b")
    assert result.identical_bytes and result.within(0.0)


def test_rounding_level_differences_are_within_the_tolerance_and_larger_ones_are_not(tmp_path):
    write(tmp_path / "a", "fits.csv", FITS)
    write(tmp_path / "b", "fits.csv", FITS.assign(alpha=FITS["alpha"] * (1 + 1e-9)))
    write(tmp_path / "c", "fits.csv", FITS.assign(alpha=FITS["alpha"] * (1 + 1e-3)))
    [small] = compare_tables.compare_folders(tmp_path / "a", tmp_path / "b")
    [large] = compare_tables.compare_folders(tmp_path / "a", tmp_path / "c")
    assert not small.identical_bytes and small.within(1e-6) and small.max_relative_difference == pytest.approx(1e-9, rel=1e-3)
    assert not large.within(1e-6) and large.max_relative_difference == pytest.approx(1e-3, rel=1e-3)


def test_a_validity_change_missing_values_and_text_are_reported(tmp_path):
    changed = FITS.assign(valid=[True, True], alpha_se=[0.02, 0.5], reason=["", ""])
    write(tmp_path / "a", "fits.csv", FITS)
    write(tmp_path / "b", "fits.csv", changed)
    [result] = compare_tables.compare_folders(tmp_path / "a", tmp_path / "b")
    assert not result.within(1.0)
    assert any("validity changed in 1 row" in problem for problem in result.problems)
    assert "alpha_se: missing or infinite values differ in 1 row(s)" in result.problems
    assert any(problem.startswith("reason: 1 row") for problem in result.problems)


def test_the_command_fails_on_a_table_present_in_one_run_only(tmp_path, capsys):
    write(tmp_path / "a", "fits.csv", FITS)
    write(tmp_path / "a", "extra.csv", FITS)
    write(tmp_path / "b", "fits.csv", FITS)
    assert compare_tables.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    output = capsys.readouterr().out
    assert "extra.csv" in output and "present in one run only" in output and "fits.csv: identical" in output
