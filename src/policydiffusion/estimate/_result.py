"""The frozen result of a hazard-GLM fit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.stats import chi2

from policydiffusion._warnings import warn
from policydiffusion.errors import (FirthTestConvergenceWarning, InvalidOptionError,
                                    VarianceCorrectionWarning, check_choice)
from policydiffusion.estimate._data import as_source
from policydiffusion.estimate._firth import kz_probability_correction, modified_score_sums
from policydiffusion.estimate._firth_infer import (PROFILE_LABEL, FirthInference,
                                                   PenalizedLRTest, flic_intercept,
                                                   penalized_lr, wald_chi2_rows)
from policydiffusion.estimate._links import cdf
from policydiffusion.estimate._separation import collect_design
from policydiffusion.estimate._summary import (INFERENCE_NOTE, CoefficientsMixin, Summary,
                                               tidy_frame, with_labels)
from policydiffusion.estimate._vcov import (PSD_NOTE, NotIdentified, VcovSpec, nested_terms,
                                             psd_correct, sandwich)

__all__ = ["HazardResult", "vcov_from_sums", "se_not_identified", "firth_se_not_identified"]


def vcov_from_sums(spec: VcovSpec, bread_inv: np.ndarray, meat_hc: np.ndarray, plan, n: int,
                   k: int, var_factor: float = 1.0, names: list[str] | None = None
                   ) -> tuple[np.ndarray, str, tuple[int, ...], dict | None]:
    """Covariance, label, cluster counts and PSD correction for ``spec`` from a pass's sums.

    ``var_factor`` other than 1 (King-Zeng's ``(n/(n+k))^2``) scales the covariance and
    is named in the label. A clustered covariance that is not positive semi-definite
    (dyadic, multiway) gets the Cameron-Gelbach-Miller eigenvalue correction, with a
    :class:`~policydiffusion.errors.VarianceCorrectionWarning`; the last element
    records it (None when nothing was changed).
    """
    counts: tuple[int, ...] = ()
    if spec.kind == "classical":
        cov, label = bread_inv.copy(), spec.label()
    elif spec.kind == "hc0":
        cov, label = sandwich(bread_inv, meat_hc), spec.label()
    elif spec.kind == "hc1":
        cov, label = sandwich(bread_inv, meat_hc) * n / (n - k), spec.label()
    else:
        meat, counts, inters = plan.meat(n, k)
        cov, label = sandwich(bread_inv, meat), spec.label(counts, inters)
    if var_factor != 1.0:
        cov = cov * var_factor
        label += ", King-Zeng variance factor (n/(n+k))^2"
    correction = None
    if spec.is_clustered:
        names = names or [f"x{j}" for j in range(cov.shape[0])]
        cov, correction = psd_correct(cov, names)
        if correction is not None:
            correction["vcov"] = spec.kind
            warn(correction_warning(correction))
    return cov, label, counts, correction


def se_not_identified(spec: VcovSpec, plan, meat_hc: np.ndarray | None,
                      names: list[str]) -> dict[str, NotIdentified]:
    """Terms whose cluster-robust standard error is not identified (nested in the
    clusters), with the reason; see :func:`~policydiffusion.estimate._vcov.nested_terms`."""
    if plan is None or meat_hc is None or spec.kind == "dyadic":
        return {}
    return nested_terms(plan.components(), meat_hc, names)


def firth_se_not_identified(spec: VcovSpec, engine, beta: np.ndarray, names: list[str], *,
                            inv_info: np.ndarray) -> dict[str, NotIdentified]:
    """:func:`se_not_identified` for a Firth fit: read from the modified score at the
    Firth estimates ``beta`` (the likelihood score, which the meat is built from, does
    not vanish cluster by cluster there). FLIC passes the Firth fit's estimates: the
    design, and so what is nested in the clusters, is the same. ``inv_info``: the
    fit's inverse information at ``beta``, so that it is not built again."""
    if not spec.is_clustered or spec.kind == "dyadic":
        return {}
    meat_hc, plan = modified_score_sums(engine, beta, spec, inv_info=inv_info)
    return nested_terms(plan.components(), meat_hc, names)


def correction_warning(correction: dict) -> VarianceCorrectionWarning:
    """The warning that says a covariance was made positive semi-definite."""
    terms = correction["terms"]
    return VarianceCorrectionWarning(
        f"the {correction['vcov']} covariance is {PSD_NOTE}; the variances of "
        f"{', '.join(repr(t) for t in terms) or 'no term'} changed "
        f"(eigenvalues {', '.join(f'{v:.3g}' for v in correction['eigenvalues'])}).",
        terms=tuple(terms), eigenvalues=tuple(correction["eigenvalues"]),
        vcov=correction["vcov"])


@dataclass(frozen=True, eq=False)
class HazardResult(CoefficientsMixin):
    """A fitted discrete-time hazard model (logit, probit or cloglog); never mutated.

    ``params`` and ``cov`` are labelled by term (formulaic names: ``Intercept``,
    ``x1``, ``x1:x2``, ``C(g)[T.b]``). Inference is normal (z) with 95% intervals,
    except for Firth fits with ``firth_inference="profile"`` (the default) and a
    model-based (classical) variance: their ``tidy()`` reports penalised likelihood
    ratio tests (``statistic`` is the chi-squared, 1 df) and profile
    penalised-likelihood intervals; :attr:`inference` says which applies.

    ``not_estimable`` maps each term the estimator cannot stand behind (separation, no
    convergence) to the reason: ``tidy()`` gives it no estimate, standard error, test or
    interval (``params`` keeps the raw value). ``warnings`` holds the warnings this fit
    issued (with their ``fields``); ``vcov_correction`` records a covariance made
    positive semi-definite (Cameron, Gelbach & Miller 2011), or is None.

    ``se_not_identified`` maps each term whose cluster-robust standard error is not
    identified (nested in the clusters: fixed-effect dummies of the cluster variable and
    the intercept beside them) to the reason: ``tidy()`` keeps its estimate but gives no
    standard error, test or interval (``cov`` keeps the sandwich's raw number, which is
    what R's ``sandwich::vcovCL`` reports).
    """

    formula: str
    link: str
    params: pd.Series
    cov: pd.DataFrame
    vcov_spec: VcovSpec
    vcov_label: str
    n_clusters: tuple[int, ...]
    nobs: int
    n_dropped_missing: int
    loglik: float
    loglik_null: float
    converged: bool
    n_iter: int
    estimator: str
    provenance: dict
    weights: str | None = None
    #: number of events (rows with outcome 1) in the estimation sample; None when
    #: case weights make the weighted sum something else
    n_events: int | None = None
    _engine: Any = field(default=None, repr=False)
    _bread_inv: np.ndarray | None = field(default=None, repr=False)
    _meat_hc: np.ndarray | None = field(default=None, repr=False)
    _var_factor: float = field(default=1.0, repr=False)
    _beta_score: np.ndarray | None = field(default=None, repr=False)  # where scores are taken
    _firth: FirthInference | None = field(default=None, repr=False)
    not_estimable: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple = ()
    vcov_correction: dict | None = None
    se_not_identified: Mapping[str, NotIdentified] = field(default_factory=dict)

    # ---- model-level figures (k, aic, std_errors from CoefficientsMixin) ----
    @property
    def bic(self) -> float:
        """Bayesian information criterion, -2 loglik + k log(nobs)."""
        return -2 * self.loglik + self.k * np.log(self.nobs)

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo R-squared, 1 - loglik / loglik_null."""
        return 1 - self.loglik / self.loglik_null

    @property
    def design(self):
        """The fixed model-matrix specification (used by policydiffusion.interpret)."""
        return self._engine.design

    # ---- inference ------------------------------------------------------------------
    @property
    def profile_inference(self) -> bool:
        """True when ``tidy()`` reports profile penalised-likelihood inference."""
        return (self._firth is not None and self._firth.method == "profile"
                and self.vcov_spec.kind == "classical")

    @property
    def inference(self) -> str:
        """Words for the inference ``tidy()`` reports (also in summaries and JSON)."""
        if self.profile_inference:
            label = PROFILE_LABEL.format(level="95%")
            if self._firth.wald_terms:
                label += (f"; {', '.join(self._firth.wald_terms)} (FLIC): Wald chi-squared "
                          "test and normal CI")
            return label
        if self._firth is not None and self._firth.method == "profile":
            return (INFERENCE_NOTE + " (Wald with the chosen variance; profile "
                    "penalised-likelihood inference needs vcov='classical')")
        return INFERENCE_NOTE

    def tidy(self, *, conf_level: float = 0.95) -> pd.DataFrame:
        """Columns term, estimate, std_error, statistic, p_value, conf_low, conf_high and
        label (the term as tables and the report print it: ``Intercept`` is "Constant").

        ``attrs["inference"]`` names the inference. Under profile inference (Firth
        fits, see :attr:`inference`) ``statistic`` is the penalised LR chi-squared and
        the interval is the profile penalised-likelihood interval; a level other than
        0.95 is computed on first use (one pass over the data).
        """
        t = tidy_frame(self.params, self.cov, conf_level=conf_level)
        if self.profile_inference:
            names = list(self.params.index)
            se = t["std_error"].to_numpy()
            X = y = w = None
            if not self._firth.has_table(conf_level):
                X, y, w = collect_design(self._engine)
            prof = self._firth.table(X, y, w, names, se, conf_level).copy()
            wald = list(self._firth.wald_terms)
            if wald:
                rows = wald_chi2_rows(self.params[wald].to_numpy(), se[[names.index(n) for n in
                                                                        wald]], conf_level)
                prof.loc[wald] = rows.to_numpy()
            for c in ("statistic", "p_value", "conf_low", "conf_high"):
                t[c] = prof.loc[names, c].to_numpy()
            label = self.inference.replace("95%", f"{100 * conf_level:g}%")
        else:
            label = self.inference
        if self.not_estimable:
            bad = t["term"].isin(list(self.not_estimable))
            t.loc[bad, ["estimate", "std_error", "statistic", "p_value", "conf_low",
                        "conf_high"]] = np.nan
        if self.se_not_identified:
            bad = t["term"].isin(list(self.se_not_identified))
            t.loc[bad, ["std_error", "statistic", "p_value", "conf_low", "conf_high"]] = np.nan
        t = with_labels(t)
        t.attrs["inference"] = label
        t.attrs["not_estimable"] = dict(self.not_estimable)
        t.attrs["se_not_identified"] = dict(self.se_not_identified)
        return t

    def penalized_lr_test(self, terms: list[str] | str):
        """Penalised likelihood-ratio test that ``terms`` are all zero (Firth fits).

        The restricted fit keeps the full model's penalty (logistf's
        ``anova(..., method="nested")``). Returns ``(statistic, df, p_value,
        restricted penalised loglik, full penalised loglik)`` as a
        :class:`PenalizedLRTest`.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from policydiffusion.estimate import fit_hazard
        >>> rng = np.random.default_rng(4)
        >>> df = pd.DataFrame({"x": rng.normal(size=60), "z": rng.normal(size=60)})
        >>> df["y"] = (rng.random(60) < 1 / (1 + np.exp(1 - 2 * df.x))).astype(int)
        >>> t = fit_hazard(df, "y ~ x + z", firth=True).penalized_lr_test(["x", "z"])
        >>> t.df, t.p_value < 0.01
        (2, True)
        """
        if self._firth is None:
            raise InvalidOptionError("penalized_lr_test needs a Firth fit (firth=True).")
        terms = [terms] if isinstance(terms, str) else list(terms)
        names = list(self.params.index)
        missing = [t for t in terms if t not in names]
        if missing or not terms:
            raise InvalidOptionError(f"terms {missing or terms} are not in the model {names}.")
        X, y, w = collect_design(self._engine)
        stat, pen0, ok = penalized_lr(X, y, w, self._firth.beta, self._firth.penalized_loglik,
                                      [names.index(t) for t in terms], tol=self._firth.tol)
        if not ok:
            warn(FirthTestConvergenceWarning(
                "the restricted Firth fit did not converge; the test may be inaccurate.",
                terms=tuple(terms)))
        return PenalizedLRTest(tuple(terms), stat, len(terms), float(chi2.sf(stat, len(terms))),
                               pen0, self._firth.penalized_loglik)

    def flic(self) -> "HazardResult":
        """Firth logit with intercept correction (FLIC; Puhr et al. 2017): a new result.

        The slopes stay the Firth estimates; the intercept is re-estimated by maximum
        likelihood with the slopes' linear predictor as offset, so the mean predicted
        probability equals the observed event share (Firth's intercept biases predicted
        probabilities towards 0.5). As logistf's ``flic``: the variance is
        ``(X'WX)^-1`` at the FLIC probabilities (or the result's robust estimator
        evaluated there); the intercept's test and interval are Wald, the slopes keep
        their profile intervals and penalised LR tests.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from policydiffusion.estimate import fit_hazard
        >>> rng = np.random.default_rng(3)
        >>> df = pd.DataFrame({"x": rng.normal(size=80)})
        >>> df["y"] = (rng.random(80) < 1 / (1 + np.exp(2.5 - df.x))).astype(int)
        >>> fl = fit_hazard(df, "y ~ x", firth=True).flic()
        >>> bool(np.isclose(fl.predict(df).mean(), df.y.mean()))
        True
        """
        if self.estimator != "firth":
            raise InvalidOptionError("flic() applies to a Firth fit (firth=True).")
        names = list(self.params.index)
        if "Intercept" not in names:
            raise InvalidOptionError("FLIC re-estimates the intercept; the model has none.")
        X, y, w = collect_design(self._engine)
        beta, bread = flic_intercept(X, y, w, self._firth.beta, names.index("Intercept"), names)
        st = self._engine.run_pass(beta, "logit", meat=self.vcov_spec)
        cov, label, counts, corr = vcov_from_sums(self.vcov_spec, bread, st.meat_hc, st.plan,
                                                  st.n, self.k, names=names)
        prov = {**self.provenance, "estimator": "firth-flic",
                "intercept": "FLIC: ML intercept with the Firth linear predictor as offset "
                             "(Puhr et al. 2017)", "firth_intercept": float(self.params.iloc[
                                 names.index("Intercept")])}
        return dataclasses.replace(
            self, params=pd.Series(beta, index=names, name="estimate"),
            cov=pd.DataFrame(cov, index=names, columns=names), vcov_label=label,
            n_clusters=counts, loglik=float(st.loglik), estimator="firth-flic",
            provenance=prov, _bread_inv=bread, _meat_hc=st.meat_hc,
            _firth=self._firth.with_wald(["Intercept"]), vcov_correction=corr,
            se_not_identified=firth_se_not_identified(self.vcov_spec, self._engine,
                                                      self._firth.beta, names,
                                                      inv_info=self._firth.inv_info),
            warnings=_with_correction(self.warnings, corr))

    # ---- tables ---------------------------------------------------------------------
    def summary(self) -> Summary:
        """A summary object for people (``print`` it, or ``to_markdown()``/``to_latex()``)."""
        title = {"ml": "Discrete-time hazard model", "firth": "Firth penalised logit",
                 "firth-flic": "Firth penalised logit with intercept correction (FLIC)",
                 "king-zeng": "Rare-events logit (King-Zeng)"}[self.estimator]
        info = [("Formula", self.formula), ("Link", self.link),
                ("Observations", self.nobs), ("Dropped (missing values)", self.n_dropped_missing),
                ("Log-likelihood", self.loglik), ("Null log-likelihood", self.loglik_null),
                ("AIC", self.aic), ("BIC", self.bic), ("Pseudo R2 (McFadden)", self.pseudo_r2),
                ("Converged", f"{self.converged} ({self.n_iter} iterations)"),
                ("Standard errors", self.vcov_label)]
        return Summary(title, info, self.tidy(), [self.inference, *self.notes()])

    def notes(self) -> list[str]:
        """Table notes on what the estimator cannot stand behind: terms not estimable,
        standard errors not identified, a Firth refit after separation, a corrected
        covariance, and each warning."""
        out = []
        for head, marks in (("not estimable", self.not_estimable),
                            ("standard error not identified", self.se_not_identified)):
            by_reason: dict[str, list[str]] = {}
            for t, why in marks.items():
                by_reason.setdefault(why, []).append(t)
            out += [f"{head} ({why}): {', '.join(ts)}" for why, ts in by_reason.items()]
        refit = self.provenance.get("separation_refit")
        if refit:
            out.append("refitted with Firth's penalised likelihood after (quasi-)separation in "
                       + ", ".join(refit["terms"]))
        if self.vcov_correction:
            out.append(f"covariance {PSD_NOTE}: " + ", ".join(self.vcov_correction["terms"]))
        return out + [f"warning: {w}" for w in self.warnings]

    def to_dict(self) -> dict:
        """A JSON-ready dict (the shape ``policydiffusion fit --json`` writes)."""
        t = self.tidy().drop(columns="label")  # JSON keeps its shape: terms by name
        coefs = [{c: (str(r[c]) if c == "term" else _num(r[c])) for c in t.columns}
                 for _, r in t.iterrows()]
        for c in coefs:
            if c["term"] in self.not_estimable:
                c["not_estimable"] = self.not_estimable[c["term"]]
            if c["term"] in self.se_not_identified:
                c["se_not_identified"] = self.se_not_identified[c["term"]]
        return {
            "model": "hazard-glm", "estimator": self.estimator, "formula": self.formula,
            "link": self.link, "nobs": self.nobs, "n_dropped_missing": self.n_dropped_missing,
            "loglik": _num(self.loglik), "loglik_null": _num(self.loglik_null),
            "aic": _num(self.aic), "bic": _num(self.bic), "pseudo_r2": _num(self.pseudo_r2),
            "converged": bool(self.converged), "n_iter": int(self.n_iter),
            "vcov": {**self._vcov_dict(), "psd_correction": self.vcov_correction},
            "inference": self.inference, "coefficients": coefs,
            # the full covariance, so a fit saved as JSON can be simulated from
            # (policydiffusion simulate --fit) with correlated parameter draws
            "cov": {"terms": [str(c) for c in self.cov.columns],
                    "matrix": [[_num(v) for v in row] for row in self.cov.to_numpy()]},
            "provenance": self.provenance,
            "not_estimable": dict(self.not_estimable),
            "se_not_identified": dict(self.se_not_identified),
            # the clustering columns each term is nested in, so readers need not parse
            "se_not_identified_clusters": {t: list(getattr(why, "clusters", ()))
                                           for t, why in self.se_not_identified.items()},
            "warnings": [warning_record(w) for w in self.warnings],
        }

    def __str__(self) -> str:
        return str(self.summary())

    # ---- new results ----------------------------------------------------------------
    def with_vcov(self, spec: Any, data: Any = None) -> "HazardResult":
        """The same fit with another variance estimator (a new result; this one is unchanged).

        Clustered estimators take one pass over the data at the estimates: ``data`` if
        given (it must hold the estimation rows), else the data the model was fit on.
        """
        spec = VcovSpec.parse(spec)
        n, k = self.nobs, self.k
        plan = None
        if spec.is_clustered:
            engine = self._engine
            if data is not None:
                engine = dataclasses.replace(engine, source=as_source(data), _cache=None)
            engine = engine.with_clusters(spec.columns, spec.kind == "dyadic")
            beta = self.params.to_numpy() if self._beta_score is None else self._beta_score
            st = engine.run_pass(beta, self.link,
                                 meat=spec)
            if st.n != n:
                raise InvalidOptionError(
                    f"the data for the new variance have {st.n} complete rows but the model "
                    f"was fit on {n} (a cluster column may have missing values).")
            plan, meat_hc = st.plan, st.meat_hc
        else:
            meat_hc = self._meat_hc
        names = list(self.params.index)
        cov, label, counts, corr = vcov_from_sums(spec, self._bread_inv, meat_hc, plan, n, k,
                                                  self._var_factor, names=names)
        if self._firth is not None and spec.is_clustered:
            nested = firth_se_not_identified(spec, engine, self._firth.beta, names,
                                             inv_info=self._firth.inv_info)
        else:
            nested = se_not_identified(spec, plan, meat_hc, names)
        prov = {**self.provenance, "vcov": spec.to_json()}
        return dataclasses.replace(self, cov=pd.DataFrame(cov, index=names, columns=names),
                                   vcov_spec=spec, vcov_label=label, n_clusters=counts,
                                   provenance=prov, vcov_correction=corr,
                                   se_not_identified=nested,
                                   warnings=_with_correction(self.warnings, corr))

    def _chunk_rows(self, data: Any):
        """Per chunk of ``data``, in order: the prepared chunk (all rows kept) and the
        model-matrix rows of its complete rows."""
        design = self.design
        for chunk in as_source(data).chunks(list(design.variables), chunk_rows=1_000_000):
            prep = design.prepare(chunk, need_y=False, keep_rows=True)
            yield prep, design.block(prep, 0, prep.n)

    def linear_predictor(self, data: Any) -> np.ndarray:
        """Linear predictor for every row of ``data`` (NaN where a variable is missing)."""
        beta = self.params.to_numpy()
        out = []
        for prep, X in self._chunk_rows(data):
            eta = np.full(prep.n_raw, np.nan)
            eta[prep.keep] = X @ beta
            out.append(eta)
        return np.concatenate(out) if out else np.zeros(0)

    def predict(self, data: Any, *, correction: str | None = None) -> np.ndarray:
        """Predicted hazards Pr(y = 1 | x) for every row of ``data`` (NaN if incomplete).

        ``correction="king-zeng"`` (logit only; meant for ``rare_events`` fits) adds
        King & Zeng's (2001) probability correction ``C = (0.5 - p) p (1 - p) x V x'``
        with ``V`` the result's covariance, which averages over the estimation
        uncertainty of ``beta`` (their approximate Bayesian estimator).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from policydiffusion.estimate import fit_hazard
        >>> rng = np.random.default_rng(2)
        >>> df = pd.DataFrame({"x": rng.normal(size=400)})
        >>> df["y"] = (rng.random(400) < 1 / (1 + np.exp(3.5 - df.x))).astype(int)
        >>> kz = fit_hazard(df, "y ~ x", rare_events=True)
        >>> bool((kz.predict(df, correction="king-zeng") >= kz.predict(df)).all())
        True
        """
        if correction is None:
            return cdf(self.link, self.linear_predictor(data))
        check_choice("correction", correction, ("king-zeng",))
        if self.link != "logit":
            raise InvalidOptionError("the King-Zeng probability correction is for logit fits.")
        beta, cov = self.params.to_numpy(), self.cov.to_numpy()
        out = []
        for prep, X in self._chunk_rows(data):  # one pass: hazards and their correction
            eta = np.full(prep.n_raw, np.nan)
            eta[prep.keep] = X @ beta
            p = cdf(self.link, eta)
            p[prep.keep] = p[prep.keep] + kz_probability_correction(X, p[prep.keep], cov)
            out.append(p)
        return np.concatenate(out) if out else np.zeros(0)


def warning_record(w: Warning) -> dict:
    """A warning as JSON: its kind, class, English message and fields."""
    fields = {k: (list(v) if isinstance(v, tuple) else v)
              for k, v in getattr(w, "fields", {}).items()}
    return {"kind": getattr(w, "kind", "other"), "category": type(w).__name__,
            "message": str(w), "fields": fields}


def _with_correction(warnings: tuple, correction: dict | None) -> tuple:
    """``warnings`` with the variance-correction warning of the new covariance (if any)."""
    kept = tuple(w for w in warnings if not isinstance(w, VarianceCorrectionWarning))
    return kept if correction is None else kept + (correction_warning(correction),)


def _num(v: Any) -> Any:
    v = float(v)
    return v if np.isfinite(v) else None
