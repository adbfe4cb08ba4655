"""load_study: read, validate and assemble a :class:`Study`."""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion._suggest import did_you_mean
from policydiffusion._warnings import warn
from policydiffusion.errors import (InvalidOptionError, PolicyDiffusionWarning, Problem,
                                    StudyDataError, check_choice)
from policydiffusion.study._cells import (MISSING_CODES, NEVER_CODES, ReadOptions,
                                          check_duplicates_option, check_numeric_columns, is_never)
from policydiffusion.study._periods import GRANULARITIES, YEARS, TimeError, read_time
from policydiffusion.study._read import Table, TableLike, read_table, require_columns
from policydiffusion.study._relation_rows import combine_edge_rows
from policydiffusion.study._relations import Relation
from policydiffusion.study._study import Exclusion, Study

__all__ = ["load_study", "RelationSpec", "UNKNOWN_UNITS", "COMMON_COLUMNS", "ColumnChoiceWarning"]

#: What load_study does with relation edges that name units outside the study.
UNKNOWN_UNITS = ("error", "drop")


class ColumnChoiceWarning(PolicyDiffusionWarning):
    """load_study took a common column name (``state``, ``year``, ...) for a role whose
    default column is absent; ``fields`` name the role, column and table."""


def _suggest(value: str, known: Sequence[str]) -> str:
    return did_you_mean(value, known, style="clause")


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and np.isnan(v)


def _text(v: object) -> str:
    """Id cells as text: 1.0 -> '1' so numeric codes read from Excel still match."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, table: Table, pos: int | None, column: str | None, value: object, hint: str) -> None:
        row = table.row_of(pos) if pos is not None else None
        self.problems.append(Problem(table.label, row, column, value, hint))

    def raise_if_any(self) -> None:
        if self.problems:
            raise StudyDataError(self.problems)


class RelationSpec(dict):
    """How to read one relation from a table: columns and direction.

    Examples
    --------
    >>> RelationSpec("visits.csv", source="from", target="to", weight="n", period="year",
    ...              directed=True)["directed"]
    True
    """

    def __init__(self, edges: TableLike, *, source: str = "source", target: str = "target",
                 weight: str | None = None, period: str | None = None, directed: bool = False,
                 description: str = "", duplicates: str = "error") -> None:
        check_duplicates_option(duplicates)
        super().__init__(edges=edges, source=source, target=target, weight=weight,
                         period=period, directed=directed, description=description,
                         duplicates=duplicates)


def load_study(
    adoptions: TableLike,
    *,
    units: TableLike | None = None,
    policies: TableLike | None = None,
    covariates: TableLike | None = None,
    relations: Mapping[str, RelationSpec | Relation | TableLike] | None = None,
    events: TableLike | None = None,
    layout: str = "long",
    policy_col: str = "policy",
    unit_col: str = "unit",
    time_col: str = "time",
    level_col: str | None = None,
    units_id_col: str | None = None,
    name_col: str = "name",
    parent_col: str = "parent",
    entry_col: str = "entry",
    exit_col: str = "exit",
    policies_id_col: str | None = None,
    opening_col: str = "opening",
    end_col: str = "end",
    covariates_unit_col: str | None = None,
    covariates_time_col: str | None = None,
    granularity: str = "year",
    start: object | None = None,
    end: object | None = None,
    unknown_units: str = "error",
    missing_values: Sequence[str] = MISSING_CODES,
    date_format: str | None = None,
    years: tuple[int, int] | None = YEARS,
    never: Sequence[str] = NEVER_CODES,
    encoding: str | None = None,
) -> Study:
    """Read adoption records and everything around them into a validated Study.

    Every table may be a path (CSV, TSV, Parquet, Excel, Stata .dta) or a pandas /
    polars DataFrame. All problems are collected and raised together as one
    :class:`~policydiffusion.errors.StudyDataError` naming file, row and column.
    Legitimate choices (adoptions outside the observation window) are not errors:
    they are excluded and counted in ``study.exclusions``.

    Parameters
    ----------
    adoptions
        Long layout: one row per adoption with ``policy_col``, ``unit_col`` and
        ``time_col`` (and optionally ``level_col``). Wide layout (``layout="wide"``):
        one row per unit (``unit_col``), one column per policy, cells holding the
        adoption time or empty. When the default ``unit`` (or ``time``) column is
        absent and exactly one common name is there (``state``, ``province``,
        ``prefecture``, ``country``, ``code``; ``year``, ``adoption_year``, ``date``),
        that column is used, said in a ColumnChoiceWarning ("using column 'state' as
        the unit") and kept in ``study.sources["unit column"]``.
    units
        One row per unit: ``units_id_col`` (default ``unit_col``), optional
        ``name_col``, ``parent_col``, ``entry_col``, ``exit_col`` (times) and any
        attributes (region, ...). Without it the units are those that adopt
        something, which leaves out units that never adopt: pass it.
    policies
        Policy metadata: ``policies_id_col`` (default ``policy_col``) and optional
        ``opening_col`` (first period anyone can adopt) and ``end_col``.
    covariates
        A unit x period panel with ``covariates_unit_col`` and ``covariates_time_col``.
    relations
        Name -> :class:`RelationSpec` (a table and its columns), a ready
        :class:`Relation`, or a table with ``source`` / ``target`` columns.
    events
        Period-varying facts such as a central directive: columns ``event`` and
        either ``time`` or ``start`` (with optional ``end``, inclusive; without it the event
        stays in force to the end of observation), optional
        ``unit`` (empty = every unit) and ``value`` (default 1).
    granularity
        ``year`` (default), ``quarter``, ``month`` or ``period`` (times are already
        period numbers). Dates are mapped to periods at this granularity; the
        original value is kept in ``adoptions['time']``.
    start, end
        Observation window (times). Defaults: the first and last adoption period.
    unknown_units
        Relation edges that name a unit outside the study (DC in a 50-state adjacency,
        Alaska in an inferred network of a 48-state study): ``"error"`` (default)
        reports each; ``"drop"`` removes those edges and counts them in
        ``study.exclusions``, per relation, with the units and example edges.
    missing_values
        Cells read as missing (``NA``, ``.``, ``n/a``, ...). A text cell left in a
        column that is otherwise numbers is refused, naming file, row and value.
    date_format
        A :func:`~datetime.datetime.strptime` format (``"%d/%m/%Y"``) every text date
        must match; without it dates must be year first (``2001-03-04``), and dates
        whose day and month could be swapped, compact digits (``20010304``) and
        fractional years that are not whole quarters or months are refused.
    years
        Plausible window of years (default 1000-2100; ``None``: no check). A time
        outside it is refused with its row (not checked at ``period`` granularity).
    never
        Wide layout: cells meaning "not adopted" (default ``0``, ``never``, ``not
        adopted``, ``no``, without case); they are counted in ``study.exclusions``.
    encoding
        Text encoding of CSV/TSV files (default UTF-8; e.g. ``"gb18030"``).

    Examples
    --------
    >>> import pandas as pd
    >>> adopt = pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"], "time": [2001, 2003]})
    >>> units = pd.DataFrame({"unit": ["A", "B", "C"], "region": ["N", "N", "S"]})
    >>> s = load_study(adopt, units=units, end=2005)
    >>> s.n_units, s.end
    (3, 2005)
    """
    check_choice("granularity", granularity, GRANULARITIES)
    check_choice("layout", layout, ("long", "wide"))
    check_choice("unknown_units", unknown_units, UNKNOWN_UNITS)
    opts = ReadOptions(tuple(missing_values), date_format,
                       None if years is None else tuple(years), tuple(never), encoding)
    bad = _Collector()
    sources: dict[str, str] = {}
    exclusions: list[Exclusion] = []

    # ---------------------------------------------------------------- adoptions
    at = _read(adoptions, "adoptions", opts)
    sources["adoptions"] = at.label
    unit_col = _recognised(at, "unit", unit_col, sources)
    if layout == "long":  # a wide sheet's other columns are policies
        time_col = _recognised(at, "time", time_col, sources)
    if layout == "wide":
        at = _wide_to_long(at, unit_col, policy_col, time_col, bad,
                           granularity=granularity, opts=opts, exclusions=exclusions)
    require_columns(at, {"policy": policy_col, "unit": unit_col, "time": time_col})
    rows = _adoption_rows(at, policy_col, unit_col, time_col, level_col, granularity, bad,
                          opts=opts)

    # ---------------------------------------------------------------- units
    if units is not None:
        ut = _read(units, "units", opts)
        sources["units"] = ut.label
        uid = units_id_col or unit_col
        require_columns(ut, {"units_id": uid})
        units_df = _units_frame(ut, uid, name_col, parent_col, entry_col, exit_col, granularity, bad,
                                opts=opts)
    else:
        ids = sorted({u for _, u, *_ in rows})
        units_df = pl.DataFrame({"unit": ids, "name": ids, "parent": [None] * len(ids),
                                 "entry": [None] * len(ids), "exit": [None] * len(ids)},
                                schema_overrides={"parent": pl.Utf8, "entry": pl.Int64,
                                                  "exit": pl.Int64})
        sources["units"] = "(units that appear in the adoptions)"
    known_units = units_df.get_column("unit").to_list()
    known_set = set(known_units)
    entry_of = dict(zip(known_units, units_df.get_column("entry").to_list()))
    exit_of = dict(zip(known_units, units_df.get_column("exit").to_list()))

    for p, u, per, t, lvl, pos in rows:
        if u not in known_set:
            bad.add(at, pos, unit_col, u, "unknown unit code" + _suggest(u, known_units))
        elif entry_of[u] is not None and per < entry_of[u]:
            bad.add(at, pos, time_col, t,
                    f"adoption before unit {u!r} exists (its entry period is {entry_of[u]})")
        elif exit_of[u] is not None and per > exit_of[u]:
            bad.add(at, pos, time_col, t,
                    f"adoption after unit {u!r} ceased to exist (its exit period is {exit_of[u]})")

    # ---------------------------------------------------------------- policies
    policy_ids_in_data = list(dict.fromkeys(p for p, *_ in rows))
    if policies is not None:
        pt = _read(policies, "policies", opts)
        sources["policies"] = pt.label
        pid = policies_id_col or policy_col
        require_columns(pt, {"policies_id": pid})
        policies_df = _policies_frame(pt, pid, opening_col, end_col, granularity, bad, opts=opts)
        known_pol = policies_df.get_column("policy").to_list()
        kp = set(known_pol)
        for p, u, per, t, lvl, pos in rows:
            if p not in kp:
                bad.add(at, pos, policy_col, p, "unknown policy code" + _suggest(p, known_pol))
    else:
        policies_df = pl.DataFrame({"policy": sorted(policy_ids_in_data)},
                                   schema={"policy": pl.Utf8}).with_columns(
            pl.lit(None, pl.Int64).alias("opening"), pl.lit(None, pl.Int64).alias("end"))

    # ---------------------------------------------------------------- covariates
    cov_df = None
    if covariates is not None:
        ct = _read(covariates, "covariates", opts)
        sources["covariates"] = ct.label
        cov_df = _covariates_frame(ct, covariates_unit_col or unit_col, covariates_time_col,
                                   time_col, granularity, known_units, bad, opts=opts)

    # ---------------------------------------------------------------- relations
    rel_out, dropped_edges = _relations(relations or {}, granularity, known_units, bad, sources,
                                        opts=opts, unknown_units=unknown_units)

    # ---------------------------------------------------------------- events
    event_spans = None
    if events is not None:
        et = _read(events, "events", opts)
        sources["events"] = et.label
        event_spans = _events_frame(et, granularity, known_units, bad, opts=opts)

    bad.raise_if_any()

    # ---------------------------------------------------------------- window
    periods = [per for _, _, per, *_ in rows]
    s = _window_option("start", start, granularity, opts) if start is not None else min(periods)
    e = _window_option("end", end, granularity, opts) if end is not None else max(periods)
    if e < s:
        raise InvalidOptionError(f"the observation window is empty: start {start!r} is after end {end!r}.")

    exclusions.extend(dropped_edges)
    adopt_df = _in_window(rows, s, e, exclusions)

    return Study(units=units_df, policies=policies_df, adoptions=adopt_df, covariates=cov_df,
                 relations=rel_out,
                 events=None if event_spans is None else _expand_events(event_spans, e),
                 granularity=granularity, start=s, end=e,
                 exclusion_log=tuple(exclusions), sources=sources)


# ---------------------------------------------------------------------- helpers
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


def _in_window(rows: list[_Row], s: int, e: int, exclusions: list[Exclusion]) -> pl.DataFrame:
    """The adoptions inside the window [s, e]; those outside are counted in ``exclusions``."""
    keep, before, after = [], [], []
    for r in rows:
        if r[2] < s:
            before.append(f"{r[0]}/{r[1]}")
        elif r[2] > e:
            after.append(f"{r[0]}/{r[1]}")
        else:
            keep.append(r)
    if before:
        exclusions.append(Exclusion("study", "adoption before the observation window starts",
                                    len(before), tuple(before[:5])))
    if after:
        exclusions.append(Exclusion("study", "adoption after the observation window ends",
                                    len(after), tuple(after[:5])))
    return pl.DataFrame(
        {"policy": [r[0] for r in keep], "unit": [r[1] for r in keep],
         "period": [r[2] for r in keep], "time": [r[3] for r in keep],
         "level": [r[4] for r in keep]},
        schema={"policy": pl.Utf8, "unit": pl.Utf8, "period": pl.Int64, "time": pl.Utf8,
                "level": pl.Float64},
    ).sort(["policy", "period", "unit"])


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


def _read(source: TableLike, argument: str, opts: ReadOptions) -> Table:
    return read_table(source, argument=argument, missing_values=opts.missing_values,
                      encoding=opts.encoding)


def _time_cells(table: Table, col: str, opts: ReadOptions) -> list:
    """A time column's cells; as written when a date_format reads them (numbers lose
    the zeros of 2016.10 and the order of 04.03.2001 is the format's to decide)."""
    src = table.raw if opts.date_format and table.raw is not None else table.frame
    return list(src[col]) if col in src.columns else list(table.frame[col])


def _period(table: Table, pos: int, col: str, value: object, granularity: str, opts: ReadOptions,
            bad: _Collector, *, what: str = "time") -> int | None:
    """One time cell as a period; a problem (and None) when it cannot be read."""
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        bad.add(table, pos, col, None, f"missing {what}")
        return None
    try:
        return read_time(value, granularity, date_format=opts.date_format, years=opts.years)
    except TimeError as exc:
        bad.add(table, pos, col, value, str(exc))
        return None


def _window_option(name: str, value: object, granularity: str, opts: ReadOptions) -> int:
    try:
        return read_time(value, granularity, years=opts.years)
    except TimeError as exc:
        raise InvalidOptionError(f"{name}={value!r}: {exc}") from None


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
            elif _period(at, pos, str(col), v, granularity, opts, bad) is not None:
                recs.append((str(col), u, v))
    if never and exclusions is not None:  # the examples show the codes met
        exclusions.append(Exclusion("study", WIDE_NEVER, len(never), tuple(never[:5])))
    long = pd.DataFrame(recs, columns=[policy_col, unit_col, time_col])
    return Table(long, at.label, at.from_file)


def _time_column(table: Table, col: str | None, granularity: str, bad: _Collector,
                 required: bool, opts: ReadOptions = ReadOptions()) -> list[int | None]:
    if col is None or col not in table.frame.columns:
        return [None] * len(table.frame)
    out: list[int | None] = []
    for pos, v in enumerate(_time_cells(table, col, opts)):
        if _is_missing(v) or (isinstance(v, str) and not v.strip()):
            if required:
                bad.add(table, pos, col, None, "missing time")
            out.append(None)
            continue
        out.append(_period(table, pos, col, v, granularity, opts, bad))
    return out


def _units_frame(ut: Table, uid: str, name_col: str, parent_col: str, entry_col: str,
                 exit_col: str, granularity: str, bad: _Collector,
                 opts: ReadOptions = ReadOptions()) -> pl.DataFrame:
    f = ut.frame
    ids: list[str] = []
    seen: dict[str, int] = {}
    for pos, v in enumerate(f[uid]):
        if _is_missing(v) or not str(v).strip():
            bad.add(ut, pos, uid, None, "empty unit id")
            ids.append("")
            continue
        t = _text(v)
        if t in seen:
            bad.add(ut, pos, uid, t, f"unit listed twice (first at row {ut.row_of(seen[t])})")
        seen.setdefault(t, pos)
        ids.append(t)
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


def _plain(f: pd.DataFrame) -> pd.DataFrame:
    """Nullable pandas dtypes to plain ones polars understands."""
    out = {}
    for c in f.columns:
        s = f[c]
        if str(s.dtype) == "Int64":
            out[c] = s.astype("float64") if s.isna().any() else s.astype("int64")
        elif str(s.dtype) in ("category",):
            out[c] = s.astype(str).where(s.notna(), None)
        else:
            out[c] = s
    return pd.DataFrame(out)


def _policies_frame(pt: Table, pid: str, opening_col: str, end_col: str, granularity: str,
                    bad: _Collector, opts: ReadOptions = ReadOptions()) -> pl.DataFrame:
    f = pt.frame
    ids: list[str] = []
    seen: dict[str, int] = {}
    for pos, v in enumerate(f[pid]):
        if _is_missing(v):
            bad.add(pt, pos, pid, None, "empty policy id")
            ids.append("")
            continue
        t = _text(v)
        if t in seen:
            bad.add(pt, pos, pid, t, f"policy listed twice (first at row {pt.row_of(seen[t])})")
        seen.setdefault(t, pos)
        ids.append(t)
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


def _relations(relations: Mapping[str, RelationSpec | Relation | TableLike], granularity: str,
               known_units: list[str], bad: _Collector, sources: dict[str, str],
               opts: ReadOptions = ReadOptions(), *, unknown_units: str = "error",
               ) -> tuple[dict[str, Relation], list[Exclusion]]:
    """Every relation read and checked, and the edges dropped for naming unknown units."""
    out: dict[str, Relation] = {}
    dropped: list[Exclusion] = []
    for name, spec in relations.items():
        rel = _relation(name, spec, granularity, known_units, bad, sources, opts=opts,
                        unknown_units=unknown_units, dropped=dropped)
        if rel is not None:
            out[name] = rel
    return out, dropped


def _relation(name: str, spec: Any, granularity: str, known_units: list[str], bad: _Collector,
              sources: dict[str, str], opts: ReadOptions = ReadOptions(), *,
              unknown_units: str = "error",
              dropped: list[Exclusion] | None = None) -> Relation | None:
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


def _expand_events(spans: list[tuple[str, int, int | None, str | None, float]],
                   last: int) -> pl.DataFrame:
    """One row per period in force; open spans run to the end of observation ``last``."""
    recs = [(ev, p, unit, value) for ev, s, e, unit, value in spans
            for p in range(s, (last if e is None else e) + 1)]
    return pl.DataFrame(recs, schema={"event": pl.Utf8, "period": pl.Int64, "unit": pl.Utf8,
                                      "value": pl.Float64}, orient="row")
