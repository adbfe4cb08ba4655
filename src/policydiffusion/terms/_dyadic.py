"""Dyadic terms for directed-dyad risk sets: ties, differences and timing of the source j."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.riskset._context import PERIOD
from policydiffusion.terms._base import Term, check_lag, lag_text
from policydiffusion.terms._periods import check_relation_periods

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext

__all__ = ["relation_count", "source_time_since_adoption", "attribute_difference", "same_group",
           "contiguous", "RelationCount", "SourceTimeSinceAdoption", "AttributeDifference",
           "SameGroup", "Contiguous"]


def _pair_edges(ctx: "BuildContext", relation: str) -> pl.LazyFrame:
    """Edges renamed to the dyad keys: ``unit`` (i) -> ``source`` (j)."""
    return ctx.relation_edges(relation).rename(
        {"source": "unit", "target": "source", "period": "_eperiod"})


# The dyad rows stream through each join and the small table (edges, attributes) is
# hashed: left to itself, polars' streaming engine may hash the dyad side and hold all
# of a batch's rows (1.7 GB instead of 0.67 GB for 23 million county dyads).
SMALL = "force_right"


@dataclass(frozen=True, kw_only=True)
class DyadicTerm(Term):
    design = "dyadic"


@dataclass(frozen=True, kw_only=True)
class RelationCount(DyadicTerm):
    relation: str = "visits"
    window: int | str = 1

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        if ctx.study.relation(self.relation).is_static:
            raise InvalidOptionError(
                f"relation_count needs a period-varying relation, but {self.relation!r} is "
                f"static; use contiguous(relation={self.relation!r}) for a static tie.")
        # edges of e count in e+1 .. e+window: refuse a network that never meets the rows
        check_relation_periods(ctx, self.relation, 1,
                               window=None if self.window == "cumulative" else int(self.window))
        e = _pair_edges(ctx, self.relation).filter(pl.col("_eperiod").is_not_null())
        hi = ctx.periods[1]
        until = (pl.lit(hi, PERIOD) if self.window == "cumulative"
                 else pl.col("_eperiod") + int(self.window))
        counts = (e.with_columns(pl.int_ranges(pl.col("_eperiod") + 1, until + 1, dtype=PERIOD)
                                 .alias("period"))
                  .explode("period").filter(pl.col("period").is_not_null())
                  .group_by("unit", "source", "period")
                  .agg(pl.col("weight").sum().alias(self.name)))
        return (plan.join(counts, on=["unit", "source", "period"], how="left", build_side=SMALL)
                .with_columns(pl.col(self.name).fill_null(0.0)))


@dataclass(frozen=True, kw_only=True)
class SourceTimeSinceAdoption(DyadicTerm):
    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        t = pl.col("_src_T")
        return plan.with_columns(
            pl.when(t <= pl.col("period") - self.lag).then(pl.col("period") - t)
            .otherwise(None).cast(pl.Int32).alias(self.name))


@dataclass(frozen=True, kw_only=True)
class AttributeDifference(DyadicTerm):
    attribute: str = ""
    kind: str = "abs"

    def is_static(self, ctx: "BuildContext") -> bool:
        return not ctx.covariate_or_attribute(self.attribute, self.lag)[1]  # unit attributes

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        vals, by_period = ctx.covariate_or_attribute(self.attribute, self.lag)
        xi, xj = self._tmp("xi"), self._tmp("xj")
        on = ["period"] if by_period else []
        vals = vals.with_columns(pl.col(self.attribute).cast(pl.Float64))
        plan = (plan.join(vals.rename({self.attribute: xi}), on=["unit"] + on, how="left",
                          build_side=SMALL)
                .join(vals.rename({"unit": "source", self.attribute: xj}), on=["source"] + on,
                      how="left", build_side=SMALL))
        diff = pl.col(xj) - pl.col(xi)
        return plan.with_columns((diff.abs() if self.kind == "abs" else diff)
                                 .alias(self.name)).drop(xi, xj)


@dataclass(frozen=True, kw_only=True)
class SameGroup(DyadicTerm):
    column: str = "region"
    missing: str = "null"

    def is_static(self, ctx: "BuildContext") -> bool:
        return True  # groups come from the units table

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        g = ctx.unit_attribute(self.column)
        gi, gj = self._tmp("gi"), self._tmp("gj")
        plan = (plan.join(g.rename({self.column: gi}), on="unit", how="left", build_side=SMALL)
                .join(g.rename({"unit": "source", self.column: gj}), on="source", how="left",
                      build_side=SMALL))
        same = pl.col(gi) == pl.col(gj)
        if self.missing == "different":
            same = same.fill_null(False)
        return plan.with_columns(same.cast(pl.Int8).alias(self.name)).drop(gi, gj)


@dataclass(frozen=True, kw_only=True)
class Contiguous(DyadicTerm):
    relation: str = "contiguity"

    def is_static(self, ctx: "BuildContext") -> bool:
        return ctx.study.relation(self.relation).is_static

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        e = _pair_edges(ctx, self.relation)
        static = e.filter(pl.col("_eperiod").is_null()).select("unit", "source").unique()
        timed = (e.filter(pl.col("_eperiod").is_not_null())
                 .select("unit", "source", (pl.col("_eperiod") + self.lag).alias("period")).unique())
        f1, f2 = self._tmp("s"), self._tmp("t")
        plan = (plan.join(static.with_columns(pl.lit(1, pl.Int8).alias(f1)), on=["unit", "source"],
                          how="left", build_side=SMALL)
                .join(timed.with_columns(pl.lit(1, pl.Int8).alias(f2)),
                      on=["unit", "source", "period"], how="left", build_side=SMALL))
        return plan.with_columns(pl.coalesce(f1, f2, pl.lit(0, pl.Int8)).alias(self.name)
                                 ).drop(f1, f2)


def relation_count(relation: str = "visits", *, window: int | str = 1) -> RelationCount:
    """Sum of the weights of ``i -> j`` edges of a period-varying relation before t.

    ``window=w``: edges dated in ``[t - w, t - 1]`` (e.g. officials' study visits from i
    to j in the previous w periods); ``"cumulative"``: all edges dated up to ``t - 1``.
    0 when there is none.

    Examples
    --------
    >>> relation_count().name, relation_count(window="cumulative").name
    ('visits_count_w1', 'visits_count_cum')
    """
    if window != "cumulative" and (isinstance(window, bool) or not isinstance(window, int)
                                   or window < 1):
        raise InvalidOptionError(f"window must be a whole number >= 1 or 'cumulative'; "
                                 f"got {window!r}.")
    span = "all periods up to t-1" if window == "cumulative" else f"periods t-{window}..t-1"
    suffix = "cum" if window == "cumulative" else f"w{window}"
    return RelationCount(name=f"{relation}_count_{suffix}", lag=1, relation=relation,
                         window=window,
                         description=f"sum of weights of {relation!r} edges i -> j dated in {span}")


def source_time_since_adoption() -> SourceTimeSinceAdoption:
    """``t - T_j`` for a source j that adopted by t-1, null otherwise.

    Examples
    --------
    >>> source_time_since_adoption().lag
    1
    """
    return SourceTimeSinceAdoption(name="source_time_since_adoption", lag=1,
                                   description="t - T_j, periods since the source j adopted "
                                               "(null if j had not adopted by t-1)")


def attribute_difference(attribute: str, *, kind: str = "abs", lag: int = 0) -> AttributeDifference:
    """Difference of an attribute between source and receiver: ``|x_i - x_j|`` or ``x_j - x_i``.

    ``x`` is a covariate observed at ``t - lag`` or a static unit attribute
    (e.g. ideology, population).

    Examples
    --------
    >>> attribute_difference("ideology").name, attribute_difference("ideology", kind="signed").name
    ('ideology_absdiff', 'ideology_diff')
    """
    check_choice("kind", kind, ("abs", "signed"))
    lag = check_lag(lag)
    suffix = "absdiff" if kind == "abs" else "diff"
    formula = "|x_i - x_j|" if kind == "abs" else "x_j - x_i (source minus receiver)"
    return AttributeDifference(
        name=f"{attribute}_{suffix}" + (f"_l{lag}" if lag else ""), lag=lag, attribute=attribute,
        kind=kind, description=f"{formula} of {attribute!r} observed at {lag_text(lag)}")


def same_group(column: str = "region", *, missing: str = "null") -> SameGroup:
    """1 if receiver and source share the value of a unit attribute.

    ``missing="null"`` (default): null if either lacks a value. ``missing="different"``:
    a missing value means "in no group", so the pair is not the same (0), e.g. two
    provinces that belong to no urban agglomeration.

    Examples
    --------
    >>> same_group("division").name
    'same_division'
    """
    check_choice("missing", missing, ("null", "different"))
    return SameGroup(name=f"same_{column}", lag=0, column=column, missing=missing,
                     description=f"1 if i and j have the same {column!r}"
                                 + (" (0 if either has none)" if missing == "different" else ""))


def contiguous(relation: str = "contiguity", *, lag: int = 1) -> Contiguous:
    """1 if the relation has an edge ``i -> j`` (static, or dated ``t - lag``), else 0.

    Examples
    --------
    >>> contiguous().name, contiguous("same_division").name
    ('contiguous', 'same_division_tie')
    """
    lag = check_lag(lag)
    return Contiguous(name="contiguous" if relation == "contiguity" else f"{relation}_tie",
                      lag=lag, relation=relation,
                      description=f"1 if {relation!r} has an edge i -> j (static, or dated "
                                  f"{lag_text(lag)})")
