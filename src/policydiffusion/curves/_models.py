"""Cumulative-adoption curve families: logistic, Gompertz, Bass, modified exponential.

Model time ``t`` counts periods from the policy's first period (``t = 1``); ``F(t)``
is the share of units that have adopted by the end of period ``t``. Each family has
a ceiling ``K`` (share of units that ever adopt, 0 < K <= 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["CurveModel", "MODELS", "INFLUENCE"]


@dataclass(frozen=True)
class CurveModel:
    """A curve family: its parameters, bounds, cumulative function and start values."""

    name: str
    influence: str
    params: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    cdf: Callable[..., np.ndarray]
    starts: Callable[[np.ndarray, np.ndarray], list[tuple[float, ...]]]


def _logistic(t, K, r, t0):
    with np.errstate(over="ignore"):  # exp overflow -> inf -> F = 0, as it should
        return K / (1.0 + np.exp(-r * (np.asarray(t, float) - t0)))


def _gompertz(t, K, b, c):
    with np.errstate(over="ignore"):
        return K * np.exp(-b * np.exp(-c * np.asarray(t, float)))


def _bass(t, K, p, q):
    t = np.asarray(t, float)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-(p + q) * t)
        return K * (1.0 - e) / (1.0 + (q / p) * e)


def _exponential(t, K, a):
    return K * (1.0 - np.exp(-a * np.asarray(t, float)))


def _ceiling(share: np.ndarray) -> list[float]:
    top = float(np.nanmax(share)) if share.size else 0.5
    return sorted({min(1.0, max(top, 0.05) * f) for f in (1.0, 1.1, 1.5)})


def _mid(t: np.ndarray, share: np.ndarray, K: float) -> float:
    hit = np.nonzero(share >= K / 2)[0]
    return float(t[hit[0]]) if hit.size else float(t[-1])


def _logistic_starts(t, share):
    span = max(float(t[-1] - t[0]), 1.0)
    return [(K, r, _mid(t, share, K)) for K in _ceiling(share) for r in (4 / span, 12 / span, 1.0)]


def _gompertz_starts(t, share):
    span = max(float(t[-1] - t[0]), 1.0)
    out = []
    for K in _ceiling(share):
        for c in (3 / span, 10 / span, 1.0):
            tm = _mid(t, share, K)
            out.append((K, float(np.clip(np.exp(c * tm), 1e-3, 1e6)), c))
    return out


def _bass_starts(t, share):
    span = max(float(t[-1] - t[0]), 1.0)
    return [(K, p, q) for K in _ceiling(share) for p in (0.01, 0.05) for q in (0.1, 4 / span, 1.0)]


def _exponential_starts(t, share):
    span = max(float(t[-1] - t[0]), 1.0)
    return [(K, a) for K in _ceiling(share) for a in (1 / span, 3 / span, 0.5)]


_BIG = 1e3
MODELS: dict[str, CurveModel] = {
    "logistic": CurveModel("logistic", "internal", ("K", "r", "t0"), (1e-6, 1e-6, -_BIG),
                           (1.0, 50.0, _BIG), _logistic, _logistic_starts),
    "gompertz": CurveModel("gompertz", "internal (asymmetric)", ("K", "b", "c"), (1e-6, 1e-6, 1e-6),
                           (1.0, 1e8, 50.0), _gompertz, _gompertz_starts),
    "bass": CurveModel("bass", "mixed", ("K", "p", "q"), (1e-6, 1e-8, 0.0),
                       (1.0, 1.0, 50.0), _bass, _bass_starts),
    "exponential": CurveModel("exponential", "external", ("K", "a"), (1e-6, 1e-8),
                              (1.0, 50.0), _exponential, _exponential_starts),
}
#: Boushey's three diffusion dynamics and the curve that represents each.
INFLUENCE = {"external": "exponential", "internal": "logistic", "mixed": "bass"}
