"""Paper G's three scaling laws for −log pass@k (Eqs. 3, 4, 6).

Each law is an offset plus a sum of power-law terms in positive covariates:

    −log pass_B@k = offset + Σ_j prefactor_j · x_j^(sign_j · exponent_j)

- `compute` (Eq. 3): E0 + C0 · C^(−alpha)
- `params_tokens` (Eq. 4): 𝓔0 + N0 · N^(−beta) + D0 · D^(−gamma)   (𝓔0 is stored as `E0`)
- `gold_likelihood` (Eq. 6): xi0 + K0 · [−log GoldProb_B]^(kappa)   (the exponent enters with a
  plus sign: a larger gold negative log-likelihood means a lower pass rate)

Bounds: the offset ≥ 0, prefactors > 0, exponents > 0 (and below MAX_EXPONENT, far above any
fitted value, so an optimizer cannot run away). Internally the fitter works with the log of each
prefactor measured at a reference covariate (see `scalingrepro.generative.fitting`); the public parameters
are the paper's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_EXPONENT = 10.0
MIN_EXPONENT = 1e-6
# Every parameter name any law uses, in the column order of fits.csv.
ALL_PARAMETER_NAMES = ("E0", "C0", "alpha", "N0", "beta", "D0", "gamma", "xi0", "K0", "kappa")
GOLD_COVARIATE = "neg_log_gold_prob"


@dataclass(frozen=True)
class PowerTerm:
    """One term prefactor · covariate^(sign · exponent) of a law."""

    covariate: str
    prefactor: str
    exponent: str
    sign: int  # −1: decays with the covariate (compute, N, D); +1: grows with it (gold NLL)


@dataclass(frozen=True)
class Law:
    """A scaling law for −log pass@k: an offset ≥ 0 plus power-law terms.

    name: the key in LAWS and the `law` column of fits.csv.
    equation: the paper's equation it implements.
    offset: name of the irreducible-error parameter (≥ 0).
    terms: the power-law terms (prefactors > 0, exponents > 0).
    """

    name: str
    equation: str
    offset: str
    terms: tuple[PowerTerm, ...]

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Parameter names in fit order: offset, then (prefactor, exponent) per term."""
        return (self.offset,) + tuple(name for term in self.terms for name in (term.prefactor, term.exponent))

    @property
    def covariates(self) -> tuple[str, ...]:
        """Columns of the covariate table the law needs."""
        return tuple(term.covariate for term in self.terms)

    @property
    def lower_bounds(self) -> dict[str, float]:
        """Lower bound of each parameter (the offset may be exactly 0; prefactors, exponents are > 0)."""
        bounds = {self.offset: 0.0}
        for term in self.terms:
            bounds[term.prefactor] = 0.0  # exclusive: prefactors are fit on a log scale
            bounds[term.exponent] = MIN_EXPONENT
        return bounds

    @property
    def upper_bounds(self) -> dict[str, float]:
        """Upper bound of each parameter."""
        bounds = {self.offset: np.inf}
        for term in self.terms:
            bounds[term.prefactor] = np.inf
            bounds[term.exponent] = MAX_EXPONENT
        return bounds

    def is_admissible(self, parameters: Mapping[str, float]) -> bool:
        """True when every parameter is finite and within the law's bounds (prefactors strictly > 0)."""
        for name in self.parameter_names:
            value = parameters.get(name, np.nan)
            if not np.isfinite(value) or value < self.lower_bounds[name] or value > self.upper_bounds[name]:
                return False
        return all(parameters[term.prefactor] > 0 for term in self.terms)

    def predict(self, parameters: Mapping[str, float], covariates: pd.DataFrame | Mapping[str, np.ndarray]) -> np.ndarray:
        """−log pass@k predicted at each row of `covariates` (columns `self.covariates`)."""
        prediction = np.full(len(np.asarray(covariates[self.covariates[0]])), float(parameters[self.offset]))
        for term in self.terms:
            x = np.asarray(covariates[term.covariate], dtype=float)
            # prefactor · x^(sign·exponent), evaluated in log space so huge C0 and C do not overflow
            log_term = np.log(parameters[term.prefactor]) + term.sign * parameters[term.exponent] * np.log(x)
            prediction = prediction + np.exp(log_term)
        return prediction

    def pass_at_k(self, parameters: Mapping[str, float], covariates: pd.DataFrame | Mapping[str, np.ndarray]) -> np.ndarray:
        """pass@k predicted at each row: exp(−predict)."""
        return np.exp(-self.predict(parameters, covariates))


COMPUTE = Law(
    name="compute",
    equation="Eq. 3",
    offset="E0",
    terms=(PowerTerm("compute", "C0", "alpha", -1),),
)
PARAMS_TOKENS = Law(
    name="params_tokens",
    equation="Eq. 4",
    offset="E0",
    terms=(PowerTerm("params", "N0", "beta", -1), PowerTerm("tokens", "D0", "gamma", -1)),
)
GOLD_LIKELIHOOD = Law(
    name="gold_likelihood",
    equation="Eq. 6",
    offset="xi0",
    terms=(PowerTerm(GOLD_COVARIATE, "K0", "kappa", +1),),
)

LAWS: dict[str, Law] = {law.name: law for law in (COMPUTE, PARAMS_TOKENS, GOLD_LIKELIHOOD)}

