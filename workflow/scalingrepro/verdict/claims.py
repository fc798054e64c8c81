"""The claims registry (config/claims.yaml): loading, schema validation and the computing functions."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..pipeline.errors import InputError

CLAIMS = Path("config") / "claims.yaml"
CLAIMS_SCHEMA = Path("workflow") / "schemas" / "claims.schema.yaml"
PAPER_TITLES = {
    "chinchilla": "C: Evaluating the Robustness of Chinchilla Compute-Optimal Scaling",
    "generative": "G: Pretraining Scaling Laws for Generative Evaluations of Language Models",
}


@dataclass(frozen=True)
class Claim:
    """One registered claim; `paper_value` is the paper's, used only as the comparison target."""

    id: str
    paper: str
    section: str
    location: str
    targets: tuple[str, ...]
    statement: str
    paper_value: Any
    check: dict[str, Any]
    compute: str
    bound: str | None = None

    @property
    def function(self) -> Callable:
        """The function of scalingrepro.verdict named by `compute`."""
        return _verdict_function(self.compute)

    @property
    def bound_function(self) -> Callable | None:
        """The function of scalingrepro.verdict named by `bound`, if any (it returns a Bound)."""
        return _verdict_function(self.bound) if self.bound else None


def _verdict_function(name: str) -> Callable:
    module_name, function_name = name.split(".")
    return getattr(importlib.import_module(f"{__package__}.{module_name}"), function_name)


def load_claims(path: str | Path = CLAIMS, schema_path: str | Path = CLAIMS_SCHEMA) -> list[Claim]:
    """The claims of `path`, validated against the schema, with unique ids and existing functions."""
    source = str(path)
    try:
        document = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise InputError(source, f"cannot be read as YAML ({error}).", "restore config/claims.yaml from the repository.") from error
    schema = yaml.safe_load(Path(schema_path).read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=lambda error: list(error.path))
    if errors:
        where = "/".join(str(part) for part in errors[0].path)
        raise InputError(source, f"{len(errors)} schema violation(s); first at {where or 'top level'}: {errors[0].message}.", f"edit the entry to follow {schema_path}.")
    claims = [Claim(**{**entry, "targets": tuple(entry["targets"])}) for entry in document["claims"]]
    ids = [claim.id for claim in claims]
    duplicated = sorted({claim_id for claim_id in ids if ids.count(claim_id) > 1})
    if duplicated:
        raise InputError(source, f"duplicate claim ids {duplicated}.", "give every claim its own id.")
    for claim in claims:
        try:
            claim.function  # noqa: B018 (resolving the name is the check)
            claim.bound_function  # noqa: B018
        except (ImportError, AttributeError) as error:
            raise InputError(source, f"claim {claim.id} names the computing function {claim.compute}, which does not exist ({error}).", "name a function of scalingrepro.verdict.chinchilla or .generative.") from error
    return claims
