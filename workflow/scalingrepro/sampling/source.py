"""Where paper G's inputs come from: the released tables (default) or this workflow's own sampling."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SOURCES = ("released", "sampled")


def is_sampled(config: Mapping[str, Any]) -> bool:
    """Whether outcomes and gold likelihoods come from the sampling stages (`generative_source: sampled`)."""
    source = config.get("generative_source", "released")
    if source not in SOURCES:
        raise ValueError(f"generative_source is {source!r}; choose one of {SOURCES}")
    return source == "sampled"


def uses_tiny_models(config: Mapping[str, Any]) -> bool:
    """Whether paper G's outcomes come from the locally built tiny models (the smoke run): a few
    training steps on a handful of problems follow no scaling law, so their fits are not expected
    to converge."""
    return is_sampled(config) and config["sampling"]["models"]["source"] == "tiny"


# What the fit log and the figures say of the tiny models' failed fits.
TINY_MODELS_NOTE = "expected: the smoke run's tiny models follow no scaling law"
TINY_MODELS_FAILED_FIT = f"fit failed ({TINY_MODELS_NOTE})"


def gold_benchmarks(config: Mapping[str, Any]) -> list[str]:
    """Benchmarks with gold-reference likelihoods: every sampled benchmark (the scoring stage scores
    each), else those with a released gold file (generative.fit.gold_likelihood.sources)."""
    benchmarks = list(config["generative"]["outcomes"]["benchmarks"])
    if is_sampled(config):
        return benchmarks
    return [benchmark for benchmark in benchmarks if benchmark in config["generative"]["fit"]["gold_likelihood"]["sources"]]
