"""95% Wilson score intervals for shares.

Written out rather than imported: the formula is closed-form, and the libraries that have it
(statsmodels, scipy) would add two large dependencies for these few lines. Wilson rather than the
normal approximation because it stays inside 0-1 and is honest for small groups and for shares
near 0% or 100% (60% of 5 people is 23%-88%).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson(successes, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of the 95% Wilson interval of successes / n, element-wise; NaN where n is
    missing or 0."""
    k = pd.to_numeric(pd.Series(successes, dtype="Float64"), errors="coerce").to_numpy("float64", na_value=np.nan)
    m = pd.to_numeric(pd.Series(n, dtype="Float64"), errors="coerce").to_numpy("float64", na_value=np.nan)
    m = np.where(m > 0, m, np.nan)
    p = k / m
    z2 = z * z
    denom = 1 + z2 / m
    centre = (p + z2 / (2 * m)) / denom
    half = z * np.sqrt(p * (1 - p) / m + z2 / (4 * m * m)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def apart(low_a, high_a, low_b, high_b) -> np.ndarray:
    """True where two intervals do not overlap (False where either is missing)."""
    la, ha, lb, hb = (np.asarray(x, dtype="float64") for x in (low_a, high_a, low_b, high_b))
    with np.errstate(invalid="ignore"):
        return (la > hb) | (lb > ha)
