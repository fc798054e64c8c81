"""The claims registry and the checks that turn it into verdicts (no pipeline run needed)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import yaml
from scalingrepro.pipeline import paths
from scalingrepro.pipeline.errors import InputError
from scalingrepro.registry import UNAVAILABLE, Target, all_targets
from scalingrepro.verdict import checks
from scalingrepro.verdict.claims import CLAIMS, CLAIMS_SCHEMA, Claim, load_claims
from scalingrepro.verdict.report import paper_order_key
from scalingrepro.verdict.results import Bound, Results


@pytest.fixture(scope="module")
def claims(repo_root):
    return load_claims(repo_root / CLAIMS, repo_root / CLAIMS_SCHEMA)


def make_claim(paper_value, **check) -> Claim:
    return Claim("C-test", "chinchilla", "§2", "§2 text", (), "a statement", paper_value, check, "chinchilla.n_models")


def test_registry_covers_both_papers_and_every_part_of_them(claims):
    assert len(claims) >= 60
    by_paper = {paper: [claim for claim in claims if claim.paper == paper] for paper in ("chinchilla", "generative")}
    assert all(len(group) >= 25 for group in by_paper.values())
    sections = {claim.section for claim in claims}
    assert {"Abstract", "App. B", "App. C"} <= sections
    locations = " ".join(claim.location for claim in claims)
    assert "caption" in locations and "Table" in locations


def test_every_claim_names_registered_targets_and_its_paper(claims, config):
    known = {target.id for target in all_targets(config)} | set(UNAVAILABLE)
    for claim in claims:
        assert set(claim.targets) <= known, f"{claim.id}: unknown targets {set(claim.targets) - known}"
        assert all(target.startswith(claim.paper) for target in claim.targets), claim.id
        assert claim.id.startswith("C-" if claim.paper == "chinchilla" else "G-"), claim.id
        assert callable(claim.function)


def test_every_inconsistency_says_where_and_every_tolerance_says_why(claims):
    for claim in claims:
        if claim.check["kind"] == "inconsistent":
            assert " vs " in claim.location or "vs" in claim.check["conflict"], claim.id
        else:
            assert len(claim.check.get("why", "")) > 10, f"{claim.id}: justify the tolerance"


def test_a_registry_entry_that_breaks_the_schema_is_named(tmp_path, repo_root):
    document = yaml.safe_load((repo_root / CLAIMS).read_text())
    del document["claims"][3]["check"]["tolerance"]
    broken = tmp_path / "claims.yaml"
    broken.write_text(yaml.safe_dump(document, allow_unicode=True))
    with pytest.raises(InputError, match=r"schema violation.*claims/3/check") as raised:
        load_claims(broken, repo_root / CLAIMS_SCHEMA)
    assert str(broken) in str(raised.value)


def test_an_unknown_computing_function_is_refused(tmp_path, repo_root):
    document = yaml.safe_load((repo_root / CLAIMS).read_text())
    document["claims"][0]["compute"] = "chinchilla.no_such_function"
    broken = tmp_path / "claims.yaml"
    broken.write_text(yaml.safe_dump(document, allow_unicode=True))
    with pytest.raises(InputError, match="no_such_function"):
        load_claims(broken, repo_root / CLAIMS_SCHEMA)


@pytest.mark.parametrize(
    ("paper_value", "check", "replicated", "verdict"),
    [
        (0.5, {"kind": "value", "tolerance": 0.05}, 0.54, checks.REPRODUCED),
        (0.5, {"kind": "value", "tolerance": 0.05}, 0.56, checks.DEVIATES),
        (2.0, {"kind": "value", "tolerance": 0.1, "relative": True}, 2.19, checks.REPRODUCED),
        ([1.0, 2.0], {"kind": "values", "tolerance": 0.0}, [1.0, 2.5], checks.DEVIATES),
        ([10.0, 40.0], {"kind": "interval"}, 41.0, checks.DEVIATES),
        (0.999, {"kind": "at_least"}, 0.9995, checks.REPRODUCED),
        (1.0, {"kind": "at_most"}, 1.2, checks.DEVIATES),
        ("increasing", {"kind": "increasing", "slack": 0.01}, [1.0, 0.995, 2.0], checks.REPRODUCED),
        ("increasing", {"kind": "increasing", "slack": 0.01}, [1.0, 0.9, 2.0], checks.DEVIATES),
        ("decreasing", {"kind": "decreasing", "slack": 0.0}, [3.0, 2.0, 2.0], checks.REPRODUCED),
        ("decreasing", {"kind": "decreasing", "slack": 0.0}, [0.0, 0.0, 0.0], checks.DEVIATES),
        ("negative", {"kind": "sign", "sign": "negative"}, 0.2, checks.DEVIATES),
        (["a", "b"], {"kind": "order"}, {"b": 1.0, "a": 0.0}, checks.REPRODUCED),
        (1.0, {"kind": "inconsistent", "conflict": "§1 vs §2"}, 1.0, checks.INCONSISTENT),
    ],
)
def test_checks_judge_paper_against_replicated_values(paper_value, check, replicated, verdict):
    assert checks.judge(make_claim(paper_value, **check), replicated)[0] == verdict


def test_a_deviation_reports_its_size():
    verdict, note = checks.judge(make_claim(-0.572, kind="value", tolerance=0.05), -0.365)
    assert verdict == checks.DEVIATES and "+0.207" in note and "-36.2%" in note


def test_report_order_follows_the_papers():
    ids = ["generative_table01", "generative_fig02_unbiased", "chinchilla_tableS03", "generative_fig02", "chinchilla_fig02", "chinchilla_table01", "generative_figS01"]
    assert sorted(ids, key=paper_order_key) == [
        "chinchilla_fig02", "chinchilla_table01", "chinchilla_tableS03",
        "generative_fig02", "generative_fig02_unbiased", "generative_table01", "generative_figS01",
    ]


def test_verdict_package_is_not_imported_by_the_wings(repo_root):
    package = repo_root / "workflow" / "scalingrepro"
    for folder in ("pipeline", "chinchilla", "generative", "sampling", "registry"):
        for module in (package / folder).rglob("*.py"):
            text = module.read_text()
            assert "from ..verdict" not in text and "scalingrepro.verdict" not in text, f"{module.relative_to(repo_root)} imports the verdict package"


def test_report_template_fetches_nothing_from_the_network(repo_root, monkeypatch):
    import nbformat
    from scalingrepro.verdict.report import render_report

    monkeypatch.chdir(repo_root)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title\n\n[![fig](figures/x.png)](figures/x.pdf)")])
    html = render_report(notebook)
    assert '<img alt="fig" src="figures/x.png"' in html
    assert "<script src" not in html and "https://cdn" not in html


def test_a_bound_decides_reachability_from_the_accepted_range():
    value = make_claim(0.45, kind="value", tolerance=0.1)
    assert checks.accepted_range(value) == pytest.approx((0.35, 0.55))
    assert checks.beyond_bound(value, Bound(0.15, "upper", "floor"))
    assert not checks.beyond_bound(value, Bound(0.4, "upper", "floor"))
    interval = make_claim([4.0, 6.0], kind="interval")
    assert checks.beyond_bound(interval, Bound(2.57, "upper", "ceiling")) and not checks.beyond_bound(interval, Bound(2.57, "lower", "floor"))
    assert checks.beyond_bound(make_claim(1.0, kind="at_most"), Bound(1.2, "lower", "floor"))
    with pytest.raises(ValueError, match="needs a value"):
        checks.beyond_bound(make_claim("positive", kind="sign", sign="positive"), Bound(0.0, "upper", ""))


def test_only_the_claims_with_a_computed_bound_can_be_out_of_reach(claims):
    bounded = {claim.id: claim for claim in claims if claim.bound}
    assert set(bounded) == {"G-s7-math-E0-k10000", "G-s5-2-gold-stable-five-orders", "G-s3-2-horizon-k10000"}
    for claim in bounded.values():
        assert checks.accepted_range(claim) is not None and callable(claim.bound_function)


def test_the_math_floor_bound_is_the_smallest_fitted_target_and_makes_a_far_value_unreachable(tmp_path, config):
    """A MATH compute-law E0(1e4) far above every fitted −log pass@1e4 is not reachable; the bound is
    the smallest target among the checkpoints the configured selection keeps (brute force)."""
    rng = np.random.default_rng(3)
    steps = [1, 1000, 3000, 10000]
    rows = pd.DataFrame([(size, step) for size in ("14M", "1B") for step in steps], columns=["size", "step"])
    rows["neg_log_pass_at_k"] = rng.uniform(0.2, 2.0, len(rows))
    rows.loc[rows["step"] == 1, "neg_log_pass_at_k"] = 0.01  # below min_step: must not set the bound
    rows = rows.assign(k=10000, estimator=config["generative"]["passk"]["default_estimator"], compute=1.0)
    fits = pd.DataFrame({"law": ["compute"], "estimator": [rows["estimator"].iloc[0]], "k": [10000], "E0": [0.0]})
    for name, table in (("pass_at_k.csv", rows), ("fits.csv", fits)):
        path = tmp_path / paths.generative("math", name)
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, index=False)
    claim = Claim("G-test", "generative", "§7", "§7", (), "E0", 1.5, {"kind": "value", "tolerance": 0.1}, "generative.compute_law_E0_k10000_math", "generative.compute_law_E0_k10000_ceiling_math")
    result = checks.evaluate(claim, Results(tmp_path, config))
    expected = rows.loc[rows["step"] >= config["generative"]["fit"]["min_step"], "neg_log_pass_at_k"].min()
    assert result.verdict == checks.NOT_REACHABLE and f"{expected:.4g}" in result.note
    reachable = Claim(*[getattr(claim, field) for field in ("id", "paper", "section", "location", "targets", "statement")], 0.15, claim.check, claim.compute, claim.bound)
    assert checks.evaluate(reachable, Results(tmp_path, config)).verdict == checks.DEVIATES


def report_claims() -> pd.DataFrame:
    rows = [
        ("C-a", "chinchilla", "§3.2 text", "2.5", "162.9", checks.DEVIATES, "deviates by 162.9 vs 2.5: +160.4 (+6415.5%)", "chinchilla_fig04"),
        ("C-b", "chinchilla", "Table 1", "7.388", "7.388", checks.REPRODUCED, "", "chinchilla_fig01"),
        ("G-c", "generative", "Fig. 1 caption", "0.121", "0.08965", checks.DEVIATES, "deviates by 0.08965 vs 0.121: -0.03135 (-25.9%)", "generative_fig01 generative_fig99"),
        ("G-d", "generative", "App. C", "3.2e4", "", checks.INCONSISTENT, "App. C vs §2", "generative_fig01"),
    ]
    columns = ["claim_id", "paper", "location", "paper_value", "replicated_value", "verdict", "note", "targets"]
    return pd.DataFrame(rows, columns=columns).assign(statement="a claim", check="value", section="§1", tables_read="")


def report_figure(target_id: str) -> Target:
    return Target(id=target_id, kind="figure", slug="something", notebook="notebooks/n.ipynb", caption="A caption.")


def test_report_opens_with_contents_and_what_did_not_replicate_linked_to_the_figures(repo_root, monkeypatch):
    from scalingrepro.verdict.report import render_report, report_notebook

    monkeypatch.chdir(repo_root)
    targets = [report_figure(target_id) for target_id in ("chinchilla_fig01", "chinchilla_fig04", "generative_fig01")]
    notebook = report_notebook(targets, report_claims(), {"output_root": "."}, repo_root)
    first = notebook.cells[0].source
    assert first.index("## Contents") < first.index("## Verdicts") < first.index("## What did not replicate")
    contents = first.split("## Contents", 1)[1].split("## Verdicts", 1)[0]
    assert "[C Fig. 1](#chinchilla_fig01) · [C Fig. 4](#chinchilla_fig04)" in contents and "[G Fig. 1](#generative_fig01)" in contents
    deviating = first.split("## What did not replicate", 1)[1]
    assert deviating.startswith("\n\n2 of 4 claims deviate")
    rows = [line for line in deviating.splitlines() if line.startswith("| C |") or line.startswith("| G |")]
    assert len(rows) == 2
    assert "+6415.5%" in rows[0] and "[C Fig. 4](#chinchilla_fig04)" in rows[0]
    assert "-25.9%" in rows[1] and "[G Fig. 1](#generative_fig01)" in rows[1] and "G Fig. 99" in rows[1] and "#generative_fig99" not in rows[1]
    html = render_report(notebook)
    linked, ids = set(re.findall(r'href="#([^"]+)"', html)), set(re.findall(r'id="([^"]+)"', html))
    assert linked and linked <= ids, f"links to no section: {sorted(linked - ids)}"
    assert '<span class="verdict verdict-deviates">deviates</span>' in html
    assert '<span class="verdict verdict-paper-inconsistent">paper inconsistent</span>' in html
    assert ".verdict-deviates {" in html  # the template colours it


def test_a_report_without_deviations_says_so(repo_root, monkeypatch):
    from scalingrepro.verdict.report import deviations_markdown

    claims = report_claims()
    assert "No claim deviates" in deviations_markdown(claims[claims["verdict"] != checks.DEVIATES], set())
