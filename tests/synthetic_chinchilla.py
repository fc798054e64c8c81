"""Chinchilla-like runs with known parameters, the real runs, and the point fit shared by the paper C tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scalingrepro.chinchilla import counts as chinchilla_counts
from scalingrepro.chinchilla import fit as chinchilla_fit
from scalingrepro.chinchilla import solver as chinchilla_solver
from scalingrepro.pipeline import paths, sources
from scalingrepro.pipeline.errors import InputError

TRUE_PARAMETERS = {"E": 1.8, "A": 480.0, "alpha": 0.35, "B": 2000.0, "beta": 0.36}


def synthetic_runs(log_noise: float, seed: int = 0, n_models: int = 40, runs_per_model: int = 6, loss_offset: float = 0.0) -> chinchilla_solver.FitData:
    """Runs spanning Chinchilla's range (44M-16B parameters, 5B-500B tokens) with losses from
    TRUE_PARAMETERS times exp(Normal(0, log_noise)), plus `loss_offset`; each model has
    `runs_per_model` runs."""
    rng = np.random.default_rng(seed)
    parameters = np.repeat(np.exp(rng.uniform(np.log(4e7), np.log(1.6e10), n_models)), runs_per_model)
    tokens = np.exp(rng.uniform(np.log(5e9), np.log(5e11), len(parameters)))
    p = TRUE_PARAMETERS
    loss = (p["E"] + p["A"] / parameters ** p["alpha"] + p["B"] / tokens ** p["beta"]) * np.exp(rng.normal(0.0, log_noise, len(parameters))) + loss_offset
    return chinchilla_solver.fit_data(parameters, tokens, loss)


def point_fit(data: chinchilla_solver.FitData, settings: chinchilla_fit.FitSettings) -> chinchilla_solver.PointFit:
    """The pipeline's point estimate (Huber likelihood, published start + start grid)."""
    return chinchilla_solver.fit_point_estimate(data, settings.huber_delta, settings.published_start, settings.grid_starts, settings.max_iterations, settings.grid_max_iterations)


def as_parameters(theta: np.ndarray) -> dict[str, float]:
    """{E, A, alpha, B, beta} of a theta."""
    return dict(zip(chinchilla_solver.PARAMETER_NAMES, chinchilla_solver.untransform(theta).tolist()))


def load_real_runs(repo_root: Path, work_dir: Path) -> pd.DataFrame:
    """runs.csv as the workflow builds it, from $REPRO_MIRROR or the pinned URL (sha256-checked);
    skips the calling test with the reason when neither is available."""
    source = sources.load_manifest(repo_root / paths.SOURCES_MANIFEST)["epoch_runs"]
    mirror = sources.resolve_mirror(None)
    try:
        epoch_file = sources.acquire(source, work_dir / source.file, mirror)
    except InputError as error:
        where = f"the mirror {mirror}" if mirror else f"the network ({source.url})"
        pytest.skip(f"real inputs unavailable: {source.file} could not be taken from {where}; set REPRO_MIRROR to the mirror directory ({error.problem})")
    counts = chinchilla_counts.parameter_counts(chinchilla_counts.load_table_a9(repo_root / paths.TABLE_A9))
    return chinchilla_counts.runs_table(chinchilla_counts.load_epoch_runs(epoch_file), counts)
