"""Simulating from a fitted hazard model, and checking it against the observed S-curve.

Posterior-predictive simulation: for each draw, coefficients come from N(beta, V)
(the fit's estimates and variance), and adoptions are simulated period by period
with every lagged diffusion term recomputed from the simulated history
(:func:`simulate_hazard`). The observed and simulated cumulative adoption curves are
then compared in one tidy table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion._warnings import warn
from policydiffusion.errors import IndependentDrawsWarning, InvalidOptionError
from policydiffusion.estimate._estimable import not_estimable_terms, refit_remedy
from policydiffusion.simulate._common import make_rng, package_versions
from policydiffusion.simulate.hazard import simulate_hazard
from policydiffusion.simulate.recovery import rep_seeds
from policydiffusion.terms._time import DurationSpline, spline_knots_of

__all__ = ["simulate_from_fit", "FitSimulation", "fit_from_json", "compare_curves"]


def fit_from_json(source: str | Path | Mapping) -> tuple[pd.Series, pd.DataFrame, str, str]:
    """(params, cov, link, formula) from ``policydiffusion fit --json`` output.

    A ``cov`` entry (``{"terms": [...], "matrix": [[...]]}``) is used when present;
    otherwise the variance is the diagonal of the squared standard errors and a
    warning says that correlations between coefficients are ignored.

    Examples
    --------
    >>> fit = {"formula": "adopt ~ x", "link": "cloglog",
    ...        "coefficients": [{"term": "Intercept", "estimate": -2.0, "std_error": 0.3},
    ...                         {"term": "x", "estimate": 0.5, "std_error": 0.1}],
    ...        "cov": {"terms": ["Intercept", "x"], "matrix": [[0.09, -0.01], [-0.01, 0.01]]}}
    >>> params, cov, link, formula = fit_from_json(fit)
    >>> params.to_dict(), cov.shape, link, formula
    ({'Intercept': -2.0, 'x': 0.5}, (2, 2), 'cloglog', 'adopt ~ x')
    """
    d = _fit_json(source)
    _check_estimable(d.get("not_estimable"))
    try:
        coefs = d["coefficients"]
        params = pd.Series({c["term"]: float(c["estimate"]) for c in coefs})
        # a standard error not identified (nested in the clusters) is written as null
        se = pd.Series({c["term"]: np.nan if c["std_error"] is None else float(c["std_error"])
                        for c in coefs})
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidOptionError("this JSON is not a fit written by `policydiffusion fit --json` "
                                 f"(missing {exc}).") from None
    cov_d = d.get("cov")
    if isinstance(cov_d, Mapping) and "matrix" in cov_d:
        terms = list(cov_d.get("terms", params.index))
        cov = pd.DataFrame(np.asarray(cov_d["matrix"], dtype=float), index=terms, columns=terms)
        cov = cov.loc[params.index, params.index]
    else:
        warn(IndependentDrawsWarning(
            "the fit JSON has no covariance matrix; drawing coefficients independently from "
            "their standard errors (correlations between coefficients are ignored).",
            terms=tuple(params.index)))
        cov = pd.DataFrame(np.diag(se.to_numpy() ** 2), index=params.index, columns=params.index)
    return params, cov, str(d.get("link", "logit")), str(d.get("formula", ""))


def _fit_json(source: str | Path | Mapping) -> dict:
    return json.loads(Path(source).read_text(encoding="utf-8")) if not isinstance(
        source, Mapping) else dict(source)


def _check_identified(se_not_identified: Mapping[str, str] | None) -> None:
    """Refuse draws from a covariance that does not identify some coefficients' spread."""
    if se_not_identified:
        terms = ", ".join(f"{t} ({why})" for t, why in se_not_identified.items())
        raise InvalidOptionError(
            f"the fit's standard errors are not identified for {terms}; its covariance cannot "
            "say how far to draw them. Simulate with parameter_uncertainty=False (the "
            "estimates in every draw), or refit with a variance that identifies them "
            "(e.g. vcov='hc1', or clusters the terms are not nested in).")


def _check_estimable(not_estimable: Mapping[str, str] | None) -> None:
    """Refuse a fit whose coefficients the estimator cannot stand behind."""
    terms = not_estimable_terms(not_estimable)
    if terms:
        raise InvalidOptionError(
            f"the fit has coefficients that are not estimable: {terms}; simulating from them "
            f"would use diverging values. {refit_remedy(not_estimable)}")


def _fitted_terms(terms: Sequence[object], recorded: Mapping[str, Sequence[float]],
                  given: Mapping[str, Sequence[float]], study,
                  policy: str) -> tuple[list[object], dict[str, list[float]], dict[str, str]]:
    """``terms`` with each duration spline at one set of knots, those knots and where
    each came from (``fit``, ``knots``, ``terms`` or ``observed risk set``), by term name.

    The fit's coefficients belong to the spline basis at the knots of the risk set it was
    fitted on: ``recorded`` in the fit (when it was given that :class:`RiskSet`) or
    ``given`` by the caller; a spline whose knots neither say nor the term fixes takes
    those of the observed policy's monadic risk set on ``study``.
    """
    splines = [t for t in terms if isinstance(t, DurationSpline)]
    source = {t.name: "fit" if t.name in recorded else "knots" if t.name in given else
              "terms" if t.fixed_knots is not None else "observed risk set" for t in splines}
    knots = {**given, **recorded}
    unknown = [t for t in splines if source[t.name] == "observed risk set"]
    if unknown:
        from policydiffusion.riskset import monadic_riskset

        knots.update(spline_knots_of(monadic_riskset(study, policy=policy,
                                                     terms=unknown).column_meta))
    out = [t.fixed(knots[t.name]) if isinstance(t, DurationSpline) and t.name in knots else t
           for t in terms]
    used = {t.name: t.fixed_knots for t in out if isinstance(t, DurationSpline)}
    return out, used, source


# eigenvalues below this times the largest in size are rounding (as psd_correct's)
PSD_RTOL = 1e-10


def _draw_coefs(params: pd.Series, cov: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """One draw from N(params, cov). A covariance Cholesky cannot factor is taken
    through its eigenvalues: negatives within rounding (``PSD_RTOL`` times the
    largest in size) count as 0; a clearly negative one is refused (no such normal
    distribution exists; setting it to 0 would draw from another covariance)."""
    v = cov.loc[params.index, params.index].to_numpy(float)
    v = (v + v.T) / 2
    try:
        L = np.linalg.cholesky(v)
    except np.linalg.LinAlgError:
        w, q = np.linalg.eigh(v)
        neg = w < -PSD_RTOL * np.max(np.abs(w))
        if neg.any():
            load = np.abs(q[:, neg]).max(axis=1)
            terms = [str(t) for t, x in zip(params.index, load) if x > 0.1]
            raise InvalidOptionError(
                f"the covariance of the coefficients is not positive semi-definite: eigenvalue(s) "
                f"{', '.join(f'{x:.3g}' for x in w[neg])} against a largest of {np.max(np.abs(w)):.3g} "
                f"(beyond rounding, {PSD_RTOL:g} of it), along {', '.join(terms)}; no normal "
                "distribution has it. Refit with a variance that is (the fit's multiway and dyadic "
                "sandwiches are corrected) or simulate with parameter_uncertainty=False.")
        L = q * np.sqrt(np.clip(w, 0.0, None))
    z = rng.standard_normal(len(params))
    beta = params.to_numpy(float) + (L * z[None, :]).sum(axis=1)
    return dict(zip(params.index, beta.tolist()))


@dataclass(frozen=True)
class FitSimulation:
    """Posterior-predictive simulations from a fitted model.

    Attributes
    ----------
    adoptions : polars.DataFrame
        ``draw``, ``unit``, ``period`` of every simulated adoption.
    coefs : pandas.DataFrame
        One row per draw: the coefficients used.
    observed : polars.DataFrame
        ``unit``, ``period`` of the observed adoptions of the policy.
    n_units, n_initial, periods
        Units, units adopted before the start (seeded in every draw), periods.
    provenance : dict
    """

    adoptions: pl.DataFrame
    coefs: pd.DataFrame
    observed: pl.DataFrame
    n_units: int
    n_initial: int
    periods: tuple[int, ...]
    provenance: dict = field(default_factory=dict)

    def curves(self) -> pd.DataFrame:
        """Simulated cumulative shares, one column per draw (rows: periods)."""
        draws = self.coefs.shape[0]
        counts = np.zeros((len(self.periods), draws))
        pos = {p: k for k, p in enumerate(self.periods)}
        for d, p in zip(self.adoptions.get_column("draw"), self.adoptions.get_column("period")):
            counts[pos[p], d] += 1
        cum = (np.cumsum(counts, axis=0) + self.n_initial) / self.n_units
        return pd.DataFrame(cum, index=pd.Index(self.periods, name="period"))

    def compare(self) -> pd.DataFrame:
        """Tidy comparison: period, observed, simulated_mean, simulated_q025, simulated_q975."""
        return compare_curves(self)


def compare_curves(sim: FitSimulation) -> pd.DataFrame:
    """Observed vs simulated cumulative adoption share by period.

    Columns: ``period``, ``observed`` (cumulative share), ``simulated_mean``,
    ``simulated_q025``, ``simulated_q975`` (2.5% / 97.5% quantiles over draws),
    ``inside`` (observed within the 95% band).

    Examples
    --------
    >>> from policydiffusion.estimate import fit_hazard
    >>> from policydiffusion.simulate import simulate_from_fit, simulate_hazard, synthetic_study
    >>> obs = simulate_hazard(synthetic_study(40, 10, seed=1), coefs={"Intercept": -2.5, "x": 0.8},
    ...                       policy="p", seed=2)
    >>> sim = simulate_from_fit(fit_hazard(obs.riskset, "adopt ~ x"), obs.study, policy="p",
    ...                         draws=20, seed=3)
    >>> cmp = compare_curves(sim)
    >>> len(cmp), bool((cmp["simulated_q025"] <= cmp["simulated_q975"]).all())
    (10, True)
    """
    cur = sim.curves()
    obs_per = sim.observed.get_column("period").to_numpy()
    observed = [(sim.n_initial + ((obs_per >= sim.periods[0]) & (obs_per <= p)).sum()) / sim.n_units
                for p in sim.periods]
    out = pd.DataFrame({
        "period": list(sim.periods),
        "observed": observed,
        "simulated_mean": cur.mean(axis=1).to_numpy(),
        "simulated_q025": cur.quantile(0.025, axis=1).to_numpy(),
        "simulated_q975": cur.quantile(0.975, axis=1).to_numpy(),
    })
    out["inside"] = (out["observed"] >= out["simulated_q025"] - 1e-12) & (
        out["observed"] <= out["simulated_q975"] + 1e-12)
    return out


def simulate_from_fit(
    fit: Any,
    study,
    *,
    policy: str,
    terms: Sequence[object] = (),
    draws: int = 200,
    parameter_uncertainty: bool = True,
    start: int | None = None,
    end: int | None = None,
    knots: Mapping[str, Sequence[float]] | None = None,
    seed: int,
) -> FitSimulation:
    """Simulate a policy's diffusion from a fitted hazard model (posterior predictive).

    Parameters
    ----------
    fit
        A :class:`~policydiffusion.estimate.HazardResult`, or the JSON written by
        ``policydiffusion fit --json`` (path or dict). Coefficient names must be
        Intercept, term names, covariates or products ``a:b``.
    study
        The study the model was fit on (units, covariates, relations, events).
    policy
        The policy whose observed adoptions define the curve to compare with; units
        that adopted it before ``start`` are adopters in every draw.
    terms
        The diffusion terms of the fitted model (same as in the risk set). A
        :func:`~policydiffusion.terms.duration_spline` is evaluated at the fit's knots in
        every draw: those recorded in the fit's provenance (a fit given the
        :class:`~policydiffusion.riskset.RiskSet` records them), else ``knots``, else
        those of the observed policy's monadic risk set on ``study``;
        ``provenance["knots"]`` and ``provenance["knots_from"]`` say which.
    draws
        Number of simulated histories.
    parameter_uncertainty
        Draw coefficients from N(beta, V) (default); False uses beta in every draw.
        A V with an eigenvalue below -1e-10 times its largest in size is refused
        (:class:`~policydiffusion.errors.InvalidOptionError`); smaller negatives are
        rounding and count as 0. A fit with terms that are not estimable is refused
        either way, naming them.
    start, end
        Window (default: the first observed adoption period of the policy, and the
        study end).
    knots
        Every knot of each duration spline of the risk set the model was fitted on, by
        term name (``spline_knots_of(rs.column_meta)``), for a fit that does not record
        them (one fitted to the risk set's rows).
    seed
        Master seed.

    Returns
    -------
    FitSimulation

    Examples
    --------
    >>> from policydiffusion.estimate import fit_hazard
    >>> from policydiffusion.simulate import simulate_hazard, synthetic_study
    >>> obs = simulate_hazard(synthetic_study(40, 10, seed=1), coefs={"Intercept": -2.5, "x": 0.8},
    ...                       policy="p", seed=2)
    >>> res = fit_hazard(obs.riskset, "adopt ~ x")
    >>> sim = simulate_from_fit(res, obs.study, policy="p", draws=20, seed=3)
    >>> sim.compare().columns.tolist()
    ['period', 'observed', 'simulated_mean', 'simulated_q025', 'simulated_q975', 'inside']
    """
    if draws < 1:
        raise InvalidOptionError("draws must be at least 1.")
    if hasattr(fit, "params") and hasattr(fit, "cov"):
        _check_estimable(getattr(fit, "not_estimable", None))
        nested = getattr(fit, "se_not_identified", None)
        params, cov, link = fit.params, fit.cov, fit.link
        fit_prov = getattr(fit, "provenance", None) or {}
    else:
        d = _fit_json(fit)
        nested = d.get("se_not_identified")
        params, cov, link, _ = fit_from_json(d)
        fit_prov = d.get("provenance") or {}
    recorded = (fit_prov.get("riskset") or {}).get("knots") or {}
    terms, knots, knots_from = _fitted_terms(terms, recorded, dict(knots or {}), study, policy)
    if parameter_uncertainty:
        _check_identified(nested)
    observed = study.adoptions_of(policy).select("unit", "period")
    if start is None:
        start = int(observed.get_column("period").min()) if observed.height else study.start
    end = study.end if end is None else int(end)
    initial = observed.filter(pl.col("period") < start).get_column("unit").to_list()
    rng = make_rng(seed)
    rows_d, rows_u, rows_p, coef_rows = [], [], [], []
    for d, s in enumerate(rep_seeds(seed, draws)):
        coefs = _draw_coefs(params, cov, rng) if parameter_uncertainty else dict(params)
        coef_rows.append(coefs)
        sim = simulate_hazard(study, coefs=coefs, terms=terms, policy=policy, link=link,
                              start=start, end=end, initial=initial, seed=s)
        a = sim.adoptions
        rows_d.extend([d] * a.height)
        rows_u.extend(a.get_column("unit").to_list())
        rows_p.extend(a.get_column("period").to_list())
    adoptions = pl.DataFrame({"draw": rows_d, "unit": rows_u, "period": rows_p},
                             schema={"draw": pl.Int64, "unit": pl.Utf8, "period": pl.Int64})
    prov = {"draws": draws, "seed": seed, "link": link, "parameter_uncertainty": parameter_uncertainty,
            "window": [start, end], "policy": policy, "knots": knots, "knots_from": knots_from,
            "versions": package_versions()}
    return FitSimulation(adoptions=adoptions, coefs=pd.DataFrame(coef_rows), observed=observed,
                         n_units=study.n_units, n_initial=len(initial),
                         periods=tuple(range(start, end + 1)), provenance=prov)
