"""The registered sampling and pass@k figures/tables: ids by paper numbering, inputs that exist as rules' outputs."""

from __future__ import annotations

from scalingrepro.pipeline import paths
from scalingrepro.registry.generative.samples import sampling_targets


def test_sampling_targets_follow_the_paper_numbering(config):
    targets = {target.id: target for target in sampling_targets(config)}
    assert set(targets) == {"generative_fig09", "generative_fig10", "generative_table01", "generative_table02", "generative_figS01"}
    assert targets["generative_fig09"].parameters["benchmark"] == "gsm8k"  # App. B: Fig. 9 GSM8K, Fig. 10 MATH
    assert targets["generative_table02"].parameters["benchmark"] == "math"  # App. C: Table 2 MATH
    assert targets["generative_figS01"].outputs == ["paper/figures/generative_figS01_estimator_agreement.pdf", "paper/figures/generative_figS01_estimator_agreement.png"]
    for target in targets.values():
        assert all(path.startswith(str(paths.RESULTS)) for path in target.inputs.values())


def test_one_benchmark_registers_only_its_own_targets(config):
    outcomes = {**config["generative"]["outcomes"], "benchmarks": ["math"]}
    ids = [target.id for target in sampling_targets({"generative": {**config["generative"], "outcomes": outcomes}})]
    assert ids == ["generative_fig10", "generative_table02"]
