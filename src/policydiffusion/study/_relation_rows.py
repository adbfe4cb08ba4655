"""Repeated rows of an edge list: refused, or combined as the user says.

A directed edge listed twice would count twice in every exposure term, and an
undirected edge listed both ways with different weights has no single weight, so
neither is left to chance.
"""

from __future__ import annotations

import math
from typing import Callable

import polars as pl

__all__ = ["combine_edge_rows"]


def combine_edge_rows(edges: pl.DataFrame, *, directed: bool, duplicates: str,
                      add: Callable[[int, str, object, str], None],
                      row_of: Callable[[int], int] = lambda pos: pos) -> pl.DataFrame:
    """Edges with each (source, target, period) once.

    A repeated row is a problem (``duplicates="error"``, reported through ``add(pos,
    column, value, hint)``) or combined by ``"sum"`` or ``"max"`` of the weights. In an
    undirected relation an edge may be listed both ways, but only with one weight.
    Rows with a missing weight or period (already reported) are passed through.

    Examples
    --------
    >>> e = pl.DataFrame({"source": ["A", "A"], "target": ["B", "B"], "weight": [1.0, 2.0],
    ...                   "period": [None, None]}, schema_overrides={"period": pl.Int64})
    >>> combine_edge_rows(e, directed=True, duplicates="sum", add=print)["weight"].to_list()
    [3.0]
    """
    first: dict[tuple, int] = {}
    weight: dict[tuple, float] = {}
    order: list[tuple] = []
    rows = edges.select("source", "target", "weight", "period").rows()
    for pos, (s, t, w, p) in enumerate(rows):
        key = (s, t, p)
        if w is None or math.isnan(w) or key not in first:
            first.setdefault(key, pos)
            weight.setdefault(key, w)
            order.append(key)
            continue
        if duplicates == "error":
            when = "" if p is None else f" in period {p}"
            add(pos, "target", t, f"edge {s} -> {t}{when} listed twice (first at row "
                f"{row_of(first[key])}); remove the repeat or set duplicates = \"sum\" or \"max\"")
        elif duplicates == "sum":
            weight[key] += w
        else:
            weight[key] = max(weight[key], w)
    if not directed:
        for s, t, p in order:
            back = (t, s, p)
            w, wb = weight[(s, t, p)], weight.get(back)
            if (wb is not None and first[back] > first[(s, t, p)] and not math.isnan(w)
                    and not math.isnan(wb) and w != wb):
                add(first[back], "weight", wb,
                    f"undirected edge {s} - {t} has weight {w:g} at row {row_of(first[(s, t, p)])} "
                    f"and {wb:g} the other way; give one weight, or set directed = true")
    seen: set[tuple] = set()
    keys = [k for k in order if not (k in seen or seen.add(k))]
    return pl.DataFrame({"source": [k[0] for k in keys], "target": [k[1] for k in keys],
                         "weight": [weight[k] for k in keys], "period": [k[2] for k in keys]},
                        schema=edges.schema)
