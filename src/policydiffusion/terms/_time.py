"""Time dependence: duration counter, cubic polynomial, natural spline, period dummies."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.terms._base import Term

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["duration", "duration_poly", "duration_spline", "period_dummies", "spline_knots",
           "spline_knots_of", "Duration", "DurationPoly", "DurationSpline", "PeriodDummies"]

_D = (pl.col("period") - pl.col("_start") + 1).cast(pl.Float64)


@dataclass(frozen=True, kw_only=True)
class Duration(Term):
    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        return {self.name: t - np.maximum(ctx.start, ctx.entry) + 1.0}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        return plan.with_columns(_D.cast(pl.Int32).alias(self.name))


@dataclass(frozen=True, kw_only=True)
class DurationPoly(Term):
    degree: int = 3
    scale: float = 10.0

    def columns(self, ctx: "BuildContext") -> list[str]:
        return [f"{self.name}_{k}" for k in range(1, self.degree + 1)]

    def column_meta(self, ctx: "BuildContext") -> dict[str, dict]:
        return {c: {"description": f"(duration / {self.scale:g})^{k} (Carter & Signorino 2010)",
                    "lag": 0} for k, c in enumerate(self.columns(ctx), start=1)}

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        # polars' arithmetic in apply (a product with 1 / scale, powers as repeated
        # products), so that simulated and built columns agree to the last bit
        d = (t - np.maximum(ctx.start, ctx.entry) + 1.0) * (1.0 / self.scale)
        out, power = {}, d
        for k, c in enumerate(self.columns(None), 1):  # type: ignore[arg-type]
            power = d if k == 1 else power * d
            out[c] = power
        return out

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        d = _D / self.scale
        return plan.with_columns([(d ** k).alias(c) for k, c in enumerate(self.columns(ctx), 1)])


def _duration_counts(spells: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lengths = (spells.get_column("_last") - spells.get_column("_start") + 1).to_numpy()
    if lengths.size == 0:
        return np.array([1]), np.array([0])
    # spell lengths are >= 1: rows with duration d = spells at least d long
    c = np.bincount(lengths)[1:]
    return np.arange(1, lengths.max() + 1), c[::-1].cumsum()[::-1]


def _durations(ctx: "BuildContext") -> tuple[np.ndarray, np.ndarray]:
    """Distinct durations of the monadic rows and how many rows have each."""
    return ctx.spell_fact("duration_counts", _duration_counts)


def spline_knots(ctx: "BuildContext", interior: int | Sequence[float],
                 boundary: Sequence[float] | None = None) -> list[float]:
    """Knots of the duration spline: boundary knots at the smallest and largest duration
    (or at ``boundary``), interior knots at equally spaced quantiles of duration over the
    monadic rows (or at the given positions)."""
    d, counts = _durations(ctx)
    if boundary is not None:
        lo, hi = float(boundary[0]), float(boundary[1])
    else:
        present = d[counts > 0] if counts.sum() else np.array([1])
        lo, hi = float(present.min()), float(present.max())
    if isinstance(interior, int):
        probs = np.arange(1, interior + 1) / (interior + 1)
        cum = np.cumsum(counts) / max(counts.sum(), 1)
        inner = [float(d[np.searchsorted(cum, p)]) for p in probs]
    else:
        inner = [float(k) for k in interior]
    knots = [lo] + inner + [hi]
    if any(b <= a for a, b in zip(knots, knots[1:])):
        if boundary is not None:
            raise InvalidOptionError(
                f"duration spline knots must increase strictly; got {knots} (boundaries "
                f"given by boundary={tuple(boundary)}): "
                + ("the quantile knots of the data's durations fall on or outside those "
                   "boundaries: widen boundary= or pass knot positions between them."
                   if isinstance(interior, int) else
                   "put the interior knots strictly between the boundaries."))
        raise InvalidOptionError(
            f"duration spline knots must increase strictly; got {knots} (boundaries at the "
            "smallest and largest duration). Use fewer knots or pass knot positions, e.g. "
            "duration_spline(knots=[3, 8]).")
    return knots


def spline_knots_of(column_meta: Mapping[str, Mapping]) -> dict[str, list[float]]:
    """Every knot (boundaries included) of each duration spline of a built risk set, by
    term name, from the risk set's ``column_meta``.

    Examples
    --------
    >>> spline_knots_of({"duration_spline_1": {"knots": [1.0, 3.0, 9.0],
    ...                                        "term": "duration_spline"}, "x": {}})
    {'duration_spline': [1.0, 3.0, 9.0]}
    """
    return {m["term"]: list(m["knots"]) for m in column_meta.values() if "knots" in m}


@dataclass(frozen=True, kw_only=True)
class DurationSpline(Term):
    knots: int | tuple[float, ...] = 3
    boundary: tuple[float, float] | None = None

    def columns(self, ctx: "BuildContext") -> list[str]:
        n = self.knots if isinstance(self.knots, int) else len(self.knots)
        return [f"{self.name}_{k}" for k in range(1, n + 1)]

    def resolved_knots(self, ctx: "BuildContext") -> list[float]:
        """Every knot (boundaries included) this term puts in the risk set of ``ctx``."""
        return spline_knots(ctx, self.knots, self.boundary)

    def fixed(self, knots: Sequence[float]) -> "DurationSpline":
        """This term with every knot (boundaries first and last) at ``knots``: the same
        columns in any risk set, whatever its durations (what a simulation needs)."""
        kn = [float(k) for k in knots]
        need = len(self.columns(None)) + 2  # type: ignore[arg-type]
        if len(kn) != need:
            raise InvalidOptionError(f"{self.name!r} needs {need} knots (boundaries included); "
                                     f"got {kn}.")
        return replace(duration_spline(knots=kn[1:-1], boundary=(kn[0], kn[-1])), name=self.name)

    def column_meta(self, ctx: "BuildContext") -> dict[str, dict]:
        kn = self.resolved_knots(ctx)
        # the knots themselves travel with the columns, so that a fit can record them
        return {c: {"description": f"natural cubic spline basis {k} of duration (Harrell's "
                                   f"restricted cubic spline; knots {kn}); use with 'duration'",
                    "lag": 0, "knots": kn, "term": self.name}
                for k, c in enumerate(self.columns(ctx), start=1)}

    @property
    def fixed_knots(self) -> list[float] | None:
        """Every knot (boundaries first and last) when none depends on the data, else None."""
        if isinstance(self.knots, int) or self.boundary is None:
            return None
        return [self.boundary[0], *self.knots, self.boundary[1]]

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray] | None:
        knots = self.fixed_knots
        if knots is None:
            return None  # data-driven knots: the simulator fixes them first (fixed())
        d = t - np.maximum(ctx.start, ctx.entry) + 1.0
        return dict(zip(self.columns(None),  # type: ignore[arg-type]
                        _basis(knots, lambda a: np.maximum(d - a, 0.0) ** 3)))

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        cols = _basis(self.resolved_knots(ctx),
                      lambda a: pl.max_horizontal(_D - a, pl.lit(0.0)) ** 3)
        return plan.with_columns([e.alias(c) for e, c in zip(cols, self.columns(ctx))])


def _basis(t: Sequence[float], pos3):
    """Harrell's restricted cubic spline basis at knots ``t`` from ``pos3(a) = (d - a)_+^3``
    (a polars expression or numpy values: one formula for the risk set and the simulator)."""
    K = len(t)
    norm = (t[-1] - t[0]) ** 2
    return [(pos3(t[j])
             - pos3(t[K - 2]) * (t[K - 1] - t[j]) / (t[K - 1] - t[K - 2])
             + pos3(t[K - 1]) * (t[K - 2] - t[j]) / (t[K - 1] - t[K - 2])) / norm
            for j in range(K - 2)]


def _present_periods(spells: pl.DataFrame) -> list[int]:
    """The periods that have a monadic row, sorted."""
    if spells.height == 0:
        return []
    return (spells.select("_start", "_last").unique()
            .select(pl.int_ranges("_start", pl.col("_last") + 1).alias("p"))
            .explode("p").unique().sort("p").get_column("p").to_list())


@dataclass(frozen=True, kw_only=True)
class PeriodDummies(Term):
    drop_first: bool = True

    def _periods(self, ctx: "BuildContext") -> list[int]:
        present = ctx.spell_fact("periods_present", _present_periods)
        return present[1:] if self.drop_first else list(present)

    def columns(self, ctx: "BuildContext") -> list[str]:
        return [f"{self.name}_{ctx.study.label(p)}" for p in self._periods(ctx)]

    def column_meta(self, ctx: "BuildContext") -> dict[str, dict]:
        ref = " (the first period is the reference)" if self.drop_first else ""
        return {f"{self.name}_{ctx.study.label(p)}":
                {"description": f"1 if the period is {ctx.study.label(p)}{ref}", "lag": 0}
                for p in self._periods(ctx)}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        return plan.with_columns([(pl.col("period") == p).cast(pl.Int8)
                                  .alias(f"{self.name}_{ctx.study.label(p)}")
                                  for p in self._periods(ctx)])


def duration() -> Duration:
    """The duration counter ``d = t - start_i + 1`` (periods at risk so far).

    Every risk set already carries it as ``duration``; the term exists so that term
    lists can name it (METHODS 5.4).

    Examples
    --------
    >>> duration().name
    'duration'
    """
    return Duration(name="duration", lag=0,
                    description="periods at risk so far: t - start_i + 1")


def duration_poly(*, degree: int = 3, scale: float = 10.0) -> DurationPoly:
    """Cubic (by default) polynomial of duration, Carter & Signorino (2010).

    Columns ``<name>_1 .. <name>_degree`` hold ``(d / scale)^k``; scaling (d/10 by
    default) keeps the cubic term from dwarfing the others.

    Examples
    --------
    >>> duration_poly().name
    'duration_poly'
    """
    if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
        raise InvalidOptionError(f"degree must be a whole number >= 1; got {degree!r}.")
    if not isinstance(scale, (int, float)) or scale <= 0:
        raise InvalidOptionError(f"scale must be a positive number; got {scale!r}.")
    return DurationPoly(name="duration_poly", lag=0, degree=degree, scale=float(scale),
                        description=f"(duration / {float(scale):g})^k, k = 1..{degree}")


def duration_spline(*, knots: int | Sequence[float] = 3,
                    boundary: Sequence[float] | None = None) -> DurationSpline:
    """Natural cubic spline of duration (Beck, Katz & Tucker 1998).

    Harrell's restricted (natural) cubic spline basis: linear beyond the boundary
    knots, which sit at the smallest and largest duration in the risk set (or at
    ``boundary=(first, last)``). ``knots`` interior knots go at equally spaced
    quantiles of duration over the monadic rows (3 knots: the 25th, 50th and 75th
    percentiles), or at the given positions. The term adds one column per interior
    knot; use it together with ``duration`` (the linear part), as Stata's ``btscs``
    does. In a pooled risk set the knots are common to all policies; in a dyadic one
    they come from the unit-period rows. Every knot of a built risk set is in its
    ``column_meta`` (``"knots"``); giving all of them (interior and boundary) gives the
    same columns in any risk set, as a simulation needs.

    Examples
    --------
    >>> duration_spline().name, duration_spline(knots=[2, 5]).knots
    ('duration_spline', (2.0, 5.0))
    >>> duration_spline(knots=[3, 6], boundary=(1, 10)).boundary
    (1.0, 10.0)
    """
    if isinstance(knots, bool) or (isinstance(knots, int) and knots < 1):
        raise InvalidOptionError(f"knots must be a number of interior knots >= 1 or a list of "
                                 f"knot positions; got {knots!r}.")
    kn: int | tuple[float, ...] = knots if isinstance(knots, int) else tuple(float(k) for k in knots)
    where = (f"{kn} interior knots at quantiles of duration" if isinstance(kn, int)
             else f"interior knots at {list(kn)}")
    bd: tuple[float, float] | None = None
    if boundary is not None:
        if isinstance(boundary, (str, bytes)) or len(boundary) != 2:
            raise InvalidOptionError(f"boundary must be two knot positions (first, last); "
                                     f"got {boundary!r}.")
        bd = (float(boundary[0]), float(boundary[1]))
        where += f", boundary knots at {list(bd)}"
    return DurationSpline(name="duration_spline", lag=0, knots=kn, boundary=bd,
                          description=f"natural cubic spline of duration, {where}")


def period_dummies(*, drop_first: bool = True) -> PeriodDummies:
    """One 0/1 column per period present in the risk set, ``period_<label>``.

    The first period is left out as the reference category unless ``drop_first=False``.

    Examples
    --------
    >>> period_dummies().name
    'period'
    """
    return PeriodDummies(name="period", lag=0, drop_first=drop_first,
                         description="1 if the row's period is the named one")
