"""``read_adoptions``: the adoptions table (long or wide) as checked rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Union

import pandas as pd
import polars as pl

from policydiffusion._spelling import option_hint
from policydiffusion._warnings import warn
from policydiffusion.errors import PolicyDiffusionWarning, check_choice
from policydiffusion.study._cells import ReadOptions, is_never
from policydiffusion.study._collect import (TableRead, _Collector, _is_missing, _period, _read,
                                            _text, _time_cells)
from policydiffusion.study._columns import AdoptionColumns
from policydiffusion.study._periods import time_hint
from policydiffusion.study._read import Table, TableLike, require_columns
from policydiffusion.study._study import Exclusion

__all__ = ["read_adoptions", "COMMON_COLUMNS", "ColumnChoiceWarning", "WIDE_NEVER"]

#: the adoption frame's columns (``row``: the row a person sees, for later problems)
ADOPTION_SCHEMA = {"policy": pl.Utf8, "unit": pl.Utf8, "period": pl.Int64, "time": pl.Utf8,
                   "level": pl.Float64, "row": pl.Int64}


class ColumnChoiceWarning(PolicyDiffusionWarning):
    """load_study took a common column name (``state``, ``year``, ...) for a role whose
    default column is absent; ``fields`` name the role, column and table."""


#: Column names taken for a role when its default column is absent and exactly one is there.
COMMON_COLUMNS = {"unit": ("state", "province", "prefecture", "country", "unit", "code"),
                  "time": ("year", "adoption_year", "date", "time")}


def _recognised(table: Table, role: str, col: str, sources: dict[str, str]) -> str:
    """``col``, or the one common column for ``role`` when the default is absent.

    Only the default name is replaced, and only by an unambiguous candidate (compared
    without case); otherwise ``col`` stays and require_columns reports it. The choice
    is announced and kept in ``sources`` (``"unit column"``)."""
    if col != role or col in table.frame.columns:
        return col
    found = [c for c in table.frame.columns if str(c).strip().lower() in COMMON_COLUMNS[role]]
    if len(found) != 1:
        return col
    msg = f"using column {found[0]!r} as the {role} ({table.label} has no {role!r} column)"
    sources[f"{role} column"] = str(found[0])
    warn(ColumnChoiceWarning(msg, role=role, column=str(found[0]), table=table.label))
    return found[0]


WIDE_NEVER = "wide-layout cell coded as not adopted (0, never, ...)"


def _wide_to_long(at: Table, unit_col: str, policy_col: str, time_col: str, bad: _Collector, *,
                  granularity: str = "year", opts: ReadOptions = ReadOptions(),
                  exclusions: list[Exclusion] | None = None) -> Table:
    """A unit x policy sheet of times as long rows; bad cells are reported at their wide
    row and policy column (the long rows lose that position). Cells coded "never"
    (``0``, ``never``, ...) are not adoptions; their count is logged as an exclusion."""
    require_columns(at, {"unit": unit_col})
    f = at.frame
    src = at.raw if opts.date_format and at.raw is not None else f
    recs: list[tuple[str, Any, Any]] = []
    never: list[str] = []
    for pos in range(len(f)):
        u = f[unit_col].iat[pos]
        for col in f.columns:
            v = src[col].iat[pos]
            if col == unit_col or _is_missing(v) or (isinstance(v, str) and not v.strip()):
                continue
            if is_never(v, opts.never):
                never.append(f"{col}/{_text(u)}={_text(v)}")
            elif isinstance(v, str) and not any(ch.isdigit() for ch in v):
                # words are no time: most likely a "not adopted" code the options lack
                codes = ", ".join(repr(c) for c in opts.never)
                bad.add(at, pos, str(col), v, f"unreadable time; {time_hint(granularity)}; the "
                        f"codes meaning not adopted (now {codes}) are set with "
                        f"{option_hint('never')}")
            elif _period(at, pos, str(col), v, granularity, opts, bad) is not None:
                recs.append((str(col), u, v))
    if never and exclusions is not None:  # the examples show the codes met
        exclusions.append(Exclusion("study", WIDE_NEVER, len(never), tuple(never[:5])))
    long = pd.DataFrame(recs, columns=[policy_col, unit_col, time_col])
    return Table(long, at.label, at.from_file)


_Row = tuple[str, str, int, str, Union[float, None], int]


def _adoption_rows(at: Table, policy_col: str, unit_col: str, time_col: str,
                   level_col: str | None, granularity: str, bad: _Collector, *,
                   opts: ReadOptions) -> list[_Row]:
    """(policy, unit, period, time as written, level, position) of every readable adoption
    row; empty ids, unreadable times and a unit adopting a policy twice go to ``bad``."""
    a = at.frame
    rows: list[_Row] = []
    times = _time_cells(at, time_col, opts)
    for pos, (p, u, t) in enumerate(zip(a[policy_col], a[unit_col], times)):
        ok = True
        if _is_missing(p) or not str(p).strip():
            bad.add(at, pos, policy_col, None, "empty policy id")
            ok = False
        if _is_missing(u) or not str(u).strip():
            bad.add(at, pos, unit_col, None, "empty unit id")
            ok = False
        per = _period(at, pos, time_col, t, granularity, opts, bad, what="adoption time")
        if per is None:
            ok = False
        if ok:
            lvl = None
            if level_col is not None and level_col in a.columns and not _is_missing(a[level_col].iat[pos]):
                try:
                    lvl = float(a[level_col].iat[pos])
                except (TypeError, ValueError):
                    bad.add(at, pos, level_col, a[level_col].iat[pos], "policy level must be a number")
            rows.append((_text(p), _text(u), int(per), _text(t), lvl, pos))

    # duplicates of (policy, unit)
    seen: dict[tuple[str, str], int] = {}
    for p, u, per, t, lvl, pos in rows:
        if (p, u) in seen:
            bad.add(at, pos, unit_col, u,
                    f"unit {u!r} adopts policy {p!r} twice (first at row {at.row_of(seen[(p, u)])}); "
                    "keep only the first adoption")
        else:
            seen[(p, u)] = pos
    return rows


def read_adoptions(source: TableLike, *, columns: AdoptionColumns = AdoptionColumns(),
                   layout: str = "long", granularity: str = "year",
                   options: ReadOptions = ReadOptions()) -> TableRead:
    """The adoptions table as checked rows, and the problems found in it.

    Long layout: one row per adoption with the ``columns.policy``, ``columns.unit`` and
    ``columns.time`` columns (and ``columns.level`` when given). Wide layout: one row
    per unit, one column per policy, cells holding the adoption time or empty; cells
    coded "never" are counted in ``exclusions``. When the default unit (or time) column
    is absent and exactly one common name is there (``state``, ``year``, ...), that
    column is used, said in a :class:`ColumnChoiceWarning` and recorded in ``sources``.

    The frame has ``policy, unit, period, time`` (as written), ``level`` and ``row``
    (the row a person sees, to name it in later problems), in the order of the table.
    A missing column raises a StudyDataError at once; bad cells (empty ids, unreadable
    times, a unit adopting a policy twice) are returned as ``problems``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame, problems = read_adoptions(pd.DataFrame(
    ...     {"law": ["p", "p"], "unit": ["A", "B"], "time": [2001, "200x"]}),
    ...     columns=AdoptionColumns(policy="law"))
    >>> frame.select("policy", "unit", "period").rows(), len(problems)
    ([('p', 'A', 2001)], 1)
    >>> problems[0].column, problems[0].value
    ('time', '200x')
    """
    check_choice("layout", layout, ("long", "wide"))
    bad = _Collector()
    at = _read(source, "adoptions", options)
    sources: dict[str, str] = {}
    exclusions: list[Exclusion] = []
    unit_col = _recognised(at, "unit", columns.unit, sources)
    time_col = columns.time
    if layout == "long":  # a wide sheet's other columns are policies
        time_col = _recognised(at, "time", time_col, sources)
    if layout == "wide":
        at = _wide_to_long(at, unit_col, columns.policy, time_col, bad,
                           granularity=granularity, opts=options, exclusions=exclusions)
    require_columns(at, {"policy": columns.policy, "unit": unit_col, "time": time_col})
    rows = _adoption_rows(at, columns.policy, unit_col, time_col, columns.level, granularity, bad,
                          opts=options)
    frame = pl.DataFrame([r[:5] + (at.row_of(r[5]),) for r in rows], schema=ADOPTION_SCHEMA,
                         orient="row")
    return TableRead(frame, tuple(bad.problems), at.label, sources, tuple(exclusions),
                     replace(columns, unit=unit_col, time=time_col))
