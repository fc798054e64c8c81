"""The verdict and the report on the real inputs (the shared end-to-end run of tests/conftest.py),
and the report opened in headless Chromium as a reader would."""

from __future__ import annotations

import os
import shutil
import types

import numpy as np
import pandas as pd
import pytest
from conftest import TEST_CONFIG, TEST_ROOT, load_config, snakemake
from scalingrepro.pipeline import paths
from scalingrepro.registry import UNAVAILABLE, all_targets
from scalingrepro.verdict import checks
from scalingrepro.verdict.browser import check_page, find_chromium, screenshot
from scalingrepro.verdict.claims import load_claims
from scalingrepro.verdict.outputs import COLUMNS
from scalingrepro.verdict.results import NeedsSamplingStage, NotEstimable, Results

pytestmark = pytest.mark.pipeline

# The test configuration's outputs sit under its own output root.
CLAIMS_TABLE, CLAIMS_PAGE = TEST_ROOT / paths.claims_table(), TEST_ROOT / paths.claims_page()
REPORT, SCREENSHOT = TEST_ROOT / paths.report_page(), TEST_ROOT / paths.report_screenshot()
MAX_REPORT_BYTES = 3_000_000


@pytest.fixture(scope="module")
def test_config():
    return load_config(TEST_CONFIG)


@pytest.fixture(scope="module")
def claims(repo_root):
    return load_claims(repo_root / "config/claims.yaml", repo_root / "workflow/schemas/claims.schema.yaml")


@pytest.fixture(scope="module")
def checked(workflow_run, claims, test_config):
    """Each claim's verdict on the run's results, with the tables its function read."""
    results = Results(workflow_run / TEST_ROOT, test_config)
    return {claim.id: checks.evaluate(claim, results) for claim in claims}


def test_rule_all_writes_the_claims_table_and_page(workflow_run, claims):
    table = pd.read_csv(workflow_run / CLAIMS_TABLE, keep_default_na=False)
    assert list(table.columns[: len(COLUMNS)]) == COLUMNS
    assert table["claim_id"].tolist() == [claim.id for claim in claims]
    assert set(table["verdict"]) <= set(checks.VERDICTS)
    page = (workflow_run / CLAIMS_PAGE).read_text()
    assert page.index("## Summary") < page.index("## C:") < page.index("## G:")


def test_every_claim_function_runs_on_the_real_results(checked):
    for claim_id, result in checked.items():
        assert result.verdict in checks.VERDICTS, claim_id
        assert result.tables_read or result.verdict == checks.NEEDS_SAMPLING, f"{claim_id} read no results table"
    verdicts = [result.verdict for result in checked.values()]
    assert verdicts.count(checks.REPRODUCED) >= 20 and checks.DEVIATES in verdicts and checks.INCONSISTENT in verdicts


class PerturbedResults(Results):
    """The run's tables with every numeric cell scaled by a random factor and every flag negated, or only one half of the rows."""

    def __init__(self, root, config, mode: str, seed: int = 7):
        super().__init__(root, config)
        self.mode, self.rng = mode, np.random.default_rng(seed)
        self._perturbed: dict = {}

    def table(self, relative):
        original = super().table(relative)
        key = str(relative)
        if key not in self._perturbed:
            if self.mode == "scale":
                table = original.copy()
                for column in table.select_dtypes("number").columns:
                    # Multiplicative noise, plus a little additive noise so that zeros move too.
                    scaled = table[column] * np.exp(self.rng.normal(0.0, 0.3, len(table))) + self.rng.normal(0.0, 0.01, len(table))
                    table[column] = scaled.round().astype(table[column].dtype) if pd.api.types.is_integer_dtype(table[column]) else scaled
                for column in table.select_dtypes("bool").columns:
                    table[column] = ~table[column]
            elif self.mode == "first half":
                table = original.iloc[: max(1, len(original) // 2)].copy()
            else:
                table = original.iloc[len(original) // 2 :].copy()
            self._perturbed[key] = table
        return self._perturbed[key]


def _outcome(claim, results):
    results.start_claim()
    try:
        return checks.format_value(claim.function(results))
    except (NotEstimable, NeedsSamplingStage, KeyError, IndexError, ValueError, ZeroDivisionError) as error:
        return f"raised {type(error).__name__}"


def test_no_claim_is_judged_on_a_constant(workflow_run, claims, checked, test_config):
    """A replicated value must move when the results tables it reads move."""
    judged = [claim for claim in claims if checked[claim.id].verdict in (checks.REPRODUCED, checks.DEVIATES, checks.INCONSISTENT)]
    original = {claim.id: checks.format_value(checked[claim.id].replicated) for claim in judged}
    perturbed = [PerturbedResults(workflow_run / TEST_ROOT, test_config, mode) for mode in ("scale", "first half", "second half")]
    unmoved = [claim.id for claim in judged if all(_outcome(claim, results) == original[claim.id] for results in perturbed)]
    assert not unmoved, f"replicated values that ignore the results tables: {unmoved}"


@pytest.fixture(scope="module")
def report(workflow_run):
    result = snakemake(workflow_run, "report", "--cores", "1", "--configfile", TEST_CONFIG)
    assert result.returncode == 0, result.stderr[-4000:]
    return workflow_run / REPORT


def test_report_is_light_and_starts_with_the_verdicts(report, test_config):
    assert report.stat().st_size < MAX_REPORT_BYTES
    text = report.read_text()
    assert text.index("Verdicts") < text.index("chinchilla_fig01") < text.index("generative_fig01")
    for target in all_targets(test_config):
        assert f"{target.id}.html" in text, f"{target.id} lacks its notebook link"
    for target_id in UNAVAILABLE:
        assert target_id.split("_")[1].removeprefix("fig").lstrip("0") in text


@pytest.fixture(scope="module")
def chromium():
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run installs it with `apt-get install -y chromium`")
        pytest.skip("Chromium is not installed (Debian: apt-get install -y chromium); CI runs this test")
    return found


def test_report_opens_offline_with_every_image_decoded_and_every_link_resolving(report, chromium, workflow_run, repo_root):
    page = check_page(report, chromium)
    assert page.title == "Replication report"
    assert len(page.images) >= 40
    assert not page.undecoded_images(), f"images that do not decode: {page.undecoded_images()}"
    assert not page.broken_links(report), f"links to missing files: {page.broken_links(report)}"
    assert not page.resources, f"the report fetches external resources: {page.resources}"
    shot = screenshot(report, workflow_run / SCREENSHOT, chromium)
    assert shot.stat().st_size > 10_000
    # Kept in the checkout's test tree (runs/test/results/), apart from the real results.
    (repo_root / SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, repo_root / SCREENSHOT)


def test_the_constant_check_would_catch_a_constant(workflow_run, test_config):
    constant = types.SimpleNamespace(function=lambda results: 0.572)
    perturbed = [PerturbedResults(workflow_run / TEST_ROOT, test_config, mode) for mode in ("scale", "first half", "second half")]
    assert {_outcome(constant, results) for results in perturbed} == {"0.572"}
