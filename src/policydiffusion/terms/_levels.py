"""Terms for governments at several levels: ancestors, the centre, pilots, same-parent peers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset._context import PERIOD
from policydiffusion.study._levels import ancestor_table
from policydiffusion.terms._base import Term, check_lag, lag_text
from policydiffusion.terms._regional import RegionShare
from policydiffusion.terms._simulation import NEVER, adopted_by
from policydiffusion.terms._vertical import EventInForce

if TYPE_CHECKING:
    import pandas as pd

    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["ancestor_adopted", "central_signal", "pilot_designated", "peer_share_within_parent",
           "AncestorAdopted", "CentralSignal", "PilotDesignated", "PeerShareWithinParent"]


@dataclass(frozen=True, kw_only=True)
class AncestorAdopted(Term):
    level: str | None = None
    root_only: bool = False
    uses_adoptions = True

    def _ancestors(self, units: pl.DataFrame) -> pl.DataFrame:
        """``unit, ancestor``: the ancestors (at ``level``, or the topmost) that count."""
        if self.level is not None and "level" not in units.columns:
            raise InvalidOptionError(f"{self.name} needs a 'level' column in the units table.")
        anc = ancestor_table(units.get_column("unit").to_list(),
                             units.get_column("parent").to_list(),
                             units.get_column("level").to_list() if "level" in units.columns
                             else None)
        if self.level is not None:
            anc = anc.filter(pl.col("ancestor_level") == self.level)
        if self.root_only:
            anc = anc.sort("distance").group_by("unit").agg(pl.col("ancestor").last())
        return anc.select("unit", "ancestor")

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        anc = self._ancestors(ctx.study.units)
        i = np.array([ctx.index[u] for u in anc.get_column("unit")], dtype=np.int64)
        j = np.array([ctx.index[a] for a in anc.get_column("ancestor")], dtype=np.int64)
        first = np.full(ctx.n, NEVER, dtype=np.int64)
        np.minimum.at(first, i, adoption[j])  # the earliest adoption among the ancestors
        return {self.name: adopted_by(first, t, self.lag)}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        units = ctx.study.units
        # the tree is the study's, the same for every batch: built once per risk set
        anc = ctx.spell_fact(f"ancestors level={self.level!r} root_only={self.root_only}",
                             lambda _: self._ancestors(units))
        t = self._tmp("T")
        first = (anc.lazy()
                 .join(ctx.adoptions().rename({"unit": "ancestor", "T": t}), on="ancestor")
                 .group_by("policy", "unit").agg(pl.col(t).min()))
        plan = plan.join(first, on=["policy", "unit"], how="left")
        return plan.with_columns((pl.col(t) <= pl.col("period") - self.lag).fill_null(False)
                                 .cast(pl.Int8).alias(self.name)).drop(t)


@dataclass(frozen=True, kw_only=True)
class CentralSignal(AncestorAdopted):
    root_only: bool = True


@dataclass(frozen=True, kw_only=True)
class PeerShareWithinParent(RegionShare):
    column: str = "parent"


@dataclass(frozen=True, kw_only=True)
class PilotDesignated(Term):
    pilots: tuple[tuple[str, str, int], ...] = field(default=(), repr=False)

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        t = self._tmp("P")
        p = pl.LazyFrame(list(self.pilots), schema={"policy": pl.Utf8, "unit": pl.Utf8, t: PERIOD},
                         orient="row")
        plan = plan.join(p, on=["policy", "unit"], how="left")
        return plan.with_columns((pl.col(t) <= pl.col("period") - self.lag).fill_null(False)
                                 .cast(pl.Int8).alias(self.name)).drop(t)


def ancestor_adopted(*, level: str | None = None, lag: int = 1) -> AncestorAdopted:
    """1 if any ancestor of the unit (parent, grandparent, ...) had adopted by ``t - lag``.

    Ancestors follow ``units.parent`` up the tree (see
    :func:`~policydiffusion.study.hierarchy`). ``level`` counts only the ancestor at
    that level (``units.level``), e.g. ``level="province"`` for prefectures.

    Examples
    --------
    >>> ancestor_adopted().name, ancestor_adopted(level="province").name
    ('ancestor_adopted_l1', 'province_adopted_l1')
    """
    lag = check_lag(lag)
    who = "any ancestor (parent, grandparent, ...)" if level is None else f"the {level}-level ancestor"
    return AncestorAdopted(name=f"{level or 'ancestor'}_adopted_l{lag}", lag=lag, level=level,
                           description=f"1 if {who} of the unit had adopted by {lag_text(lag)}")


def central_signal(*, event: str | None = None, lag: int = 1) -> Term:
    """1 while the central signal is in force at ``t - lag``.

    Without ``event`` the signal is the adoption of the policy by the unit's topmost
    ancestor (the central unit, e.g. a State Council regulation recorded as the
    centre's adoption). With ``event`` it is that study event (a central document
    recorded in ``study.events``), as :func:`~policydiffusion.terms.event_in_force`.

    Examples
    --------
    >>> central_signal().name, central_signal(event="guideline", lag=0).name
    ('central_signal_l1', 'central_signal_l0')
    """
    lag = check_lag(lag)
    name = f"central_signal_l{lag}"
    if event is not None:
        return EventInForce(name=name, lag=lag, event=event,
                            description=f"value of central event {event!r} in force at "
                                        f"{lag_text(lag)} (0 if none)")
    return CentralSignal(name=name, lag=lag,
                         description=f"1 if the central unit (topmost ancestor) had adopted by "
                                     f"{lag_text(lag)}")


def pilot_designated(pilots: "pd.DataFrame | pl.DataFrame", *, lag: int = 1) -> PilotDesignated:
    """1 if the unit had been designated a pilot for the policy by ``t - lag``.

    ``pilots`` holds ``policy, unit, period`` (as :func:`~policydiffusion.study.read_pilots`
    returns them, which checks units, policies and times against the study).

    Examples
    --------
    >>> import pandas as pd
    >>> pilot_designated(pd.DataFrame({"policy": ["p"], "unit": ["A"], "period": [2001]})).name
    'pilot_designated_l1'
    """
    lag = check_lag(lag)
    frame = pilots if isinstance(pilots, pl.DataFrame) else pl.from_pandas(pilots)
    need = {"policy", "unit", "period"}
    if not need <= set(frame.columns):
        raise InvalidOptionError(f"pilots need columns {sorted(need)} (read them with "
                                 f"read_pilots); got {frame.columns}.")
    rows = tuple((str(p), str(u), int(t)) for p, u, t in frame.select("policy", "unit", "period").rows())
    return PilotDesignated(name=f"pilot_designated_l{lag}", lag=lag, pilots=rows,
                           description=f"1 if the unit had been designated a pilot for the policy "
                                       f"by {lag_text(lag)}")


def peer_share_within_parent(*, lag: int = 1) -> PeerShareWithinParent:
    """Share of the OTHER units with the same parent that had adopted by ``t - lag``.

    Same-parent peers are, e.g., the other prefectures of the province; the
    denominator counts those existing at t; a unit without a parent gets null.

    Examples
    --------
    >>> peer_share_within_parent().name
    'peer_share_within_parent_l1'
    """
    lag = check_lag(lag)
    return PeerShareWithinParent(name=f"peer_share_within_parent_l{lag}", lag=lag,
                                 description=f"share of the other units with the same parent "
                                             f"(existing at t) that adopted by {lag_text(lag)}")
