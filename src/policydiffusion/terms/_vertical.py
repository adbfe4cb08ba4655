"""Vertical influence: events from above (directives, mandates) and the parent unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset._context import PERIOD
from policydiffusion.terms._base import Term, check_lag, lag_text
from policydiffusion.terms._simulation import NEVER, adopted_by

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.study import Study
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["event_in_force", "parent_adopted", "EventInForce", "ParentAdopted"]


@dataclass(frozen=True, kw_only=True)
class EventInForce(Term):
    event: str = "directive"

    def _events(self, study: "Study") -> pl.DataFrame:
        ev = study.events
        known = sorted(set(ev.get_column("event"))) if ev is not None else []
        if ev is None or self.event not in known:
            raise InvalidOptionError(f"the study has no event {self.event!r}; known events: "
                                     f"{known or 'none (pass events= to load_study)'}.")
        return ev

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        e = self._events(ctx.study).filter((pl.col("event") == self.event)
                                           & (pl.col("period") == t - self.lag))
        nat = e.filter(pl.col("unit").is_null()).get_column("value")
        out = np.full(ctx.n, float(nat.max()) if nat.len() else 0.0)
        for u, v in e.filter(pl.col("unit").is_not_null()).group_by("unit").agg(
                pl.col("value").max()).iter_rows():
            if u in ctx.index:
                out[ctx.index[u]] = v
        return {self.name: out}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        ev = self._events(ctx.study)
        e = (ev.lazy().filter(pl.col("event") == self.event)
             .with_columns((pl.col("period") + self.lag).cast(PERIOD).alias("period")))
        u, n = self._tmp("u"), self._tmp("n")
        unit_level = (e.filter(pl.col("unit").is_not_null())
                      .group_by("unit", "period").agg(pl.col("value").max().alias(u)))
        national = (e.filter(pl.col("unit").is_null())
                    .group_by("period").agg(pl.col("value").max().alias(n)))
        plan = (plan.join(unit_level, on=["unit", "period"], how="left")
                .join(national, on="period", how="left"))
        return plan.with_columns(pl.coalesce(u, n, pl.lit(0.0)).alias(self.name)).drop(u, n)


@dataclass(frozen=True, kw_only=True)
class ParentAdopted(Term):
    uses_adoptions = True

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        pos = np.array([ctx.index.get(p, -1) for p in ctx.study.units.get_column("parent")],
                       dtype=np.int64)
        parent = np.where(pos >= 0, adoption[pos], NEVER)  # no parent: never adopted
        return {self.name: adopted_by(parent, t, self.lag)}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        parents = ctx.study.units.select("unit", "parent")
        if parents.get_column("parent").null_count() == parents.height:
            raise InvalidOptionError("parent_adopted needs units with a 'parent' (e.g. the "
                                     "province of a city); the units table has none.")
        p, t = self._tmp("p"), self._tmp("T")
        adopt = ctx.adoptions().rename({"unit": p, "T": t})
        plan = (plan.join(parents.lazy().rename({"parent": p}), on="unit", how="left")
                .join(adopt, on=["policy", p], how="left"))
        return plan.with_columns(
            (pl.col(t) <= pl.col("period") - self.lag).fill_null(False).cast(pl.Int8)
            .alias(self.name)).drop(p, t)


def event_in_force(event: str = "directive", *, lag: int = 1) -> EventInForce:
    """Value of a study event (e.g. a central directive) in force at ``t - lag``.

    Events come from ``study.events`` (``event, period, unit, value``). A row for the
    unit itself takes precedence over a row for every unit (empty ``unit``); 0 when
    none applies; the largest value when several rows overlap. Use ``lag=0`` for an
    event in force in the current period.

    Examples
    --------
    >>> event_in_force("federal_mandate", lag=0).name
    'federal_mandate_in_force_l0'
    """
    lag = check_lag(lag)
    return EventInForce(name=f"{event}_in_force_l{lag}", lag=lag, event=event,
                        description=f"value of event {event!r} in force at {lag_text(lag)} "
                                    "(unit-specific rows first, then national ones; 0 if none)")


def parent_adopted(*, lag: int = 1) -> ParentAdopted:
    """1 if the unit's parent (``units.parent``, e.g. its province) had adopted by ``t - lag``.

    Units without a parent, or whose parent never adopts, get 0.

    Examples
    --------
    >>> parent_adopted().name
    'parent_adopted_l1'
    """
    lag = check_lag(lag)
    return ParentAdopted(name=f"parent_adopted_l{lag}", lag=lag,
                         description=f"1 if the unit's parent unit had adopted by {lag_text(lag)}")
