"""National interaction and fixed-region diffusion (Berry & Berry)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from policydiffusion.terms._base import Term, check_lag, lag_text
from policydiffusion.terms._common import adopted_others, safe_ratio
from policydiffusion.terms._simulation import adopted_by, safe_divide

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["national_share", "region_share", "national_count", "region_count", "NationalShare",
           "RegionShare", "NationalCount", "RegionCount"]


def _national_others(ctx: "SimulationContext", t: int, adoption: np.ndarray,
                     lag: int, *, members: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(other existing units that adopted by t - lag, other existing units) per unit;
    ``members`` (1.0 or 0.0 per unit): only those adopters count."""
    ex = ctx.exist(t)
    ea = ex * adopted_by(adoption, t, lag) * (1.0 if members is None else members)
    return ea.sum() - ea, np.full(ctx.n, ex.sum() - 1.0)


def _group_others(ctx: "SimulationContext", t: int, adoption: np.ndarray, lag: int,
                  column: str, *, members: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`_national_others` within the unit's group (attribute ``column``); NaN
    for a unit without a group (the builder's null)."""
    code, n_groups = ctx.group_codes(column)
    ok = code >= 0
    num, den = np.full(ctx.n, np.nan), np.full(ctx.n, np.nan)
    if n_groups:
        ex = ctx.exist(t).astype(float)
        ea = ex * adopted_by(adoption, t, lag) * (1.0 if members is None else members)
        num[ok] = np.bincount(code[ok], weights=ea[ok], minlength=n_groups)[code[ok]] - ea[ok]
        den[ok] = np.bincount(code[ok], weights=ex[ok], minlength=n_groups)[code[ok]] - ex[ok]
    return num, den


@dataclass(frozen=True, kw_only=True)
class NationalShare(Term):
    uses_adoptions = True

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        return {self.name: safe_divide(*_national_others(ctx, t, adoption, self.lag))}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        a, n = self._tmp("a"), self._tmp("n")
        plan = adopted_others(plan, ctx, lag=self.lag, out=a)
        plan = plan.join(ctx.existing_count().rename({"_n": n}), on="period", how="left")
        return plan.with_columns(safe_ratio(pl.col(a), pl.col(n) - 1).alias(self.name)).drop(a, n)


@dataclass(frozen=True, kw_only=True)
class RegionShare(Term):
    column: str = "region"
    uses_adoptions = True

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        return {self.name: safe_divide(*_group_others(ctx, t, adoption, self.lag, self.column))}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        a, n = self._tmp("a"), self._tmp("n")
        plan = adopted_others(plan, ctx, lag=self.lag, out=a, group=self.column)
        counts = ctx.existing_count(by=self.column).rename({self.column: a + "_g", "_n": n})
        plan = plan.join(counts, on=["period", a + "_g"], how="left")
        return (plan.with_columns(safe_ratio(pl.col(a), pl.col(n) - 1).alias(self.name))
                .drop(a, n, a + "_g"))


@dataclass(frozen=True, kw_only=True)
class NationalCount(Term):
    uses_adoptions = True

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        return {self.name: _national_others(ctx, t, adoption, self.lag)[0]}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        return adopted_others(plan, ctx, lag=self.lag, out=self.name)


@dataclass(frozen=True, kw_only=True)
class RegionCount(Term):
    column: str = "region"
    uses_adoptions = True

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        return {self.name: _group_others(ctx, t, adoption, self.lag, self.column)[0]}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        g = self._tmp("g")
        plan = adopted_others(plan, ctx, lag=self.lag, out=g, group=self.column)
        return plan.rename({g: self.name}).drop(g + "_g")


def national_share(*, lag: int = 1) -> NationalShare:
    """Share of the other units that had adopted by ``t - lag`` (national interaction).

    ``(number of units j != i existing at t with A_j,t-lag = 1) / (N_t - 1)``, with
    ``N_t`` the number of units existing at t (Berry & Berry's national interaction
    model, METHODS 5.3). Units that adopted before the start of risk count as prior
    adopters. Same-period adoptions by others count only with ``lag=0``.

    Examples
    --------
    >>> national_share().name, national_share(lag=2).description
    ('national_share_l1', 'share of the other N-1 units (existing at t) that adopted by t-2')
    """
    lag = check_lag(lag)
    return NationalShare(name=f"national_share_l{lag}", lag=lag,
                         description=f"share of the other N-1 units (existing at t) that adopted "
                                     f"by {lag_text(lag)}")


def region_share(column: str = "region", *, lag: int = 1) -> RegionShare:
    """Share of the OTHER units in the unit's region that had adopted by ``t - lag``.

    Regions are a unit attribute (``column`` of ``study.units``, e.g. a Census region
    or division, or any user grouping). The denominator counts the other units of the
    region existing at t; a unit alone in its region gets 0, a unit with no region
    value gets null.

    Examples
    --------
    >>> region_share().name, region_share("division").name
    ('region_share_l1', 'division_share_l1')
    """
    lag = check_lag(lag)
    return RegionShare(name=f"{column}_share_l{lag}", lag=lag, column=column,
                       description=f"share of the other units with the same {column!r} "
                                   f"(existing at t) that adopted by {lag_text(lag)}")


def national_count(*, lag: int = 1) -> NationalCount:
    """Number of the other units that had adopted by ``t - lag`` (a count, not a share).

    ``sum over j != i existing at t of A_j,t-lag``: the numerator of
    :func:`national_share`; Desmarais, Harden & Boehmke (2015)'s ``allAdopt`` (the number
    of states that adopted before t) is ``national_count()``. Units that adopted before
    the start of risk count as prior adopters.

    Examples
    --------
    >>> national_count().name, national_count(lag=0).description
    ('national_count_l1', 'number of the other units (existing at t) that adopted by t')
    """
    lag = check_lag(lag)
    return NationalCount(name=f"national_count_l{lag}", lag=lag,
                         description=f"number of the other units (existing at t) that adopted "
                                     f"by {lag_text(lag)}")


def region_count(column: str = "region", *, lag: int = 1) -> RegionCount:
    """Number of the OTHER units in the unit's region that had adopted by ``t - lag``.

    The numerator of :func:`region_share`; a unit with no region value gets null.

    Examples
    --------
    >>> region_count().name, region_count("division").name
    ('region_count_l1', 'division_count_l1')
    """
    lag = check_lag(lag)
    return RegionCount(name=f"{column}_count_l{lag}", lag=lag, column=column,
                       description=f"number of the other units with the same {column!r} "
                                   f"(existing at t) that adopted by {lag_text(lag)}")
