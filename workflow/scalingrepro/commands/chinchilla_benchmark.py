"""Timing of paper C's computation: the whole Chinchilla half, in one process, outside Snakemake.

    python -m scalingrepro.commands.chinchilla_benchmark                         # config/config.yaml, 1 and 2 processes
    python -m scalingrepro.commands.chinchilla_benchmark --processes 2           # only with 2 worker processes
    python -m scalingrepro.commands.chinchilla_benchmark --configfile config/test.yaml --skip-baseline

Stages, timed one by one and printed with configurations per second and the total wall time:
acquiring the Epoch runs (sha256-checked, from $REPRO_MIRROR or the pinned URL), the parameter
counts and runs table, the four interpretation fits (§2), every perturbation configuration (§3)
and the combined sweep tables. The sweep runs once per requested process count; with P > 1 the
configurations are dealt round-robin to P worker processes, as Snakemake's shards would run.

A straightforward baseline then refits `--baseline-resamples` bootstrap resamples of the
unperturbed standard-formula runs one at a time with scipy's BFGS (`fit_huber_scipy`),
extrapolates its time to the configured number of resamples, and compares both the time and the
standard errors with the batched solver on the same resamples.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..chinchilla import counts as chinchilla_counts
from ..chinchilla import fit as chinchilla_fit
from ..chinchilla import perturb
from ..chinchilla import solver as chinchilla_solver
from ..pipeline import paths, sources
from ..pipeline.settings import load_config

# Speed target for every perturbation configuration at the default settings on 2 cores.
TARGET_SWEEP_SECONDS = 180.0


@dataclass
class SweepTiming:
    """Wall time of one full perturbation sweep with a given number of worker processes."""

    processes: int
    seconds: float
    n_configurations: int
    n_invalid: int

    @property
    def configurations_per_second(self) -> float:
        return self.n_configurations / self.seconds


def build_runs(work_dir: Path) -> pd.DataFrame:
    """runs.csv as the workflow builds it: Epoch runs (acquired into `work_dir`) + Table A9 counts."""
    source = sources.load_manifest(paths.SOURCES_MANIFEST)["epoch_runs"]
    epoch_file = sources.acquire(source, work_dir / source.file, sources.resolve_mirror(None))
    counts = chinchilla_counts.parameter_counts(chinchilla_counts.load_table_a9(paths.TABLE_A9))
    return chinchilla_counts.runs_table(chinchilla_counts.load_epoch_runs(epoch_file), counts, source=str(epoch_file))


def _sweep_shard(arguments: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs, shard, counts_column, settings, n_excluded, noise_seed = arguments
    return perturb.analyze_configurations(runs, shard, counts_column, settings, n_excluded, noise_seed)


def run_sweep(runs: pd.DataFrame, config: dict, processes: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every perturbation configuration; with processes > 1 dealt round-robin to worker processes."""
    fit_config, perturbation_config = config["chinchilla"]["fit"], config["chinchilla"]["perturbations"]
    settings = chinchilla_fit.FitSettings.from_config(fit_config)
    everything = perturb.configurations(perturbation_config)
    common = (chinchilla_fit.INTERPRETATION_COLUMNS[perturbation_config["counts"]], settings, int(fit_config["n_excluded_highest_loss"]), int(perturbation_config["noise_seed"]))
    shards = [perturb.shard_configurations(everything, processes, shard) for shard in range(processes)]
    if processes == 1:
        results = [_sweep_shard((runs, shards[0], *common))]
    else:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            results = list(pool.map(_sweep_shard, [(runs, shard, *common) for shard in shards]))
    return pd.concat([fits for fits, _ in results], ignore_index=True), pd.concat([bands for _, bands in results], ignore_index=True)


def baseline_comparison(runs: pd.DataFrame, config: dict, n_resamples: int) -> dict[str, float]:
    """scipy BFGS one resample at a time vs the batched solver, on the standard-formula runs.

    Both start from the same point estimate and refit the first `n_resamples` of the configured
    bootstrap resamples. Returns the per-resample times, the reference time extrapolated to the
    configured number of resamples, the batched time for all of them, and the largest relative
    difference between the two sets of standard errors (and of the fitted thetas).
    """
    fit_config = config["chinchilla"]["fit"]
    settings = chinchilla_fit.FitSettings.from_config(fit_config)
    kept = chinchilla_fit.kept_runs(runs, int(fit_config["n_excluded_highest_loss"]))
    data = chinchilla_solver.fit_data(kept["standard"], kept["tokens"], kept["loss"])
    counts = chinchilla_solver.bootstrap_counts(len(kept), settings.n_bootstraps, settings.bootstrap_seed)
    point = chinchilla_solver.fit_point_estimate(data, settings.huber_delta, settings.published_start, settings.grid_starts, settings.max_iterations, settings.grid_max_iterations)
    subset = counts[:n_resamples]

    started = time.perf_counter()
    reference = np.array([chinchilla_solver.fit_huber_scipy(point.theta, data, settings.huber_delta, weights) for weights in subset])
    reference_seconds = time.perf_counter() - started
    started = time.perf_counter()
    batched_subset = chinchilla_solver.bootstrap_fits(data, subset, point.theta, settings.huber_delta, settings.max_iterations)
    batched_subset_seconds = time.perf_counter() - started
    started = time.perf_counter()
    chinchilla_solver.bootstrap_fits(data, counts, point.theta, settings.huber_delta, settings.max_iterations)
    batched_all_seconds = time.perf_counter() - started

    reference_se = chinchilla_solver.standard_errors(reference)
    batched_se = chinchilla_solver.standard_errors(batched_subset.theta)
    reference_objective = chinchilla_solver.huber_objective(reference, data, settings.huber_delta, subset)
    return {
        "n_resamples": n_resamples,
        "n_bootstraps": settings.n_bootstraps,
        "reference_seconds_per_resample": reference_seconds / n_resamples,
        "reference_seconds_extrapolated": reference_seconds / n_resamples * settings.n_bootstraps,
        "batched_seconds_subset": batched_subset_seconds,
        "batched_seconds_all": batched_all_seconds,
        "speedup": reference_seconds / n_resamples * settings.n_bootstraps / batched_all_seconds,
        "max_relative_se_difference": float(np.max(np.abs(batched_se - reference_se) / reference_se)),
        "max_theta_difference": float(np.max(np.abs(batched_subset.theta - reference))),
        # > 0 where the batched fit found a lower Huber loss than BFGS.
        "max_objective_gain_over_reference": float(np.max(reference_objective - batched_subset.objective)),
        "n_batched_converged": int(batched_subset.converged.sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configfile", action="append", default=[], help="override file merged over config/config.yaml (repeatable)")
    parser.add_argument("--processes", type=int, action="append", help="worker processes for the sweep (repeatable; default: 1 and 2)")
    parser.add_argument("--baseline-resamples", type=int, default=100, help="resamples refitted one at a time with scipy (default 100)")
    parser.add_argument("--skip-baseline", action="store_true", help="leave out the scipy baseline")
    parser.add_argument("--skip-sweep", action="store_true", help="leave out the perturbation sweep")
    arguments = parser.parse_args(argv)
    process_counts = arguments.processes or [1, 2]
    # Override files are named from where the command was started; everything else is the checkout's.
    override_files = [Path(name).resolve() for name in arguments.configfile]
    os.chdir(paths.REPOSITORY_ROOT)

    config = load_config(*override_files)
    fit_config = config["chinchilla"]["fit"]
    settings = chinchilla_fit.FitSettings.from_config(fit_config)
    n_excluded = int(fit_config["n_excluded_highest_loss"])
    n_configurations = len(perturb.configurations(config["chinchilla"]["perturbations"]))
    print(f"settings: {settings.n_bootstraps} bootstrap resamples, {settings.n_draws} draws, {n_configurations} perturbation configurations, {os.cpu_count()} CPUs visible")

    stage_seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as work_dir:
        started = time.perf_counter()
        runs = build_runs(Path(work_dir))
        stage_seconds["acquire inputs, parameter counts, runs table"] = time.perf_counter() - started
    print(f"runs: {len(runs)} ({stage_seconds['acquire inputs, parameter counts, runs table']:.2f} s)")

    started = time.perf_counter()
    fits, _, slopes = chinchilla_fit.analyze_interpretations(runs, fit_config["interpretations"], settings, n_excluded)
    stage_seconds["interpretation fits (§2)"] = time.perf_counter() - started
    print(f"interpretation fits: {len(fits)} in {stage_seconds['interpretation fits (§2)']:.1f} s")
    epoch = fits.set_index("interpretation").loc["epoch_model_size"] if "epoch_model_size" in set(fits["interpretation"]) else None
    if epoch is not None:
        print(f"  epoch_model_size: E={epoch.E:.4f} A={epoch.A:.2f} alpha={epoch.alpha:.4f} B={epoch.B:.2f} beta={epoch.beta:.4f}")

    timings: list[SweepTiming] = []
    if not arguments.skip_sweep:
        for processes in process_counts:
            started = time.perf_counter()
            sweep_fits, sweep_bands = run_sweep(runs, config, processes)
            seconds = time.perf_counter() - started
            timings.append(SweepTiming(processes, seconds, len(sweep_fits), int((~sweep_fits["valid"]).sum())))
            print(f"perturbation sweep, {processes} process(es): {len(sweep_fits)} configurations in {seconds:.1f} s = {len(sweep_fits) / seconds:.3f} configurations/s ({timings[-1].n_invalid} invalid)")
        started = time.perf_counter()
        perturb.summarize_sweep(runs, fits, slopes, sweep_fits, sweep_bands, n_excluded, config["chinchilla"]["perturbations"])
        stage_seconds["combined sweep tables"] = time.perf_counter() - started

    if not arguments.skip_baseline:
        comparison = baseline_comparison(runs, config, arguments.baseline_resamples)
        print(
            f"baseline (one configuration, standard counts): scipy BFGS {comparison['reference_seconds_per_resample'] * 1e3:.1f} ms per resample "
            f"-> {comparison['reference_seconds_extrapolated']:.1f} s extrapolated to {comparison['n_bootstraps']} resamples; "
            f"batched {comparison['batched_seconds_all']:.2f} s for all {comparison['n_bootstraps']} -> speed-up {comparison['speedup']:.0f}x"
        )
        print(
            f"  on the same {comparison['n_resamples']} resamples: max relative SE difference {comparison['max_relative_se_difference']:.2e}, "
            f"max |theta difference| {comparison['max_theta_difference']:.2e}, batched converged {comparison['n_batched_converged']}/{comparison['n_resamples']}, "
            f"largest Huber-loss gain of batched over BFGS {comparison['max_objective_gain_over_reference']:.2e}"
        )

    print("\nwall time of the Chinchilla half:")
    fixed = sum(stage_seconds.values())
    for name, seconds in stage_seconds.items():
        print(f"  {name:48s} {seconds:8.1f} s")
    for timing in timings:
        # The target is stated for the default settings only.
        verdict = "" if arguments.configfile else f"; {'meets' if timing.seconds <= TARGET_SWEEP_SECONDS else 'misses'} the {TARGET_SWEEP_SECONDS:.0f} s target"
        print(
            f"  perturbation sweep with {timing.processes} process(es)            {timing.seconds:8.1f} s  "
            f"({timing.configurations_per_second:.3f} configurations/s{verdict})"
        )
        print(f"  total with {timing.processes} process(es)                           {fixed + timing.seconds:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
