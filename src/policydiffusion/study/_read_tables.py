"""Readers of the tables around the adoptions: units, policies, covariates, events.

Each returns a :class:`~policydiffusion.study.TableRead` (``frame, problems``): a
missing column raises at once, bad cells are collected so that load_study can raise
every table's problems together.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import polars as pl

from policydiffusion.study._cells import ReadOptions, check_numeric_columns
from policydiffusion.study._collect import (TableRead, _Collector, _is_missing, _plain, _read,
                                            _suggest, _text, _time_column)
from policydiffusion.study._columns import (AdoptionColumns, CovariateColumns, PolicyColumns,
                                            UnitColumns)
from policydiffusion.study._read import Table, TableLike, require_columns

__all__ = ["read_units", "read_policies", "read_covariates", "read_events", "EVENT_SPANS"]

#: read_events' frame: one row per event span (``end`` null: in force to the end)
EVENT_SPANS = {"event": pl.Utf8, "start": pl.Int64, "end": pl.Int64, "unit": pl.Utf8,
               "value": pl.Float64}


def read_units(source: TableLike, *, columns: UnitColumns = UnitColumns(),
               adoption_columns: AdoptionColumns = AdoptionColumns(), granularity: str = "year",
               options: ReadOptions = ReadOptions()) -> TableRead:
    """The units table: ``unit, name, parent, entry, exit`` (entry and exit as periods)
    and every other column as an attribute, with the problems found.

    The id column is ``columns.id``, else the adoptions' unit column. Problems: an
    empty or repeated id, an unreadable entry or exit time, an exit before the entry,
    text in an otherwise numeric attribute.

    Examples
    --------
    >>> import pandas as pd
    >>> frame, problems = read_units(pd.DataFrame({"code": ["A", "B", "A"]}),
    ...                              columns=UnitColumns(id="code"))
    >>> frame.get_column("unit").to_list(), problems[0].hint
    (['A', 'B', 'A'], 'unit listed twice (first at row 0)')
    """
    bad = _Collector()
    ut = _read(source, "units", options)
    uid = columns.id or adoption_columns.unit
    require_columns(ut, {"units_id": uid})
    frame = _units_frame(ut, uid, columns.name, columns.parent, columns.entry, columns.exit,
                         granularity, bad, opts=options)
    return TableRead(frame, tuple(bad.problems), ut.label, columns=replace(columns, id=uid))


def read_policies(source: TableLike, *, columns: PolicyColumns = PolicyColumns(),
                  adoption_columns: AdoptionColumns = AdoptionColumns(),
                  granularity: str = "year", options: ReadOptions = ReadOptions()) -> TableRead:
    """The policies table: ``policy, opening, end`` (periods) and any other column, with
    the problems found (an empty or repeated id, an unreadable time).

    The id column is ``columns.id``, else the adoptions' policy column.

    Examples
    --------
    >>> import pandas as pd
    >>> frame, problems = read_policies(pd.DataFrame({"policy": ["p"], "opening": [1990]}))
    >>> frame.row(0), problems
    (('p', 1990, None), ())
    """
    bad = _Collector()
    pt = _read(source, "policies", options)
    pid = columns.id or adoption_columns.policy
    require_columns(pt, {"policies_id": pid})
    frame = _policies_frame(pt, pid, columns.opening, columns.end, granularity, bad, opts=options)
    return TableRead(frame, tuple(bad.problems), pt.label, columns=replace(columns, id=pid))


def read_covariates(source: TableLike, *, known_units: Sequence[str],
                    columns: CovariateColumns = CovariateColumns(),
                    adoption_columns: AdoptionColumns = AdoptionColumns(),
                    granularity: str = "year", options: ReadOptions = ReadOptions()) -> TableRead:
    """A unit x period covariate panel: ``unit, period`` and the covariates, sorted, with
    the problems found (a unit not in ``known_units``, an unreadable or missing time, a
    repeated unit-period, text in a numeric column).

    The unit column is ``columns.unit``, else the adoptions' unit column; the time
    column ``columns.time``, else the first of the adoptions' time column, ``period``,
    ``year`` and ``time`` that the table has.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"unit": ["A", "X"], "year": [2001, 2001], "gdp": [1.5, 2.0]})
    >>> frame, problems = read_covariates(panel, known_units=["A", "B"])
    >>> frame.columns, problems[0].value
    (['unit', 'period', 'gdp'], 'X')
    """
    bad = _Collector()
    ct = _read(source, "covariates", options)
    frame = _covariates_frame(ct, columns.unit or adoption_columns.unit, columns.time,
                              adoption_columns.time, granularity, list(known_units), bad,
                              opts=options)
    return TableRead(frame, tuple(bad.problems), ct.label, columns=columns)


def read_events(source: TableLike, *, known_units: Sequence[str], granularity: str = "year",
                options: ReadOptions = ReadOptions()) -> TableRead:
    """Period-varying facts (a central directive): one row per span, ``event, start,
    end, unit, value`` (``end`` null: in force to the end of observation; ``unit`` null:
    every unit), with the problems found.

    Columns: ``event`` and either ``time`` or ``start`` (with optional ``end``,
    inclusive), optional ``unit`` (empty = every unit) and ``value`` (default 1).

    Examples
    --------
    >>> import pandas as pd
    >>> frame, problems = read_events(pd.DataFrame({"event": ["directive"], "start": [2005]}),
    ...                               known_units=["A"])
    >>> frame.row(0), problems
    (('directive', 2005, None, None, 1.0), ())
    """
    bad = _Collector()
    et = _read(source, "events", options)
    spans = _events_frame(et, granularity, list(known_units), bad, opts=options)
    return TableRead(pl.DataFrame(spans, schema=EVENT_SPANS, orient="row"), tuple(bad.problems),
                     et.label)


def _ids(table: Table, col: str, what: str, bad: _Collector) -> list[str]:
    """The id column as text ("" where empty); an empty or repeated id is a problem."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for pos, v in enumerate(table.frame[col]):
        if _is_missing(v) or not str(v).strip():
            bad.add(table, pos, col, None, f"empty {what} id")
            ids.append("")
            continue
        t = _text(v)
        if t in seen:
            bad.add(table, pos, col, t, f"{what} listed twice (first at row {table.row_of(seen[t])})")
        seen.setdefault(t, pos)
        ids.append(t)
    return ids


def _units_frame(ut: Table, uid: str, name_col: str, parent_col: str, entry_col: str,
                 exit_col: str, granularity: str, bad: _Collector,
                 opts: ReadOptions = ReadOptions()) -> pl.DataFrame:
    f = ut.frame
    ids = _ids(ut, uid, "unit", bad)
    names = [(_text(v) if not _is_missing(v) else i) for v, i in
             zip(f[name_col] if name_col in f.columns else ids, ids)]
    parents = ([None if _is_missing(v) else _text(v) for v in f[parent_col]]
               if parent_col in f.columns else [None] * len(ids))
    entry = _time_column(ut, entry_col, granularity, bad, required=False, opts=opts)
    exit_ = _time_column(ut, exit_col, granularity, bad, required=False, opts=opts)
    # a parent outside the unit list (e.g. the country) is allowed, so parents are not checked
    for pos, (en, ex) in enumerate(zip(entry, exit_)):
        if en is not None and ex is not None and ex < en:
            bad.add(ut, pos, exit_col, f.get(exit_col).iat[pos], "exit period before entry period")
    extra = [c for c in f.columns if c not in {uid, name_col, parent_col, entry_col, exit_col}]
    check_numeric_columns(ut, extra, bad.add)
    base = pl.DataFrame({"unit": ids, "name": names, "parent": parents, "entry": entry, "exit": exit_},
                        schema={"unit": pl.Utf8, "name": pl.Utf8, "parent": pl.Utf8,
                                "entry": pl.Int64, "exit": pl.Int64})
    if extra:
        base = pl.concat([base, pl.from_pandas(_plain(f[extra]))], how="horizontal")
    return base


def _policies_frame(pt: Table, pid: str, opening_col: str, end_col: str, granularity: str,
                    bad: _Collector, opts: ReadOptions = ReadOptions()) -> pl.DataFrame:
    f = pt.frame
    ids = _ids(pt, pid, "policy", bad)
    opening = _time_column(pt, opening_col, granularity, bad, required=False, opts=opts)
    end = _time_column(pt, end_col, granularity, bad, required=False, opts=opts)
    extra = [c for c in f.columns if c not in {pid, opening_col, end_col}]
    base = pl.DataFrame({"policy": ids, "opening": opening, "end": end},
                        schema={"policy": pl.Utf8, "opening": pl.Int64, "end": pl.Int64})
    if extra:
        base = pl.concat([base, pl.from_pandas(_plain(f[extra]))], how="horizontal")
    return base


def _covariates_frame(ct: Table, ucol: str, tcol: str | None, default_time: str, granularity: str,
                      known_units: list[str], bad: _Collector,
                      opts: ReadOptions = ReadOptions()) -> pl.DataFrame:
    f = ct.frame
    if tcol is None:
        for cand in (default_time, "period", "year", "time"):
            if cand in f.columns:
                tcol = cand
                break
    require_columns(ct, {"covariates_unit": ucol, "covariates_time": tcol or "period"})
    known = set(known_units)
    units = []
    for pos, v in enumerate(f[ucol]):
        t = "" if _is_missing(v) else _text(v)
        if t not in known:
            bad.add(ct, pos, ucol, t or None, "unknown unit code" + _suggest(t, known_units))
        units.append(t)
    periods = _time_column(ct, tcol, granularity, bad, required=True, opts=opts)
    seen: dict[tuple[str, int | None], int] = {}
    for pos, key in enumerate(zip(units, periods)):
        if key in seen:
            bad.add(ct, pos, tcol, f.get(tcol).iat[pos],
                    f"duplicate (unit, period) key {key[0]!r}, {key[1]} (first at row {ct.row_of(seen[key])})")
        seen.setdefault(key, pos)
    values = [c for c in f.columns if c not in (ucol, tcol)]
    check_numeric_columns(ct, values, bad.add)
    base = pl.DataFrame({"unit": units, "period": periods}, schema={"unit": pl.Utf8, "period": pl.Int64})
    if values:
        base = pl.concat([base, pl.from_pandas(_plain(f[values]))], how="horizontal")
    return base.sort(["unit", "period"])


def _events_frame(et: Table, granularity: str, known_units: list[str], bad: _Collector,
                  opts: ReadOptions = ReadOptions()
                  ) -> list[tuple[str, int, int | None, str | None, float]]:
    """Event spans (event, first period, last period or None = open, unit, value)."""
    f = et.frame
    if "time" in f.columns:
        require_columns(et, {"event": "event", "time": "time"})
        starts = _time_column(et, "time", granularity, bad, required=True, opts=opts)
        ends = starts
    else:
        require_columns(et, {"event": "event", "start": "start"})
        starts = _time_column(et, "start", granularity, bad, required=True, opts=opts)
        ends = _time_column(et, "end", granularity, bad, required=False, opts=opts)
    known = set(known_units)
    spans = []
    for pos, (ev, s, e) in enumerate(zip(f["event"], starts, ends)):
        u = f["unit"].iat[pos] if "unit" in f.columns else None
        unit = None if _is_missing(u) or not str(u).strip() else _text(u)
        if unit is not None and unit not in known:
            bad.add(et, pos, "unit", unit, "unknown unit code" + _suggest(unit, known_units))
        v = f["value"].iat[pos] if "value" in f.columns else None
        try:
            value = 1.0 if _is_missing(v) else float(v)
        except (TypeError, ValueError):
            bad.add(et, pos, "value", v, "event value must be a number (empty means 1)")
            continue
        if s is not None:
            spans.append((str(ev), s, e, unit, value))
    return spans
