"""Leader-laggard diffusion: did a designated leader adopt already?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Container, Sequence

import numpy as np
import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.terms._base import Term, check_lag, lag_text
from policydiffusion.terms._common import adopted_others
from policydiffusion.terms._regional import _group_others, _national_others

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.study import Study
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["leaders_adopted", "LeadersAdopted", "innovativeness_leaders"]


def innovativeness_leaders(study: "Study", policies: Sequence[str], k: int) -> pl.DataFrame:
    """``policy, unit``: the k most innovative units for each policy, from the OTHER policies.

    Walker's (1969) score: for each policy q, an adopter scores
    ``1 - (T_iq - first_q) / (last_q - first_q)`` (1 when everybody adopted in one
    period), a non-adopter 0; a unit's score for policy p is its mean over all study
    policies q != p, so policy p's own adoptions never enter. Ties go to the unit id
    that sorts first.
    """
    if study.n_policies < 2:
        raise InvalidOptionError("leaders='most_innovative' ranks units by their adoptions of "
                                 "OTHER policies, but the study has only one policy; name the "
                                 "leaders instead, e.g. leaders=['CA', 'NY'].")
    a = study.adoptions.select("policy", "unit", "period")
    rng = a.group_by("policy").agg(pl.col("period").min().alias("f"), pl.col("period").max().alias("l"))
    s = (a.join(rng, on="policy")
         .with_columns(pl.when(pl.col("l") == pl.col("f")).then(1.0)
                       .otherwise(1.0 - (pl.col("period") - pl.col("f")) / (pl.col("l") - pl.col("f")))
                       .alias("s")))
    total = s.group_by("unit").agg(pl.col("s").sum().alias("S"))
    units = study.units.select("unit").join(total, on="unit", how="left").with_columns(
        pl.col("S").fill_null(0.0))
    pol = pl.DataFrame({"policy": list(policies)}, schema={"policy": pl.Utf8})
    score = (pol.join(units, how="cross")
             .join(s.select("policy", "unit", "s"), on=["policy", "unit"], how="left")
             .with_columns(((pl.col("S") - pl.col("s").fill_null(0.0)) / (study.n_policies - 1))
                           .alias("score")))
    return (score.sort(["policy", "score", "unit"], descending=[False, True, False])
            .group_by("policy", maintain_order=True).head(k).select("policy", "unit"))


@dataclass(frozen=True, kw_only=True)
class LeadersAdopted(Term):
    leaders: tuple[str, ...] | str = ()
    k: int = 5
    by_region: bool = False
    region: str = "region"
    uses_adoptions = True

    def _check_leaders(self, known: Container[str]) -> None:
        bad = [u for u in self.leaders if u not in known]
        if bad:
            raise InvalidOptionError(f"leaders {bad} are not units of the study.")

    def _leader_table(self, ctx: "BuildContext") -> pl.LazyFrame:
        if self.leaders == "most_innovative":
            return innovativeness_leaders(ctx.study, ctx.policies, self.k).lazy()
        self._check_leaders(set(ctx.study.unit_ids))
        return (pl.LazyFrame({"policy": list(ctx.policies)}, schema={"policy": pl.Utf8})
                .join(pl.LazyFrame({"unit": list(self.leaders)}, schema={"unit": pl.Utf8}),
                      how="cross"))

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray] | None:
        if self.leaders == "most_innovative":  # scores from the study's other policies
            return None
        self._check_leaders(ctx.index)
        lead = np.zeros(ctx.n)
        lead[[ctx.index[u] for u in self.leaders]] = 1.0
        # leaders other than the unit that exist at t and adopted by t - lag
        n = (_group_others(ctx, t, adoption, self.lag, self.region, members=lead)[0]
             if self.by_region else _national_others(ctx, t, adoption, self.lag, members=lead)[0])
        return {self.name: np.where(np.isnan(n), np.nan, n > 0)}  # no region: null

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        c = self._tmp("c")
        plan = adopted_others(plan, ctx, lag=self.lag, out=c, members=self._leader_table(ctx),
                              group=self.region if self.by_region else None)
        drop = [c] + ([c + "_g"] if self.by_region else [])
        return plan.with_columns((pl.col(c) > 0).cast(pl.Int8).alias(self.name)).drop(drop)


def leaders_adopted(leaders: Sequence[str] | str = "most_innovative", *, k: int = 5,
                    by_region: bool = False, region: str = "region", lag: int = 1) -> LeadersAdopted:
    """1 if a leader (other than the unit itself) had adopted by ``t - lag``, else 0.

    Parameters
    ----------
    leaders
        Unit ids of the leaders (e.g. ``["CA", "NY"]``), or ``"most_innovative"``: for
        each policy, the ``k`` units with the highest Walker (1969) innovativeness
        score computed from the study's OTHER policies only (a unit's mean relative
        adoption position over them; non-adopters score 0), so the outcome being
        modelled never decides who leads. Those other policies may be adopted later
        than t; pass an explicit list if that matters for your design.
    k
        Number of leaders per policy with ``"most_innovative"``.
    by_region
        Count only the leaders in the unit's own region (``region`` attribute): the
        regional-leader variant.
    lag
        Periods of lag (1 = adoptions up to t-1).

    Examples
    --------
    >>> leaders_adopted(["CA", "NY"]).name
    'leaders_adopted_l1'
    >>> leaders_adopted(["CA", "NY"]).description
    "1 if any leader (['CA', 'NY']) other than the unit had adopted by t-1"
    """
    lag = check_lag(lag)
    if isinstance(leaders, str):
        if leaders != "most_innovative":
            raise InvalidOptionError("leaders must be a list of unit ids or 'most_innovative'; "
                                     f"got {leaders!r}.")
        who = f"the {k} most innovative units (Walker score from the other policies)"
        lead: tuple[str, ...] | str = leaders
    else:
        lead = tuple(str(u) for u in leaders)
        if not lead:
            raise InvalidOptionError("leaders=[] names no leader.")
        who = f"leader ({list(lead)})"
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidOptionError(f"k must be a whole number >= 1; got {k!r}.")
    where = f" in the unit's {region!r}" if by_region else ""
    name = "leaders_adopted" + ("_region" if by_region else "") + f"_l{lag}"
    desc = f"1 if any {who}{where} other than the unit had adopted by {lag_text(lag)}"
    return LeadersAdopted(name=name, lag=lag, description=desc, leaders=lead, k=k,
                          by_region=by_region, region=region)
