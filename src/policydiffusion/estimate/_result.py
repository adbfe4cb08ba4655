"""The frozen result of a hazard-GLM fit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate._data import as_source
from policydiffusion.estimate._links import cdf
from policydiffusion.estimate._summary import INFERENCE_NOTE, CoefficientsMixin, Summary
from policydiffusion.estimate._vcov import VcovSpec, sandwich

__all__ = ["HazardResult", "vcov_from_sums"]


def vcov_from_sums(spec: VcovSpec, bread_inv: np.ndarray, meat_hc: np.ndarray, plan, n: int,
                   k: int) -> tuple[np.ndarray, str, tuple[int, ...]]:
    """Covariance, label and cluster counts for ``spec`` from a pass's sums."""
    if spec.kind == "classical":
        return bread_inv.copy(), spec.label(), ()
    if spec.kind == "hc0":
        return sandwich(bread_inv, meat_hc), spec.label(), ()
    if spec.kind == "hc1":
        return sandwich(bread_inv, meat_hc) * n / (n - k), spec.label(), ()
    meat, counts, inters = plan.meat(n, k)
    return sandwich(bread_inv, meat), spec.label(counts, inters), counts


@dataclass(frozen=True, eq=False)
class HazardResult(CoefficientsMixin):
    """A fitted discrete-time hazard model (logit, probit or cloglog); never mutated.

    ``params`` and ``cov`` are labelled by term (formulaic names: ``Intercept``,
    ``x1``, ``x1:x2``, ``C(g)[T.b]``). Inference is normal (z) with 95% intervals.
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
    _engine: Any = field(default=None, repr=False)
    _bread_inv: np.ndarray | None = field(default=None, repr=False)
    _meat_hc: np.ndarray | None = field(default=None, repr=False)
    _var_factor: float = field(default=1.0, repr=False)
    _beta_score: np.ndarray | None = field(default=None, repr=False)  # where scores are taken

    # ---- model-level figures (k, aic, std_errors, tidy from CoefficientsMixin) ----
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

    # ---- tables ---------------------------------------------------------------------
    def summary(self) -> Summary:
        """A summary object for people (``print`` it, or ``to_markdown()``/``to_latex()``)."""
        title = {"ml": "Discrete-time hazard model", "firth": "Firth penalised logit",
                 "king-zeng": "Rare-events logit (King-Zeng)"}[self.estimator]
        info = [("Formula", self.formula), ("Link", self.link),
                ("Observations", self.nobs), ("Dropped (missing values)", self.n_dropped_missing),
                ("Log-likelihood", self.loglik), ("Null log-likelihood", self.loglik_null),
                ("AIC", self.aic), ("BIC", self.bic), ("Pseudo R2 (McFadden)", self.pseudo_r2),
                ("Converged", f"{self.converged} ({self.n_iter} iterations)"),
                ("Standard errors", self.vcov_label)]
        return Summary(title, info, self.tidy(), [INFERENCE_NOTE])

    def to_dict(self) -> dict:
        """A JSON-ready dict (the shape ``policydiffusion fit --json`` writes)."""
        t = self.tidy()
        coefs = [{c: (str(r[c]) if c == "term" else _num(r[c])) for c in t.columns}
                 for _, r in t.iterrows()]
        return {
            "model": "hazard-glm", "estimator": self.estimator, "formula": self.formula,
            "link": self.link, "nobs": self.nobs, "n_dropped_missing": self.n_dropped_missing,
            "loglik": _num(self.loglik), "loglik_null": _num(self.loglik_null),
            "aic": _num(self.aic), "bic": _num(self.bic), "pseudo_r2": _num(self.pseudo_r2),
            "converged": bool(self.converged), "n_iter": int(self.n_iter),
            "vcov": {"type": self.vcov_spec.kind, "label": self.vcov_label,
                     "cluster": list(self.vcov_spec.columns),
                     "n_clusters": [int(g) for g in self.n_clusters]},
            "inference": INFERENCE_NOTE, "coefficients": coefs,
            "provenance": self.provenance,
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
        cov, label, counts = vcov_from_sums(spec, self._bread_inv, meat_hc, plan, n, k)
        cov = cov * self._var_factor
        if self._var_factor != 1.0:
            label += ", King-Zeng variance factor (n/(n+k))^2"
        names = list(self.params.index)
        prov = {**self.provenance, "vcov": spec.to_json()}
        return dataclasses.replace(self, cov=pd.DataFrame(cov, index=names, columns=names),
                                   vcov_spec=spec, vcov_label=label, n_clusters=counts,
                                   provenance=prov)

    def linear_predictor(self, data: Any) -> np.ndarray:
        """Linear predictor for every row of ``data`` (NaN where a variable is missing)."""
        design = self.design
        source = as_source(data)
        beta = self.params.to_numpy()
        out = []
        for chunk in source.chunks(list(design.variables), chunk_rows=1_000_000):
            prep = design.prepare(chunk, need_y=False, keep_rows=True)
            eta = np.full(prep.n_raw, np.nan)
            X = design.block(prep, 0, prep.n)
            eta[prep.keep] = X @ beta
            out.append(eta)
        return np.concatenate(out) if out else np.zeros(0)

    def predict(self, data: Any) -> np.ndarray:
        """Predicted hazards Pr(y = 1 | x) for every row of ``data`` (NaN if incomplete)."""
        return cdf(self.link, self.linear_predictor(data))


def _num(v: Any) -> Any:
    v = float(v)
    return v if np.isfinite(v) else None
