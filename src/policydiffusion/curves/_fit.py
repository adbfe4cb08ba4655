"""Fit logistic, Gompertz, Bass and modified-exponential curves to adoption counts.

Two estimators: maximum likelihood on the per-period counts with non-adopters
censored (``method="mle"``, preferred) and nonlinear least squares on cumulative
shares (``method="nls"``).

Comparing the families honestly (:class:`CurveFits`):

* Under maximum likelihood the logistic and Bass curves are the same hazard model: the
  MLE conditions on no adoption before the first period, and the logistic so truncated
  is a Bass curve with ``K' = K (1 + c) / (c + K)``, ``r = p + q``, ``c = q / p``. Their
  log-likelihoods agree up to the optimiser's precision, so neither is "better".
* Two fits with the same number of parameters whose log-likelihoods differ by at most
  ``LL_TIE_RTOL * max(1, |loglik|)`` (1e-6 of the log-likelihood's scale; the gaps
  between such re-parameterised optima are 1e-13 to 1e-5) are *indistinguishable*:
  ``comparison()`` flags them, ``best`` names all of them and no label is chosen
  between them.
* The modified exponential is Bass with ``q = 0`` (nested, on the boundary of the
  parameter space): it is tested against Bass by a likelihood-ratio test with the
  chi-bar-square null ``0.5 chi2(0) + 0.5 chi2(1)`` (``lr_tests()``). For NLS the
  Gaussian likelihood of the residuals is used.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special

from policydiffusion.curves._curve import adoption_curve, curve_columns
from policydiffusion.curves._data import PolicyTimes, as_study, policy_list, policy_times, policy_times_many
from policydiffusion.curves._models import INFLUENCE, MODELS, CurveModel
from policydiffusion.curves._newton import CHECKS, check_optimum, negll_hessian, newton_fits
from policydiffusion.curves._objective import NegLogLik
from policydiffusion.curves._optimum import (REASONS, NoOptimum, not_identified, one_period_limit, ridge_limit,
                                             two_period_limit)
from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["CurveFit", "CurveFits", "fit_curves", "fit_curves_many"]

#: Optimisers for the MLE: batched bounded Newton (checked, with multistart fallback)
#: or SLSQP from every start.
OPTIMIZERS = ("newton", "multistart")

_TIDY = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
_COMPARISON = ["model", "influence", "n_params", "loglik", "aic", "delta_aic", "best", "tied_with", "status"]
_LR_TESTS = ["restricted", "full", "restriction", "statistic", "df", "p_value"]

#: Relative tolerance on the log-likelihood below which two fits are indistinguishable.
LL_TIE_RTOL = 1e-6
#: Level of the likelihood-ratio test of the modified exponential against Bass.
LR_LEVEL = 0.05
#: (restricted, full, what the restriction is) for the nested pairs.
NESTED = (("exponential", "bass", "q = 0"),)


@dataclass(frozen=True)
class CurveFit:
    """One fitted curve: parameters with standard errors and derived timings.

    ``estimate`` / ``std_error`` follow ``params``; a parameter on its bound (e.g. a
    ceiling ``K`` of 1) has no standard error (NaN) and is listed in ``at_bound``; no
    parameter has one where the Hessian of the free parameters is not positive definite
    (a flat likelihood: the data do not identify them). ``derived`` maps names (``inflection_t``, ``inflection_period``, ``peak_t``,
    ``peak_period``, ``m``) to (estimate, delta-method standard error).

    ``status`` is ``"ok"`` (maximum likelihood: a certified optimum, it passes
    Newton's convergence check; least squares: ``curve_fit``'s result, which no such
    check certifies), or else one of these, with ``reason`` and its wording in ``note``:

    * ``"not_identified"``: fewer periods with units at risk than the family has
      parameters (``reason`` ``"too_few_periods"``; under least squares, no more
      observed shares than parameters: ``"too_few_shares"``), decided from the data
      before fitting. ``loglik`` is the saturated log-likelihood where that is the
      supremum (NaN otherwise), every parameter NaN.
    * ``"no_finite_optimum"``: the likelihood has no finite maximum (``reason``:
      ``"one_period"``, all adoptions in one period; ``"two_periods"``, all in two
      consecutive periods, reached only by a step split over them; or ``"ridge"``, it
      rises toward the modified exponential; see ``policydiffusion.curves._optimum``).
      ``loglik`` is the supremum and the parameters the limit identifies keep their
      limit values (the ceiling ``K`` of a step, the rate on the ridge), the others NaN.
    * ``"not_converged"``: the best point the optimisers found fails the convergence
      check (``reason`` ``"check_failed"``; ``failed`` names the parts, keys of
      ``policydiffusion.curves._newton.CHECKS``). ``loglik`` and every parameter NaN.

    Whatever the status other than ``"ok"``, every standard error, the AIC and the
    derived timings are NaN, the fit is never best, and no curve is drawn
    (``predict`` gives NaN).

    ``converged`` is an alias of :attr:`has_optimum` (the name other results of the
    package use, kept for compatibility): a fit is converged exactly when it is a
    certified optimum.
    """

    policy: str
    model: str
    method: str
    params: tuple[str, ...]
    estimate: np.ndarray
    std_error: np.ndarray
    cov: np.ndarray
    at_bound: tuple[str, ...]
    loglik: float | None
    aic: float
    rss: float
    n_obs: int
    n_units: int
    start: int
    derived: dict = field(default_factory=dict)
    status: str = "ok"
    reason: str = ""
    failed: tuple[str, ...] = ()

    @property
    def has_optimum(self) -> bool:
        """Whether the fit is a certified finite optimum (``status == "ok"``): only
        then does it have estimates, an AIC and a curve."""
        return self.status == "ok"

    @property
    def converged(self) -> bool:
        """Alias of :attr:`has_optimum` (derived, so the two cannot disagree)."""
        return self.has_optimum

    @property
    def note(self) -> str:
        """English wording of ``reason`` ("" for a fit with an optimum)."""
        n = self.n_obs
        return REASONS.get(self.reason, "").format(
            n=n, k=len(self.params), periods="period" if n == 1 else "periods",
            shares="share" if n == 1 else "shares", failed="; ".join(CHECKS.get(c, c) for c in self.failed))

    @property
    def influence(self) -> str:
        """Boushey's label for the family: external, internal or mixed influence."""
        return MODELS[self.model].influence

    def value(self, name: str) -> float:
        """A parameter's estimate by name."""
        return float(self.estimate[self.params.index(name)])

    def predict(self, t: np.ndarray | Sequence[float]) -> np.ndarray:
        """Fitted cumulative share at model times ``t`` (1 = the first period); NaN
        without a finite optimum."""
        if not self.has_optimum:
            return np.full(np.shape(t), np.nan)
        return MODELS[self.model].cdf(np.asarray(t, float), *self.estimate)

    def predict_periods(self, periods: np.ndarray | Sequence[float]) -> np.ndarray:
        """Fitted cumulative share at calendar periods."""
        return self.predict(np.asarray(periods, float) - self.start + 1)

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """Parameters and derived quantities with Wald statistics and intervals."""
        return pd.DataFrame(self._tidy_rows(level), columns=_TIDY)

    def _tidy_rows(self, level: float = 0.95) -> list[tuple]:
        z = _z_crit(level)
        rows = list(zip(self.params, self.estimate, self.std_error))
        rows += [(k, v[0], v[1]) for k, v in self.derived.items()]
        out = []
        for term, est, se in rows:
            ok = se is not None and np.isfinite(se) and se > 0
            stat = est / se if ok else np.nan
            # special.ndtr(-x) is what stats.norm.sf(x) evaluates, without its overhead
            out.append((term, est, se if ok else np.nan, stat,
                        2 * special.ndtr(-abs(stat)) if ok else np.nan,
                        est - z * se if ok else np.nan, est + z * se if ok else np.nan))
        return out

    def to_dict(self) -> dict:
        """Plain-Python summary (parameters, SEs, derived values, fit statistics)."""
        return {
            "model": self.model, "method": self.method, "influence": self.influence,
            "params": {p: _f(e) for p, e in zip(self.params, self.estimate)},
            "std_errors": {p: _f(s) for p, s in zip(self.params, self.std_error)},
            "derived": {k: {"estimate": _f(v[0]), "std_error": _f(v[1])} for k, v in self.derived.items()},
            "at_bound": list(self.at_bound), "loglik": _f(self.loglik), "aic": _f(self.aic),
            "n_obs": self.n_obs, "converged": self.converged,
            "status": self.status, "reason": self.reason or None, "note": self.note or None,
        }


@functools.lru_cache(maxsize=8)
def _z_crit(level: float) -> float:
    # special.ndtri is what stats.norm.ppf evaluates (importing scipy.stats costs ~0.3 s)
    return float(special.ndtri(0.5 + level / 2))


def _f(x: object) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class CurveFits:
    """Several curve families fitted to the same data, compared honestly.

    Fits whose log-likelihoods agree within ``LL_TIE_RTOL`` of their scale (and have
    the same number of parameters) are indistinguishable; the modified exponential is
    tested against Bass, which nests it, by a likelihood-ratio test (see the module
    docstring). ``dynamics`` applies Boushey's classification on that basis:
    "external" when the exponential is not rejected against Bass, otherwise the
    lowest-AIC of the internal (logistic) and mixed (Bass) models, or "internal or
    mixed" when they are indistinguishable (always the case under maximum likelihood,
    where they are the same model).

    A family without a certified finite optimum (``CurveFit.has_optimum`` False: not
    identified, no finite optimum or not converged) takes no part: it is never best,
    tied or tested (a supremum is its limit's fit, the exponential's for a ridge,
    which is compared as itself). When no family has an optimum, ``best`` is "none"
    and ``dynamics`` None; when a family without one is not ruled out (any such
    family, except the ridge where the exponential or Bass is fitted with an optimum)
    ``best`` is "undetermined" and ``dynamics`` None: neither is decided by
    elimination (``dynamics_note`` says why).
    """

    policy: str
    method: str
    fits: dict
    provenance: dict = field(default_factory=dict)

    def __getitem__(self, model: str) -> CurveFit:
        return self.fits[model]

    def _neg2ll(self, model: str) -> float:
        """-2 log-likelihood (NLS: of the Gaussian residuals, up to a constant)."""
        f = self.fits[model]
        if f.loglik is not None:
            return -2.0 * f.loglik
        return f.aic - 2.0 * (len(f.params) + 1)

    def tied(self, a: str, b: str) -> bool:
        """Whether fits ``a`` and ``b`` are indistinguishable: same number of parameters
        and log-likelihoods within ``LL_TIE_RTOL * max(1, |loglik|)``; never a fit
        without a finite optimum (its log-likelihood is a supremum)."""
        fa, fb = self.fits[a], self.fits[b]
        if len(fa.params) != len(fb.params) or not (fa.has_optimum and fb.has_optimum):
            return False
        la, lb = -self._neg2ll(a) / 2, -self._neg2ll(b) / 2
        return abs(la - lb) <= LL_TIE_RTOL * max(1.0, abs(la), abs(lb))

    def _tied_with(self, model: str) -> list[str]:
        return [m for m in self.fits if m != model and self.tied(model, m)]

    def comparison(self) -> pd.DataFrame:
        """model, influence, n_params, loglik, aic, delta_aic (to the best; NaN for every
        family when ``best`` is "none" or "undetermined"), best,
        tied_with (the models it cannot be told apart from, comma-separated), status
        (``"ok"``, ``"not_identified"``, ``"no_finite_optimum"`` or ``"not_converged"``:
        see :class:`CurveFit`; all but ``"ok"`` have a NaN aic, and loglik is the
        supremum where known, else NaN)."""
        return pd.DataFrame(self.comparison_records(), columns=_COMPARISON)

    def comparison_records(self) -> list[dict]:
        """:meth:`comparison` as a list of dicts (no DataFrame built)."""
        # measured from the best: with none (no optimum, or "undetermined") no fit is
        # the reference, as a 0 would say it was best
        best = self.best_models
        ref = min(self.fits[m].aic for m in best) if best else np.nan
        return [dict(zip(_COMPARISON, (
            m, f.influence, len(f.params), f.loglik if f.loglik is not None else np.nan, f.aic,
            f.aic - ref, m in best, ", ".join(self._tied_with(m)), f.status)))
            for m, f in self.fits.items()]

    def lr_tests(self) -> pd.DataFrame:
        """Likelihood-ratio tests of each nested pair that was fitted: restricted, full,
        restriction, statistic, df, p_value (chi-bar-square: the restriction is on the
        boundary, so p = 0.5 P(chi2(1) > LR))."""
        return pd.DataFrame(self.lr_test_records(), columns=_LR_TESTS)

    def lr_test_records(self) -> list[dict]:
        """:meth:`lr_tests` as a list of dicts (no DataFrame built)."""
        rows = []
        for small, big, what in NESTED:
            if small in self.fits and big in self.fits and self.fits[small].has_optimum \
                    and self.fits[big].has_optimum:
                lr = max(self._neg2ll(small) - self._neg2ll(big), 0.0)
                # special.chdtrc(1, x) is what stats.chi2.sf(x, 1) evaluates
                rows.append(dict(zip(_LR_TESTS, (small, big, what, lr, 1, 0.5 * float(special.chdtrc(1, lr))))))
        return rows

    def _with_optimum(self) -> list[str]:
        return [m for m, f in self.fits.items() if f.has_optimum]

    def _undecided(self, models: Sequence[str] | None = None) -> list[str]:
        """The fitted families (of ``models``; default all) without a certified optimum
        that are not ruled out: a step's supremum is the saturated likelihood, and a
        family that is not identified or not converged may fit better than every
        family with an optimum, so choosing among those would be choosing by
        elimination. A ridge is ruled out where the exponential (or Bass, which nests
        it) is fitted with an optimum: the ridge's supremum is the exponential's fit."""
        ridge_ok = any(m in self.fits and self.fits[m].has_optimum for m in ("exponential", "bass"))
        return [m for m in (self.fits if models is None else models) if m in self.fits
                and not self.fits[m].has_optimum and not (ridge_ok and self.fits[m].reason == "ridge")]

    @property
    def best_models(self) -> tuple[str, ...]:
        """The lowest-AIC family and every family indistinguishable from it, among the
        families with a finite optimum: one without cannot be best (its supremum is
        its limit's fit, which is reported by the limit's own family where fitted).
        Empty when no family has one, and when a family without one is not ruled out
        (not identified, not converged, or no finite optimum other than the ridge
        where the exponential or Bass is fitted): the best would then be decided by
        elimination (``best`` says "undetermined")."""
        ok = self._with_optimum()
        if not ok or self._undecided():
            return ()
        top = min(ok, key=lambda m: self.fits[m].aic)
        return tuple(m for m in ok if m == top or self.tied(top, m))

    @property
    def best(self) -> str:
        """The family with the lowest AIC; indistinguishable ones joined by " = "
        (e.g. "logistic = bass"); "none" when no family has a finite optimum,
        "undetermined" when a family without one is not ruled out (see
        :attr:`best_models`)."""
        return " = ".join(self.best_models) or ("undetermined" if self._with_optimum() else "none")

    @property
    def dynamics(self) -> str | None:
        """'external', 'internal', 'mixed' or 'internal or mixed' (Boushey), or None
        (:attr:`dynamics_note` says why) if none of those curves was fitted, or one
        was fitted without a certified optimum and is not ruled out: not identified,
        not converged, or no finite optimum other than the ridge where the exponential
        or Bass is fitted (its supremum is the exponential's own fit). The label is never
        decided by elimination: with all adoptions in two consecutive periods only the
        exponential has an optimum, but the logistic and Bass steps reach a higher
        likelihood."""
        label = {v: k for k, v in INFLUENCE.items()}
        cand = [v for v in INFLUENCE.values() if v in self.fits]
        if not cand or self._undecided(cand):
            return None
        cand = [m for m in cand if self.fits[m].has_optimum]  # a ridge: see _undecided
        tests = self.lr_test_records()
        if tests:
            keep_small = tests[0]["p_value"] >= LR_LEVEL  # exponential not rejected
            drop = "bass" if keep_small else "exponential"
            cand = [m for m in cand if m != drop and not (keep_small and self.tied(m, drop))]
        top = min(cand, key=lambda m: self.fits[m].aic)
        names = [label[m] for m in cand if m == top or self.tied(top, m)]
        return " or ".join(sorted(names))

    @property
    def dynamics_note(self) -> str:
        """Why :attr:`dynamics` is None, in English ("" when it is a label).

        >>> import pandas as pd
        >>> a = pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 1, 1, 2, 2]})
        >>> fits = fit_curves(a, units=10)  # two periods at risk: three parameters unidentified
        >>> fits.dynamics, fits.best, fits.dynamics_note[:44]
        (None, 'undetermined', 'undetermined: logistic, bass: not identified')
        """
        cand = [v for v in INFLUENCE.values() if v in self.fits]
        if not cand:
            return "none of the logistic, Bass and modified-exponential curves was fitted"
        notes: dict[str, list[str]] = {}
        for m in self._undecided(cand):  # grouped by reason
            notes.setdefault(self.fits[m].note, []).append(m)
        if not notes:
            return ""
        return ("undetermined: " + "; ".join(f"{', '.join(ms)}: {n}" for n, ms in notes.items())
                + "; a family without an optimum is not ruled out, so no label is chosen by elimination")

    def tidy(self) -> pd.DataFrame:
        """All parameters of all fitted families (column ``model`` first, the fit's
        ``status`` last)."""
        return pd.DataFrame(self.tidy_records(), columns=["model"] + _TIDY + ["status"])

    def tidy_records(self) -> list[dict]:
        """:meth:`tidy` as a list of dicts (no DataFrame built: for stacking many
        policies' fits into one table)."""
        cols = ["model"] + _TIDY + ["status"]
        return [dict(zip(cols, (m, *row, f.status))) for m, f in self.fits.items() for row in f._tidy_rows()]

    def summary(self) -> str:
        lines = [f"Curve fits for {self.policy} ({self.method}); Boushey dynamics: "
                 f"{self.dynamics or self.dynamics_note}"]
        for r in self.comparison_records():
            tie = f"  same likelihood as {r['tied_with']}" if r["tied_with"] else ""
            note = self.fits[r["model"]].note
            if note:
                sup = f"; supremum log-likelihood {r['loglik']:.3f}" if np.isfinite(r["loglik"]) else ""
                lines.append(f"  {r['model']:<12} {note}{sup}")
                continue
            lines.append(f"  {r['model']:<12} AIC {r['aic']:10.3f}  dAIC {r['delta_aic']:8.3f}{tie}")
        for t in self.lr_test_records():
            lines.append(f"  LR test {t['restricted']} vs {t['full']} ({t['restriction']}): "
                         f"{t['statistic']:.3f}, p = {t['p_value']:.3g}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"method": self.method, "best": self.best, "best_models": list(self.best_models),
                "dynamics": self.dynamics, "dynamics_note": self.dynamics_note or None, "tie_rtol": LL_TIE_RTOL,
                "lr_tests": self.lr_test_records(),
                **{m: f.to_dict() for m, f in self.fits.items()}}


# ---------------------------------------------------------------------- data
@dataclass(frozen=True)
class _FitData:
    t: np.ndarray
    at_risk: np.ndarray
    new: np.ndarray
    share: np.ndarray
    start: int
    n_units: int


def _fit_data_of(pt: PolicyTimes) -> _FitData:
    """One policy's fit data from its adoption times (its :func:`curve_columns`)."""
    c = curve_columns(pt)
    return _FitData(np.asarray(c["t"], float), c["at_risk"].astype(float), c["new"].astype(float),
                    c["cumulative_share"].astype(float), int(c["period"][0]), int(c["n_existing"].max()))


def _fit_data(study: object, policy: str | Sequence[str] | None,
              units: int | Sequence[str] | None) -> tuple[str, _FitData]:
    st = as_study(study, units=units)
    if policy is None and st.n_policies == 1:
        policy = st.policy_ids[0]
    if isinstance(policy, str):
        # adoption_curve's columns, without building its table (half the time of a
        # batch of fits for many policies)
        policy_list(st, policy)  # unknown ids raise
        return policy, _fit_data_of(policy_times(st, policy))
    c = adoption_curve(st, policy)
    c = c.assign(cum_exist=c["cumulative_share"] * c["n_existing"])
    g = c.groupby("t", sort=True).agg(at_risk=("at_risk", "sum"), new=("new", "sum"),
                                      n=("n_existing", "sum"), ce=("cum_exist", "sum"))
    name = f"pooled ({c['policy'].nunique()} policies)"
    return name, _FitData(g.index.to_numpy(float), g["at_risk"].to_numpy(float), g["new"].to_numpy(float),
                          (g["ce"] / g["n"]).to_numpy(float), 1, int(c["n_existing"].max()))


# ---------------------------------------------------------------------- objectives
def _negll(theta: np.ndarray, model: CurveModel, d: _FitData) -> float:
    return NegLogLik(model, t=d.t, at_risk=d.at_risk, new=d.new)(theta)


def _rss(theta: np.ndarray, model: CurveModel, d: _FitData) -> float:
    ok = np.isfinite(d.share)
    return float(np.sum((d.share[ok] - model.cdf(d.t[ok], *theta)) ** 2))


def _at_bound(theta: np.ndarray, model: CurveModel) -> np.ndarray:
    lo, hi = np.array(model.lower), np.array(model.upper)
    tol = 1e-6 * np.maximum(1.0, np.abs(theta))
    return (theta - lo < tol) | (hi - theta < tol)


def _multistart(model: CurveModel, d: _FitData, method: str, policy: str) -> tuple[np.ndarray, float]:
    """The best of SLSQP (MLE) or curve_fit (NLS) runs from every start (an MLE point
    is then polished and certified by Newton: :func:`_certify`)."""
    bounds = list(zip(model.lower, model.upper))
    ok = np.isfinite(d.share)
    nll = NegLogLik(model, t=d.t, at_risk=d.at_risk, new=d.new)
    best, best_val = None, np.inf
    for x0 in model.starts(d.t[ok], d.share[ok]):
        x0 = np.clip(np.array(x0, float), model.lower, model.upper)
        if method == "mle":
            r = optimize.minimize(nll, x0, jac=nll.grad, method="SLSQP", bounds=bounds,
                                  options={"maxiter": 500, "ftol": 1e-10})
            x, val = r.x, r.fun
        else:
            try:
                with warnings.catch_warnings():  # our own covariance is computed below
                    warnings.simplefilter("ignore", optimize.OptimizeWarning)
                    x, _ = optimize.curve_fit(model.cdf, d.t[ok], d.share[ok], p0=x0,
                                              bounds=(model.lower, model.upper), maxfev=20000)
                val = _rss(x, model, d)
            except (RuntimeError, ValueError):
                continue
        if val < best_val:
            best, best_val = x, val
    if best is None:
        from policydiffusion.errors import ConvergenceError

        raise ConvergenceError(f"the {model.name} curve could not be fitted to {policy!r} by {method}.")
    return best, best_val


#: Newton runs from a multistart point until it passes the check, stops gaining, or
#: this many times (60 iterations each): SPID "land sales practices" logistic, a flat
#: ridge (Hessian eigenvalues 3e-7 and 1e5), is certified on the third.
_CERTIFY_ROUNDS = 5
#: How much higher (relative to 1 + |f|) a checked optimum's objective may be than the
#: multistart point it started from: rounding (Newton's own decrement tolerance).
_TOL_F = 1e-12


def _certify(model: CurveModel, d: _FitData, x: np.ndarray,
             val: float) -> tuple[np.ndarray, float, tuple, np.ndarray | None]:
    """Newton's check of a point ``x`` (objective ``val``) found by the multistart
    optimiser, with Newton's steps from there where it fails (SLSQP stops short of
    the check's tolerance): the point, its objective, the parts of the check it
    fails (empty: a certified optimum) and the Hessian there where Newton certified
    it (None otherwise: :func:`_fit_one` computes it)."""
    data = [(d.t, d.at_risk, d.new)]
    for _ in range(_CERTIFY_ROUNDS):
        [r] = newton_fits(model, data, [[tuple(x)]])
        if r is None:
            break
        v = _negll(r.x, model, d)
        # Newton descends, but projects a start next to a bound onto it: that can cost
        # rounding noise (SPID deathpen Bass: q 8.5e-17 -> 0, f up by 3e-14)
        if r.checked and v <= val + _TOL_F * (1 + abs(val)):
            return r.x, v, (), r.hessian
        if not v < val:
            break
        x, val = r.x, v
    return x, val, check_optimum(model, d.t, d.at_risk, d.new, x), None


def _cov_from_hessian(H: np.ndarray) -> np.ndarray | None:
    """``H``'s inverse when ``H`` is positive definite (the same relative test as Newton's
    check); else None: the standard errors are not defined there. A positive diagonal of
    the inverse is not enough (an indefinite ``H`` can have one).

    >>> H = np.array([[1.0, 0, 0], [0, -1, 2], [0, 2, -1]])  # eigenvalues 1, 1, -3
    >>> bool(np.all(np.diag(np.linalg.inv(H)) > 0)), _cov_from_hessian(H) is None
    (True, True)
    """
    if H.size == 0 or not np.all(np.isfinite(H)):
        return None if H.size else H.copy()
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    if lam.min() <= 1e-10 * np.abs(lam).max():
        return None
    return np.linalg.inv(H)


def _fit_one(model: CurveModel, d: _FitData, method: str, policy: str,
             optimum: tuple | None = None) -> CurveFit:
    """The fit at ``optimum`` (x, objective and, optionally, the MLE's Hessian there),
    found by multistart if not given."""
    best, best_val, *hess = optimum or _multistart(model, d, method, policy)
    ok = np.isfinite(d.share)
    bound = _at_bound(best, model)
    free = ~bound
    k = len(model.params)
    cov = np.full((k, k), np.nan)
    n_obs = int((d.at_risk > 0).sum()) if method == "mle" else int(ok.sum())
    rss = _rss(best, model, d)
    if method == "mle":
        # the observed information in closed form (a finite-difference Hessian moves
        # by 3% on long series with e^-30 tails: SPID ausbalsys Bass)
        H = (hess[0] if hess and hess[0] is not None
             else negll_hessian(model, d.t, d.at_risk, d.new, best))[np.ix_(free, free)]
        loglik = -best_val
        aic = 2 * k - 2 * loglik
    else:
        # curve_fit's covariance: inverse of J'J times the residual variance
        J = _jacobian(lambda th: model.cdf(d.t[ok], *th), best, free)
        s2 = rss / max(n_obs - free.sum(), 1)
        H = J.T @ J / s2
        loglik = None
        aic = n_obs * math.log(max(rss, 1e-300) / n_obs) + 2 * (k + 1)
    sub = _cov_from_hessian(H)
    if sub is not None:
        cov[np.ix_(free, free)] = sub
    se = np.sqrt(np.diag(cov))
    derived = _derived(model, best, cov, d)
    return CurveFit(policy, model.name, method, model.params, best, se, cov,
                    tuple(p for p, b in zip(model.params, bound) if b), loglik, float(aic), rss,
                    n_obs, d.n_units, d.start, derived)


def _fit_family(model: CurveModel, named: Sequence[tuple[str, _FitData]], method: str,
                optimizer: str) -> list[CurveFit]:
    """One family fitted to several data sets. What the data alone decide comes first
    (:func:`_limit`). ``optimizer="newton"`` (MLE only) fits the rest in one batch
    (:func:`newton_fits`); a data set whose optimum fails the Newton check, and every
    one under ``"multistart"``, is fitted by the multistart optimiser and its point
    certified by the same check (:func:`_certify`). A logistic/Gompertz point that
    fails the check may lie on the ridge toward the exponential (:func:`_ridges`);
    any other is not converged."""
    limits = [_limit(model, d, method) for _, d in named]
    optima: list = [None] * len(named)
    failed: dict[int, tuple] = {}
    todo = [i for i, lim in enumerate(limits) if lim is None]
    if method == "mle":
        stopped = {}  # data set -> (x, objective) of a point that fails the check
        if optimizer == "newton" and todo:
            for i, r in zip(todo, newton_fits(model, *_newton_input(model, [named[i][1] for i in todo]))):
                if r is not None and r.checked:
                    optima[i] = (r.x, _negll(r.x, model, named[i][1]), r.hessian)
                elif r is not None:
                    stopped[i] = (r.x, r.fun)
            _ridges(model, named, stopped, limits)
        stopped = {}
        for i in todo:
            if optima[i] is None and limits[i] is None:
                (name, d) = named[i]
                x, val, failed[i], hess = _certify(model, d, *_multistart(model, d, method, name))
                if failed[i]:
                    stopped[i] = (x, val)
                else:
                    optima[i] = (x, val, hess)
        _ridges(model, named, stopped, limits)
    return [_no_optimum(model, d, name, limits[i], method) if limits[i] is not None
            else _no_optimum(model, d, name, _NOT_CONVERGED, method, failed[i]) if failed.get(i)
            else _fit_one(model, d, method, name, optima[i])
            for i, (name, d) in enumerate(named)]


#: A point that fails the convergence check: no estimates, no log-likelihood.
_NOT_CONVERGED = NoOptimum("check_failed", np.nan, np.array([]), "not_converged")


def _limit(model: CurveModel, d: _FitData, method: str) -> NoOptimum | None:
    """What the data decide before any optimiser runs: too few periods (MLE) or
    shares (NLS) to identify the family, else a step with no finite optimum (under
    least squares too)."""
    k = len(model.params)
    if method == "nls" and np.isfinite(d.share).sum() <= k:  # k parameters and the variance
        return NoOptimum("too_few_shares", np.nan, np.full(k, np.nan), "not_identified")
    return (not_identified(model, d.t, d.at_risk, d.new) if method == "mle" else None) \
        or one_period_limit(model, d.t, d.at_risk, d.new) or two_period_limit(model, d.t, d.at_risk, d.new)


def _ridges(model: CurveModel, named: Sequence[tuple[str, _FitData]], stopped: dict,
            limits: list) -> None:
    """Set ``limits[i]`` where the logistic/Gompertz point ``stopped[i]`` (x,
    objective), which fails the check, lies on the ridge toward the modified
    exponential (:func:`ridge_limit`, against the exponential fitted to the same data)."""
    if model.name not in ("logistic", "gompertz") or not stopped:
        return
    expo = MODELS["exponential"]
    ends = newton_fits(expo, *_newton_input(expo, [named[i][1] for i in stopped]))
    for (i, (x, val)), e in zip(stopped.items(), ends):
        if e is not None and e.checked:
            d = named[i][1]
            # the exponential's log-likelihood as its own fit reports it
            e_ll = -_negll(e.x, expo, d)
            nll = NegLogLik(model, t=d.t, at_risk=d.at_risk, new=d.new)
            limits[i] = ridge_limit(model, x, -val, e.x, e_ll, nll)


def _newton_input(model: CurveModel, ds: Sequence[_FitData]) -> tuple[list, list]:
    data, starts = [], []
    for d in ds:
        ok = np.isfinite(d.share)
        data.append((d.t, d.at_risk, d.new))
        starts.append(model.starts(d.t[ok], d.share[ok]))
    return data, starts


def _no_optimum(model: CurveModel, d: _FitData, policy: str, lim: NoOptimum,
                method: str = "mle", failed: tuple[str, ...] = ()) -> CurveFit:
    """The fit of a family without a certified optimum (``lim.status``): the supremum
    (MLE, where known; NaN under least squares), the identified limit values, NaN for
    the rest (no standard errors); ``failed``: the parts of the check a point fails."""
    k = len(model.params)
    derived = {n: (np.nan, np.nan) for n in _derived(model, np.ones(k), np.zeros((k, k)), d)}
    est = lim.estimate if lim.estimate.size == k else np.full(k, np.nan)
    n_obs = int((d.at_risk > 0).sum()) if method == "mle" else int(np.isfinite(d.share).sum())
    # no AIC: 2k would count parameters the limit does not identify
    return CurveFit(policy, model.name, method, model.params, est, np.full(k, np.nan),
                    np.full((k, k), np.nan), (), lim.loglik if method == "mle" else np.nan, np.nan,
                    np.nan, n_obs, d.n_units, d.start, derived,
                    status=lim.status, reason=lim.reason, failed=failed)


def _jacobian(g, x: np.ndarray, free: np.ndarray) -> np.ndarray:
    idx = np.nonzero(free)[0]
    cols = []
    for i in idx:
        h = 1e-6 * max(abs(x[i]), 1e-2)
        e = np.zeros_like(x)
        e[i] = h
        cols.append((g(x + e) - g(x - e)) / (2 * h))
    return np.column_stack(cols) if cols else np.zeros((0, 0))


def _bass_peak(p: float, q: float) -> float:
    """Bass peak time log(q/p)/(p+q); without innovators (p = 0) it never comes (inf),
    said here rather than by numpy's divide-by-zero warning on the terminal."""
    if q <= 0:
        return 0.0
    if p <= 0:
        return math.inf
    return max(math.log(q / p), 0.0) / (p + q)


def _derived(model: CurveModel, x: np.ndarray, cov: np.ndarray, d: _FitData) -> dict:
    fns = {}
    off = d.start - 1
    if model.name == "logistic":
        fns["inflection_t"] = lambda th: th[2]
    elif model.name == "gompertz":
        fns["inflection_t"] = lambda th: math.log(th[1]) / th[2]
    elif model.name == "bass":
        fns["peak_t"] = lambda th: _bass_peak(th[1], th[2])
        fns["m"] = lambda th: th[0] * d.n_units
    out = {}
    for name, fn in list(fns.items()):
        est = fn(x)
        grad = np.zeros_like(x)
        for i in range(x.size):
            h = 1e-6 * max(abs(x[i]), 1e-2)
            e = np.zeros_like(x)
            e[i] = h
            grad[i] = (fn(x + e) - fn(x - e)) / (2 * h)
        use = grad != 0
        var = grad[use] @ cov[np.ix_(use, use)] @ grad[use] if use.any() else 0.0
        out[name] = (float(est), float(np.sqrt(var)) if np.isfinite(var) and var >= 0 else np.nan)
        if name.endswith("_t"):
            out[name.replace("_t", "_period")] = (float(est) + off, out[name][1])
    return out


def fit_curves(study: object, policy: str | Sequence[str] | None = None, *,
               models: Sequence[str] = ("logistic", "gompertz", "bass", "exponential"),
               method: str = "mle", units: int | Sequence[str] | None = None,
               optimizer: str = "newton") -> CurveFits:
    """Fit S-curve families to one policy's adoptions (or to several, pooled).

    Parameters
    ----------
    study
        A Study, or an adoptions table (``policy``, ``unit``, ``period``) with ``units``.
    policy
        One policy id; a list of ids (or ``None`` with several policies) fits one
        curve to all of them pooled on time since each policy's first period.
    models
        Any of ``logistic`` (internal influence), ``gompertz``, ``bass`` (mixed) and
        ``exponential`` (modified exponential, external influence).
    method
        ``"mle"``: maximum likelihood on per-period counts: in period ``t`` each of
        the ``r_t`` units at risk adopts with the model's conditional probability
        ``[F(t) - F(t-1)] / [1 - F(t-1)]`` and non-adopters are censored at the end
        (with fixed units this is the multinomial over adoption periods plus a
        "not yet adopted" cell). The likelihood is evaluated in log space, not
        clipped: a point where the model gives an observed adoption probability
        1e-24 counts log(1e-24). Standard errors from the inverse closed-form
        Hessian (observed information). ``"nls"``: least squares on the cumulative shares, standard errors
        from the curve_fit covariance, AIC from the Gaussian likelihood
        ``n log(RSS/n) + 2(k+1)``. Bass's OLS estimator (market size estimated)
        is :func:`fit_bass_ols`.
    units
        For a plain table only: all unit ids or their number.
    optimizer
        For the MLE: ``"newton"`` (default) runs bounded Newton with the
        closed-form gradient and Hessian from the best starts at once (all
        starts where those reach no checked optimum) and accepts its optimum
        only when it passes a convergence check (Newton decrement, gradient,
        positive-definite Hessian of the free parameters, held parameters on
        their bounds), otherwise fits by ``"multistart"``: SLSQP from every
        start, the best point then certified by the same check (Newton's
        steps from it where SLSQP stopped short of the check's tolerance).
        Both maximise the same unclipped log-space likelihood. A point that
        never passes the check is reported as not converged (``status``
        ``"not_converged"``), never as a result.
        Families the data cannot identify (fewer periods with units at risk
        than parameters) and likelihoods without a finite optimum are not
        fitted but reported as such (``CurveFit.status``): all adoptions in one
        period or in two consecutive periods (detected from the data, either
        optimiser) and the logistic/Gompertz ridge toward the modified
        exponential (detected when the check fails). On the 2912 SPID fits 27
        are not identified and 3 fall back to multistart, all certified.

    Returns
    -------
    CurveFits

    Notes
    -----
    Model time ``t`` is 1 in the policy's first period; ``F(t)`` is the share
    adopted by the end of period ``t``. Calendar timings are ``first period - 1 +
    t*``; a fractional value ``x`` falls in period ``ceil(x)``. The Bass peak is
    ``t* = ln(q/p) / (p + q)`` (0 when ``q <= p``). Logistic and Gompertz curves
    have mass before ``t = 1``; the MLE conditions on no adoption before the first
    period. Every ceiling ``K`` is bounded by 1; a parameter on its bound gets no
    standard error.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": "p", "unit": list("ABCDEFGH"),
    ...                   "period": [1, 2, 3, 3, 4, 4, 4, 5]})
    >>> fits = fit_curves(a, units=10, models=("logistic", "bass"))
    >>> fits.method, sorted(fits.fits), fits["bass"].params
    ('mle', ['bass', 'logistic'], ('K', 'p', 'q'))
    """
    if method == "ols":
        raise InvalidOptionError("method must be 'mle' or 'nls' for fit_curves; Bass's OLS "
                                 "estimator is fit_bass_ols(study, policy).")
    _check(method, models, optimizer)
    name, d = _fit_data(study, policy, units)
    if d.new.sum() == 0:
        raise InvalidOptionError(f"{name!r} has no adoptions in its window; nothing to fit.")
    fits = {m: _fit_family(MODELS[m], [(name, d)], method, optimizer)[0] for m in models}
    return CurveFits(name, method, fits, _provenance(method, models))


def _check(method: str, models: Sequence[str], optimizer: str) -> None:
    check_choice("method", method, ("mle", "nls"))
    check_choice("optimizer", optimizer, OPTIMIZERS)
    for m in models:
        check_choice("models", m, tuple(MODELS))


def _provenance(method: str, models: Sequence[str]) -> dict:
    import policydiffusion

    return {"policydiffusion": getattr(policydiffusion, "__version__", "?"), "method": method,
            "models": list(models), "time_origin": "t = 1 in the policy's first period"}


def fit_curves_many(study: object, policies: Sequence[str], *,
                    models: Sequence[str] = ("logistic", "gompertz", "bass", "exponential"),
                    method: str = "mle", optimizer: str = "newton") -> dict[str, CurveFits]:
    """:func:`fit_curves` of each policy on its own, all families fitted in one batch
    across the policies (the same fits as one at a time, much faster for many).

    Policies without adoptions in their window are left out of the result, as are
    those whose fit fails; :func:`fit_curves` of such a policy says why.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": ["p"] * 4 + ["q"] * 3, "unit": list("ABCDABC"),
    ...                   "period": [1, 2, 2, 3, 1, 3, 4]})
    >>> many = fit_curves_many(a, ["p", "q"], models=("exponential",))
    >>> one = fit_curves(a, "q", units=None, models=("exponential",))
    >>> bool(abs(many["q"]["exponential"].loglik - one["exponential"].loglik) < 1e-9)
    True
    """
    from policydiffusion.errors import ConvergenceError

    _check(method, models, optimizer)
    st = as_study(study)
    policy_list(st, list(policies))  # unknown ids raise
    # one pass over the adoptions for all policies (not a filter per policy)
    named = [(pt.policy, d) for pt in policy_times_many(st, policies)
             for d in [_fit_data_of(pt)] if d.new.sum() > 0]
    per_model = {}
    for m in models:
        fitted = []
        try:
            fitted = _fit_family(MODELS[m], named, method, optimizer)
        except ConvergenceError:  # one policy failed: fit one at a time to know which
            for item in named:
                try:
                    fitted.append(_fit_family(MODELS[m], [item], method, optimizer)[0])
                except ConvergenceError:
                    fitted.append(None)
        per_model[m] = fitted
    out = {}
    for i, (p, _) in enumerate(named):
        fits = {m: per_model[m][i] for m in models}
        if all(f is not None for f in fits.values()):
            out[p] = CurveFits(p, method, fits, _provenance(method, models))
    return out
