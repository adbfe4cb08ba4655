"""Relations between units: contiguity, regions, study visits, trade, inferred networks."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

__all__ = ["Relation"]

EDGE_SCHEMA = {"source": pl.Utf8, "target": pl.Utf8, "weight": pl.Float64, "period": pl.Int64}


@dataclass(frozen=True)
class Relation:
    """A named edge list between units.

    ``edges`` has columns ``source``, ``target``, ``weight`` (1.0 when not given) and
    ``period`` (null for a static relation; an integer period for period-varying
    relations such as officials' visits i -> j in year t). An undirected relation is
    stored with both directions, so ``source -> target`` always reads "target is a
    neighbour of source" and terms can treat every relation the same way.

    Examples
    --------
    >>> import polars as pl
    >>> r = Relation.from_edges(pl.DataFrame({"a": ["NY"], "b": ["NJ"]}),
    ...                         name="contiguity", source="a", target="b")
    >>> r.edges.height, r.directed, r.is_static
    (2, False, True)
    """

    name: str
    edges: pl.DataFrame
    directed: bool = False
    description: str = ""
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def is_static(self) -> bool:
        """True when no edge carries a period."""
        return self.edges.get_column("period").null_count() == self.edges.height

    @classmethod
    def from_edges(
        cls,
        edges: pl.DataFrame,
        *,
        name: str,
        source: str = "source",
        target: str = "target",
        weight: str | None = None,
        period: str | None = None,
        directed: bool = False,
        description: str = "",
    ) -> "Relation":
        """Build a relation from an edge list whose periods are already integers.

        Use :func:`policydiffusion.study.load_study` (``relations=``) to have
        unit codes and times validated against the study.
        """
        cols = [
            pl.col(source).cast(pl.Utf8).alias("source"),
            pl.col(target).cast(pl.Utf8).alias("target"),
            (pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)).alias("weight"),
            (pl.col(period).cast(pl.Int64) if period else pl.lit(None, pl.Int64)).alias("period"),
        ]
        e = edges.select(cols)
        if not directed:
            rev = e.select(pl.col("target").alias("source"), pl.col("source").alias("target"),
                           "weight", "period")
            e = pl.concat([e, rev]).unique(subset=["source", "target", "period"], keep="first",
                                            maintain_order=True)
        return cls(name=name, edges=e, directed=directed, description=description)

    def at(self, period: int) -> pl.DataFrame:
        """Edges in force in ``period`` (static edges are always in force)."""
        return self.edges.filter(pl.col("period").is_null() | (pl.col("period") == period))
