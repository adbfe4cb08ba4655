"""Attribute-weighted exposure (netdiffuseR) and plain covariates from the study."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from policydiffusion.terms._base import Term, check_lag, lag_text
from policydiffusion.terms._common import own_adopted
from policydiffusion.terms._neighbors import relation_sums
from policydiffusion.terms._simulation import adopted_by, safe_divide

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["exposure", "covariate", "Exposure", "Covariate"]


def _with_values(frame: pl.LazyFrame, vals: pl.LazyFrame | None, v: str) -> pl.LazyFrame:
    """``frame`` with the attribute column ``v`` joined on (unit[, period]), or 1.0
    everywhere when there is no attribute (plain exposure)."""
    if vals is None:
        return frame.with_columns(pl.lit(1.0).alias(v))
    on = ["unit", "period"] if "period" in vals.collect_schema().names() else ["unit"]
    return frame.join(vals, on=on, how="left")


@dataclass(frozen=True, kw_only=True)
class Exposure(Term):
    relation: str | None = None
    attribute: str | None = None
    uses_adoptions = True

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        x = ctx.values(self.attribute, t - self.lag) if self.attribute else np.ones(ctx.n)
        adopted = adopted_by(adoption, t, self.lag)
        if self.relation is not None:
            num, den = ctx.relation_sums(self.relation, t, self.lag, adopted, values=x)
            return {self.name: safe_divide(num, den)}
        xe = np.where(ctx.exist(t), x, 0.0)
        return {self.name: safe_divide((xe * adopted).sum() - xe * adopted, xe.sum() - xe)}

    def _values(self, ctx: "BuildContext", v: str) -> pl.LazyFrame | None:
        if self.attribute is None:
            return None
        vals, _ = ctx.covariate_or_attribute(self.attribute, self.lag)
        return vals.rename({self.attribute: v}).with_columns(pl.col(v).cast(pl.Float64))

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        num, den, v = self._tmp("num"), self._tmp("den"), self._tmp("v")
        vals = self._values(ctx, v)
        if self.relation is not None:
            plan = relation_sums(plan, ctx, relation=self.relation, lag=self.lag,
                                 weight=pl.col("weight"), num=num, den=den, value=vals, value_col=v)
            return plan.with_columns(
                pl.when(pl.col(den) == 0).then(0.0).otherwise(pl.col(num) / pl.col(den))
                .alias(self.name)).drop(num, den)
        # every other unit existing at t: group sums minus the unit's own contribution
        keys = ctx.policy_periods()
        exist = _with_values(ctx.existing_units(), vals, v)
        adopted = (keys.join(exist, on="period")
                   .join(ctx.adoptions(), on=["policy", "unit"], how="left")
                   .with_columns((pl.col("T") <= pl.col("period") - self.lag).fill_null(False)
                                 .alias("_A")))
        nulls = pl.col(v).null_count() > 0
        agg = adopted.group_by("policy", "period").agg(
            pl.when(nulls).then(None).otherwise((pl.col(v) * pl.col("_A")).sum()).alias(num),
            pl.when(nulls).then(None).otherwise(pl.col(v).sum()).alias(den))
        plan = plan.join(agg, on=["policy", "period"], how="left")
        plan = _with_values(plan, vals, v)
        own = own_adopted(self.lag).cast(pl.Float64)
        n_, d_ = pl.col(num) - pl.col(v) * own, pl.col(den) - pl.col(v)
        return plan.with_columns(
            pl.when(d_ == 0).then(0.0).otherwise(n_ / d_).alias(self.name)).drop(num, den, v)


@dataclass(frozen=True, kw_only=True)
class Covariate(Term):
    column: str = ""

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        return {self.name: ctx.values(self.column, t - self.lag)}

    def is_static(self, ctx: "BuildContext") -> bool:
        return not ctx.covariate_or_attribute(self.column, self.lag)[1]  # a unit attribute

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        vals, by_period = ctx.covariate_or_attribute(self.column, self.lag)
        vals = vals.rename({self.column: self.name})
        return plan.join(vals, on=["unit", "period"] if by_period else ["unit"], how="left")


def exposure(relation: str | None = None, *, attribute: str | None = None,
             lag: int = 1) -> Exposure:
    """Attribute-weighted exposure to prior adopters (netdiffuseR, METHODS 5.18).

    ``E_it = sum_j S_ij x_j A_j,t-lag / sum_j S_ij x_j`` with ``S`` the relation's
    (weighted) edges in force at ``t - lag`` (``relation=None``: every other unit
    existing at t, S_ij = 1), ``x_j`` an attribute (a covariate observed at
    ``t - lag`` or a static unit attribute; 1 when ``attribute=None``) and ``A`` the
    cumulative adoption indicator. A zero denominator (no ties) gives 0; a missing
    ``x_j`` makes the exposure missing (null) rather than silently dropping j.

    Examples
    --------
    >>> exposure(attribute="performance").name
    'exposure_performance_l1'
    >>> exposure("trade", attribute="gdp").name
    'exposure_trade_gdp_l1'
    """
    lag = check_lag(lag)
    parts = ["exposure"] + ([relation] if relation else []) + ([attribute] if attribute else [])
    ties = f"{relation!r} ties (edge weights)" if relation else "all other units existing at t"
    x = f"{attribute!r} (at {lag_text(lag)})" if attribute else "1"
    return Exposure(name="_".join(parts) + f"_l{lag}", lag=lag, relation=relation,
                    attribute=attribute,
                    description=f"exposure: sum_j S_ij x_j A_j / sum_j S_ij x_j over {ties}, "
                                f"x = {x}, A = adopted by {lag_text(lag)}")


def covariate(column: str, *, lag: int = 0) -> Covariate:
    """A covariate from the study panel (observed at ``t - lag``) or a unit attribute.

    Rows whose unit-period is missing from the panel get null (the estimation step
    reports and handles missing values).

    Examples
    --------
    >>> covariate("gdp").name, covariate("gdp", lag=1).name
    ('gdp', 'gdp_l1')
    """
    lag = check_lag(lag)
    return Covariate(name=column if lag == 0 else f"{column}_l{lag}", lag=lag, column=column,
                     description=f"{column!r} observed at {lag_text(lag)} (study covariates, or "
                                 "the static unit attribute)")
