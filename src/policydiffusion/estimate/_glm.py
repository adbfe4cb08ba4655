"""The chunked hazard-GLM engine: every pass is a sum over chunks and row blocks.

One pass at a coefficient vector returns the log-likelihood, the score, the expected
information ``X'WX`` and, when asked, the sandwich meats (HC and per-cluster score
sums). Fisher scoring (= Newton for the canonical logit link, = R's IRLS) then needs
only these sums, so the same loop fits an in-memory frame or streams Parquet files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import scipy.linalg as sla

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate._data import DataSource, _sorted, distinct_values
from policydiffusion.estimate._design import (Design, Prepared, build_design,
                                              categorical_variables, parse_formula,
                                              rhs_variables)
from policydiffusion.estimate._links import block_terms, null_eta
from policydiffusion.estimate._vcov import MeatPlan, VcovSpec

__all__ = ["SolverOptions", "Engine", "PassStats", "newton", "solve_info", "BOUNDARY_EPS"]

#: R's glm.fit threshold for "fitted probabilities numerically 0 or 1": 10 * .Machine$double.eps
BOUNDARY_EPS = 10 * np.finfo(float).eps


@dataclass(frozen=True)
class SolverOptions:
    """Numerical settings of the hazard-GLM solver.

    ``tol`` bounds the largest Fisher-scoring step relative to ``max(1, max|beta|)``;
    ``block_rows`` is the row block of the fused numpy passes; prepared chunks of
    out-of-core sources are kept in memory while they total at most ``cache_bytes``.
    """

    max_iter: int = 50
    tol: float = 1e-10
    block_rows: int = 16_384
    cache_bytes: int = 1 << 30


@dataclass
class PassStats:
    """Sums from one pass over the data at ``beta``."""

    beta: np.ndarray
    n: int = 0
    n_dropped: int = 0
    loglik: float = 0.0
    grad: np.ndarray | None = None
    info: np.ndarray | None = None
    meat_hc: np.ndarray | None = None
    plan: MeatPlan | None = None
    n_extreme: int = 0
    n_boundary: int = 0  # fitted probabilities within BOUNDARY_EPS of 0 or 1 (as R counts)
    wsum: float = 0.0
    ysum: float = 0.0
    xsum: np.ndarray | None = None
    xsq: np.ndarray | None = None
    absorbed: tuple | None = None  # (X'WX, X'WD, diag D'WD) of absorbed fixed effects


@dataclass
class Engine:
    """Data, design, weights and cluster codings of one fit; runs passes over chunks."""

    source: DataSource
    design: Design
    weights: str | None
    cluster_levels: dict[str, np.ndarray]
    chunk_rows: int
    solver: SolverOptions
    ybar: float
    class_weights: tuple[float, float] | None = None  # (w_0, w_1) by outcome (King-Zeng)
    _cache: list[Prepared] | None = field(default=None, repr=False)
    _cache_ok: bool = True

    @classmethod
    def setup(cls, source: DataSource, formula: str, *, weights: str | None,
              cluster_columns: Sequence[str], dyadic: bool, chunk_rows: int,
              solver: SolverOptions, constant_outcome_ok: bool = False,
              levels_pass: Callable | None = None) -> "Engine":
        """Inspect the columns, collect categorical and cluster levels, fix the design.

        An outcome without events (or without non-events) is refused unless
        ``constant_outcome_ok`` (Firth's penalised likelihood stays finite there).
        ``levels_pass``: what collects the levels (default one pass here; the Dask
        engine's runs as tasks)."""
        response, rhs = parse_formula(formula)
        variables = rhs_variables(rhs)
        needed = [response, *variables]
        if weights is not None:
            needed.append(weights)
        needed += list(cluster_columns)
        needed = list(dict.fromkeys(needed))
        sample = next(iter(source.chunks(needed, chunk_rows=min(chunk_rows, 5000))), None)
        if sample is None:
            raise InvalidOptionError("the data have no rows: there is nothing to fit.")
        cats = categorical_variables(rhs, sample, variables)
        scan = list(dict.fromkeys([*cats, *cluster_columns]))
        levels, ysum, ycount = (levels_pass or _levels_and_ybar)(source, response, scan,
                                                                 chunk_rows)
        if ycount == 0:
            raise InvalidOptionError(f"the outcome {response!r} has no non-missing values.")
        if (ysum == 0 or ysum == ycount) and not constant_outcome_ok:
            raise InvalidOptionError(
                f"the outcome {response!r} is {int(ysum != 0)} in all {ycount} rows: a hazard "
                "model needs both events and non-events (check the policies, the window and the "
                "risk set).")
        design = build_design(formula, sample, levels={c: levels[c] for c in cats})
        clev = {c: levels[c] for c in cluster_columns}
        if dyadic:
            clev = _dyadic_levels(clev, cluster_columns)
        return cls(source, design, weights, clev, chunk_rows, solver, ysum / ycount)

    def with_clusters(self, cluster_columns: Sequence[str], dyadic: bool) -> "Engine":
        """The same engine with other cluster columns (a new levels pass over them)."""
        levels = distinct_values(self.source, list(cluster_columns), chunk_rows=self.chunk_rows)
        if dyadic:
            levels = _dyadic_levels(levels, cluster_columns)
        return Engine(self.source, self.design, self.weights, levels, self.chunk_rows,
                      self.solver, self.ybar, self.class_weights)

    @property
    def pass_design(self) -> Design:
        """The design a pass builds per chunk (the covariates' when effects are absorbed)."""
        return self.design

    @property
    def code_levels(self) -> dict[str, np.ndarray]:
        """Columns coded as integers per chunk, with their levels."""
        return self.cluster_levels

    @property
    def sample_columns(self) -> list[str]:
        """The columns that decide the estimation sample (its rows are the complete cases of
        all of them): response, variables, weights, then the integer-coded columns."""
        design = self.pass_design
        return list(dict.fromkeys([design.response, *design.variables,
                                   *([self.weights] if self.weights else []),
                                   *self.code_levels]))

    def meat_plan(self, meat: VcovSpec, k: int) -> MeatPlan:
        """Where a pass puts the score rows of a clustered variance."""
        return MeatPlan(meat, tuple(len(self.cluster_levels[c]) for c in meat.columns), k)

    def start_values(self, link: str) -> np.ndarray | None:
        """Starting coefficients for Fisher scoring (None: the intercept at the mean)."""
        return None

    def inverse(self, stats: PassStats) -> np.ndarray:
        """Inverse of a pass's information matrix (see :func:`solve_info`)."""
        return solve_info(stats.info, self.design.term_names)

    def release(self) -> None:
        """Drop cached chunks; later passes re-read the source."""
        self._cache, self._cache_ok = None, True

    def check_rows(self, st: PassStats) -> None:
        """Refuse a pass that had no complete row (every row dropped as missing)."""
        if st.n == 0:
            raise InvalidOptionError(
                f"no complete rows to fit {self.design.formula!r}: all "
                f"{st.n_dropped} rows have a missing value in a model variable.")

    def prepared(self) -> Iterator[Prepared]:
        """Complete-case chunks, from the cache when it holds them all."""
        if self._cache is not None:
            yield from self._cache
            return
        design, codes = self.pass_design, self.code_levels
        cache: list[Prepared] = []
        total = 0
        keep = self._cache_ok
        for chunk in self.source.chunks(self.sample_columns, chunk_rows=self.chunk_rows,
                                        encode={**design.levels, **codes}):
            prep = design.prepare(chunk, weights=self.weights, clusters=codes)
            if self.class_weights is not None:
                cw = np.where(prep.y == 1, self.class_weights[1], self.class_weights[0])
                prep.w = cw if prep.w is None else prep.w * cw
            if keep:
                total += prep.nbytes()
                if self.source.in_memory or total <= self.solver.cache_bytes:
                    cache.append(prep)
                else:
                    keep, cache = False, []
            yield prep
        if keep:
            self._cache = cache
        else:
            self._cache_ok = False

    def run_pass(self, beta: np.ndarray, link: str, *, meat: VcovSpec | None = None,
                 first: bool = False) -> PassStats:
        """One pass: log-likelihood, score, information and (optionally) meats at ``beta``."""
        k = self.design.k
        st = PassStats(beta=beta, grad=np.zeros(k), info=np.zeros((k, k)))
        plan = None
        if meat is not None:
            st.meat_hc = np.zeros((k, k))
            if meat.is_clustered:
                plan = self.meat_plan(meat, k)
        if first:
            st.xsum, st.xsq = np.zeros(k), np.zeros(k)
        B = self.solver.block_rows
        for prep in self.prepared():
            st.n_dropped += prep.n_dropped
            m = prep.n
            st.n += m
            for a in range(0, m, B):
                b = min(a + B, m)
                X = self.design.block(prep, a, b)
                u, W = add_block(st, link, X @ beta, prep.y[a:b],
                                 None if prep.w is None else prep.w[a:b])
                st.grad += X.T @ u
                st.info += X.T @ (X * W[:, None])
                if first:
                    st.xsum += X.sum(axis=0)
                    st.xsq += np.einsum("ij,ij->j", X, X)
                if meat is not None:
                    S = X * u[:, None]
                    st.meat_hc += S.T @ S
                    if plan is not None:
                        plan.add([prep.codes[c][a:b] for c in meat.columns], S)
        st.info = (st.info + st.info.T) / 2
        st.plan = plan
        self.check_rows(st)
        return st


def _n_boundary(link: str, eta: np.ndarray, mu: np.ndarray) -> int:
    """Rows R's glm.fit counts as fitted probabilities numerically 0 or 1.

    R's logit inverse link caps ``|eta|`` at 30 (beyond it mu is within one machine
    epsilon of 0 or 1), so there the count is ``|eta| > 30``; the other links' mu are
    compared with ``10 * .Machine$double.eps`` directly, as R does.
    """
    if link == "logit":
        return int(np.count_nonzero(np.abs(eta) > 30))
    return int(np.count_nonzero((mu < BOUNDARY_EPS) | (mu > 1 - BOUNDARY_EPS)))


def add_block(st: PassStats, link: str, eta: np.ndarray, y: np.ndarray,
              w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Add one block's log-likelihood, weight and event sums and extreme hazards to
    ``st``; return its (weighted) score terms ``u`` and working weights ``W``."""
    ll, u, W, mu = block_terms(link, eta, y)
    if w is not None:
        ll, u, W = ll * w, u * w, W * w
        st.wsum += float(w.sum())
        st.ysum += float(w @ y)
    else:
        st.wsum += len(y)
        st.ysum += float(y.sum())
    st.loglik += float(ll.sum())
    st.n_extreme += int(np.count_nonzero((mu < 1e-10) | (mu > 1 - 1e-10)))
    st.n_boundary += _n_boundary(link, eta, mu)
    return u, W


def _levels_and_ybar(source: DataSource, response: str, scan: Sequence[str],
                     chunk_rows: int) -> tuple[dict[str, np.ndarray], float, int]:
    """One cheap pass: sorted distinct values of ``scan`` columns and the outcome's sum."""
    found: dict[str, set] = {c: set() for c in scan}
    ysum, ycount = 0.0, 0
    for chunk in source.chunks([response, *scan], chunk_rows=chunk_rows):
        yv = chunk[response].to_numpy(dtype=np.float64, na_value=np.nan)
        ok = ~np.isnan(yv)
        ysum += float(yv[ok].sum())
        ycount += int(ok.sum())
        for c in scan:
            found[c].update(pd.unique(chunk[c].dropna()).tolist())
    return {c: _sorted(v) for c, v in found.items()}, ysum, ycount


def _sort_key(v):
    return (str(type(v)), v)


def _dyadic_levels(levels: dict[str, np.ndarray], cluster_columns: Sequence[str]
                   ) -> dict[str, np.ndarray]:
    """Both unit columns coded on the union of their levels (one unit, one code)."""
    union = np.array(sorted(set(levels[cluster_columns[0]]) | set(
        levels[cluster_columns[1]]), key=_sort_key), dtype=object)
    return {c: union for c in cluster_columns}


def solve_info(info: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Inverse of the information matrix; a clear error naming collinear terms."""
    try:
        c = sla.cho_factor(info)
        inv = sla.cho_solve(c, np.eye(info.shape[0]))
        if np.isfinite(inv).all():
            return (inv + inv.T) / 2
    except (np.linalg.LinAlgError, ValueError):
        pass
    d = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    scaled = info / np.outer(d, d)
    _, r, piv = sla.qr(scaled, pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int((diag > 1e-9 * diag[0]).sum())
    bad = [names[i] for i in piv[rank:]] or list(names)
    raise InvalidOptionError(
        f"the model matrix is rank deficient: {bad} are perfectly collinear with other terms "
        "(or constant in the estimation sample). Remove them from the formula.")


@dataclass
class NewtonOutcome:
    beta: np.ndarray
    stats: PassStats          # the pass whose sums give the variance (at stats.beta)
    first: PassStats
    converged: bool
    n_iter: int
    separation_suspected: bool


def newton(engine: Engine, link: str, *, meat: VcovSpec, start: np.ndarray | None = None,
           max_iter: int | None = None, tol: float | None = None) -> NewtonOutcome:
    """Fisher scoring with step halving; the last pass also accumulates the meats."""
    design = engine.design
    k = design.k
    max_iter = max_iter or engine.solver.max_iter
    tol = tol or engine.solver.tol
    if start is None:
        beta = np.zeros(k)
        if "Intercept" in design.term_names:
            beta[design.term_names.index("Intercept")] = null_eta(link, engine.ybar)
    else:
        beta = np.asarray(start, dtype=float).copy()
    first = engine.run_pass(beta, link, first=True)  # also the columns' sums (separation)
    stats, prev_step = first, np.inf
    growth = 0
    for it in range(1, max_iter + 1):
        if not np.isfinite(stats.loglik):
            raise InvalidOptionError("the log-likelihood is not finite at the start values.")
        inv = engine.inverse(stats)
        step = inv @ stats.grad
        size = float(np.max(np.abs(step)))
        if size <= tol * max(1.0, float(np.max(np.abs(beta)))):
            if stats.meat_hc is None:  # one more pass at the same beta for the meats
                stats = engine.run_pass(beta, link, meat=meat)
            return NewtonOutcome(beta + step, stats, first, True, it, False)
        cand = beta + step
        want_meat = prev_step < 1e-4 * max(1.0, float(np.max(np.abs(beta))))
        new = engine.run_pass(cand, link, meat=meat if want_meat else None)
        halvings = 0
        while (not np.isfinite(new.loglik) or new.loglik < stats.loglik - 1e-10 * abs(
                stats.loglik)) and halvings < 30:
            step = step / 2
            cand = beta + step
            new = engine.run_pass(cand, link, meat=meat if want_meat else None)
            halvings += 1
        # Separation: estimates keep growing by sizeable steps while hazards sit at 0/1.
        # A converging sequence may also grow, but its steps shrink quadratically, so
        # only steps that are still large count (a cubic duration term legitimately
        # puts some hazards below 1e-10 in long spells).
        big_step = size > 1e-3 * max(1.0, float(np.max(np.abs(beta))))
        growth = growth + 1 if (new.n_extreme > 0 and big_step and float(np.max(np.abs(cand))) >
                                float(np.max(np.abs(beta)))) else 0
        beta, stats, prev_step = cand, new, size
        # as R glm (maxit = 25): a large finite optimum can take 15-20 Newton steps
        if growth >= 5 and it >= 25:
            if stats.meat_hc is None:
                stats = engine.run_pass(beta, link, meat=meat)
            return NewtonOutcome(beta, stats, first, False, it, True)
    if stats.meat_hc is None:
        stats = engine.run_pass(beta, link, meat=meat)
    return NewtonOutcome(beta, stats, first, False, max_iter, stats.n_extreme > 0)
