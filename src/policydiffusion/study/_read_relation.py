"""``read_relation``: an edge list read and checked against the study's units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import polars as pl

from policydiffusion.errors import InvalidOptionError, Problem, check_choice
from policydiffusion.study._cells import ReadOptions, check_duplicates_option
from policydiffusion.study._collect import (TableRead, _Collector, _is_missing, _read, _suggest,
                                            _text, _time_column)
from policydiffusion.study._columns import RelationColumns
from policydiffusion.study._read import Table, TableLike, require_columns
from policydiffusion.study._relation_rows import combine_edge_rows
from policydiffusion.study._relations import Relation
from policydiffusion.study._study import Exclusion

__all__ = ["RelationSpec", "RelationRead", "read_relation", "UNKNOWN_UNITS"]

#: What load_study does with relation edges that name units outside the study.
UNKNOWN_UNITS = ("error", "drop")


class RelationSpec(dict):
    """How to read one relation from a table: columns and direction.

    The columns come as a :class:`RelationColumns` (``columns=``) or as the flat
    keywords ``source``, ``target``, ``weight`` and ``period``, not both.

    Examples
    --------
    >>> RelationSpec("visits.csv", source="from", target="to", weight="n", period="year",
    ...              directed=True)["directed"]
    True
    >>> RelationSpec("visits.csv", columns=RelationColumns(source="from", target="to"))["source"]
    'from'
    """

    def __init__(self, edges: TableLike, *, source: str = "source", target: str = "target",
                 weight: str | None = None, period: str | None = None, directed: bool = False,
                 description: str = "", duplicates: str = "error",
                 columns: RelationColumns | None = None) -> None:
        check_duplicates_option(duplicates)
        if columns is not None:  # the mapping and the flat keywords are one thing
            if (source, target, weight, period) != ("source", "target", None, None):
                raise InvalidOptionError("give columns= or source=, target=, weight=, period=, "
                                         "not both.")
            source, target, weight, period = (columns.source, columns.target, columns.weight,
                                              columns.period)
        super().__init__(edges=edges, source=source, target=target, weight=weight,
                         period=period, directed=directed, description=description,
                         duplicates=duplicates)


@dataclass(frozen=True)
class RelationRead(TableRead):
    """What :func:`read_relation` returns: a TableRead (``frame, problems``) whose frame
    is the edge list, and the :class:`Relation` built from it."""

    relation: Relation | None = None


def read_relation(name: str, edges: RelationSpec | Relation | TableLike, *,
                  known_units: Sequence[str], granularity: str = "year",
                  options: ReadOptions = ReadOptions(),
                  unknown_units: str = "error") -> RelationRead:
    """The relation ``name`` read and checked against ``known_units``, with the problems.

    ``edges`` is a :class:`RelationSpec` (a table and its columns), a ready
    :class:`Relation` (its units are checked) or a table with ``source`` / ``target``
    columns. The frame is the relation's edge list (``source, target, weight,
    period``); the :class:`Relation` itself is ``.relation``. Problems: a unit not in
    ``known_units``, an empty cell, a self-loop, a weight that is not a number, a
    repeated edge. With ``unknown_units="drop"`` edges naming other units are removed
    and counted in ``exclusions`` instead.

    Examples
    --------
    >>> import pandas as pd
    >>> edges = pd.DataFrame({"from": ["A", "A"], "to": ["B", "Z"]})
    >>> spec = RelationSpec(edges, columns=RelationColumns(source="from", target="to"))
    >>> frame, problems = read_relation("border", spec, known_units=["A", "B"])
    >>> [(p.row, p.value, p.hint) for p in problems]
    [(1, 'Z', 'relation names an unknown unit')]
    >>> read_relation("border", spec, known_units=["A", "B"], unknown_units="drop").relation.edges.height
    2
    """
    check_choice("unknown_units", unknown_units, UNKNOWN_UNITS)
    bad = _Collector()
    sources: dict[str, str] = {}
    dropped: list[Exclusion] = []
    rel = _relation(name, edges, granularity, list(known_units), bad, sources, opts=options,
                    unknown_units=unknown_units, dropped=dropped)
    label = sources.get(f"relation:{name}", f"relation {name!r} (Relation)")
    return RelationRead(rel.edges, tuple(bad.problems), label, sources, tuple(dropped),
                        relation=rel)


def _relations(relations: Mapping[str, RelationSpec | Relation | TableLike], granularity: str,
               known_units: list[str], opts: ReadOptions, *, unknown_units: str = "error",
               ) -> tuple[dict[str, Relation], list[Problem], dict[str, str], list[Exclusion]]:
    """Every relation read and checked: the relations, their problems, their sources and
    the edges dropped for naming unknown units."""
    out: dict[str, Relation] = {}
    problems: list[Problem] = []
    sources: dict[str, str] = {}
    dropped: list[Exclusion] = []
    for name, spec in relations.items():
        r = read_relation(name, spec, known_units=known_units, granularity=granularity,
                          options=opts, unknown_units=unknown_units)
        out[name] = r.relation
        problems += r.problems
        sources.update(r.sources)
        dropped += r.exclusions
    return out, problems, sources, dropped


def _relation(name: str, spec: Any, granularity: str, known_units: list[str], bad: _Collector,
              sources: dict[str, str], opts: ReadOptions = ReadOptions(), *,
              unknown_units: str = "error",
              dropped: list[Exclusion] | None = None) -> Relation:
    """The relation ``name`` read and checked; with ``unknown_units="drop"`` the edges
    naming units outside the study are removed and counted in ``dropped``."""
    drop = unknown_units == "drop"
    if isinstance(spec, Relation):
        e = spec.edges
        tab = Table(e.to_pandas(), f"relation {name!r} (Relation)", False)
        _check_edges(tab, "source", "target", known_units, bad, unknown_ok=drop)
        edges = _drop_unknown_edges(spec.edges, name, spec.directed, known_units, dropped) \
            if drop else spec.edges
        return spec if spec.name == name and edges is spec.edges else \
            Relation(name, edges, spec.directed, spec.description, dict(spec.meta))
    if not isinstance(spec, dict):
        spec = RelationSpec(spec)
    rt = _read(spec["edges"], f"relation {name!r}", opts)
    sources[f"relation:{name}"] = rt.label
    cols = {"source": spec["source"], "target": spec["target"]}
    if spec.get("weight"):
        cols["weight"] = spec["weight"]
    if spec.get("period"):
        cols["period"] = spec["period"]
    require_columns(rt, cols)
    _check_edges(rt, spec["source"], spec["target"], known_units, bad, unknown_ok=drop)
    f = rt.frame
    periods = _time_column(rt, spec.get("period"), granularity, bad, required=True, opts=opts) \
        if spec.get("period") else [None] * len(f)
    weights: list[float] = []
    if spec.get("weight"):
        for pos, w in enumerate(f[spec["weight"]]):
            try:
                weights.append(float(w))
                if np.isnan(weights[-1]):
                    raise ValueError
            except (TypeError, ValueError):
                bad.add(rt, pos, spec["weight"], w, "edge weight must be a number")
                weights.append(np.nan)
    else:
        weights = [1.0] * len(f)
    edges = pl.DataFrame({"source": [_text(v) for v in f[spec["source"]]],
                          "target": [_text(v) for v in f[spec["target"]]],
                          "weight": weights, "period": periods},
                         schema={"source": pl.Utf8, "target": pl.Utf8, "weight": pl.Float64,
                                 "period": pl.Int64})
    edges = combine_edge_rows(edges, directed=bool(spec.get("directed")),
                              duplicates=spec.get("duplicates", "error"),
                              add=lambda pos, col, value, hint: bad.add(
                                  rt, pos, spec.get(col) or col, value, hint), row_of=rt.row_of)
    if drop:
        edges = _drop_unknown_edges(edges, name, bool(spec.get("directed")), known_units, dropped)
    return Relation.from_edges(edges, name=name, source="source", target="target", weight="weight",
                               period="period" if spec.get("period") else None,
                               directed=bool(spec.get("directed")),
                               description=spec.get("description", ""))


def _check_edges(rt: Table, scol: str, tcol: str, known_units: list[str], bad: _Collector,
                 *, unknown_ok: bool = False) -> None:
    """Report unknown units (unless ``unknown_ok``: they are dropped later), empty cells
    and self-loops."""
    known = set(known_units)
    f = rt.frame
    for pos, (s, t) in enumerate(zip(f[scol], f[tcol])):
        s_, t_ = ("" if _is_missing(s) else _text(s)), ("" if _is_missing(t) else _text(t))
        if s_ not in known and not (unknown_ok and s_):
            bad.add(rt, pos, scol, s_ or None, "relation names an unknown unit" + _suggest(s_, known_units))
        if t_ not in known and not (unknown_ok and t_):
            bad.add(rt, pos, tcol, t_ or None, "relation names an unknown unit" + _suggest(t_, known_units))
        if s_ and s_ == t_:
            bad.add(rt, pos, tcol, t_, "self-loop: a unit cannot be related to itself")


def _drop_unknown_edges(edges: pl.DataFrame, name: str, directed: bool, known_units: list[str],
                        dropped: list[Exclusion] | None) -> pl.DataFrame:
    """``edges`` (``source, target, period``) without the rows that name a unit outside
    the study; the removed rows are counted in ``dropped`` with the units and examples."""
    known = list(known_units)
    outside = ~(pl.col("source").is_in(known) & pl.col("target").is_in(known))
    gone = edges.filter(outside)
    if gone.height == 0:
        return edges
    units = sorted((set(gone.get_column("source")) | set(gone.get_column("target")))
                   - set(known_units))
    shown = ", ".join(units[:10]) + (f" and {len(units) - 10} more" if len(units) > 10 else "")
    arrow = "->" if directed else "-"
    examples = tuple(f"{s}{arrow}{t}" + ("" if p is None else f" ({p})")
                     for s, t, p in gone.select("source", "target", "period").rows()[:5])
    if dropped is not None:
        dropped.append(Exclusion(
            "study", f"relation {name!r}: edge names a unit outside the study ({shown}); "
            "dropped (unknown_units='drop')", gone.height, examples))
    return edges.filter(~outside)
