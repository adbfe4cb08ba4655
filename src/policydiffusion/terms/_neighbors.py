"""Neighbour diffusion: how many of a unit's neighbours (any relation) had adopted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from policydiffusion.errors import check_choice
from policydiffusion.terms._base import Term, check_lag, lag_text
from policydiffusion.terms._periods import check_relation_periods
from policydiffusion.terms._simulation import adopted_by, safe_divide

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["neighbors_adopted", "NeighborsAdopted", "relation_sums", "lags_suffix", "lags_text"]

KINDS = ("share", "count", "any")


def relation_sums(plan: pl.LazyFrame, ctx: "BuildContext", *, relation: str, lag: int,
                  weight: pl.Expr, num: str, den: str, value: pl.LazyFrame | None = None,
                  value_col: str | None = None, adoption_lag: int | None = None) -> pl.LazyFrame:
    """Add ``num = sum_j w_ij v_j A_j,t-adoption_lag`` and ``den = sum_j w_ij v_j`` to a plan.

    Edges ``i -> j`` in force at ``t - lag`` (static edges always); ``adoption_lag``
    (default ``lag``) sets the adoption cutoff separately. ``weight`` is an
    expression of the edge columns (``weight``). ``value`` optionally gives ``v_j`` as
    ``unit[, period], value_col`` (period already aligned to the row's period); a null
    ``v_j`` among the neighbours makes both sums null.
    """
    a_lag = lag if adoption_lag is None else adoption_lag
    check_relation_periods(ctx, relation, lag)
    keys = ctx.unit_periods()
    edges = ctx.relation_edges(relation).rename({"period": "_eperiod", "source": "unit",
                                                 "target": "_j"})
    nb = (keys.join(edges, on="unit")
          .filter(pl.col("_eperiod").is_null() | (pl.col("_eperiod") == pl.col("period") - lag))
          .join(ctx.adoptions().rename({"unit": "_j"}), on=["policy", "_j"], how="left")
          .with_columns(weight.cast(pl.Float64).alias("_w"),
                        (pl.col("T") <= pl.col("period") - a_lag).fill_null(False).alias("_A")))
    if value is not None:
        v = value.rename({"unit": "_j"})
        on = ["_j", "period"] if "period" in v.collect_schema().names() else ["_j"]
        nb = nb.join(v, on=on, how="left").with_columns(
            (pl.col("_w") * pl.col(value_col)).alias("_w"))
    agg = nb.group_by("policy", "unit", "period").agg(
        pl.when(pl.col("_w").null_count() > 0).then(None)
        .otherwise((pl.col("_w") * pl.col("_A")).sum()).alias(num),
        pl.when(pl.col("_w").null_count() > 0).then(None).otherwise(pl.col("_w").sum()).alias(den),
    )
    plan = plan.join(agg, on=["policy", "unit", "period"], how="left")
    has = pl.col(den).is_not_null() | pl.col(num).is_not_null()
    return plan.with_columns(
        pl.when(has).then(pl.col(num)).otherwise(0.0).alias(num),
        pl.when(has).then(pl.col(den)).otherwise(0.0).alias(den))


@dataclass(frozen=True, kw_only=True)
class NeighborsAdopted(Term):
    relation: str = "contiguity"
    kind: str = "share"
    weighted: bool = False
    relation_lag: int = 1
    adoption_lag: int = 1
    uses_adoptions = True

    def reads_same_period_adoptions(self) -> bool:
        return self.adoption_lag < 1

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: np.ndarray) -> dict[str, np.ndarray]:
        num, den = ctx.relation_sums(self.relation, t, self.relation_lag,
                                     adopted_by(adoption, t, self.adoption_lag),
                                     weighted=self.weighted)
        if self.kind == "share":
            return {self.name: safe_divide(num, den), self.isolate_column: (den == 0).astype(float)}
        if self.kind == "count":
            return {self.name: num if self.weighted else np.round(num)}
        return {self.name: (num > 0).astype(float)}

    @property
    def isolate_column(self) -> str:
        return f"{self.name}_isolate"

    def columns(self, ctx: "BuildContext") -> list[str]:
        return [self.name, self.isolate_column] if self.kind == "share" else [self.name]

    def column_meta(self, ctx: "BuildContext") -> dict[str, dict]:
        meta = {self.name: {"description": self.description, "lag": self.lag}}
        if self.kind == "share":
            meta[self.isolate_column] = {
                "description": f"1 if the unit has no {self.relation!r} neighbours in force at "
                               f"{lag_text(self.relation_lag)} (its {self.name} is then 0)",
                "lag": self.lag}
        return meta

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        num, den = self._tmp("num"), self._tmp("den")
        w = pl.col("weight") if self.weighted else pl.lit(1.0)
        plan = relation_sums(plan, ctx, relation=self.relation, lag=self.relation_lag, weight=w,
                             num=num, den=den, adoption_lag=self.adoption_lag)
        if self.kind == "share":
            out = [pl.when(pl.col(den) == 0).then(0.0).otherwise(pl.col(num) / pl.col(den))
                   .alias(self.name),
                   (pl.col(den) == 0).cast(pl.Int8).alias(self.isolate_column)]
        elif self.kind == "count":
            c = pl.col(num) if self.weighted else pl.col(num).round(0).cast(pl.Int32)
            out = [c.alias(self.name)]
        else:
            out = [(pl.col(num) > 0).cast(pl.Int8).alias(self.name)]
        return plan.with_columns(out).drop(num, den)


def neighbors_adopted(relation: str = "contiguity", *, kind: str = "share", weighted: bool = False,
                      lag: int = 1, relation_lag: int | None = None,
                      adoption_lag: int | None = None) -> NeighborsAdopted:
    """Neighbours of the unit that had adopted by ``t - lag`` (Berry & Berry's neighbour model).

    With a study relation whose edges ``i -> j`` mean "j is a neighbour (source) of i"
    and weights ``w_ij`` (1 unless ``weighted=True``), ``count_it = sum_j w_ij
    A_j,t-adoption_lag`` over the edges in force at ``t - relation_lag`` (static edges
    always); ``share = count / sum_j w_ij``; ``any = 1`` if ``count > 0``. A unit without
    neighbours (an isolate such as Alaska or Hawaii) gets share 0, and the share term
    adds the flag column ``<name>_isolate`` so a model can tell it apart.

    With an inferred, year-varying network (:func:`policydiffusion.networks.as_relation`
    of a rolling netinf) and ``kind="count"`` this is the "sources adopted" term;
    ``relation_lag=0, adoption_lag=0`` is the published convention of Desmarais, Harden
    & Boehmke (2015): sources in year t's network that adopted up to and including t.

    Parameters
    ----------
    relation
        Name of a relation of the study (static or period-varying, weighted or not).
    kind
        ``"share"``, ``"count"`` or ``"any"``.
    weighted
        Use the edge weights (e.g. trade volume, 1/distance); default counts edges.
    lag
        Periods of lag; 1 = neighbours' adoptions up to t-1 (same-period ones excluded).
        The default of both ``relation_lag`` and ``adoption_lag``.
    relation_lag
        Which period's relation is used: 0 = the edges in force at t, 1 = at t-1.
    adoption_lag
        Neighbours that adopted up to ``t - adoption_lag``; 0 includes same-period
        adopters (simultaneity: the column description says so).

    Examples
    --------
    >>> neighbors_adopted().name, neighbors_adopted(kind="count", lag=2).name
    ('neighbors_adopted_l1', 'neighbors_adopted_count_l2')
    >>> neighbors_adopted().description
    "share of 'contiguity' neighbours that adopted by t-1"
    >>> neighbors_adopted("netinf", kind="count", relation_lag=0, adoption_lag=1).name
    'neighbors_adopted_netinf_count_r0a1'
    """
    check_choice("kind", kind, KINDS)
    lag = check_lag(lag)
    r_lag = lag if relation_lag is None else check_lag(relation_lag, name="relation_lag")
    a_lag = lag if adoption_lag is None else check_lag(adoption_lag, name="adoption_lag")
    parts = ["neighbors_adopted"]
    if relation != "contiguity":
        parts.append(relation)
    if kind != "share":
        parts.append(kind)
    if weighted:
        parts.append("w")
    what = {"share": "share of", "count": "number of", "any": "1 if any of the"}[kind]
    wtxt = " (edge-weighted)" if weighted else ""
    return NeighborsAdopted(
        name="_".join(parts) + lags_suffix(r_lag, a_lag), lag=min(r_lag, a_lag),
        relation=relation, kind=kind, weighted=weighted, relation_lag=r_lag, adoption_lag=a_lag,
        description=f"{what} {relation!r} neighbours{wtxt}" + lags_text(r_lag, a_lag))


def lags_suffix(relation_lag: int, adoption_lag: int) -> str:
    """``_l1`` when both lags agree, else ``_r0a1`` (relation lag, adoption lag)."""
    if relation_lag == adoption_lag:
        return f"_l{relation_lag}"
    return f"_r{relation_lag}a{adoption_lag}"


def lags_text(relation_lag: int, adoption_lag: int) -> str:
    """The end of a relation term's description: which network, which adopters."""
    text = f" that adopted by {lag_text(adoption_lag)}"
    if relation_lag != adoption_lag:
        text += f" (relation in force at {lag_text(relation_lag)})"
    if adoption_lag == 0:
        text += ("; same-period adopters included, so the term is simultaneous with the "
                 "outcome (common shocks can masquerade as diffusion)")
    return text
