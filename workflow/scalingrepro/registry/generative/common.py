"""Names shared by paper G's registry modules: benchmarks, laws and the estimator variants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BENCHMARK_NAMES = {"gsm8k": "GSM8K", "math": "MATH"}
LAW_EQUATIONS = {"compute": "Eq. 3", "params_tokens": "Eq. 4", "gold_likelihood": "Eq. 6"}
LAW_TITLES = {"compute": "pretraining compute", "params_tokens": "parameters and tokens", "gold_likelihood": "gold-reference likelihood"}


def estimator_variants(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(estimator, id suffix): the default estimator under the paper's id, the others suffixed with their name."""
    passk = config["generative"]["passk"]
    default = passk["default_estimator"]
    others = [name for name in passk["estimators"] if name != default]
    return ([(default, "")] if default in passk["estimators"] else []) + [(name, f"_{name}") for name in others]
