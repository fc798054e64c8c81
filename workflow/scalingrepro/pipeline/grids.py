"""Numeric grids that settings name by their bounds rather than by listing values."""

from __future__ import annotations

import numpy as np


def log_spaced_integers(k_min: int, k_max: int, points_per_decade: int) -> np.ndarray:
    """Unique integers of a log-spaced grid from k_min to k_max with `points_per_decade` points per
    decade, plus every power of ten in the range and both ends; ascending int64."""
    k_min, k_max, per_decade = int(k_min), int(k_max), int(points_per_decade)
    if not 1 <= k_min <= k_max:
        raise ValueError(f"k grid needs 1 <= k_min <= k_max, got {k_min}, {k_max}")
    decades = np.log10(k_max) - np.log10(k_min)
    n_points = max(int(np.ceil(decades * per_decade)) + 1, 2)
    log_spaced = np.rint(np.geomspace(k_min, k_max, n_points))
    powers_of_ten = 10.0 ** np.arange(np.ceil(np.log10(k_min)), np.floor(np.log10(k_max)) + 1)
    values = np.unique(np.concatenate([log_spaced, powers_of_ten, [k_min, k_max]]))
    return values[(values >= k_min) & (values <= k_max)].astype(np.int64)
