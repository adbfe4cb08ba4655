"""The marginal effect of one variable across the range of a moderator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import HazardResult
from policydiffusion.interpret import _margins
from policydiffusion.interpret._margins import (_set, _Sums, effect_sums, is_categorical,
                                                sample_frames)

__all__ = ["marginal_effect_across", "is_discrete", "ObservedValues"]

#: a moderator with whole-number values and at most this many distinct ones is discrete
MAX_DISCRETE_VALUES = 10


def is_discrete(values: np.ndarray, *, max_values: int = MAX_DISCRETE_VALUES) -> bool:
    """True for whole-number values with at most ``max_values`` distinct ones (a dummy,
    a count, an ordinal scale): their effects belong at the observed values, not between.

    Examples
    --------
    >>> is_discrete(np.array([0, 1, 1, 0])), is_discrete(np.array([0.0, 0.5, 1.0]))
    (True, False)
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    return bool(v.size) and bool(np.all(v == np.round(v))) and np.unique(v).size <= max_values


@dataclass(frozen=True, eq=False)
class ObservedValues:
    """The moderator's distinct values in the estimation sample (sorted, read-only) and
    how many rows have each: ``marginal_effect_across(...).attrs["observed"]``.

    Examples
    --------
    >>> ov = ObservedValues(np.array([0.0, 1.0]), np.array([3, 1]))
    >>> np.repeat(ov.values, ov.counts).tolist()
    [0.0, 0.0, 0.0, 1.0]
    """

    values: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        self.values.setflags(write=False)
        self.counts.setflags(write=False)

    def __deepcopy__(self, memo: dict) -> "ObservedValues":
        # pandas deep-copies a frame's attrs with the frame: read-only, so shared
        return self


@dataclass
class _Seen:
    """What the effects need of the sample before they are computed, kept as running
    summaries (not the rows): whether ``variable`` is 0/1, the moderator's range, whether
    its values are whole and its distinct values (up to one past the discrete limit)."""

    binary: bool = True
    lo: float = np.inf
    hi: float = -np.inf
    whole: bool = True
    distinct: set = field(default_factory=set)
    rows: int = 0
    #: (distinct values, how many rows have each) of the chunks not merged yet
    _counts: list = field(default_factory=list)

    def add(self, x: np.ndarray, m: np.ndarray) -> None:
        self.binary &= bool(np.isin(x, (0.0, 1.0)).all())
        m = m[~np.isnan(m)]
        self.rows += m.size
        if m.size:
            self.lo, self.hi = min(self.lo, float(m.min())), max(self.hi, float(m.max()))
            self.whole &= bool(np.all(m == np.round(m)))
            self._counts.append(np.unique(m, return_counts=True))
            if len(self._counts) > 16:  # merged now and then: memory is the distinct values
                self._counts = [self.value_counts()]
        if self.whole and len(self.distinct) <= MAX_DISCRETE_VALUES:
            self.distinct.update(np.unique(m).tolist())

    def value_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(the moderator's distinct values, sorted; how many rows have each)."""
        if not self._counts:
            return np.array([]), np.array([], dtype=np.int64)
        values, inverse = np.unique(np.concatenate([v for v, _ in self._counts]),
                                    return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate([c for _, c in self._counts]))
        return values, counts.astype(np.int64)

    @property
    def discrete(self) -> bool:
        """:func:`is_discrete` of every moderator value seen."""
        return self.rows > 0 and self.whole and len(self.distinct) <= MAX_DISCRETE_VALUES


def _seen(res: HazardResult, data: Any, variable: str, moderator: str) -> _Seen:
    """The summaries of the estimation sample: from one read of the two columns when the fit
    kept every row of its data (the sample is those rows), else from the sample's chunks."""
    if data is None and res.n_dropped_missing == 0:
        seen = _Seen()
        cols = list(dict.fromkeys([variable, moderator]))
        for chunk in res._engine.source.chunks(cols, chunk_rows=_margins.CHUNK_ROWS):
            seen.add(*(chunk[c].to_numpy(dtype=np.float64, na_value=np.nan)
                       for c in (variable, moderator)))
        if seen.rows == res.nobs:  # else rows the fit left out some other way: read the sample
            return seen
    seen = _Seen()
    for typed, _ in sample_frames(res, data):
        seen.add(typed[variable].to_numpy(), typed[moderator].to_numpy())
    return seen


def _check_interaction(res: HazardResult, typed: pd.DataFrame, w: np.ndarray, variable: str,
                       moderator: str, kind: str, lo: float, hi: float) -> None:
    """Refuse a moderator the formula does not interact with ``variable``: the effect on the
    linear predictor would be the same flat line at every moderator value."""
    rows = typed.iloc[:200]
    grads = [effect_sums(res, _set(rows, {moderator: m}, res.design), w[:200], variable, kind,
                         "link")[1] for m in (lo, hi if hi != lo else lo + 1.0)]
    if np.allclose(grads[0], grads[1], rtol=0, atol=1e-9 * (1 + np.abs(grads[0]).max())):
        raise InvalidOptionError(
            f"the model {res.formula!r} has no interaction of {variable!r} with "
            f"{moderator!r}, so the effect of {variable!r} does not vary with {moderator!r} "
            f"(a flat line); add {variable}:{moderator} (or {variable} * {moderator}) to the "
            "formula, or drop this moderation request.")


def marginal_effect_across(res: HazardResult, data: Any = None, *, variable: str,
                           moderator: str, values: Sequence[float] | None = None,
                           n_values: int = 25, scale: str = "link",
                           conf_level: float = 0.95) -> pd.DataFrame:
    """Effect of ``variable`` at each value of ``moderator``, with confidence bands.

    For each moderator value ``m`` the moderator is set to ``m`` for every row and the
    average marginal effect of ``variable`` is computed: on the linear predictor
    (``scale="link"``: with ``x * z`` this is exactly ``b_x + b_xz m``) or on the
    hazard (``scale="response"``: the AME at ``m``). Delta-method SEs use the result's
    covariance. A model whose formula does not interact ``variable`` with ``moderator``
    is refused (its effect would not vary with the moderator on the linear predictor).
    The estimation sample is read one chunk at a time, never held whole: once for the
    moderator's values and whether ``variable`` is 0/1 (only these two columns when the
    fit kept every row of its data) and once for the effects.

    Parameters
    ----------
    values
        Moderator values. Default: a discrete moderator (whole numbers, at most 10
        distinct values: a dummy, a count, an ordinal scale) at each of its observed
        values; a continuous one at ``n_values`` points over its observed range
        (smallest to largest value in the estimation sample).

    Returns
    -------
    pandas.DataFrame
        Columns moderator, value, estimate, std_error, statistic, p_value, conf_low,
        conf_high, scale, discrete (True when the values are the moderator's observed
        values of a discrete moderator: show points, not a line). ``attrs["observed"]``
        is an :class:`ObservedValues`: the moderator's distinct values in the
        estimation sample and how many rows have each (e.g. for a rug).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> rng = np.random.default_rng(7)
    >>> df = pd.DataFrame({"income": rng.normal(size=900), "ideology": rng.normal(size=900)})
    >>> eta = -1 + df.income * df.ideology
    >>> df["adopt"] = (rng.random(900) < 1 / (1 + np.exp(-eta))).astype(int)
    >>> res = fit_hazard(df, "adopt ~ income * ideology")
    >>> me = marginal_effect_across(res, variable="income", moderator="ideology",
    ...                             values=[0.0, 1.0])
    >>> b = res.params
    >>> bool(np.isclose(me.estimate[1], b["income"] + b["income:ideology"]))
    True
    """
    if scale not in ("response", "link"):
        raise InvalidOptionError(f"scale must be 'response' or 'link'; got {scale!r}.")
    if is_categorical(res, variable):
        raise InvalidOptionError(
            f"{variable!r} is categorical; use average_marginal_effects(..., at=) for "
            "contrasts at moderator values.")
    if moderator in res.design.levels:
        raise InvalidOptionError(f"moderator {moderator!r} must be numeric.")
    if moderator not in res.design.variables:
        raise InvalidOptionError(
            f"{moderator!r} is not a variable of the model {res.formula!r}; "
            f"its variables are {list(res.design.variables)}.")
    # the sample is read chunk by chunk, never held whole: its memory would be the model's
    # variables x rows; the values need the moderator's range first, so that is a pass of
    # its own (two columns when the fit kept every row)
    seen = _seen(res, data, variable, moderator)
    kind = "binary" if seen.binary else "continuous"
    discrete = values is None and seen.discrete
    if values is None:
        values = (sorted(seen.distinct) if discrete
                  else np.linspace(seen.lo, seen.hi, n_values))
    values = [float(v) for v in values]
    sums = _Sums(len(values), res.k)
    for k, (typed, w) in enumerate(sample_frames(res, data)):  # every value's sums
        if k == 0:  # refuse a flat line before any sums
            _check_interaction(res, typed, w, variable, moderator, kind, seen.lo, seen.hi)
        for i, m in enumerate(values):
            sums.add(i, *effect_sums(res, _set(typed, {moderator: m}, res.design), w, variable,
                                     kind, scale))
        sums.add_weights(w)
    out = sums.table(res, conf_level=conf_level).drop(columns=["term"])
    out.insert(0, "value", values)
    out.insert(0, "moderator", moderator)
    out["scale"] = scale
    out["discrete"] = discrete
    # what the sample pass saw of the moderator, so that nobody reads the sample again for it
    out.attrs["observed"] = ObservedValues(*seen.value_counts())
    return out
