"""Text similarity between i and its possible source j as a dyadic term."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset._context import PERIOD
from policydiffusion.terms._base import check_lag, lag_text
from policydiffusion.terms._dyadic import DyadicTerm, _pair_edges

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext

__all__ = ["text_similarity", "TextSimilarity"]


@dataclass(frozen=True, kw_only=True)
class TextSimilarity(DyadicTerm):
    relation: str = "text_similarity"

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        e = _pair_edges(ctx, self.relation)
        static = (e.filter(pl.col("_eperiod").is_null()).group_by("unit", "source")
                  .agg(pl.col("weight").mean().alias(self._tmp("s"))))
        # a dated edge (the texts of a policy both adopted, known from the later adoption)
        # counts from its period + lag on: the mean of all such edges known by then
        hi = ctx.periods[1]
        dated = (e.filter(pl.col("_eperiod").is_not_null())
                 .with_columns(pl.int_ranges(pl.col("_eperiod") + self.lag, hi + 1, dtype=PERIOD)
                               .alias("period"))
                 .explode("period").filter(pl.col("period").is_not_null())
                 .group_by("unit", "source", "period")
                 .agg(pl.col("weight").mean().alias(self._tmp("d"))))
        return (plan.join(static, on=["unit", "source"], how="left")
                .join(dated, on=["unit", "source", "period"], how="left")
                .with_columns(pl.coalesce(self._tmp("d"), self._tmp("s"), pl.lit(0.0))
                              .alias(self.name))
                .drop(self._tmp("s"), self._tmp("d")))


def text_similarity(relation: str = "text_similarity", *, lag: int = 1) -> TextSimilarity:
    """Mean text similarity of i and j over the policies both adopted before ``t - lag + 1``.

    Reads a relation built by :func:`policydiffusion.reinvention.text_similarity_relation`
    (edge weight = similarity, dated by the later of the two adoptions); a static
    relation gives its mean weight. Pairs with no shared text score 0. Because an edge
    only counts from ``lag`` (at least 1) periods after both adopted, a policy's own
    texts never predict its own adoption.

    Examples
    --------
    >>> text_similarity().name, text_similarity(lag=2).lag
    ('text_similarity', 2)
    """
    lag = check_lag(lag)
    if lag < 1:
        raise InvalidOptionError(
            "text_similarity needs lag >= 1: with lag=0 the text of the adoption being "
            "explained would enter its own row.")
    return TextSimilarity(name="text_similarity" if relation == "text_similarity"
                          else f"{relation}_similarity", lag=lag, relation=relation,
                          description=f"mean text similarity of i and j over policies both "
                                      f"adopted ({lag_text(lag)} or earlier)")
