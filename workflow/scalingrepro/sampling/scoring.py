"""Gold-reference likelihoods (§5, Eq. 5): each gold solution's log-likelihood given its prompt."""

from __future__ import annotations

import pandas as pd

from .backends import Backend

GOLD_COLUMNS = ["size", "step", "problem_idx", "neg_log_likelihood", "n_tokens", "neg_log_likelihood_per_token"]


def gold_likelihood_table(backend: Backend, problems: pd.DataFrame, size: str, step: int) -> pd.DataFrame:
    """GOLD_COLUMNS for every problem (prompt, gold_continuation) of one checkpoint, scored in one
    backend call (vLLM schedules every gold solution of the checkpoint together)."""
    scores = backend.score(list(zip(problems["prompt"], problems["gold_continuation"])))
    rows = [(size, step, int(problem_idx), -total, n_tokens, -total / n_tokens) for problem_idx, (total, n_tokens) in zip(problems["problem_idx"], scores)]
    return pd.DataFrame(rows, columns=GOLD_COLUMNS).astype({"step": "int64", "problem_idx": "int64", "n_tokens": "int64"})
