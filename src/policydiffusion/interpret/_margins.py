"""Average marginal effects and average predicted hazards with delta-method SEs.

Effects are differentiated *through the formula*: the model matrix is rebuilt from
the data with the variable nudged (continuous: centred difference of the model
matrix, so products such as ``x1:x2`` and transformations are handled), or set to
each value (binary 0/1 and categorical variables: discrete change from the reference).
Standard errors use the result's covariance (cluster-robust if the fit was), through
the gradient of the average effect with respect to the coefficients.
"""

from __future__ import annotations

import gc
import itertools
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import HazardResult
from policydiffusion.estimate._data import as_source
from policydiffusion.estimate._design import categorical
from policydiffusion.estimate._links import cdf, dpdf, pdf
from policydiffusion.estimate._summary import tidy_frame
from policydiffusion.estimate._estimable import not_estimable_terms, refit_remedy

__all__ = ["average_marginal_effects", "predicted_hazard", "sample_frames", "effect_sums",
           "delta_table"]


#: rows per chunk of the sample read for effects: memory is one chunk's model variables
CHUNK_ROWS = 500_000


def sample_frames(res: HazardResult, data: Any = None) -> Iterator[tuple[pd.DataFrame,
                                                                         np.ndarray]]:
    """Typed complete-case frames of the estimation sample, with their weights."""
    design = res.design
    source = res._engine.source if data is None else as_source(data)
    cols = [design.response, *design.variables] + ([res.weights] if res.weights else [])
    for k, chunk in enumerate(source.chunks(list(dict.fromkeys(cols)), chunk_rows=CHUNK_ROWS)):
        if k:  # the model matrices of the chunk before are held in reference cycles (formulaic
            gc.collect()  # factor values): freed now, memory stays one chunk's, not the data's
        prep = design.prepare(chunk, weights=res.weights, keep_rows=True)
        typed = design._typed(chunk)
        if prep.keep is not None:
            typed = typed[prep.keep]
        w = prep.w if prep.w is not None else np.ones(len(typed))
        yield typed.reset_index(drop=True), w


def _kind(res: HazardResult, variable: str, data: Any) -> str:
    """continuous, binary or categorical."""
    if is_categorical(res, variable):
        return "categorical"
    binary = True
    for typed, _ in sample_frames(res, data):
        v = typed[variable].to_numpy()
        binary &= bool(np.isin(v, (0.0, 1.0)).all())
    return "binary" if binary else "continuous"


def is_categorical(res: HazardResult, variable: str) -> bool:
    """Whether the model's ``variable`` is categorical; an error names the model's
    variables when it has no such variable."""
    design = res.design
    if variable not in design.variables:
        raise InvalidOptionError(
            f"{variable!r} is not a variable of the model {res.formula!r}; "
            f"its variables are {list(design.variables)}.")
    return variable in design.levels


def _set(typed: pd.DataFrame, values: Mapping[str, Any], design) -> pd.DataFrame:
    out = typed.copy()
    for v, val in values.items():
        if v in design.levels:
            levels = pd.Index(design.levels[v]).tolist()
            if val not in levels:
                # coded missing it would be computed as the reference level
                shown = val.item() if isinstance(val, np.generic) else val
                raise InvalidOptionError(f"{shown!r} is not a level of {v!r} in the model; its levels "
                                         f"are {levels}.")
            out[v] = categorical([val] * len(out), design.levels[v])
        else:
            out[v] = float(val)
    return out


def effect_sums(res: HazardResult, typed: pd.DataFrame, w: np.ndarray, variable: str,
                kind: str, scale: str, level: Any = None) -> tuple[float, np.ndarray]:
    """Weighted sums over rows of the effect and of its gradient in the coefficients."""
    design, link, b = res.design, res.link, res.params.to_numpy()
    if kind == "continuous":
        x = typed[variable].to_numpy()
        h = 1e-5 * (1.0 + np.abs(x))
        Xp = design.matrix(typed.assign(**{variable: x + h}))
        Xm = design.matrix(typed.assign(**{variable: x - h}))
        dX = (Xp - Xm) / (2 * h)[:, None]
        deta = dX @ b
        if scale == "link":
            return float(w @ deta), dX.T @ w
        X = design.matrix(typed)
        eta = X @ b
        f, fp = pdf(link, eta), dpdf(link, eta)
        eff = f * deta
        grad = X.T @ (w * fp * deta) + dX.T @ (w * f)
        return float(w @ eff), grad
    if kind == "binary":
        hi, lo = {variable: 1.0}, {variable: 0.0}
    else:
        hi, lo = {variable: level}, {variable: design.levels[variable][0]}
    X1, X0 = design.matrix(_set(typed, hi, design)), design.matrix(_set(typed, lo, design))
    if scale == "link":
        d = X1 - X0
        return float(w @ (d @ b)), d.T @ w
    e1, e0 = X1 @ b, X0 @ b
    eff = cdf(link, e1) - cdf(link, e0)
    grad = X1.T @ (w * pdf(link, e1)) - X0.T @ (w * pdf(link, e0))
    return float(w @ eff), grad


class _Sums:
    """Weighted sums, over the sample's chunks, of ``n`` quantities and of their gradients
    in the coefficients; :meth:`table` averages them into the delta-method table."""

    def __init__(self, n: int, k: int) -> None:
        self.totals: list[float] = [0.0] * n
        self.grads = [np.zeros(k) for _ in range(n)]
        self.weight = 0.0

    def add(self, i: int, total: float, grad: np.ndarray) -> None:
        self.totals[i], self.grads[i] = self.totals[i] + total, self.grads[i] + grad

    def add_weights(self, w: np.ndarray) -> None:
        self.weight = self.weight + w.sum()

    def table(self, res: HazardResult, *, conf_level: float) -> pd.DataFrame:
        """The averages (rows named 0, 1, ...) with delta-method standard errors."""
        return delta_table(res, [str(i) for i in range(len(self.totals))],
                           [total / self.weight for total in self.totals],
                           [grad / self.weight for grad in self.grads], conf_level=conf_level)


def delta_table(res: HazardResult, names: Sequence[str], estimates: Sequence[float],
                grads: Sequence[np.ndarray], *, conf_level: float = 0.95) -> pd.DataFrame:
    """Tidy table of quantities with delta-method covariance ``G V G'``.

    Refused for a fit with coefficients that are not estimable (separation or no
    convergence): its covariance does not stand behind any derived quantity. A quantity
    whose gradient loads on a term with a standard error not identified (nested in the
    clusters) gets no standard error, test or interval; ``attrs["se_not_identified"]``
    maps its row position to the reason."""
    terms = not_estimable_terms(res)
    if terms:
        raise InvalidOptionError(
            f"the fit has coefficients that are not estimable: {terms}; effects derived from "
            f"them would not be valid. {refit_remedy(res.not_estimable)}")
    G = np.vstack(grads)
    V = G @ res.cov.to_numpy() @ G.T
    out = tidy_frame(pd.Series(list(estimates), index=list(names)),
                     pd.DataFrame(V, index=list(names), columns=list(names)),
                     conf_level=conf_level)
    # a quantity that loads on a term whose standard error is not identified (nested in
    # the clusters) has no identified standard error either
    nested = dict(getattr(res, "se_not_identified", None) or {})
    out.attrs["se_not_identified"] = {}
    if nested:
        cols = [list(res.params.index).index(t) for t in nested]
        scale = np.abs(G).max(axis=1, keepdims=True)
        loads = (np.abs(G[:, cols]) > 1e-12 * np.where(scale > 0, scale, 1.0)).any(axis=1)
        why = ("depends on terms whose standard errors are not identified ("
               + "; ".join(sorted(set(nested.values()))) + ")")
        out.loc[loads, ["std_error", "statistic", "p_value", "conf_low", "conf_high"]] = np.nan
        out.attrs["se_not_identified"] = {i: why for i in np.flatnonzero(loads).tolist()}
    return out


def _grid(at: Mapping[str, Sequence[Any]] | None) -> list[dict[str, Any]]:
    if not at:
        return [{}]
    keys = list(at)
    vals = [list(np.atleast_1d(at[k])) for k in keys]
    return [dict(zip(keys, combo)) for combo in itertools.product(*vals)]


def average_marginal_effects(res: HazardResult, data: Any = None, *,
                             variables: Sequence[str] | None = None,
                             at: Mapping[str, Sequence[Any]] | None = None,
                             scale: str = "response", conf_level: float = 0.95) -> pd.DataFrame:
    """Average marginal effects (on the hazard, or on the linear predictor) with SEs.

    Parameters
    ----------
    res
        A fitted :class:`~policydiffusion.estimate.HazardResult`.
    data
        Rows to average over; default: the data the model was fit on.
    variables
        Variables to differentiate (default: every variable in the formula).
    at
        Representative values, e.g. ``{"d": [0, 1]}``: each combination is set for all
        rows before averaging (Stata ``margins, dydx() at()``).
    scale
        ``"response"`` (hazard) or ``"link"`` (linear predictor, e.g. log-odds).

    Returns
    -------
    pandas.DataFrame
        ``term`` (the variable, or ``variable[level]`` for categorical contrasts), the
        ``at`` columns, then estimate, std_error, statistic, p_value, conf_low, conf_high.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=800), "z": rng.normal(size=800)})
    >>> df["y"] = (rng.random(800) < 1 / (1 + np.exp(1 - df.x * df.z))).astype(int)
    >>> ame = average_marginal_effects(fit_hazard(df, "y ~ x * z"), variables=["x"])
    >>> ame.columns.tolist()[:3]
    ['term', 'estimate', 'std_error']
    """
    if scale not in ("response", "link"):
        raise InvalidOptionError(f"scale must be 'response' or 'link'; got {scale!r}.")
    variables = list(variables or res.design.variables)
    kinds = {v: _kind(res, v, data) for v in variables}
    points = _grid(at)
    tasks = [(i, v, level) for i, point in enumerate(points) for v in variables
             if v not in point
             for level in (list(res.design.levels[v][1:]) if kinds[v] == "categorical"
                           else [None])]
    sums = _Sums(len(tasks), res.k)
    for typed, w in sample_frames(res, data):  # one pass: every effect's sums
        frames = [_set(typed, point, res.design) if point else typed for point in points]
        for t, (i, v, level) in enumerate(tasks):
            sums.add(t, *effect_sums(res, frames[i], w, v, kinds[v], scale, level))
        sums.add_weights(w)
    rows = [points[i] for i, _, _ in tasks]
    out = sums.table(res, conf_level=conf_level)
    out["term"] = [f"{v}[{level}]" if level is not None else v for _, v, level in tasks]
    for key in (at or {}):
        out.insert(1, key, [r[key] for r in rows])
    return out


def predicted_hazard(res: HazardResult, data: Any = None, *,
                     at: Mapping[str, Sequence[Any]] | None = None,
                     conf_level: float = 0.95) -> pd.DataFrame:
    """Average predicted hazard, overall or at representative values, with delta SEs.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"d": rng.integers(0, 2, 600)})
    >>> df["y"] = (rng.random(600) < 0.1 + 0.2 * df.d).astype(int)
    >>> ph = predicted_hazard(fit_hazard(df, "y ~ d"), at={"d": [0, 1]})
    >>> ph[["d", "estimate"]].round(2).values.tolist()
    [[0.0, 0.07], [1.0, 0.3]]
    """
    points = _grid(at)
    b = res.params.to_numpy()
    sums = _Sums(len(points), res.k)
    for typed, w in sample_frames(res, data):  # one pass: every point's sums
        for i, point in enumerate(points):
            X = res.design.matrix(_set(typed, point, res.design) if point else typed)
            eta = X @ b
            sums.add(i, float(w @ cdf(res.link, eta)), X.T @ (w * pdf(res.link, eta)))
        sums.add_weights(w)
    out = sums.table(res, conf_level=conf_level).drop(columns=["term"])
    for key in reversed(list(at or {})):
        out.insert(0, key, [p[key] for p in points])
    return out
