"""The validated configuration, for Snakemake (workflow/rules/common.smk) and for Python alike.

Validation runs in three steps, each stopping with one paragraph per problem (where, what, fix):

1. unknown keys: every object of the schema is closed, so a misspelled key is refused with the
   closest valid name instead of silently leaving the default in force;
2. the schema itself (types, ranges), which also fills in every default;
3. cross-key constraints: values whose validity depends on another key (a k on the pass@k grid,
   a benchmark that has a source, a backtest target among the checkpoints), so a run never
   starts with a setting that can only fail in a later job.

`load_config` merges override files over config/config.yaml the way `--configfile` does.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import paths
from .grids import log_spaced_integers

# What Snakemake users edit; named in messages when the exact file of a setting is unknown.
SNAKEMAKE_CONFIG_SOURCES = "the configuration (config/config.yaml, --configfile files and --config values)"


@dataclass(frozen=True)
class ConfigProblem:
    """One refused setting: the dotted key, what is wrong, how to fix it."""

    key: str
    problem: str
    fix: str

    def paragraph(self, source: str) -> str:
        return textwrap.fill(f"Invalid setting {self.key} in {source}: {self.problem} Fix: {self.fix}", width=100)


class ConfigError(ValueError):
    """Settings that cannot run: one paragraph per problem, naming the key, the problem and the fix."""

    def __init__(self, source: str, problems: Sequence[ConfigProblem]):
        self.source, self.problems = source, list(problems)
        super().__init__("\n\n".join(problem.paragraph(source) for problem in self.problems))


def deep_merge(base: dict, update: dict) -> dict:
    """`base` with `update` merged in recursively (a new dict; neither argument changes)."""
    merged = dict(base)
    for key, value in update.items():
        merged[key] = deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _yaml_scalar(text: str) -> Any:
    """A string read as a YAML scalar ('100' -> 100, 'true' -> True, '1.0e-2' -> 0.01, 'null' -> None);
    text that YAML reads as anything else, or not at all, stays the string it is."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return text if isinstance(value, (dict, list)) else value


def _typed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return _yaml_scalar(value) if isinstance(value, str) else value


def typed_command_line_values(command_line: Mapping[str, Any]) -> dict[str, Any]:
    """Snakemake's parsed `--config` entries with their nested values typed as in a config file.

    Snakemake types a top-level value itself (`n=100` gives 100) but reads a nested one
    (`chinchilla={fit: {n_bootstraps: 100}}`) with YAML's base loader, which keeps every scalar a
    string ('100'). Returns the nested entries (mappings and lists) with each string re-read as a
    YAML scalar, to be merged over the config; top-level scalars are left out (already typed)."""
    return {key: _typed(value) for key, value in command_line.items() if isinstance(value, (Mapping, list))}


def _dotted(where: Sequence[str | int]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level of the configuration"


def closest_name(name: str, valid: Sequence[str]) -> str | None:
    """The valid name a misspelling most likely meant, or None when nothing is close."""
    matches = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    if matches:
        return matches[0]
    # Singular/plural and prefix slips ("resample" for "resamples") fall under difflib's cutoff when short.
    prefixed = [candidate for candidate in valid if candidate.startswith(name) or name.startswith(candidate)]
    return prefixed[0] if prefixed else None


def unknown_keys(value: Any, schema: Mapping[str, Any], where: tuple[str | int, ...] = ()) -> Iterator[ConfigProblem]:
    """Every key of `value` that `schema` does not declare, at any depth (objects and array items)."""
    if isinstance(value, Mapping) and isinstance(schema, Mapping):
        declared = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in declared:
                yield from unknown_keys(item, declared[key], where + (key,))
            elif isinstance(extra, Mapping):
                yield from unknown_keys(item, extra, where + (key,))
            elif extra is False:
                suggestion = closest_name(str(key), list(declared))
                valid = ", ".join(sorted(declared)) or "none"
                yield ConfigProblem(
                    key=_dotted(where + (key,)),
                    problem=f"unknown setting '{key}' in {_dotted(where)}"
                    + (f" (did you mean '{suggestion}'?)" if suggestion else "")
                    + f"; the settings there are: {valid}.",
                    fix=(f"rename it to '{suggestion}'" if suggestion else "remove it or use one of the names above")
                    + f"; {paths.CONFIG_SCHEMA} describes every setting.",
                )
    elif isinstance(value, list) and isinstance(schema, Mapping) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from unknown_keys(item, schema["items"], where + (index,))


def _get(config: Mapping[str, Any], dotted: str) -> Any:
    value: Any = config
    for part in dotted.split("."):
        value = value[part]
    return value


def _grid_neighbours(k: int, grid: Sequence[int]) -> str:
    below = [value for value in grid if value < k]
    above = [value for value in grid if value > k]
    return " and ".join(str(value) for value in ([below[-1]] if below else []) + ([above[0]] if above else []))


def k_grid_problems(config: Mapping[str, Any]) -> Iterator[ConfigProblem]:
    """Every k a figure or the backtest needs must be on the pass@k grid (tables exist only there)."""
    grid_settings = _get(config, "generative.passk.k_grid")
    k_min, k_max, per_decade = (int(grid_settings[name]) for name in ("k_min", "k_max", "points_per_decade"))
    if k_min > k_max:
        yield ConfigProblem(
            "generative.passk.k_grid",
            f"k_min ({k_min}) is larger than k_max ({k_max}).",
            "swap them, or set k_min ≤ k_max.",
        )
        return
    grid = log_spaced_integers(k_min, k_max, per_decade).tolist()
    for key in ("generative.backtest.k_values", "generative.fit.figure_k", "generative.envelope.figure_k"):
        off_grid = [int(k) for k in _get(config, key) if int(k) not in grid]
        if not off_grid:
            continue
        outside = [k for k in off_grid if not k_min <= k <= k_max]
        advice = [f"k = {k}: nearest grid values {_grid_neighbours(k, grid)}" for k in off_grid]
        widen = (
            f"or widen generative.passk.k_grid (k_min {k_min}, k_max {k_max}) to include {outside}"
            if outside
            else f"or raise generative.passk.k_grid.points_per_decade (now {per_decade}); every power of ten in range is always on the grid"
        )
        yield ConfigProblem(
            key,
            f"holds k = {off_grid}, which are not on the pass@k grid "
            f"(generative.passk.k_grid: {len(grid)} values from {grid[0]} to {grid[-1]}), so no pass@k table has them.",
            f"use grid values ({'; '.join(advice)}), {widen}.",
        )


def _ordered_pair_problems(config: Mapping[str, Any]) -> Iterator[ConfigProblem]:
    """Settings given as [low, high] (or ascending lists) must be in increasing order."""
    for key in (
        "generative.passk.beta_prior_log10_bounds",
        "generative.fit.bootstrap.quantiles",
        "generative.envelope.log10_r_range",
        "chinchilla.fit.quantiles",
    ):
        values = [float(value) for value in _get(config, key)]
        if any(low >= high for low, high in zip(values, values[1:])):
            yield ConfigProblem(key, f"{values} is not strictly increasing.", "list the values from lowest to highest.")
    grid = _get(config, "chinchilla.fit.compute_grid")
    if float(grid["log10_start"]) >= float(grid["log10_stop"]):
        yield ConfigProblem(
            "chinchilla.fit.compute_grid",
            f"log10_start ({grid['log10_start']}) is not below log10_stop ({grid['log10_stop']}).",
            "set log10_start < log10_stop.",
        )


def _generative_reference_problems(config: Mapping[str, Any], source_names: Sequence[str] | None) -> Iterator[ConfigProblem]:
    """Names that must refer to something declared elsewhere: estimators, benchmarks, sources, checkpoints, laws."""
    generative = config["generative"]
    passk, outcomes, fit, backtest = generative["passk"], generative["outcomes"], generative["fit"], generative["backtest"]
    if passk["default_estimator"] not in passk["estimators"]:
        yield ConfigProblem(
            "generative.passk.default_estimator",
            f"'{passk['default_estimator']}' is not among generative.passk.estimators {passk['estimators']}.",
            "add it to generative.passk.estimators or choose one of them.",
        )
    benchmarks = list(outcomes["benchmarks"])
    missing = [benchmark for benchmark in benchmarks if benchmark not in outcomes["sources"]]
    if missing:
        yield ConfigProblem(
            "generative.outcomes.sources",
            f"benchmarks {missing} of generative.outcomes.benchmarks have no released outcomes named in generative.outcomes.sources.",
            f"add '<benchmark>: <input name in {paths.SOURCES_MANIFEST}>' for each, or drop them from generative.outcomes.benchmarks.",
        )
    gold_sources = fit["gold_likelihood"]["sources"]
    stray = [benchmark for benchmark in gold_sources if benchmark not in benchmarks]
    if stray:
        yield ConfigProblem(
            "generative.fit.gold_likelihood.sources",
            f"names benchmarks {stray} that are not in generative.outcomes.benchmarks {benchmarks}.",
            "remove them, or add them to generative.outcomes.benchmarks.",
        )
    if source_names is not None:
        for key, named in (("generative.outcomes.sources", outcomes["sources"]), ("generative.fit.gold_likelihood.sources", gold_sources)):
            unknown = sorted({name for name in named.values() if name not in source_names})
            if unknown:
                yield ConfigProblem(
                    key,
                    f"refers to inputs {unknown} that {paths.SOURCES_MANIFEST} does not declare ({', '.join(source_names)}).",
                    f"use an input name declared in {paths.SOURCES_MANIFEST}.",
                )
    sizes = [str(entry["size"]) for entry in outcomes["pythia"]["sizes"]]
    steps = [int(entry["step"]) for entry in outcomes["pythia"]["steps"]]
    checkpoints = [("generative.backtest.target", backtest["target"])] + [
        (f"generative.outcomes.excluded_checkpoints[{index}]", entry) for index, entry in enumerate(outcomes["excluded_checkpoints"])
    ]
    for key, checkpoint in checkpoints:
        if str(checkpoint["size"]) not in sizes or int(checkpoint["step"]) not in steps:
            yield ConfigProblem(
                key,
                f"{{size: {checkpoint['size']}, step: {checkpoint['step']}}} is not a checkpoint of generative.outcomes.pythia "
                f"(sizes {sizes}, steps {steps}).",
                "use one of the listed sizes and steps.",
            )
    not_fitted = [law for law in backtest["laws"] if law not in fit["laws"]]
    if not_fitted:
        yield ConfigProblem(
            "generative.backtest.laws",
            f"laws {not_fitted} are backtested but not fit (generative.fit.laws {fit['laws']}); the stability horizons compare each backtest with its full fit.",
            "add them to generative.fit.laws or remove them from generative.backtest.laws.",
        )


def _schema_at(schema: Mapping[str, Any], where: Sequence[str | int]) -> Mapping[str, Any]:
    """The part of `schema` that describes the value at `where` (empty when not found)."""
    node: Any = schema
    for part in where:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part) or (node.get("additionalProperties") if isinstance(node.get("additionalProperties"), Mapping) else {})
    return node or {}


def schema_problems(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[ConfigProblem]:
    """Types and ranges the schema sets, one problem per offending value, with the setting's description."""
    import jsonschema  # noqa: PLC0415 (comes with snakemake)

    problems = []
    for error in sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=lambda error: list(map(str, error.absolute_path))):
        where = tuple(error.absolute_path)
        description = " ".join(str(_schema_at(schema, where).get("description", "")).split())
        problems.append(
            ConfigProblem(
                key=_dotted(where),
                problem=f"{error.message}.",
                fix=f"give a value the schema allows ({paths.CONFIG_SCHEMA})" + (f"; the setting: {description}" if description else "."),
            )
        )
    return problems


def cross_key_problems(config: Mapping[str, Any], source_names: Sequence[str] | None = None) -> list[ConfigProblem]:
    """Constraints between keys of a schema-valid, default-filled config; `source_names`: the inputs of
    config/sources.yaml (None skips the checks that need them)."""
    return [*k_grid_problems(config), *_ordered_pair_problems(config), *_generative_reference_problems(config, source_names)]


def _raise(problems: Sequence[ConfigProblem], source: str) -> None:
    if problems:
        raise ConfigError(source, problems)


def validate_config(config: dict, root: str | Path = ".", source: str = SNAKEMAKE_CONFIG_SOURCES) -> dict:
    """Check `config` in place (unknown keys, schema with defaults filled in, cross-key constraints);
    return it. Raises ConfigError (one paragraph per problem) naming `source` as where settings come from."""
    from snakemake.utils import validate  # noqa: PLC0415 (heavy import, needed only here)

    from .sources import load_manifest  # noqa: PLC0415

    root = Path(root)
    schema_path = root / paths.CONFIG_SCHEMA
    schema = yaml.safe_load(schema_path.read_text())
    _raise(list(unknown_keys(config, schema)), source)
    _raise(schema_problems(config, schema), source)
    # The one default that depends on another key (a schema default cannot): see paths.default_output_root.
    config.setdefault("output_root", str(paths.default_output_root(config.get("generative_source", "released"))))
    validate(config, str(schema_path))  # fills in the defaults
    manifest = root / paths.SOURCES_MANIFEST
    source_names = list(load_manifest(manifest)) if manifest.is_file() else None
    _raise(cross_key_problems(config, source_names), source)
    return config


def load_config(*override_files: str | Path, root: str | Path = ".") -> dict:
    """config/config.yaml under `root` with `override_files` (relative to `root`) merged in, validated."""
    root = Path(root)
    config = yaml.safe_load((root / paths.CONFIG).read_text())
    for override in override_files:
        config = deep_merge(config, yaml.safe_load((root / override).read_text()) or {})
    source = " with ".join([str(paths.CONFIG), *(str(override) for override in override_files)])
    return validate_config(config, root, source)
