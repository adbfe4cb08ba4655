"""Cumulative-adoption curve families: logistic, Gompertz, Bass, modified exponential.

Model time ``t`` counts periods from the policy's first period (``t = 1``); ``F(t)``
is the share of units that have adopted by the end of period ``t``. Each family has
a ceiling ``K`` (share of units that ever adopt, 0 < K <= 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit, log_expit

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
    #: ``log_parts(t, *theta)``: ``log(F(t) - F(t-1))``, ``log(1 - F(t-1))`` and
    #: ``log(1 - F(t))``, each written in log space so that a probability of 1e-300
    #: keeps its digits (no difference of two numbers near 0 or near 1 is taken).
    log_parts: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None


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


# The log-space parts run under the caller's np.errstate (period_loglik's): log(0) =
# -inf and K > 1 (outside the box, nan) are meant, not warned about, and a context per
# call would cost as much as the arithmetic on SPID's short series.
# Each part below is computed once and shared (the same operations on the same
# numbers: the same bits); the multistart optimiser calls these on one short series
# at a time, where each numpy call's overhead costs more than its arithmetic.
def _log_survival(K, log_rest, one_k=None):
    """``log((1 - K) + K rest)`` from ``log rest``: both terms are positive, no cancellation.
    ``one_k``: ``1 - K`` if the caller has it."""
    out = np.log((1.0 - K if one_k is None else one_k) + K * np.exp(log_rest))  # full precision
    # below about e^-708 exp(log rest) is subnormal (digits lost) or 0: add in log space
    lost = log_rest < -700
    if lost.any():
        out = np.where(lost, np.logaddexp(np.log1p(-K), np.log(K) + log_rest), out)
    return out


def _log1mexp(x):
    """``log(1 - exp(-x))`` for ``x >= 0``: ``expm1`` keeps tiny ``x`` exact (down to the
    subnormals, where :func:`_gompertz_log_parts` uses ``log x`` instead)."""
    return np.log(-np.expm1(-x))


def _logistic_log_parts(t, K, r, t0):
    # F = K s(x), x = r (t - t0): s(x1) - s(x0) = s(x1) s(-x0) (1 - exp(-r)), x0 = x1 - r
    x1 = r * (np.asarray(t, float) - t0)
    x0 = x1 - r
    ls0 = log_expit(-x0)
    log_d = np.log(K) + log_expit(x1) + ls0 + _log1mexp(r)
    one_k = 1.0 - K
    return log_d, _log_survival(K, ls0, one_k), _log_survival(K, log_expit(-x1), one_k)


def _gompertz_log1mexp(log_u, u=None):
    """``log(1 - exp(-u))`` from ``log u`` (``u`` may underflow: then ``log u`` itself);
    ``u``: ``exp(log u)`` if the caller has it."""
    out = _log1mexp(np.exp(log_u) if u is None else u)
    tiny = log_u < -650
    if tiny.any():  # 1 - e^-u = u (1 - u/2 ...) with u below 1e-282: log u to the last bit
        out = np.where(tiny, log_u, out)
    return out


def _gompertz_log_parts(t, K, b, c):
    # F = K exp(-u), u = b exp(-c t) falls in t: F1 - F0 = K exp(-u1) (1 - exp(-(u0 - u1)))
    t = np.asarray(t, float)
    log_b = np.log(b)
    lu1 = log_b - c * t
    lu0 = lu1 + c
    u1 = np.exp(lu1)
    log_d = np.log(K) - u1 + _gompertz_log1mexp(lu1 + np.log(np.expm1(c)))  # u0 - u1
    one_k = 1.0 - K
    return (log_d, _log_survival(K, _gompertz_log1mexp(lu0), one_k),
            _log_survival(K, _gompertz_log1mexp(lu1, u1), one_k))


def _bass_log_parts(t, K, p, q):
    # e = exp(-s t), s = p + q, w = q / p: F = K (1 - e) / (1 + w e), so
    # F1 - F0 = K (1 + w) e0 (1 - exp(-s)) / ((1 + w e0)(1 + w e1)) and
    # 1 - F = ((1 - K) + (w + K) e) / (1 + w e)
    t = np.asarray(t, float)
    s, w = p + q, q / p
    st0, st1 = s * (t - 1), s * t  # -s * x is -(s * x) to the bit
    e0, e1 = np.exp(-st0), np.exp(-st1)
    l0, l1 = np.log1p(w * e0), np.log1p(w * e1)
    log_d = np.log(K) + np.log1p(w) - st0 + _log1mexp(s) - l0 - l1
    lwk, l1k = np.log(w + K), np.log1p(-K)  # -inf at K = 1: meant (caller's errstate)
    return log_d, np.logaddexp(l1k, lwk - st0) - l0, np.logaddexp(l1k, lwk - st1) - l1


def _exponential_log_parts(t, K, a):
    # F = K (1 - exp(-a t)): F1 - F0 = K exp(-a (t - 1)) (1 - exp(-a))
    t = np.asarray(t, float)
    at0 = a * (t - 1)
    log_d = np.log(K) - at0 + _log1mexp(a)
    one_k = 1.0 - K
    return log_d, _log_survival(K, -at0, one_k), _log_survival(K, -a * t, one_k)


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
                           (1.0, 50.0, _BIG), _logistic, _logistic_starts, _logistic_jet,
                           _logistic_log_parts),
    "gompertz": CurveModel("gompertz", "internal (asymmetric)", ("K", "b", "c"), (1e-6, 1e-6, 1e-6),
                           (1.0, 1e8, 50.0), _gompertz, _gompertz_starts, _gompertz_jet,
                           _gompertz_log_parts),
    "bass": CurveModel("bass", "mixed", ("K", "p", "q"), (1e-6, 1e-8, 0.0),
                       (1.0, 1.0, 50.0), _bass, _bass_starts, _bass_jet, _bass_log_parts),
    "exponential": CurveModel("exponential", "external", ("K", "a"), (1e-6, 1e-8),
                              (1.0, 50.0), _exponential, _exponential_starts,
                              _exponential_jet, _exponential_log_parts),
}
#: Boushey's three diffusion dynamics and the curve that represents each.
INFLUENCE = {"external": "exponential", "internal": "logistic", "mixed": "bass"}
