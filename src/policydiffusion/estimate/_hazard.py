"""``fit_hazard``: discrete-time hazard models for binary outcomes."""

from __future__ import annotations

import dataclasses
import warnings
import os
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from policydiffusion import __version__
from policydiffusion._warnings import warn
from policydiffusion.errors import (ConvergenceWarning, FittedProbabilityWarning,
                                    InvalidOptionError, PolicyDiffusionWarning,
                                    RareEventsVarianceWarning, SeparationError, SeparationWarning,
                                    check_choice)
from policydiffusion.estimate._absorb import (AbsorbedEngine, absorb_fixed_effects,
                                              formula_fixed_effects)
from policydiffusion.estimate._data import DataSource, as_source
from policydiffusion.estimate._design import parse_formula, rhs_variables
from policydiffusion.estimate._firth import (class_weights, fit_firth, king_zeng,
                                             prior_correction)
from policydiffusion.estimate._firth_infer import FIRTH_INFERENCE, FirthInference
from policydiffusion.estimate._glm import BOUNDARY_EPS as _BOUNDARY_EPS
from policydiffusion.estimate._glm import Engine, SolverOptions, newton
from policydiffusion.estimate._links import LINKS, cdf
from policydiffusion.estimate._result import (HazardResult, correction_warning,
                                              firth_se_not_identified, se_not_identified,
                                              vcov_from_sums)
from policydiffusion.estimate._riskset_input import accepts_riskset
from policydiffusion.estimate._separation import (_LP_LIMIT, collect_design,
                                                  separating_terms, separation_message)
from policydiffusion.estimate._rare import RareEvents, RareEventsOption
from policydiffusion.estimate._vcov import VcovSpec
from policydiffusion.riskset import RiskSet

if TYPE_CHECKING:
    import polars as pl

__all__ = ["fit_hazard", "fit_columns", "ON_SEPARATION", "DataInput", "VcovOption"]

#: what an estimator reads: a risk set, a frame, a lazy frame, or a CSV/Parquet path or glob
DataInput = Union[RiskSet, pd.DataFrame, "pl.DataFrame", "pl.LazyFrame", str,
                  "os.PathLike[str]", DataSource]
#: a variance as ``VcovSpec.parse`` reads it: a name, ``{"cluster": ...}`` or a VcovSpec
VcovOption = Union[str, Mapping[str, Any], VcovSpec]

#: what a fit with (quasi-)separation does: mark the terms not estimable, refit with
#: Firth's penalised likelihood, or raise SeparationError
ON_SEPARATION = ("mark", "firth", "raise")
NOT_CONVERGED = "the fit did not converge"
SEPARATED = "(quasi-)complete separation"
IN_SEPARATED_FIT = "the fit has (quasi-)complete separation"


def _null_loglik(link: str, ysum: float, wsum: float, has_intercept: bool) -> float:
    p = ysum / wsum if has_intercept else float(cdf(link, np.zeros(1))[0])
    if p <= 0 or p >= 1:
        return 0.0
    return float(ysum * np.log(p) + (wsum - ysum) * np.log1p(-p))


def _with_fixed_effects(formula: str, fixed_effects: Sequence[str] | str | None) -> str:
    if not fixed_effects:
        return formula
    fe = [fixed_effects] if isinstance(fixed_effects, str) else list(fixed_effects)
    return formula + "".join(f" + C({c})" for c in fe)


def fit_columns(formula: str, fit_options: Mapping[str, Any], *extra: str) -> list[str]:
    """The columns ``fit_hazard(data, formula, **fit_options)`` reads, then ``extra``.

    Outcome, right-hand-side variables (fixed effects included), weights and the
    variance's cluster columns, without repeats.
    """
    response, rhs = parse_formula(_with_fixed_effects(formula, fit_options.get("fixed_effects")))
    cols = [response, *rhs_variables(rhs)]
    if fit_options.get("weights"):
        cols.append(fit_options["weights"])
    cols += VcovSpec.parse(fit_options.get("vcov", "classical")).columns
    return list(dict.fromkeys([*cols, *extra]))


def _complete_case_share(engine: Engine) -> float:
    """Event share of the complete-case rows (the ybar of King & Zeng's corrections)."""
    ys = n = 0.0
    for prep in engine.prepared():
        ys, n = ys + float(prep.y.sum()), n + prep.n
    return ys / n if n else engine.ybar


@accepts_riskset
def fit_hazard(data: DataInput, formula: str, *, link: str = "logit",
               vcov: VcovOption = "classical",
               firth: bool = False, firth_inference: str = "profile",
               rare_events: RareEventsOption = None, weights: str | None = None,
               fixed_effects: Sequence[str] | str | None = None,
               chunk_rows: int = 1_000_000, solver: SolverOptions = SolverOptions(),
               separation: str = "warn", on_separation: str = "mark", absorb: bool = True,
               engine: str = "local", scheduler: str | None = None,
               progress: bool = False) -> HazardResult:
    """Fit a discrete-time hazard model Pr(y = 1 | x) = F(x'b) to risk-set rows.

    Parameters
    ----------
    data
        A :class:`~policydiffusion.riskset.RiskSet` (streamed if lazy; its options and
        exclusions go into ``res.provenance["riskset"]``), a pandas or polars
        DataFrame, polars LazyFrame, a CSV or Parquet path, a folder or a glob of
        Parquet files (streamed chunk by chunk; may exceed memory).
    formula
        Wilkinson formula, e.g. ``"adopt ~ x1 * x2 + C(region)"``; the left side is the
        0/1 outcome column. Terms are named as formulaic names them (``Intercept``,
        ``x1``, ``x1:x2``, ``C(region)[T.south]``).
    link
        ``"logit"``, ``"probit"`` or ``"cloglog"`` (grouped-time proportional hazards).
    vcov
        ``"classical"``, ``"hc0"``, ``"hc1"``, ``{"cluster": col or [cols]}``,
        ``{"cluster-cr0": col}`` (no small-sample factor), ``{"cluster-regress": col}``
        or ``{"dyadic": [unit_col, source_col]}``; see :class:`VcovSpec` and
        docs/variance.md. Cluster SEs use Stata's G/(G-1) factor by default. The
        default, classical, is the command line's too; a study file's models cluster
        by unit by default.
    firth
        Firth-penalised logit (finite estimates under separation; small data, the
        design is held in memory). ``res.flic()`` then gives FLIC's intercept for
        unbiased predicted probabilities.
    firth_inference
        For Firth fits: ``"profile"`` (default; as R logistf's ``pl=TRUE``) reports
        penalised likelihood-ratio tests and profile penalised-likelihood intervals
        (Heinze & Schemper 2002) in ``tidy()``; ``"wald"`` reports z tests and normal
        intervals. Profile inference is model-based: with a robust or clustered
        ``vcov`` the table is Wald with that variance (``res.inference`` says which).
        Each coefficient costs a few dozen constrained fits.
    rare_events
        ``True`` (or ``RareEvents()``) for King-Zeng bias-corrected logit;
        ``{"tau": share}`` (or ``RareEvents(tau=share)``) adds the
        prior correction of the intercept for a case-control sample with population
        event share ``tau``; ``{"tau": share, "case_control": "weighting"}`` instead
        weights events by ``tau/ybar`` and non-events by ``(1-tau)/(1-ybar)`` and uses
        the weighted bias correction (King & Zeng 2001, eq. 11-12; use a robust
        ``vcov`` with weighting). ``res.predict(data, correction="king-zeng")`` adds
        the probability correction.
    weights
        Column of non-negative case weights.
    fixed_effects
        Fixed-effect columns (e.g. ``["policy", "year"]``), reported as the dummy terms
        ``C(col)[T.level]`` of a dummy-variable fit. With ``absorb=True`` (the default)
        the one with the most levels (among these and the formula's plain ``C(col)``
        terms) is absorbed: a pass never builds its dummy columns and the solve goes
        through the Schur complement, with the same estimates and standard errors
        as dummy columns. Firth and rare-events fits, and formulas that interact the
        fixed effect, use dummy columns.
    chunk_rows
        Rows read per chunk.
    solver
        :class:`SolverOptions` (iterations, tolerance, block size, cache).
    separation
        ``"warn"`` (SeparationWarning) or ``"raise"`` (SeparationError; the same as
        ``on_separation="raise"``).
    on_separation
        What a maximum-likelihood fit with detected (quasi-)separation gives:
        ``"mark"`` (default) warns and lists every term in ``res.not_estimable``
        with its reason (the separating terms, then the rest of the fit): no
        estimate, standard error, test or interval in ``tidy()``, tables and JSON;
        ``"firth"`` refits with Firth's penalised likelihood (logit only;
        ``res.estimator == "firth"``, and ``res.provenance["separation_refit"]``
        names the terms); ``"raise"`` raises SeparationError. One exception to
        "mark": on data too large for the exact (linear-programme) check, a fit that
        converged with diverging estimates only warns, naming the terms. A fit that
        does not converge has every term not estimable. Fitted probabilities numerically 0
        or 1 (as R's glm.fit counts them) give a FittedProbabilityWarning.
    engine, scheduler, progress
        ``"local"`` (default) or ``"dask"``: each pass runs as Dask tasks over
        partitions (row groups of a Parquet file, read by a worker; a partition of a
        risk set built on Dask; or ``chunk_rows`` rows) prepared once on the workers,
        with the same numbers (``scheduler``: a scheduler address; default the current
        ``distributed.Client`` or a new LocalCluster; ``progress=True``: each pass
        counts finished partitions on stderr). Fixed effects are dummy columns on
        Dask. A risk set built with ``engine="dask"`` is fitted where it lies.
    absorb
        ``False`` fits ``fixed_effects`` and ``C(col)`` terms as dummy columns (the
        slow reference).

    Returns
    -------
    HazardResult

    Notes
    -----
    Fisher scoring (R's IRLS); standard errors from the expected information at the
    estimates (identical to the observed information for logit), as R ``glm`` reports.
    Rows with a missing value in any model variable, the weights or a cluster column
    are dropped and counted in ``n_dropped_missing``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"x": rng.normal(size=500), "g": rng.integers(0, 20, 500)})
    >>> df["adopt"] = (rng.random(500) < 1 / (1 + np.exp(1.5 - df.x))).astype(int)
    >>> res = fit_hazard(df, "adopt ~ x", vcov={"cluster": "g"})
    >>> res.tidy()["term"].tolist()
    ['Intercept', 'x']
    >>> res.vcov_label
    'cluster-robust by g (G=20), Stata small-sample factor G/(G-1)'
    >>> firth = fit_hazard(df.head(60), "adopt ~ x", firth=True)
    >>> firth.tidy().attrs["inference"][:60]
    'penalised likelihood ratio tests (statistic: chi-squared, 1 '
    """
    check_choice("link", link, LINKS)
    check_choice("separation", separation, ("warn", "raise"))
    check_choice("on_separation", on_separation, ON_SEPARATION)
    if separation == "raise":
        on_separation = "raise"
    if on_separation == "firth" and (link != "logit" or rare_events not in (None, False)):
        raise InvalidOptionError("on_separation='firth' refits with Firth's penalised logit: it "
                                 "needs link='logit' and no rare_events.")
    check_choice("firth_inference", firth_inference, FIRTH_INFERENCE)
    spec = VcovSpec.parse(vcov)
    if firth and link != "logit":
        raise InvalidOptionError(f"firth=True is implemented for link='logit'; got {link!r}.")
    rare = None
    if rare_events is not None and rare_events is not False:
        if link != "logit" or firth:
            raise InvalidOptionError("rare_events applies to a plain logit (link='logit', "
                                     "firth=False).")
        rare = RareEvents.parse(rare_events)
        if rare is not None and rare.case_control == "weighting" and weights is not None:
            raise InvalidOptionError("the King-Zeng weighting correction sets the case "
                                     "weights itself; drop weights= or use the prior "
                                     "correction.")
    if not isinstance(chunk_rows, (int, np.integer)) or chunk_rows < 1:
        raise InvalidOptionError(f"chunk_rows must be a positive integer; got {chunk_rows!r}.")
    formula_used = _with_fixed_effects(formula, fixed_effects)
    source = as_source(data)
    eng = _setup_engine(source, formula_used, spec, weights=weights, chunk_rows=int(chunk_rows),
                        solver=solver, engine=engine, scheduler=scheduler, progress=progress,
                        absorb=absorb and not firth and rare is None,
                        constant_outcome_ok=firth or on_separation == "firth")
    names = list(eng.design.term_names)
    notices: list[PolicyDiffusionWarning] = []
    if firth:
        fit = _fit_firth(eng, spec, names, link=link, solver=solver,
                         inference=firth_inference, notices=notices)
    elif rare is not None:
        fit = _fit_king_zeng(eng, spec, names, rare, solver=solver,
                             on_separation=on_separation, notices=notices)
    else:
        fit = _fit_ml(eng, spec, names, link=link, solver=solver,
                      on_separation=on_separation, notices=notices)
    if fit.separation is not None:  # on_separation="firth"
        refit = fit_hazard(source, formula_used, link=link, vcov=spec, firth=True,
                           firth_inference=firth_inference, weights=weights,
                           chunk_rows=chunk_rows, solver=solver, absorb=absorb)
        prov = {**refit.provenance, "separation_refit": {
            "terms": list(fit.separation.fields["terms"]), "ml_iterations": int(fit.n_iter),
            "ml_converged": bool(fit.converged)}}
        return dataclasses.replace(refit, provenance=prov,
                                   warnings=(fit.separation,) + refit.warnings)
    return _result(fit, spec, names, link=link, formula=formula_used, weights=weights,
                   source=source, chunk_rows=int(chunk_rows), solver=solver, notices=notices)


@dataclasses.dataclass(frozen=True)
class _Fit:
    """What one estimator path hands to :func:`_result`."""

    engine: Engine
    beta: np.ndarray
    bread_inv: np.ndarray
    stats: Any  # the final pass's sums (PassStats)
    loglik: float
    converged: bool
    n_iter: int
    estimator: str
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    not_estimable: dict[str, str] = dataclasses.field(default_factory=dict)
    beta_score: np.ndarray | None = None
    var_factor: float = 1.0
    firth_info: FirthInference | None = None
    #: set when on_separation="firth" found separation: the caller refits with Firth
    separation: SeparationWarning | None = None
    #: terms nested in the clusters, when the estimator reads them from other than the
    #: final pass's scores (Firth: its modified score)
    se_not_identified: dict[str, Any] | None = None


def _setup_engine(source: DataSource, formula: str, spec: VcovSpec, *, weights: str | None,
                  chunk_rows: int, solver: SolverOptions, engine: str, scheduler: str | None,
                  progress: bool = False,
                  absorb: bool, constant_outcome_ok: bool = False) -> Engine:
    """The pass engine: local or Dask, with the largest fixed effect absorbed if asked."""
    check_choice("engine", engine, ("local", "dask"))
    setup = dict(weights=weights, cluster_columns=spec.columns, dyadic=spec.kind == "dyadic",
                 chunk_rows=chunk_rows, solver=solver, constant_outcome_ok=constant_outcome_ok)
    if engine == "dask":
        from policydiffusion.estimate._dask import DaskEngine

        return DaskEngine.on_dask(source, formula, scheduler=scheduler, progress=progress,
                                  **setup)
    eng = Engine.setup(source, formula, **setup)
    if absorb:
        base, fe = formula_fixed_effects(formula)  # fixed_effects= and C(col) terms
        if fe:
            return absorb_fixed_effects(eng, base, fe) or eng
    return eng


def _fit_firth(eng: Engine, spec: VcovSpec, names: list[str], *, link: str,
               solver: SolverOptions, inference: str,
               notices: list[PolicyDiffusionWarning]) -> _Fit:
    """Firth's penalised-likelihood logit, with its profile or Wald inference."""
    fo = fit_firth(eng, max_iter=solver.max_iter * 2, tol=solver.tol)
    st = eng.run_pass(fo.beta, link, meat=spec)
    info = FirthInference(inference, fo.beta.copy(), fo.penalized_loglik, tol=solver.tol,
                          inv_info=fo.inv_info)
    if inference == "profile" and spec.kind == "classical":
        with warnings.catch_warnings(record=True) as caught:  # kept with the result
            warnings.simplefilter("always")
            info.table(fo.X, fo.y, fo.w, names, np.sqrt(np.diag(fo.inv_info)), 0.95)
        for w in caught:
            warn(w.message, w.category)
            if isinstance(w.message, PolicyDiffusionWarning):  # not numpy's chatter
                notices.append(w.message)
    if not fo.converged:
        notices.append(ConvergenceWarning(
            f"the Firth fit did not converge in {fo.n_iter} iterations (tolerance "
            f"{solver.tol}); estimates may be inaccurate.", link=link,
            iterations=int(fo.n_iter), tolerance=solver.tol))
        warn(notices[-1])
    return _Fit(eng, fo.beta, fo.inv_info, st, fo.loglik, fo.converged, fo.n_iter, "firth",
                extra={"penalized_loglik": fo.penalized_loglik, "firth_inference": inference},
                firth_info=info,
                se_not_identified=firth_se_not_identified(spec, eng, fo.beta, names,
                                                          inv_info=fo.inv_info))


def _fit_ml(eng: Engine, spec: VcovSpec, names: list[str], *, link: str, solver: SolverOptions,
            on_separation: str, notices: list[PolicyDiffusionWarning]) -> _Fit:
    """Maximum likelihood by Fisher scoring, with separation and boundary checks."""
    out = newton(eng, link, meat=spec, start=eng.start_values(link))
    st = out.stats
    converged, n_iter = out.converged, out.n_iter
    fit = _Fit(eng, out.beta, eng.inverse(st), st, st.loglik, converged, n_iter, "ml")
    not_estimable: dict[str, str] = {}
    if out.separation_suspected or not converged or st.n_extreme > 0:
        sep = _check_separation(eng, out, names, on_separation, converged)
        if sep is not None and on_separation == "firth":
            return dataclasses.replace(fit, separation=sep)
        if sep is not None:
            notices.append(sep)
        # no coefficient of a separated fit is an ordinary estimate; a converged fit
        # too large for the exact check only had its largest estimates flagged: warn only
        if sep is not None and (sep.fields["detected_by"] == "linear programme" or
                                not converged):
            not_estimable = {t: (SEPARATED if t in sep.fields["terms"] else
                                 NOT_CONVERGED if not converged else IN_SEPARATED_FIT)
                             for t in names}
    if not converged:
        notices.append(ConvergenceWarning(
            f"the {link} fit did not converge in {n_iter} iterations "
            f"(tolerance {solver.tol}); estimates may be inaccurate. Check for separation "
            "or rescale covariates.", link=link, iterations=int(n_iter),
            tolerance=solver.tol))
        warn(notices[-1])
    if st.n_boundary:
        # R's glm.fit notice: such rows sit on the boundary whatever the cause
        notices.append(FittedProbabilityWarning(
            f"fitted probabilities numerically 0 or 1 occurred ({st.n_boundary} row(s)).",
            rows=int(st.n_boundary), threshold=float(_BOUNDARY_EPS)))
        warn(notices[-1])
    return dataclasses.replace(fit, not_estimable=not_estimable)


def _fit_king_zeng(eng: Engine, spec: VcovSpec, names: list[str], rare: RareEvents, *,
                   solver: SolverOptions, on_separation: str,
                   notices: list[PolicyDiffusionWarning]) -> _Fit:
    """King and Zeng's bias-corrected logit: the ML fit (class-weighted for the weighting
    correction), less its O(1/n) bias, with the prior correction of the intercept."""
    w1 = 1.0
    if rare.case_control == "weighting":
        ybar_cc = _complete_case_share(eng)
        w0, w1 = class_weights(rare.tau, ybar_cc)
        eng = dataclasses.replace(eng, class_weights=(w0, w1), _cache=None, _cache_ok=True)
        if spec.kind == "classical":
            notices.append(RareEventsVarianceWarning(
                "with the King-Zeng weighting correction the classical variance is not "
                "valid; use vcov='hc0', 'hc1' or a cluster-robust variance (King & Zeng "
                "2001, sec. 4.2).", vcov=spec.kind))
            warn(notices[-1])
    fit = _fit_ml(eng, spec, names, link="logit", solver=solver, on_separation=on_separation,
                  notices=notices)
    st = fit.stats
    bias = king_zeng(eng, fit.beta, fit.bread_inv, w1=w1)
    beta = fit.beta - bias
    extra: dict[str, Any] = {"king_zeng_bias": bias.tolist(), "case_control": rare.case_control}
    if rare.case_control == "weighting":
        extra.update(tau=rare.tau, ybar=ybar_cc, w0=w0, w1=w1)
    elif rare.tau is not None:
        if "Intercept" not in names:
            raise InvalidOptionError("the prior correction needs an intercept.")
        shift = prior_correction(rare.tau, st.ysum / st.wsum)
        beta[names.index("Intercept")] -= shift
        extra.update(tau=rare.tau, intercept_shift=shift)
    return dataclasses.replace(fit, beta=beta, beta_score=fit.beta.copy(), extra=extra,
                               var_factor=(st.n / (st.n + len(names))) ** 2,
                               estimator="king-zeng")


def _result(fit: _Fit, spec: VcovSpec, names: list[str], *, link: str, formula: str,
            weights: str | None, source: DataSource, chunk_rows: int, solver: SolverOptions,
            notices: list[PolicyDiffusionWarning]) -> HazardResult:
    """The frozen result of a fit: variance, null log-likelihood and provenance."""
    eng, st, converged = fit.engine, fit.stats, fit.converged
    cov, label, counts, correction = vcov_from_sums(spec, fit.bread_inv, st.meat_hc, st.plan,
                                                    st.n, len(names), fit.var_factor,
                                                    names=names)
    if correction is not None:
        notices.append(correction_warning(correction))
    not_estimable = fit.not_estimable
    if not converged and not not_estimable:
        not_estimable = {t: NOT_CONVERGED for t in names}
    ll0 = _null_loglik(link, st.ysum, st.wsum, "Intercept" in names)
    eng.release()  # a result keeps no prepared chunks (they can be large)
    prov = {"policydiffusion": __version__, "numpy": np.__version__,
            "estimator": fit.estimator, "link": link, "formula": formula,
            "vcov": spec.to_json(), "weights": weights, "data": source.description,
            "chunk_rows": chunk_rows, "tol": solver.tol,
            **({"absorbed_fixed_effect": eng.fe} if isinstance(eng, AbsorbedEngine)
               else {}), "max_iter": solver.max_iter,
            "method": "Firth penalised likelihood" if fit.estimator == "firth" else
                      "Fisher scoring (IRLS), expected-information standard errors",
            **fit.extra}
    return HazardResult(
        formula=formula, link=link, params=pd.Series(fit.beta, index=names, name="estimate"),
        cov=pd.DataFrame(cov, index=names, columns=names), vcov_spec=spec, vcov_label=label,
        n_clusters=counts, nobs=st.n, n_dropped_missing=st.n_dropped, loglik=float(fit.loglik),
        loglik_null=ll0, converged=bool(converged), n_iter=int(fit.n_iter),
        estimator=fit.estimator, provenance=prov, weights=weights,
        n_events=None if weights is not None or eng.class_weights is not None
        else int(round(st.ysum)),
        _engine=eng, _bread_inv=fit.bread_inv,
        _meat_hc=st.meat_hc, _var_factor=fit.var_factor, _beta_score=fit.beta_score,
        _firth=fit.firth_info, not_estimable=not_estimable, warnings=tuple(notices),
        vcov_correction=correction,
        se_not_identified=(se_not_identified(spec, st.plan, st.meat_hc, names)
                           if fit.se_not_identified is None else fit.se_not_identified))


def _check_separation(engine: Engine, out, names, mode: str, converged: bool
                      ) -> SeparationWarning | None:
    """Name separating terms (LP on small data, diverging estimates otherwise) and warn.

    Returns the warning issued (its ``fields`` name the terms), or None when there is
    no separation."""
    st = out.stats
    terms = None
    # The LP is exact but costs seconds on 1e5 rows: run it only when the fit shows a sign
    # of separation (no convergence, hazards at 0 or 1, or a diverging-looking estimate).
    slopes = [abs(b) for b, n in zip(out.beta, names) if n != "Intercept"]
    if converged and st.n_extreme == 0 and max(slopes, default=0.0) < 10.0:
        return None
    if st.n * len(names) <= _LP_LIMIT:
        X, y, w = collect_design(engine)
        terms = separating_terms(X, y, names, w)
        if terms == [] and converged:
            return None
    exact = terms is not None
    if terms is None:
        if st.n_extreme == 0 and converged:
            return None
        xsum, xsq = out.first.xsum, out.first.xsq  # unweighted, whatever beta
        sd = np.sqrt(np.clip(xsq / st.n - (xsum / st.n) ** 2, 0, None))
        scaled = np.abs(out.beta) * np.where(sd > 0, sd, 1.0)
        terms = [names[j] for j in np.argsort(-scaled)[:2] if names[j] != "Intercept"]
    if not terms:
        return None
    msg = separation_message(terms, converged=converged, n_extreme=st.n_extreme)
    if mode == "raise":
        raise SeparationError(msg)
    w = SeparationWarning(msg, terms=tuple(terms), rows=int(st.n_extreme),
                          converged=bool(converged),
                          detected_by="linear programme" if exact else "diverging estimates")
    warn(w)
    return w
