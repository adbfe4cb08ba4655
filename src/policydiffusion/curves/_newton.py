"""Maximum-likelihood curve fits for many policies and starts at once: bounded Newton.

The multistart SLSQP fit (``optimizer="multistart"``) runs 9-18 separate optimisations
per family and policy, each through scipy's Python layers. Here every (policy, start)
pair is one row of a single batch: the negative log-likelihood of all rows is
evaluated in one vectorised pass over the policies' concatenated periods, its
gradient and Hessian in closed form from the family's cdf derivatives
(:attr:`CurveModel.jet`) in one pass per iteration, and each row takes projected
Newton steps (variables on a bound with the gradient pushing
outwards are held there) with a backtracking line search. Rows leave the batch as
they converge, when they come within 1% of a better row of the same policy, or (the
logistic) when they reach the constant-hazard ridge's check point. Each policy's
three starts with the best initial likelihood run first; its other starts run only
when none of those ends at a checked optimum.

The objective is :func:`period_loglik`'s, the same as the multistart optimiser's
(:class:`NegLogLik`): computed in log space, never clipped. Its gradient and Hessian
differentiate each period's ``n log D + m log S1 - (n + m) log S0`` with ``D`` and ``S``
from the same log-space parts and ``F``'s derivatives from the jet (``D``'s derivative
is ``F'(t) - F'(t-1)``; at SPID bangag's old logistic point, an adoption at hazard
1.4e-24, the gradient agrees with a Richardson difference of ``f`` to 4e-10). Where a
part underflows (``D`` below ~1e-308) the term's derivative is not representable; it
is left out of the step and such a point is never accepted as an optimum.

Only a *checked* optimum is returned: Newton decrement below ``1e-12 (1 + |f|)``,
each free parameter's gradient times its size below ``1e-6 (1 + |f|)``, the Hessian
of the free parameters positive definite, every held parameter exactly on its bound
with the gradient pointing out of the box, every term's derivative in the gradient. A policy whose best row
fails the check is returned unchecked (``checked=False``): the caller decides whether
the likelihood has no finite optimum there or fits it by the multistart optimiser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from policydiffusion.curves._models import CurveModel
from policydiffusion.curves._objective import period_loglik
from policydiffusion.curves._optimum import RIDGE_STEP

__all__ = ["CHECKS", "NewtonFit", "check_optimum", "negll_hessian", "newton_fits"]

_TOL = 1e-12  # Newton decrement (half of it estimates f - f*) relative to 1 + |f|
_GTOL = 1e-6  # the free gradient times each parameter's size, relative to 1 + |f|
#: The parts of the convergence check, in words (what a point that fails one lacks).
CHECKS = {
    "decrement": "the Newton decrement is not small",
    "gradient": "the gradient is not zero",
    "hessian": "the Hessian of the free parameters is not positive definite",
    "bounds": "a parameter is next to a bound, not on it",
    "derivatives": "a term's derivative underflows",
    "ridge": "it lies on the ridge toward the modified exponential",
}
_MAX_ITER = 60
_MAX_HALVINGS = 40
_ALPHAS = 0.5 ** np.arange(_MAX_HALVINGS)  # the line search's step lengths
_ALPHA_GROUPS = (_ALPHAS[:1], _ALPHAS[1:4], _ALPHAS[4:8], _ALPHAS[8:16], _ALPHAS[16:])  # tried together
_REL_STEP = 1e-4  # how near its bound (relative to its size) a parameter is held there
#: Starts per data set run first (those with the best initial objective); the rest
#: run only where none of those ends at a checked optimum (on SPID one start alone
#: misses the best optimum of 2 Gompertz fits, three miss none).
_FIRST = 3
_SAME = 1e-2  # rows of one data set this close (relative, each parameter) go on as one
#: Rows that have gone down the logistic's constant-hazard ridge as far as the ridge
#: check looks (``exp(r t0)``, the distance from its limit, below ``RIDGE_STEP``; see
#: ``curves/_optimum.py``) stop there: further on ``1 - F`` loses a digit per decade
#: (a difference of numbers within ``exp(r t0)`` of each other) and below ~1e-7 the
#: likelihood's rounding noise (~1e-8 of it on SPID) is what an optimiser descends.
_RIDGE_E = float(np.log(RIDGE_STEP))


def _logistic_ridge(x: np.ndarray) -> np.ndarray:
    return x[:, 1] * x[:, 2] < _RIDGE_E + 1e-9


def _logistic_ridge_clamp(x: np.ndarray) -> np.ndarray:
    """A step does not jump past the ridge's stop (it ends on it)."""
    x[:, 2] = np.maximum(x[:, 2], _RIDGE_E / x[:, 1])
    return x


_RIDGE = {"logistic": (_logistic_ridge, _logistic_ridge_clamp)}
#: The Gompertz ridge (``b -> 0``) runs into the lower bound of ``b``: a point held
#: there is where the box stops the ridge, not an optimum (the caller checks the ridge).
_RIDGE_BOUND = {"gompertz": 1}


@dataclass(frozen=True)
class NewtonFit:
    """The best row's end point: parameters, negative log-likelihood, iterations used,
    whether it passed the convergence check (``checked``) and, if it did, the
    Hessian there (:func:`negll_hessian`'s, for the standard errors)."""

    x: np.ndarray
    fun: float
    n_iter: int
    checked: bool = True
    hessian: np.ndarray | None = field(default=None, repr=False, compare=False)


class _Stack:
    """The kept periods (somebody at risk) of several data sets, concatenated."""

    def __init__(self, data: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        ts, ns, ms, lens = [], [], [], []
        for t, at_risk, new in data:
            keep = at_risk > 0
            ts.append(np.asarray(t, float)[keep])
            ns.append(np.asarray(new, float)[keep])
            ms.append((np.asarray(at_risk, float) - np.asarray(new, float))[keep])
            lens.append(int(keep.sum()))
        self.t, self.new, self.rest = np.concatenate(ts), np.concatenate(ns), np.concatenate(ms)
        self.length = np.array(lens)
        self.offset = np.concatenate([[0], np.cumsum(self.length)[:-1]])

    def rows(self, ds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Element index into the stack, row of each element, first element of each row."""
        L = self.length[ds]
        first = np.concatenate([[0], np.cumsum(L)[:-1]])
        elem = np.arange(L.sum()) - np.repeat(first - self.offset[ds], L)
        return elem, np.repeat(np.arange(ds.size), L), first


def _negll(model: CurveModel, st: _Stack, ds: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """f for ``thetas`` of shape (P, R, k) where row r belongs to data set ``ds[r]``;
    returns (P, R). The same unclipped likelihood as :class:`NegLogLik`
    (:func:`period_loglik`)."""
    elem, row, first = st.rows(ds)
    P, R, k = thetas.shape
    if elem.size == 0:
        return np.zeros((P, R))
    cols = [thetas[:, row, j] for j in range(k)]
    terms = period_loglik(model, st.t[elem][None, :], st.new[elem], st.rest[elem], cols)
    return -np.add.reduceat(terms, first, axis=1)


def _negll_jet(model: CurveModel, st: _Stack, ds: np.ndarray,
               x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """f, gradient, Hessian at each row of ``x`` (R, k) in one pass and whether every
    term's derivatives are in them (``exact``), closed form
    from the family's :attr:`CurveModel.jet`: each period's term ``n log D + m log S1 -
    (n + m) log S0`` (``D = F(t) - F(t-1)``, ``S = 1 - F``) differentiated twice, with
    ``D`` and ``S`` from the family's log-space :attr:`CurveModel.log_parts` (``D``'s
    derivative ``F'(t) - F'(t-1)`` is a difference of the jet's values: accurate where
    the hazard is not tiny, which is where an optimum is)."""
    elem, row, first = st.rows(ds)
    R, k = x.shape
    if elem.size == 0:
        return np.zeros(R), np.zeros((R, k)), np.zeros((R, k, k)), np.ones(R, bool)
    t = st.t[elem]
    E = t.size
    row2 = np.concatenate([row, row])
    _, dF, HF = model.jet(np.concatenate([t - 1, t]), *(x[row2, j] for j in range(k)))
    d0, d1 = dF[:, :E], dF[:, E:]
    n, m = st.new[elem], st.rest[elem]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_d, log_s0, log_s1 = parts = model.log_parts(t, *(x[row, j] for j in range(k)))
        terms = period_loglik(model, t, n, m, [], parts=parts)
        f = -np.add.reduceat(terms, first)
        # D and S from their log-space forms (no cancellation); F's derivatives from
        # the jet. Where a part underflows (a hazard below ~1e-308: SPID bangag's old
        # Gompertz point, log h = -2.7e6) the term is finite but its derivative is not
        # representable: it is left out of the step, and the row is not accepted there.
        D, S0, S1 = np.exp(log_d), np.exp(log_s0), np.exp(log_s1)
        live = np.isfinite(terms) & (S0 > 0) & ((n == 0) | (D > 0)) & ((m == 0) | (S1 > 0))
        aD = np.where(live & (n > 0), n / D, 0.0)
        a1 = np.where(live & (m > 0), m / S1, 0.0)
        a0 = np.where(live, (n + m) / S0, 0.0)
        bD = aD / np.where(aD != 0, D, 1.0)
        b1 = a1 / np.where(a1 != 0, S1, 1.0)
        b0 = a0 / np.where(live, S0, 1.0)
        dD = d1 - d0
        c1, c0 = aD - a1, a0 - aD
        g = c1 * d1 + c0 * d0
        exact = ~np.add.reduceat(np.isfinite(terms) & ~live, first).astype(bool)
        i, j = _triu(k)  # the Hessian is symmetric: its upper triangle only
        Hu = (c1 * HF[i, j, E:] + c0 * HF[i, j, :E]
              - bD * dD[i] * dD[j] - b1 * d1[i] * d1[j] + b0 * d0[i] * d0[j])
    g = -np.add.reduceat(g, first, axis=1).T
    Hu = -np.add.reduceat(Hu, first, axis=1).T
    H = np.empty((R, k, k))
    H[:, i, j] = Hu
    H[:, j, i] = Hu
    return f, g, H, exact


_TRIU: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _triu(k: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(k)``, made once (it costs more than a small batch's arithmetic)."""
    if k not in _TRIU:
        _TRIU[k] = np.triu_indices(k)
    return _TRIU[k]


def negll_hessian(model: CurveModel, t: np.ndarray, at_risk: np.ndarray, new: np.ndarray,
                  x: np.ndarray) -> np.ndarray:
    """The closed-form Hessian of one data set's negative log-likelihood at ``x`` (the
    observed information, for the standard errors).

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> H = negll_hessian(MODELS["exponential"], np.arange(1.0, 4.0), np.array([10.0, 8, 6]),
    ...                   np.array([2.0, 2, 1]), np.array([0.8, 0.3]))
    >>> H.shape, bool(np.allclose(H, H.T))
    ((2, 2), True)
    """
    st = _Stack([(t, at_risk, new)])
    _, _, H, exact = _negll_jet(model, st, np.zeros(1, int), np.asarray(x, float)[None, :])
    return H[0] if exact[0] else np.full_like(H[0], np.nan)


def _floor(model: CurveModel) -> np.ndarray:
    """Smallest scale of each parameter (bound tolerance, gradient check): 1 for a
    location (unbounded below, e.g. the logistic midpoint), else its lower bound."""
    lo = np.array(model.lower, float)
    return np.where(lo < 0, 1.0, np.maximum(lo, 1e-8))


def _scale(x, lo, hi, floor):
    """Each parameter's size for its bound tolerance, shrunk near a bound: a
    ceiling K close to 1 can sit next to the likelihood's singularity (everybody at
    risk adopts), where its scale is 1 - K rather than K."""
    s = np.maximum(np.abs(x), floor)
    s = np.minimum(s, np.maximum(hi - x, 1e-3 * s))
    return np.minimum(s, np.maximum(x - lo, 1e-3 * s))


def _direction(g, H, held):
    """Newton direction on the free parameters (Jacobi-scaled, eigenvalues made
    positive where the Hessian is not), zero on the held ones; and whether the free
    Hessian is positive definite."""
    R, k = g.shape
    free = ~held
    Hf = np.where(free[:, :, None] & free[:, None, :], H, 0.0)
    d = np.sqrt(np.abs(Hf[:, range(k), range(k)]))
    d = np.where(free & (d > 0) & np.isfinite(d), d, 1.0)
    Hs = Hf / d[:, :, None] / d[:, None, :]
    Hs[:, range(k), range(k)] = np.where(free, Hs[:, range(k), range(k)], 1.0)
    gs = np.where(free, g, 0.0) / d
    bad = ~np.isfinite(Hs).all(axis=(1, 2)) | ~np.isfinite(gs).all(axis=1)
    Hs[bad] = np.eye(k)
    gs[bad] = 0.0
    lam, V = np.linalg.eigh(Hs)
    pd = (lam.min(axis=1) > 1e-10 * np.abs(lam).max(axis=1)) & ~bad
    lam = np.maximum(np.abs(lam), np.maximum(1e-8 * np.abs(lam).max(axis=1, keepdims=True), 1e-300))
    step = -np.einsum("rij,rj->ri", V, np.einsum("rji,rj->ri", V, gs) / lam) / d
    return np.where(free, step, 0.0), pd


def newton_fits(model: CurveModel, data: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                starts: list[list[tuple[float, ...]]]) -> list[NewtonFit | None]:
    """Minimise each data set's negative log-likelihood from all its starts at once.

    ``data[i]`` is ``(t, at_risk, new)`` and ``starts[i]`` its start vectors (clipped to
    the bounds). Returns, per data set, the best row's end point, with ``checked``
    False when it does not pass the convergence check (then it is no optimum: fit it
    another way or explain why there is none); ``None`` when no row is finite.

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> d = (np.arange(1.0, 6.0), np.array([20.0, 18, 15, 11, 8]), np.array([2.0, 3, 4, 3, 2]))
    >>> [fit] = newton_fits(MODELS["exponential"], [d], [[(0.5, 0.2), (1.0, 0.5)]])
    >>> fit.x.round(4).tolist(), round(fit.fun, 4)  # the ceiling K on its bound 1
    ([1.0, 0.2162], 35.4675)
    """
    lo, hi = np.array(model.lower, float), np.array(model.upper, float)
    st = _Stack(data)
    ds = np.concatenate([np.full(len(s), i) for i, s in enumerate(starts)]).astype(int)
    x0 = np.clip(np.array([v for s in starts for v in s], float).reshape(ds.size, len(lo)), lo, hi)
    f0 = _negll(model, st, ds, x0[None])[0]
    f0 = np.where(np.isfinite(f0), f0, np.inf)
    # each data set's starts best first; the first _FIRST go, the rest only where
    # none of those reaches a checked optimum that is the data set's best
    order = np.lexsort((f0, ds))
    rank = np.empty(ds.size, int)
    rank[order] = np.arange(ds.size) - np.searchsorted(ds[order], ds[order])
    x, f, ok, iters = x0.copy(), f0.copy(), np.zeros(ds.size, bool), np.zeros(ds.size, int)
    ran = np.zeros(ds.size, bool)
    todo = rank < _FIRST
    while todo.any():
        x[todo], f[todo], ok[todo], iters[todo] = _solve(model, st, ds[todo], x0[todo], f0[todo])
        ran |= todo
        best = _best(ds, np.where(ran, f, np.inf), len(starts))
        again = np.zeros(len(starts), bool)
        again[ds[best[best >= 0]]] = ~ok[best[best >= 0]]
        again[best < 0] = True  # no start so far has a finite objective
        todo = ~ran & again[ds] & np.isfinite(f0)
    best = _best(ds, f, len(starts))
    # the checked optima's Hessians in one pass (what negll_hessian gives one at a time)
    hess = np.full((len(starts), len(lo), len(lo)), np.nan)
    done = np.nonzero((best >= 0) & ok[best])[0]
    if done.size:
        _, _, H, exact = _negll_jet(model, st, ds[best[done]], x[best[done]])
        hess[done] = np.where(exact[:, None, None], H, np.nan)
    out: list[NewtonFit | None] = []
    for i, b in enumerate(best):
        out.append(None if b < 0 else NewtonFit(x[b].copy(), float(f[b]), int(iters[b]), bool(ok[b]),
                                                hess[i] if ok[b] else None))
    return out


def _best(ds: np.ndarray, f: np.ndarray, n: int) -> np.ndarray:
    """Row with the lowest finite f of each of the ``n`` data sets (-1 if none)."""
    out = np.full(n, -1)
    fin = np.nonzero(np.isfinite(f))[0]
    if fin.size:
        o = fin[np.lexsort((f[fin], ds[fin]))]
        first = np.r_[True, ds[o][1:] != ds[o][:-1]]
        out[ds[o][first]] = o[first]
    return out


def _duplicates(x, f, ds, active, floor):
    """Active rows within ``_SAME`` (relative, every parameter) of a better active row of
    the same data set: they have come together and would take the same steps; only
    the better one goes on (a row that has converged is compared with nothing)."""
    rows = np.nonzero(active)[0]
    out = np.zeros(ds.size, bool)
    if rows.size < 2:
        return out
    order = rows[np.lexsort((f[rows], ds[rows]))]
    d = ds[order]
    head = np.r_[True, d[1:] != d[:-1]]
    lead = order[np.maximum.accumulate(np.where(head, np.arange(order.size), 0))]
    near = np.all(np.abs(x[order] - x[lead]) <= _SAME * np.maximum(np.abs(x[lead]), floor), axis=1)
    out[order[near & ~head]] = True
    return out


def _check(model, x, f, g, H, exact):
    """The convergence check at rows ``x`` (objective ``f``, gradient ``g``, Hessian
    ``H``, every term's derivative in them: ``exact``): which parameters are held on a
    bound, the Newton step, ``x`` with the held ones on their bounds, and whether each
    part of the check (:data:`CHECKS`) passes, per row."""
    lo, hi = np.array(model.lower, float), np.array(model.upper, float)
    floor = _floor(model)
    tol_b = _REL_STEP * _scale(x, lo, hi, floor)
    held = ((x - lo <= tol_b) & (g > 0)) | ((hi - x <= tol_b) & (g < 0))
    step, pd = _direction(g, H, held)
    x_held = np.where(held, np.where(g > 0, lo, hi), x)
    with np.errstate(over="ignore", invalid="ignore"):
        dec = -np.sum(np.where(held, 0.0, g * step), axis=1)
    # the decrement alone can be fooled where the Hessian is swamped (a ceiling
    # next to the singularity): the free gradient, scaled by each
    # parameter's size, must vanish too
    sized = np.abs(np.where(held, 0.0, g)) * np.maximum(np.abs(x), floor)
    passed = {"decrement": dec <= 2 * _TOL * (1 + np.abs(f)),
              "gradient": np.max(sized, axis=1) <= _GTOL * (1 + np.abs(f)),
              "hessian": pd, "bounds": np.all(~held | (x == x_held), axis=1), "derivatives": exact}
    if model.name in _RIDGE:  # rows there stop before the check in _solve
        passed["ridge"] = ~_RIDGE[model.name][0](x)
    if model.name in _RIDGE_BOUND:  # the ridge cut off by the box is no optimum
        passed["ridge"] = ~held[:, _RIDGE_BOUND[model.name]]
    return held, step, x_held, passed


def check_optimum(model: CurveModel, t: np.ndarray, at_risk: np.ndarray, new: np.ndarray,
                  x: np.ndarray) -> tuple[str, ...]:
    """The parts of Newton's convergence check (keys of :data:`CHECKS`) that the point
    ``x`` fails on one data set; empty where ``x`` is a checked optimum. For a point
    found by another optimiser (the multistart fallback).

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> d = (np.arange(1.0, 6.0), np.array([20.0, 18, 15, 11, 8]), np.array([2.0, 3, 4, 3, 2]))
    >>> check_optimum(MODELS["exponential"], *d, np.array([1.0, 0.2162]))
    ('decrement', 'gradient')
    >>> [fit] = newton_fits(MODELS["exponential"], [d], [[(0.5, 0.2)]])
    >>> check_optimum(MODELS["exponential"], *d, fit.x)
    ()
    """
    st = _Stack([(t, at_risk, new)])
    x = np.asarray(x, float)[None, :]
    f, g, H, exact = _negll_jet(model, st, np.zeros(1, int), x)
    passed = _check(model, x, f, g, H, exact)[3]
    return tuple(name for name, ok in passed.items() if not ok[0])


def _solve(model, st, ds, x, f):
    """Every row's end point, objective, whether it passed the check and iterations,
    from start points ``x`` with objective ``f`` (row r belongs to data set ``ds[r]``)."""
    lo, hi = np.array(model.lower, float), np.array(model.upper, float)
    floor = _floor(model)
    x, f = x.copy(), f.copy()
    active = np.isfinite(f)
    ok = np.zeros(ds.size, bool)
    iters = np.zeros(ds.size, int)
    for it in range(_MAX_ITER):
        if model.name in _RIDGE:
            active &= ~_RIDGE[model.name][0](x)
        active &= ~_duplicates(x, f, ds, active, floor)
        rows = np.nonzero(active)[0]
        if rows.size == 0:
            break
        xr, fr, dr = x[rows], f[rows], ds[rows]
        _, g, H, exact = _negll_jet(model, st, dr, xr)
        held, step, xr_held, passed = _check(model, xr, fr, g, H, exact)
        done = np.logical_and.reduce(list(passed.values()))
        ok[rows[done]] = True
        iters[rows] = it
        active[rows[done]] = False
        go = ~done
        rows, xr, fr, dr, step, g = rows[go], xr_held[go], fr[go], dr[go], step[go], g[go]
        # backtracking (Armijo) on the projected path: the full step, then the next
        # three halvings at once for the rows it does not serve, then four, eight and
        # all the rest (rows that find no decrease would otherwise cost a pass per
        # halving; on SPID most rows that need more than four find one within the next
        # twelve, and trying all 36 at once was half the line search's work). Each
        # row takes its first step that decreases f, whatever the grouping.
        new_x, new_f = xr.copy(), fr.copy()
        todo = np.arange(rows.size)
        for alphas in _ALPHA_GROUPS:
            if todo.size == 0:
                break
            cand = np.clip(xr[todo][None] + alphas[:, None, None] * step[todo][None], lo, hi)
            if model.name in _RIDGE:
                cand = _RIDGE[model.name][1](cand.reshape(-1, cand.shape[2])).reshape(cand.shape)
            fc = _negll(model, st, dr[todo], cand)
            slope = np.sum(g[todo][None] * (cand - xr[todo][None]), axis=2)
            good = np.isfinite(fc) & (fc <= fr[todo][None] + 1e-4 * np.minimum(slope, 0.0))
            first, any_good = np.argmax(good, axis=0), good.any(axis=0)
            hit = todo[any_good]
            new_x[hit] = cand[first[any_good], np.nonzero(any_good)[0]]
            new_f[hit] = fc[first[any_good], np.nonzero(any_good)[0]]
            todo = todo[~any_good]
        stuck = np.zeros(rows.size, bool)
        stuck[todo] = True  # no decrease along the direction: stop this row
        new_x[todo] = x[rows[todo]]  # where f is fr (not on the bounds it was projected onto)
        stuck |= np.all(new_x == xr, axis=1)
        x[rows], f[rows] = new_x, new_f
        active[rows[stuck]] = False
    return x, f, ok, iters
