"""Cox proportional hazards with (start, stop] data, strata, Efron/Breslow ties and
Lin-Wei robust (cluster) variances; numpy only, checked against R survival::coxph.

Risk set at event time t: rows with start < t <= stop (counting-process form), so a
unit's consecutive rows (t-1, t] never overlap. Risk-set sums come from suffix sums
over rows sorted by stop minus those sorted by start; the information matrix is
``sum_i r_i a_i x_i x_i' - sum_{k,l} m_kl m_kl'`` with per-row weights ``a_i`` (no
N x p x p arrays). Score residuals follow survival's agscore (Efron: the d tied
deaths share the risk-set decrements l/d), and the robust variance is
``I^-1 (sum_g U_g U_g') I^-1`` with no small-sample factor, as coxph(cluster=).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion import __version__
from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.estimate._data import as_source, distinct_values
from policydiffusion.estimate._design import build_design, categorical_variables, rhs_variables
from policydiffusion.estimate._glm import solve_info
from policydiffusion.estimate._summary import (INFERENCE_NOTE, CoefficientsMixin, Summary,
                                               tidy_frame, with_labels)
from policydiffusion.estimate._vcov import (GroupSums, NotIdentified, VcovSpec, design_nested_terms,
                                             sandwich)

__all__ = ["fit_cox", "CoxResult"]

_SURV = re.compile(r"^\s*Surv\(\s*([\w.]+)\s*(?:,\s*([\w.]+)\s*)?,\s*([\w.]+)\s*\)\s*$")


def _parse(formula: str) -> tuple[str | None, str, str, str]:
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise InvalidOptionError(
            f"formula must look like 'Surv(start, stop, event) ~ x1 + x2'; got {formula!r}.")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    m = _SURV.match(lhs)
    if not m:
        raise InvalidOptionError(
            f"the left of '~' must be Surv(start, stop, event) or Surv(time, event); "
            f"got {lhs!r}.")
    a, b, event = m.groups()
    start, stop = (a, b) if b else (None, a)
    return start, stop, event, rhs


def _stratum_sums(start, stop, event, X, beta, ties, need_resid):
    """loglik, score, information (and score residuals) for one stratum."""
    n, p = X.shape
    eta = X @ beta
    r = np.exp(eta)
    ev = event > 0
    if not ev.any():
        return 0.0, np.zeros(p), np.zeros((p, p)), (np.zeros((n, p)) if need_resid else None)
    tk, k_ev = np.unique(stop[ev], return_inverse=True)
    K = tk.size
    d = np.bincount(k_ev, minlength=K).astype(float)
    rx = X * r[:, None]
    E0 = np.bincount(k_ev, weights=r[ev], minlength=K)
    E1 = np.column_stack([np.bincount(k_ev, weights=rx[ev, j], minlength=K) for j in range(p)])

    def suffix_at(keys, times):
        o = np.argsort(keys, kind="stable")
        s0 = np.r_[np.cumsum(r[o][::-1])[::-1], 0.0]
        s1 = np.vstack([np.cumsum(rx[o][::-1], axis=0)[::-1], np.zeros((1, p))])
        i = np.searchsorted(keys[o], times, side="left")
        return s0[i], s1[i]

    a0, a1 = suffix_at(stop, tk)          # stop >= t
    b0, b1 = suffix_at(start, tk)         # start >= t  (not at risk)
    S0, S1 = a0 - b0, a1 - b1
    kk = np.repeat(np.arange(K), d.astype(int))                    # one slot per death
    ll_ = np.arange(kk.size) - np.repeat(np.cumsum(d) - d, d.astype(int))
    frac = ll_ / d[kk] if ties == "efron" else np.zeros(kk.size)
    D = S0[kk] - frac * E0[kk]
    M = S1[kk] - frac[:, None] * E1[kk]
    MD = M / D[:, None]
    loglik = float(eta[ev].sum() - np.log(D).sum())
    score = X[ev].sum(axis=0) - MD.sum(axis=0)
    # per-row weights a_i = sum over at-risk slots of c_ikl / D_kl
    A = np.r_[0.0, np.cumsum(np.bincount(kk, weights=1 / D, minlength=K))]
    ia_stop = np.searchsorted(tk, stop, side="right")
    ia_start = np.searchsorted(tk, start, side="right")
    own = np.zeros(n)
    own[ev] = np.bincount(kk, weights=frac / D, minlength=K)[k_ev]
    a = A[ia_stop] - A[ia_start] - own
    info = X.T @ (X * (r * a)[:, None]) - MD.T @ MD
    resid = None
    if need_resid:
        MD2 = MD / D[:, None]
        Bk = np.column_stack([np.bincount(kk, weights=MD2[:, j], minlength=K) for j in range(p)])
        B = np.vstack([np.zeros((1, p)), np.cumsum(Bk, axis=0)])
        Bown = np.column_stack([np.bincount(kk, weights=frac * MD2[:, j], minlength=K)
                                for j in range(p)])
        b = B[ia_stop] - B[ia_start]
        b[ev] -= Bown[k_ev]
        xbar = np.column_stack([np.bincount(kk, weights=MD[:, j], minlength=K)
                                for j in range(p)]) / d[:, None]
        resid = -(r[:, None] * (X * a[:, None] - b))
        resid[ev] += X[ev] - xbar[k_ev]
    return loglik, score, (info + info.T) / 2, resid


@dataclass(frozen=True, eq=False)
class CoxResult(CoefficientsMixin):
    """A fitted Cox model; never mutated. Inference is normal (z), 95% intervals.

    ``se_not_identified`` maps each term whose cluster-robust standard error is not
    identified (nested in the clusters: dummies of the cluster variable) to the reason;
    ``tidy()`` keeps its estimate but gives no standard error, test or interval
    (``cov`` keeps coxph's number).
    """

    formula: str
    ties: str
    params: pd.Series
    cov: pd.DataFrame
    vcov_spec: VcovSpec
    vcov_label: str
    n_clusters: tuple[int, ...]
    nobs: int
    n_events: int
    n_dropped_missing: int
    loglik: float
    loglik_null: float
    converged: bool
    n_iter: int
    strata: tuple[str, ...]
    provenance: dict
    _inv: np.ndarray | None = field(default=None, repr=False)
    _resid: np.ndarray | None = field(default=None, repr=False)
    _frame: pd.DataFrame | None = field(default=None, repr=False)
    _source: Any = field(default=None, repr=False)
    _keep: np.ndarray | None = field(default=None, repr=False)
    _X: np.ndarray | None = field(default=None, repr=False)        # uncentred design
    _strata: np.ndarray | None = field(default=None, repr=False)   # stratum of each row
    se_not_identified: Mapping[str, NotIdentified] = field(default_factory=dict)

    def tidy(self, *, conf_level: float = 0.95, exponentiate: bool = False) -> pd.DataFrame:
        """term, estimate, std_error, statistic, p_value, conf_low, conf_high (log hazard
        ratios; ``exponentiate=True`` gives hazard ratios and their intervals) and label
        (the term as tables and the report print it)."""
        t = tidy_frame(self.params, self.cov, conf_level=conf_level)
        if exponentiate:
            for c in ("estimate", "conf_low", "conf_high"):
                t[c] = np.exp(t[c])
        if self.se_not_identified:
            bad = t["term"].isin(list(self.se_not_identified))
            t.loc[bad, ["std_error", "statistic", "p_value", "conf_low", "conf_high"]] = np.nan
        t = with_labels(t)
        t.attrs["se_not_identified"] = dict(self.se_not_identified)
        return t

    def summary(self) -> Summary:
        info = [("Formula", self.formula), ("Ties", self.ties),
                ("Strata", ", ".join(self.strata) or "none"), ("Observations", self.nobs),
                ("Events", self.n_events), ("Dropped (missing values)", self.n_dropped_missing),
                ("Partial log-likelihood", self.loglik), ("Null log-likelihood", self.loglik_null),
                ("AIC", self.aic), ("Converged", f"{self.converged} ({self.n_iter} iterations)"),
                ("Standard errors", self.vcov_label)]
        by_reason: dict[str, list[str]] = {}
        for t, why in self.se_not_identified.items():
            by_reason.setdefault(why, []).append(t)
        notes = [f"standard error not identified ({why}): {', '.join(ts)}"
                 for why, ts in by_reason.items()]
        return Summary("Cox proportional hazards model", info, self.tidy(),
                       [INFERENCE_NOTE, *notes])

    def __str__(self) -> str:
        return str(self.summary())

    def to_dict(self) -> dict:
        t = self.tidy().drop(columns="label")  # JSON keeps its shape: terms by name
        coefs = [{c: (None if isinstance(v, float) and not np.isfinite(v) else v)
                  for c, v in r.items()} for r in t.to_dict(orient="records")]
        for c in coefs:  # a missing standard error says why
            if c["term"] in self.se_not_identified:
                c["se_not_identified"] = self.se_not_identified[c["term"]]
        return {"model": "cox", "formula": self.formula, "ties": self.ties,
                "nobs": self.nobs, "n_events": self.n_events,
                "n_dropped_missing": self.n_dropped_missing, "loglik": self.loglik,
                "loglik_null": self.loglik_null, "aic": self.aic, "converged": self.converged,
                "vcov": self._vcov_dict(),
                "inference": INFERENCE_NOTE,
                "coefficients": coefs, "provenance": self.provenance,
                "se_not_identified": dict(self.se_not_identified),
                "se_not_identified_clusters": {t: list(why.clusters) for t, why in
                                               self.se_not_identified.items()}}

    def with_vcov(self, spec: Any) -> "CoxResult":
        """The same fit with another variance: 'classical', 'hc0' or {'cluster': col}."""
        spec = _check_spec(spec)
        frame = self._frame
        if spec.columns and spec.columns[0] not in frame.columns:
            col = spec.columns[0]
            values = self._source.collect([col])[col].to_numpy()[self._keep]
            if pd.isna(values).any():
                raise InvalidOptionError(f"cluster column {col!r} has missing values in the "
                                         "estimation rows.")
            frame = frame.assign(**{col: values})
        cov, label, counts = _cox_vcov(spec, self._inv, self._resid, frame)
        names = list(self.params.index)
        return dataclasses.replace(self, cov=pd.DataFrame(cov, index=names, columns=names),
                                   vcov_spec=spec, vcov_label=label, n_clusters=counts,
                                   provenance={**self.provenance, "vcov": spec.to_json()},
                                   se_not_identified=_nested(spec, self._X, self._strata,
                                                             frame, names))


def _check_spec(spec: Any) -> VcovSpec:
    spec = VcovSpec.parse(spec)
    if spec.kind not in ("classical", "hc0", "cluster") or len(spec.columns) > 1:
        raise InvalidOptionError(
            "Cox models take vcov 'classical', 'hc0' (robust, by row) or {'cluster': col} "
            f"(Lin-Wei, as coxph(cluster=)); got {spec.to_json()!r}.")
    return spec


def _nested(spec: VcovSpec, X: np.ndarray, strata: np.ndarray, frame: pd.DataFrame,
            names: list[str]) -> dict[str, NotIdentified]:
    """Terms nested in the clusters, read from the design (a Cox score residual is not
    ``x_i psi_i``, so the meat is not zero in their direction; see
    :func:`~policydiffusion.estimate._vcov.design_nested_terms`). Each stratum's
    baseline hazard is part of the span."""
    if spec.kind != "cluster":
        return {}
    col = spec.columns[0]
    return design_nested_terms(X, {col: pd.factorize(frame[col])[0]}, names, baseline=strata)


def _cox_vcov(spec: VcovSpec, inv, resid, frame):
    if spec.kind == "classical":
        return inv.copy(), "classical (inverse observed information)", ()
    if spec.kind == "hc0":
        return sandwich(inv, resid.T @ resid), "robust (Lin-Wei), by row", ()
    col = spec.columns[0]
    codes, uniq = pd.factorize(frame[col])
    G = len(uniq)
    sums = GroupSums(G, resid.shape[1])
    sums.add(codes, resid)
    return (sandwich(inv, sums.crossprod()),
            f"cluster-robust (Lin-Wei) by {col} (G={G}), no small-sample factor", (G,))


def fit_cox(data: Any, formula: str, *, ties: str = "efron",
            strata: Sequence[str] | str | None = None, vcov: Any = "classical",
            max_iter: int = 50, tol: float = 1e-10) -> CoxResult:
    """Fit a Cox model to counting-process (start, stop] rows.

    Parameters
    ----------
    data
        DataFrame, LazyFrame, CSV/Parquet path or Parquet glob (collected in memory).
    formula
        ``"Surv(start, stop, event) ~ x1 + x2"`` (or ``Surv(time, event)``).
    ties
        ``"efron"`` (R's default) or ``"breslow"``.
    strata
        Column(s) defining strata with separate baseline hazards.
    vcov
        ``"classical"``, ``"hc0"`` (robust by row) or ``{"cluster": col}``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"start": 0, "stop": rng.integers(1, 10, 300),
    ...                    "event": rng.integers(0, 2, 300), "x": rng.normal(size=300)})
    >>> fit_cox(df, "Surv(start, stop, event) ~ x").params.index.tolist()
    ['x']
    """
    check_choice("ties", ties, ("efron", "breslow"))
    spec = _check_spec(vcov)
    start, stop, event, rhs = _parse(formula)
    strata = [strata] if isinstance(strata, str) else list(strata or [])
    variables = rhs_variables(rhs)
    cols = [c for c in [start, stop, event, *variables, *strata, *spec.columns] if c]
    source = as_source(data)
    frame = source.collect(list(dict.fromkeys(cols)))
    cats = categorical_variables(rhs, frame, variables)
    levels = distinct_values(as_source(frame), cats, chunk_rows=len(frame) or 1)
    design = build_design(f"{event} ~ {rhs}", frame, levels=levels)
    typed = design._typed(frame)
    ok = design._complete(typed)
    for c in [start, stop, event, *strata, *spec.columns]:
        if c:
            ok &= frame[c].notna().to_numpy()
    n_dropped = int((~ok).sum())
    frame = frame[ok].reset_index(drop=True)
    X = design.matrix(typed[ok].reset_index(drop=True))
    names = list(design.term_names)
    if "Intercept" in names:
        X = np.delete(X, names.index("Intercept"), axis=1)
        names.remove("Intercept")
    if not names:
        raise InvalidOptionError("a Cox model needs at least one covariate.")
    X_raw, X = X, X - X.mean(axis=0)  # centring leaves estimates unchanged, keeps exp() tame
    t1 = frame[stop].to_numpy(dtype=float)
    t0 = frame[start].to_numpy(dtype=float) if start else np.full(len(frame), -np.inf)
    ev = frame[event].to_numpy(dtype=float)
    if not np.isin(ev, (0, 1)).all():
        raise InvalidOptionError(f"{event!r} must be 0/1 (1 = event at stop).")
    if (t0 >= t1).any():
        raise InvalidOptionError(f"{int((t0 >= t1).sum())} row(s) have {start} >= {stop}; "
                                 "intervals must be (start, stop] with start < stop.")
    groups = ([np.arange(len(frame))] if not strata else
              list(frame.groupby(strata, sort=True).indices.values()))
    stratum_of = np.zeros(len(frame), dtype=np.int64)
    for s_, idx in enumerate(groups):
        stratum_of[idx] = s_

    def total(beta, need_resid=False):
        ll, U, I = 0.0, np.zeros(len(names)), np.zeros((len(names), len(names)))
        resid = np.zeros_like(X) if need_resid else None
        for idx in groups:
            a, b, c, dres = _stratum_sums(t0[idx], t1[idx], ev[idx], X[idx], beta, ties,
                                          need_resid)
            ll, U, I = ll + a, U + b, I + c
            if need_resid:
                resid[idx] = dres
        return ll, U, I, resid

    beta = np.zeros(len(names))
    ll, U, I, _ = total(beta)
    ll0 = ll
    converged, it = False, 0
    for it in range(1, max_iter + 1):
        step = solve_info(I, names) @ U
        if np.max(np.abs(step)) <= tol * max(1.0, np.max(np.abs(beta))):
            beta = beta + step
            converged = True
            break
        for _ in range(30):
            new = total(beta + step)
            if np.isfinite(new[0]) and new[0] >= ll - 1e-12 * abs(ll):
                break
            step = step / 2
        beta = beta + step
        ll, U, I, _ = new
    ll, U, I, resid = total(beta, need_resid=True)
    inv = solve_info(I, names)
    cov, label, counts = _cox_vcov(spec, inv, resid, frame)
    prov = {"policydiffusion": __version__, "model": "cox", "ties": ties, "formula": formula,
            "strata": strata, "vcov": spec.to_json(), "data": source.description,
            "risk_set": "start < t <= stop"}
    return CoxResult(formula, ties, pd.Series(beta, index=names, name="estimate"),
                     pd.DataFrame(cov, index=names, columns=names), spec, label, counts,
                     len(frame), int(ev.sum()), n_dropped, float(ll), float(ll0), converged,
                     it, tuple(strata), prov, inv, resid, frame, source, ok, X_raw, stratum_of,
                     _nested(spec, X_raw, stratum_of, frame, names))
