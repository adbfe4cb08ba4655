"""Transmission models: densities of the delay between a source's and a receiver's event,
and how their parameters are initialised from the data.

The densities are evaluated with the C library's ``exp``/``log`` (Python's ``math``),
term by term in the same order as NetworkInference 1.2.5's C++ code, on the distinct
delays only. numpy's vectorised ``exp`` differs from the C library in the last bit for
a few per cent of inputs, which would be enough to reorder edges whose gains are equal.

=================  ===================================================  ==============
model              density f(d), d > 0                                  params
=================  ===================================================  ==============
exponential        lambda exp(-lambda d)                                (lambda,)
rayleigh           d / a^2 exp(-d^2 / (2 a^2))                          (a,)
log-normal         1 / (d s sqrt(2 pi)) exp(-(log d - mu)^2 / (2 s^2))  (mu, s)
power-law          (alpha - 1) / delta (d / delta)^(-alpha), d >= delta  (alpha, delta)
=================  ===================================================  ==============

The power law is the original netinf's third model (Gomez-Rodriguez et al. 2010); the
R package dropped it. Delays below ``delta`` have density 0.
"""

from __future__ import annotations

import math
from typing import Literal, Sequence

import numpy as np

from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["MODELS", "log_score", "init_params", "check_params", "delay_samples"]

Model = Literal["exponential", "rayleigh", "log-normal", "power-law"]
MODELS = ("exponential", "rayleigh", "log-normal", "power-law")
PARAMS_INIT = ("corrected", "package")
N_PARAMS = {"exponential": 1, "rayleigh": 1, "log-normal": 2, "power-law": 2}


def _density(model: str, p: Sequence[float]):
    if model == "exponential":
        lam = float(p[0])
        return lambda x: lam * math.exp(-1 * lam * x)
    if model == "rayleigh":
        a2 = float(p[0]) * float(p[0])
        return lambda x: (x / a2) * math.exp(-(x * x) / (2 * a2))
    if model == "log-normal":
        mu, s = float(p[0]), float(p[1])
        c = s * math.sqrt(2 * math.pi)

        def ln(x: float) -> float:
            if x <= 0:
                return 0.0
            d = math.log(x) - mu
            return 1 / (x * c) * math.exp(-((d * d) / (2 * (s * s))))
        return ln
    alpha, delta = float(p[0]), float(p[1])

    def pw(x: float) -> float:
        return (alpha - 1) / delta * (x / delta) ** (-alpha) if x >= delta else 0.0
    return pw


def log_score(model: str, delays: np.ndarray, params: Sequence[float], weight: float) -> np.ndarray:
    """``log(weight * f(d))`` for each delay, as the package computes it.

    ``weight`` is 0.5 (beta, an edge of the network) or 1e-10 (epsilon, an event from
    outside the network). A zero density gives ``-inf``.

    Examples
    --------
    >>> log_score("exponential", np.array([1.0, 2.0]), [0.5], 0.5).round(6)
    array([-1.886294, -2.386294])
    """
    delays = np.asarray(delays, dtype=float)
    if delays.size == 0:
        return np.empty(0)
    uniq, inv = np.unique(delays, return_inverse=True)
    f = _density(model, params)
    out = np.empty(len(uniq))
    for k, x in enumerate(uniq.tolist()):
        y = weight * f(x)
        out[k] = math.log(y) if y > 0 else (-math.inf if y == 0 else math.nan)
    return out[inv.reshape(-1)]


def check_params(model: str, params: Sequence[float]) -> tuple[float, ...]:
    """Validate a parameter vector for ``model`` and return it as a tuple of floats."""
    check_choice("model", model, MODELS)
    p = tuple(float(v) for v in np.atleast_1d(np.asarray(params, dtype=float)))
    need = N_PARAMS[model]
    if len(p) != need:
        names = {"exponential": "(lambda,)", "rayleigh": "(alpha,)", "log-normal": "(mu, sigma)",
                 "power-law": "(alpha, delta)"}[model]
        raise InvalidOptionError(f"the {model} model takes {need} parameter(s) {names}; got {p}.")
    if not all(math.isfinite(v) for v in p):
        raise InvalidOptionError(f"{model} parameters must be finite numbers; got {p}.")
    if model in ("exponential", "rayleigh") and p[0] <= 0:
        raise InvalidOptionError(f"the {model} parameter must be > 0; got {p[0]}.")
    if model == "log-normal" and p[1] <= 0:
        raise InvalidOptionError(f"log-normal sigma must be > 0; got {p[1]}.")
    if model == "power-law" and (p[0] <= 1 or p[1] <= 0):
        raise InvalidOptionError(f"power-law needs alpha > 1 and delta > 0; got {p}.")
    return p


def delay_samples(times: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The package's two delay samples: (time since the cascade's first event, time since
    the previous event), pooled over cascades ("fan" and "chain" extremes)."""
    fan = [t[1:] - t[0] for t in times if len(t) > 1]
    chain = [np.diff(t) for t in times if len(t) > 1]
    cat = (lambda xs: np.concatenate(xs) if xs else np.empty(0))
    return cat(fan), cat(chain)


def _mean(x: np.ndarray) -> float:
    return math.fsum(x.tolist()) / len(x) if len(x) else math.nan


def _sd(x: np.ndarray) -> float:
    if len(x) < 2:
        return math.nan
    m = _mean(x)
    return math.sqrt(math.fsum(((x - m) ** 2).tolist()) / (len(x) - 1))


def init_params(model: str, times: Sequence[np.ndarray], *, method: str = "corrected") -> tuple[float, ...]:
    """Initial parameters from the data, as the package does or corrected.

    Both methods estimate the parameter twice, from the "fan" delays (every adopter
    infected by the cascade's first adopter) and from the "chain" delays (each adopter
    infected by the previous one), and take the midpoint.

    ``method="package"`` reproduces NetworkInference 1.2.5 exactly, including two bugs:

    * rayleigh: ``sqrt(sum(d^2) / 2 * N)`` multiplies by N instead of dividing, and the
      bias factor ``exp(lgamma(N) + log(sqrt(N))) / exp(lgamma(N + 1/2))`` overflows to
      ``Inf / Inf = NaN`` once N > 171 delays (the example cascades have 352, SPID
      17,107): the package then stops at its own check of ``params``. We raise an
      error saying so.
    * log-normal: ``mean(mean_max, mean_min)`` is R's ``mean(x, trim)``, so only the fan
      estimates are used (the chain ones become the ``trim`` argument).

    ``method="corrected"`` (the default) uses ``sqrt(sum(d^2) / (2 N))`` with the bias
    factor computed on the log scale for rayleigh, averages both estimates for
    log-normal, and fits the power law by the Pareto MLE with ``delta`` the smallest
    positive delay. For the exponential model the two methods agree.

    Examples
    --------
    >>> ts = [np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0])]
    >>> init_params("exponential", ts)
    (0.55,)
    >>> init_params("log-normal", ts, method="package") == init_params("log-normal", ts)
    False
    """
    check_choice("model", model, MODELS)
    check_choice("params_init", method, PARAMS_INIT)
    fan, chain = delay_samples(times)
    if len(fan) == 0:
        raise InvalidOptionError("no cascade has two or more events, so no delay is observed "
                                 "and the parameters cannot be initialised; pass params=.")
    if not (np.asarray(fan) > 0).any():
        raise InvalidOptionError("every cascade's events are tied (all delays are 0), so no "
                                 "delay is observed and the parameters cannot be initialised; "
                                 "with tied times no edge can be inferred (use ties='delay' "
                                 "with params=, or spread_ties).")
    if model == "exponential":
        lam_min = 1 / _mean(fan)
        lam_max = 1 / _mean(chain)
        return ((lam_max + lam_min) / 2,)
    if model == "rayleigh":
        n = len(fan)
        if method == "package":
            sh_max = math.sqrt(math.fsum((fan ** 2).tolist()) / 2 * n)
            sh_min = math.sqrt(math.fsum((chain ** 2).tolist()) / 2 * n)
            try:
                adj = math.exp(math.lgamma(n) + math.log(math.sqrt(n))) / math.exp(math.lgamma(n + 0.5))
            except OverflowError:
                adj = math.nan
            value = (sh_max * adj + sh_min * adj) / 2
            if not math.isfinite(value):
                raise InvalidOptionError(
                    f"the package's Rayleigh initialisation gives NaN here: its bias factor "
                    f"exp(lgamma(N)) / exp(lgamma(N + 1/2)) overflows for N = {n} delays "
                    f"(N > 171), and NetworkInference stops ('Assertion on params failed. May "
                    f"not contain missing values'). Use params_init='corrected' or pass params=.")
            return (value,)
        adj = math.exp(math.lgamma(n) + 0.5 * math.log(n) - math.lgamma(n + 0.5))
        sh_max = math.sqrt(math.fsum((fan ** 2).tolist()) / (2 * n))
        sh_min = math.sqrt(math.fsum((chain ** 2).tolist()) / (2 * n))
        return ((sh_max * adj + sh_min * adj) / 2,)
    pos_fan, pos_chain = fan[fan > 0], chain[chain > 0]
    if len(pos_fan) < 2 or len(pos_chain) < 2:
        raise InvalidOptionError(f"too few positive delays to initialise the {model} model; "
                                 f"pass params=.")
    if model == "log-normal":
        mean_max, mean_min = _mean(np.log(pos_fan)), _mean(np.log(pos_chain))
        sd_max, sd_min = _sd(np.log(pos_fan)), _sd(np.log(pos_chain))
        if method == "package":
            return (mean_max, sd_max)
        return ((mean_max + mean_min) / 2, (sd_max + sd_min) / 2)
    # power law (corrected only: the package has no power law)
    delta = float(min(pos_fan.min(), pos_chain.min()))
    est = []
    for d in (pos_fan, pos_chain):
        s = math.fsum(np.log(d / delta).tolist())
        est.append(1 + len(d) / s if s > 0 else math.nan)
    alpha = (est[0] + est[1]) / 2
    if not math.isfinite(alpha):
        raise InvalidOptionError("all positive delays are equal, so the power-law exponent "
                                 "cannot be estimated; pass params=(alpha, delta).")
    return (alpha, delta)
