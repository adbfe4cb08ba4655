"""Cumulative-adoption curve families: logistic, Gompertz, Bass, modified exponential.

Model time ``t`` counts periods from the policy's first period (``t = 1``); ``F(t)``
is the share of units that have adopted by the end of period ``t``. Each family has
a ceiling ``K`` (share of units that ever adopt, 0 < K <= 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

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
    #: ``jet(t, *theta)``: ``F`` with its first and second derivatives in the
    #: parameters, closed form, shapes ``(n,)``, ``(k, n)`` and ``(k, k, n)``.
    jet: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None


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


def _logistic_jet(t, K, r, t0):
    d = t - t0
    s, sm = expit(r * d), expit(-r * d)  # both tails without overflow or cancellation
    g = s * sm  # sigma'
    g1 = g * (sm - s)  # sigma''
    H = np.empty((3, 3) + s.shape)
    H[0, 0] = 0.0
    H[0, 1] = H[1, 0] = g * d
    H[0, 2] = H[2, 0] = -g * r
    H[1, 1] = K * g1 * d * d
    H[1, 2] = H[2, 1] = -K * (g1 * r * d + g)
    H[2, 2] = K * g1 * r * r
    return K * s, np.stack([s, K * g * d, -K * g * r]), H


def _gompertz_jet(t, K, b, c):
    v = np.exp(-c * t)
    u = b * v
    E = np.exp(-u)
    KE = K * E
    H = np.empty((3, 3) + u.shape)
    H[0, 0] = 0.0
    H[0, 1] = H[1, 0] = -E * v
    H[0, 2] = H[2, 0] = E * u * t
    H[1, 1] = KE * v * v
    H[1, 2] = H[2, 1] = KE * t * v * (1.0 - u)
    H[2, 2] = KE * t * t * u * (u - 1.0)
    return KE, np.stack([E, -KE * v, KE * u * t]), H


def _bass_jet(t, K, p, q):
    # G(e, w) = (1 - e) / (1 + w e) with e = exp(-(p + q) t), w = q / p; chain rule
    e = np.exp(-(p + q) * t)
    w = q / p
    N, M = -np.expm1(-(p + q) * t), 1.0 + w * e
    G = N / M
    M2, M3 = M * M, M * M * M
    G_e, G_w = -(1.0 + w) / M2, -N * e / M2
    G_ee, G_ew, G_ww = 2.0 * (1.0 + w) * w / M3, (2.0 * e + w * e - 1.0) / M3, 2.0 * N * e * e / M3
    e_s, e_ss = -t * e, t * t * e
    G_s, G_ss, G_sw = G_e * e_s, G_ee * e_s * e_s + G_e * e_ss, G_ew * e_s
    w_p, w_q, w_pp, w_pq = -q / (p * p), 1.0 / p, 2.0 * q / (p * p * p), -1.0 / (p * p)
    G_p, G_q = G_s + G_w * w_p, G_s + G_w * w_q
    H = np.empty((3, 3) + G.shape)
    H[0, 0] = 0.0
    H[0, 1] = H[1, 0] = G_p
    H[0, 2] = H[2, 0] = G_q
    H[1, 1] = K * (G_ss + 2.0 * G_sw * w_p + G_ww * w_p * w_p + G_w * w_pp)
    H[1, 2] = H[2, 1] = K * (G_ss + G_sw * (w_p + w_q) + G_ww * w_p * w_q + G_w * w_pq)
    H[2, 2] = K * (G_ss + 2.0 * G_sw * w_q + G_ww * w_q * w_q)
    return K * G, np.stack([G, K * G_p, K * G_q]), H


def _exponential_jet(t, K, a):
    e = np.exp(-a * t)
    N = -np.expm1(-a * t)
    H = np.empty((2, 2) + e.shape)
    H[0, 0] = 0.0
    H[0, 1] = H[1, 0] = t * e
    H[1, 1] = -K * t * t * e
    return K * N, np.stack([N, K * t * e]), H


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
                           (1.0, 50.0, _BIG), _logistic, _logistic_starts, _logistic_jet),
    "gompertz": CurveModel("gompertz", "internal (asymmetric)", ("K", "b", "c"), (1e-6, 1e-6, 1e-6),
                           (1.0, 1e8, 50.0), _gompertz, _gompertz_starts, _gompertz_jet),
    "bass": CurveModel("bass", "mixed", ("K", "p", "q"), (1e-6, 1e-8, 0.0),
                       (1.0, 1.0, 50.0), _bass, _bass_starts, _bass_jet),
    "exponential": CurveModel("exponential", "external", ("K", "a"), (1e-6, 1e-8),
                              (1.0, 50.0), _exponential, _exponential_starts, _exponential_jet),
}
#: Boushey's three diffusion dynamics and the curve that represents each.
INFLUENCE = {"external": "exponential", "internal": "logistic", "mixed": "bass"}
