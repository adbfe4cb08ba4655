"""Absorbed one-way fixed effects for the chunked hazard-GLM engine.

Each row belongs to exactly one level of a fixed effect (its policy, say), so the
fixed-effect block of the information matrix is diagonal. A pass therefore
accumulates only ``X'WX`` for the covariates, the covariate-by-level sums ``X'WD``
and the diagonal ``D'WD``; the inverse comes from the Schur complement
``S = X'WX - X'WD (D'WD)^-1 D'WX``. A pass costs ``O(n p^2)`` whatever the number of
levels, where dummy columns cost ``O(n (p + G)^2)``.

The engine speaks the dummy-variable parameterisation to everything outside it
(``Intercept`` is the first level's effect, ``C(policy)[T.b]`` the difference from
it), so estimates, every variance estimator, tables, predictions and the interpret
module see exactly the terms of a dummy fit. Internally a pass works in
``theta = (covariates, one effect per level)``; ``theta = P beta``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate._design import (Design, build_design, categorical_variables,
                                              parse_formula, rhs_variables)
from policydiffusion.estimate._glm import Engine, PassStats, add_block, solve_info
from policydiffusion.estimate._links import null_eta
from policydiffusion.estimate._vcov import MeatPlan, VcovSpec

__all__ = ["AbsorbedEngine", "absorb_fixed_effects", "formula_fixed_effects", "FEScores"]


class FEScores:
    """Score rows ``[Sx | u * onehot(g)]`` with the one-hot block kept implicit.

    :class:`~policydiffusion.estimate._vcov.GroupSums` adds these without forming the
    ``G`` one-hot columns (``add_to``); boolean indexing keeps the structure.
    """

    def __init__(self, Sx: np.ndarray, g: np.ndarray, u: np.ndarray, n_levels: int) -> None:
        self.Sx, self.g, self.u, self.n_levels = Sx, g, u, n_levels

    @property
    def shape(self) -> tuple[int, int]:
        return (self.Sx.shape[0], self.Sx.shape[1] + self.n_levels)

    def __getitem__(self, rows) -> "FEScores":
        return FEScores(self.Sx[rows], self.g[rows], self.u[rows], self.n_levels)

    def add_to(self, sums: np.ndarray, codes: np.ndarray) -> None:
        """Add the rows' scores to the per-group sums ``sums[codes]`` (dense groups)."""
        ng, p = sums.shape[0], self.Sx.shape[1]
        for j in range(p):
            sums[:, j] += np.bincount(codes, weights=self.Sx[:, j], minlength=ng)
        np.add.at(sums, (codes, p + self.g.astype(np.int64)), self.u)

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape)
        out[:, : self.Sx.shape[1]] = self.Sx
        out[np.arange(self.Sx.shape[0]), self.Sx.shape[1] + self.g.astype(np.int64)] = self.u
        return out


class _BetaPlan:
    """A meat plan accumulated in ``theta`` that reports its meat for ``beta``."""

    def __init__(self, plan: MeatPlan, P: sp.csr_matrix) -> None:
        self.plan, self.P = plan, P

    def meat(self, n: int, k: int):
        m, counts, inters = self.plan.meat(n, k)
        return _congruence(self.P, m), counts, inters

    def components(self) -> dict[str, np.ndarray]:
        return {c: _congruence(self.P, m) for c, m in self.plan.components().items()}


def _congruence(P: sp.csr_matrix, M: np.ndarray) -> np.ndarray:
    """``P' M P`` for a sparse ``P`` and dense ``M``."""
    left = np.asarray((P.T @ M))
    return np.asarray((P.T @ left.T).T)


@dataclass
class AbsorbedEngine(Engine):
    """An :class:`Engine` whose passes absorb one fixed effect instead of dummy columns.

    ``design`` is the dummy-variable design (for predictions and names);
    ``inner`` the covariates' design, whose intercept column the fixed effect
    replaces.
    """

    inner: Design | None = None
    fe: str = ""
    fe_levels: np.ndarray | None = None
    jx: np.ndarray | None = field(default=None, repr=False)     # inner columns kept
    P: sp.csr_matrix | None = field(default=None, repr=False)   # theta = P beta
    Q: sp.csr_matrix | None = field(default=None, repr=False)   # beta = Q theta

    @property
    def pass_design(self) -> Design:
        return self.inner

    @property
    def code_levels(self) -> dict[str, np.ndarray]:
        return {self.fe: self.fe_levels, **self.cluster_levels}

    def _fe_codes(self, prep) -> np.ndarray:
        """Level codes of the fixed effect (re-coded when it is also a cluster column,
        whose levels may differ: dyadic clusters code the union of two columns)."""
        codes = prep.codes[self.fe]
        lev = self.cluster_levels.get(self.fe)
        if lev is None or lev is self.fe_levels:
            return codes
        pos = {v: i for i, v in enumerate(self.fe_levels.tolist())}
        lut = np.array([pos.get(v, -1) for v in lev.tolist()], dtype=np.int64)
        out = lut[codes]
        if (out < 0).any():
            raise InvalidOptionError(
                f"the data hold levels of {self.fe!r} that the fitted model does not have.")
        return out

    def _covariates(self, prep, a: int, b: int) -> np.ndarray:
        """Rows ``a:b`` of the covariates (the inner design without its intercept)."""
        if self.inner.fast is not None:  # build only the kept columns
            return replace(self.inner, fast=tuple(self.inner.fast[j] for j in self.jx),  # type: ignore[type-var]
                           term_names=tuple(self.inner.term_names[j] for j in self.jx)
                           ).block(prep, a, b)
        return self.inner.block(prep, a, b)[:, self.jx]

    @property
    def n_levels(self) -> int:
        return len(self.fe_levels)

    def run_pass(self, beta: np.ndarray, link: str, *, meat: VcovSpec | None = None,
                 first: bool = False) -> PassStats:
        """One pass at ``beta`` (dummy parameterisation); sums returned for ``beta``."""
        theta = self.P @ np.asarray(beta, dtype=float)
        p, G = len(self.jx), self.n_levels
        gam, alpha = theta[:p], theta[p:]
        A, XWD, DWD = np.zeros((p, p)), np.zeros((p, G)), np.zeros(G)
        gx, ga = np.zeros(p), np.zeros(G)
        st = PassStats(beta=beta)
        plan = mxx = mxa = maa = None
        if meat is not None:
            mxx, mxa, maa = np.zeros((p, p)), np.zeros((p, G)), np.zeros(G)
            if meat.is_clustered:
                plan = MeatPlan(meat, tuple(len(self.cluster_levels[c]) for c in meat.columns),
                                p + G)
        if first:
            xs, xq, cnt = np.zeros(p), np.zeros(p), np.zeros(G)
        # few columns: larger blocks than the dense engine's keep numpy's overhead small
        B = max(self.solver.block_rows, 1 << 17)
        for prep in self.prepared():
            st.n_dropped += prep.n_dropped
            m = prep.n
            st.n += m
            gcodes = self._fe_codes(prep)
            for a in range(0, m, B):
                b = min(a + B, m)
                X = self._covariates(prep, a, b)
                g = gcodes[a:b].astype(np.intp)
                u, W = add_block(st, link, X @ gam + alpha[g], prep.y[a:b],
                                 None if prep.w is None else prep.w[a:b])
                XW = X * W[:, None]
                A += X.T @ XW
                for j in range(p):
                    XWD[j] += np.bincount(g, weights=XW[:, j], minlength=G)
                DWD += np.bincount(g, weights=W, minlength=G)
                gx += X.T @ u
                ga += np.bincount(g, weights=u, minlength=G)
                if first:
                    xs += X.sum(axis=0)
                    xq += np.einsum("ij,ij->j", X, X)
                    cnt += np.bincount(g, minlength=G)
                if meat is not None:
                    S = X * u[:, None]
                    mxx += S.T @ S
                    for j in range(p):
                        mxa[j] += np.bincount(g, weights=S[:, j] * u, minlength=G)
                    maa += np.bincount(g, weights=u * u, minlength=G)
                    if plan is not None:
                        plan.add([prep.codes[c][a:b] for c in meat.columns],
                                 FEScores(S, g, u, G))
        self.check_rows(st)
        A = (A + A.T) / 2
        st.absorbed = (A, XWD, DWD)  # inverse() solves through these; no dense k x k info
        st.grad = self.P.T @ np.concatenate([gx, ga])
        if meat is not None:
            st.meat_hc = _congruence(self.P, _blocks((mxx + mxx.T) / 2, mxa, maa))
            st.plan = _BetaPlan(plan, self.P) if plan is not None else None
        if first:
            st.xsum = self.P.T @ np.concatenate([xs, cnt])
            st.xsq = self.P.T @ np.concatenate([xq, cnt])
        return st

    def start_values(self, link: str) -> np.ndarray:
        """Each level's effect at its (smoothed) event share, covariates at zero.

        Starting every level at the pooled share lets Newton's first steps overshoot
        by orders of magnitude on levels with few events (and then halve its way
        back, one pass per halving).
        """
        G = self.n_levels
        ys, ws = np.zeros(G), np.zeros(G)
        for prep in self.prepared():
            g = self._fe_codes(prep)
            w = np.ones(prep.n) if prep.w is None else prep.w
            ys += np.bincount(g, weights=w * prep.y, minlength=G)
            ws += np.bincount(g, weights=w, minlength=G)
        share = (ys + 0.5) / (ws + 1.0)
        theta = np.zeros(len(self.jx) + G)
        theta[len(self.jx):] = [null_eta(link, float(s)) for s in share]
        return self.Q @ theta

    def inverse(self, stats: PassStats) -> np.ndarray:
        """Inverse information for ``beta`` through the Schur complement of the levels."""
        A, XWD, DWD = stats.absorbed
        if not (DWD > 0).all():
            empty = [str(v) for v in self.fe_levels[DWD <= 0][:5]]
            raise InvalidOptionError(
                f"fixed effect {self.fe!r}: level(s) {empty} have no rows with positive "
                "weight in the estimation sample.")
        M = XWD / DWD                                       # p x G
        names = [self.inner.term_names[j] for j in self.jx]
        S = A - M @ XWD.T
        within = np.diag(S) <= 1e-9 * np.diag(A)   # nothing left once levels are removed
        if within.any():
            raise InvalidOptionError(
                f"{[n for n, b in zip(names, within) if b]} do not vary within levels of the "
                f"fixed effect {self.fe!r} (perfectly collinear with it): remove them from "
                "the formula or the fixed effect.")
        Sinv = solve_info(S, names) if len(names) else np.zeros((0, 0))
        SM = Sinv @ M
        V = np.empty((len(names) + len(DWD),) * 2)
        p = len(names)
        V[:p, :p] = Sinv
        V[:p, p:] = -SM
        V[p:, :p] = -SM.T
        V[p:, p:] = M.T @ SM
        V[p:, p:][np.diag_indices(len(DWD))] += 1.0 / DWD
        out = _congruence(self.Q.T.tocsr(), V)
        return (out + out.T) / 2

    def with_clusters(self, cluster_columns: Sequence[str], dyadic: bool) -> "AbsorbedEngine":
        base = Engine.with_clusters(self, cluster_columns, dyadic)
        return replace(self, cluster_levels=base.cluster_levels, _cache=None, _cache_ok=True)

    def dense_design(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The dummy-variable design, response and weights (small data: separation LP)."""
        Xs, ys, ws = [], [], []
        for prep in self.prepared():
            X = self._covariates(prep, 0, prep.n)
            onehot = np.zeros((prep.n, self.n_levels))
            onehot[np.arange(prep.n), self._fe_codes(prep)] = 1.0
            Xs.append(np.asarray(sp.csr_matrix(np.hstack([X, onehot])) @ self.P.toarray()))
            ys.append(prep.y)
            ws.append(prep.w)
        w = None if ws[0] is None else np.concatenate(ws)
        return np.vstack(Xs), np.concatenate(ys), w


def _blocks(A: np.ndarray, C: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The symmetric matrix ``[[A, C], [C', diag(d)]]``."""
    p = A.shape[0]
    out = np.zeros((p + len(d),) * 2)
    out[:p, :p] = A
    out[:p, p:] = C
    out[p:, :p] = C.T
    out[p:, p:][np.diag_indices(len(d))] = d
    return out


_C_TERM = re.compile(r"^C\(\s*([A-Za-z_][\w.]*)\s*\)$")


def formula_fixed_effects(formula: str) -> tuple[str, list[str]]:
    """The formula without its plain ``C(col)`` main effects, and those columns.

    Examples
    --------
    >>> formula_fixed_effects("adopt ~ x + C(region) + np.log(z + 1) + C(policy)")
    ('adopt ~ x + np.log(z + 1)', ['region', 'policy'])
    """
    response, rhs = parse_formula(formula)
    terms, depth, cur = [], 0, ""
    for ch in rhs:  # split at the top-level '+' only
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "+" and depth == 0:
            terms.append(cur.strip())
            cur = ""
        else:
            cur += ch
    terms.append(cur.strip())
    fe = [m.group(1) for t in terms if (m := _C_TERM.match(t))]
    rest = [t for t in terms if not _C_TERM.match(t)]
    return f"{response} ~ {' + '.join(rest) or '1'}", fe


def absorb_fixed_effects(engine: Engine, formula: str, fixed_effects: Sequence[str]
                         ) -> AbsorbedEngine | None:
    """An engine absorbing the fixed effect with the most levels; None when the model
    does not have the form ``y ~ covariates + fixed effects`` with an intercept (then
    the dummy-variable engine fits it).

    Any other fixed effects stay dummy columns of the covariate design (period
    effects have few levels); the absorbed one is exact for any number of levels.

    ``formula`` is the user's formula without the fixed effects.
    """
    design = engine.design
    fe = max(fixed_effects, key=lambda c: len(design.levels.get(c, ())))
    levels = design.levels.get(fe)
    if levels is None or len(levels) < 2:
        return None
    others = [c for c in fixed_effects if c != fe]
    inner_formula = formula + "".join(f" + C({c})" for c in others)
    response, rhs = parse_formula(inner_formula)
    variables = rhs_variables(rhs)
    needed = list(dict.fromkeys([response, *variables, fe]))
    sample = next(iter(engine.source.chunks(needed, chunk_rows=5000)))
    cats = categorical_variables(rhs, sample, variables)
    if fe in variables:  # the fixed effect also enters the covariates (interactions)
        return None
    inner = build_design(inner_formula, sample, levels={c: design.levels[c] for c in cats})
    names = list(design.term_names)
    fe_names = [f"C({fe})[T.{lev}]" for lev in levels[1:]]
    cov = [t for t in inner.term_names if t != "Intercept"]
    if "Intercept" not in inner.term_names or sorted(names) != sorted(
            ["Intercept", *cov, *fe_names]):
        return None
    p, G, k = len(cov), len(levels), len(names)
    jx = np.array([inner.term_names.index(t) for t in cov], dtype=np.intp)
    # theta = P beta: covariates as they are; alpha_1 = Intercept, alpha_g = Intercept + b_g
    rows, cols, vals = [], [], []
    for i, t in enumerate(cov):
        rows.append(i), cols.append(names.index(t)), vals.append(1.0)
    icpt = names.index("Intercept")
    for g in range(G):
        rows.append(p + g), cols.append(icpt), vals.append(1.0)
        if g:
            rows.append(p + g), cols.append(names.index(fe_names[g - 1])), vals.append(1.0)
    P = sp.csr_matrix((vals, (rows, cols)), shape=(k, k))
    # beta = Q theta: Intercept = alpha_1, b_g = alpha_g - alpha_1
    rows, cols, vals = [], [], []
    for i, t in enumerate(cov):
        rows.append(names.index(t)), cols.append(i), vals.append(1.0)
    rows.append(icpt), cols.append(p), vals.append(1.0)
    for g in range(1, G):
        r = names.index(fe_names[g - 1])
        rows += [r, r]
        cols += [p + g, p]
        vals += [1.0, -1.0]
    Q = sp.csr_matrix((vals, (rows, cols)), shape=(k, k))
    fields: dict[str, Any] = {f: getattr(engine, f) for f in (
        "source", "design", "weights", "cluster_levels", "chunk_rows", "solver", "ybar",
        "class_weights")}
    return AbsorbedEngine(**fields, inner=inner, fe=fe, fe_levels=levels, jx=jx, P=P, Q=Q)
