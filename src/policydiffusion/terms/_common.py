"""Shared pieces of the monadic terms: counting other units that adopted by t - lag."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext

__all__ = ["own_adopted", "adopted_others", "safe_ratio"]


def own_adopted(lag: int) -> pl.Expr:
    """True where the row's own unit had adopted by ``t - lag`` (only possible for lag 0)."""
    return (pl.col("_T") <= pl.col("period") - lag).fill_null(False)


def safe_ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, 0.0 where den is 0 (null stays null)."""
    return pl.when(den == 0).then(pl.lit(0.0)).otherwise(num.cast(pl.Float64) / den)


def adopted_others(plan: pl.LazyFrame, ctx: "BuildContext", *, lag: int, out: str,
                   group: str | None = None, members: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Add ``out``: the number of OTHER units that exist at t and adopted by ``t - lag``.

    ``group``: count only units with the same value of this unit attribute as the row's
    unit (the row's group value is added as ``out + '_g'``; null group -> null count).
    ``members``: ``policy, unit`` of the units that may be counted (e.g. leaders); the
    row's own unit is subtracted only if it is a member.
    """
    keys = ctx.policy_periods()
    adopters = ctx.adopted_by(keys, lag)
    by = ["policy", "period"]
    if members is not None:
        adopters = adopters.join(members, on=["policy", "unit"], how="semi")
    if group is not None:
        g = ctx.unit_attribute(group).rename({group: out + "_g"})
        adopters = adopters.join(g, on="unit")
        plan = plan.join(g, on="unit", how="left")
        by = by + [out + "_g"]
    counts = adopters.group_by(by).agg(pl.len().cast(pl.Int32).alias(out + "_all"))
    plan = plan.join(counts, on=by, how="left")
    own = own_adopted(lag)
    if members is not None:
        flag = members.with_columns(pl.lit(True).alias(out + "_m"))
        plan = plan.join(flag, on=["policy", "unit"], how="left")
        own = own & pl.col(out + "_m").fill_null(False)
    total = pl.col(out + "_all").fill_null(0) - own.cast(pl.Int32)
    if group is not None:
        total = pl.when(pl.col(out + "_g").is_null()).then(None).otherwise(total)
    plan = plan.with_columns(total.cast(pl.Int32).alias(out)).drop(out + "_all")
    return plan.drop(out + "_m") if members is not None else plan
