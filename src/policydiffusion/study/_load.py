"""load_study: read, validate and assemble a :class:`Study`.

Each table has its reader (:mod:`policydiffusion.study._read_adoptions`,
``_read_tables``, ``_read_relation``) returning its frame and its problems; load_study
composes them, checks the tables against each other and raises every problem at once.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import polars as pl

from policydiffusion._suggest import did_you_mean
from policydiffusion.errors import InvalidOptionError, Problem, StudyDataError, check_choice
from policydiffusion.study._cells import MISSING_CODES, NEVER_CODES, ReadOptions
from policydiffusion.study._collect import _suggest
from policydiffusion.study._columns import (AdoptionColumns, CovariateColumns, PolicyColumns,
                                            UnitColumns)
from policydiffusion.study._periods import GRANULARITIES, YEARS, TimeError, read_time
from policydiffusion.study._read import TableLike
from policydiffusion.study._read_adoptions import (COMMON_COLUMNS, ColumnChoiceWarning,
                                                   read_adoptions)
from policydiffusion.study._read_relation import UNKNOWN_UNITS, RelationSpec, _relations
from policydiffusion.study._read_tables import (read_covariates, read_events, read_policies,
                                                read_units)
from policydiffusion.study._relations import Relation
from policydiffusion.study._study import Exclusion, Study

__all__ = ["load_study", "RelationSpec", "UNKNOWN_UNITS", "COMMON_COLUMNS", "ColumnChoiceWarning"]

#: the flat column keywords of load_study: the mapping and field each one sets
_FLAT_COLUMNS = {
    "policy_col": ("adoption_columns", "policy"), "unit_col": ("adoption_columns", "unit"),
    "time_col": ("adoption_columns", "time"), "level_col": ("adoption_columns", "level"),
    "units_id_col": ("unit_columns", "id"), "name_col": ("unit_columns", "name"),
    "parent_col": ("unit_columns", "parent"), "entry_col": ("unit_columns", "entry"),
    "exit_col": ("unit_columns", "exit"), "policies_id_col": ("policy_columns", "id"),
    "opening_col": ("policy_columns", "opening"), "end_col": ("policy_columns", "end"),
    "covariates_unit_col": ("covariate_columns", "unit"),
    "covariates_time_col": ("covariate_columns", "time"),
}
_MAPPINGS = {"adoption_columns": AdoptionColumns, "unit_columns": UnitColumns,
             "policy_columns": PolicyColumns, "covariate_columns": CovariateColumns}


def load_study(
    adoptions: TableLike,
    *,
    units: TableLike | None = None,
    policies: TableLike | None = None,
    covariates: TableLike | None = None,
    relations: Mapping[str, RelationSpec | Relation | TableLike] | None = None,
    events: TableLike | None = None,
    layout: str = "long",
    adoption_columns: AdoptionColumns | None = None,
    unit_columns: UnitColumns | None = None,
    policy_columns: PolicyColumns | None = None,
    covariate_columns: CovariateColumns | None = None,
    granularity: str = "year",
    start: object | None = None,
    end: object | None = None,
    unknown_units: str = "error",
    missing_values: Sequence[str] = MISSING_CODES,
    date_format: str | None = None,
    years: tuple[int, int] | None = YEARS,
    never: Sequence[str] = NEVER_CODES,
    encoding: str | None = None,
    **flat_columns: str | None,
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
        Long layout: one row per adoption with the policy, unit and time columns of
        ``adoption_columns`` (and optionally its level column). Wide layout
        (``layout="wide"``): one row per unit, one column per policy, cells holding the
        adoption time or empty. When the default ``unit`` (or ``time``) column is
        absent and exactly one common name is there (``state``, ``province``,
        ``prefecture``, ``country``, ``code``; ``year``, ``adoption_year``, ``date``),
        that column is used, said in a ColumnChoiceWarning ("using column 'state' as
        the unit") and kept in ``study.sources["unit column"]``.
    units
        One row per unit: the id (default: the adoptions' unit column), optional
        name, parent, entry and exit (times) columns of ``unit_columns`` and any
        attributes (region, ...). Without it the units are those that adopt
        something, which leaves out units that never adopt: pass it.
    policies
        Policy metadata: the id (default: the adoptions' policy column) and optional
        opening (first period anyone can adopt) and end columns of ``policy_columns``.
    covariates
        A unit x period panel; its unit and time columns are ``covariate_columns``'.
    relations
        Name -> :class:`RelationSpec` (a table and its columns), a ready
        :class:`Relation`, or a table with ``source`` / ``target`` columns.
    events
        Period-varying facts such as a central directive: columns ``event`` and
        either ``time`` or ``start`` (with optional ``end``, inclusive; without it the event
        stays in force to the end of observation), optional
        ``unit`` (empty = every unit) and ``value`` (default 1).
    adoption_columns, unit_columns, policy_columns, covariate_columns
        Which column holds what in each table (:class:`AdoptionColumns`, ...). The
        flat keywords of earlier versions are still accepted and build these:
        ``policy_col``, ``unit_col``, ``time_col``, ``level_col``; ``units_id_col``,
        ``name_col``, ``parent_col``, ``entry_col``, ``exit_col``; ``policies_id_col``,
        ``opening_col``, ``end_col``; ``covariates_unit_col``, ``covariates_time_col``
        (give a mapping or its flat keywords, not both).
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
    >>> s = load_study(adopt.rename(columns={"time": "year"}), end=2005,
    ...                adoption_columns=AdoptionColumns(time="year"))
    >>> s.adoptions["period"].to_list()
    [2001, 2003]
    """
    check_choice("granularity", granularity, GRANULARITIES)
    check_choice("layout", layout, ("long", "wide"))
    check_choice("unknown_units", unknown_units, UNKNOWN_UNITS)
    cols = column_mappings({"adoption_columns": adoption_columns, "unit_columns": unit_columns,
                            "policy_columns": policy_columns,
                            "covariate_columns": covariate_columns}, flat_columns)
    opts = ReadOptions(tuple(missing_values), date_format,
                       None if years is None else tuple(years), tuple(never), encoding)
    problems: list[Problem] = []
    read = dict(granularity=granularity, options=opts)

    ar = read_adoptions(adoptions, columns=cols["adoption_columns"], layout=layout, **read)
    acols: AdoptionColumns = ar.columns  # with a recognised unit or time column
    problems += ar.problems
    sources = {"adoptions": ar.label, **ar.sources}
    exclusions = list(ar.exclusions)
    adopt = ar.frame

    if units is not None:
        ur = read_units(units, columns=cols["unit_columns"], adoption_columns=acols, **read)
        problems += ur.problems
        sources["units"] = ur.label
        units_df = ur.frame
    else:
        units_df = _adopting_units(adopt)
        sources["units"] = "(units that appear in the adoptions)"
    known_units = units_df.get_column("unit").to_list()
    problems += _unit_problems(adopt, units_df, ar.label, acols)

    if policies is not None:
        pr = read_policies(policies, columns=cols["policy_columns"], adoption_columns=acols,
                           **read)
        problems += pr.problems
        sources["policies"] = pr.label
        policies_df = pr.frame
        problems += _policy_problems(adopt, policies_df, ar.label, acols)
    else:
        policies_df = pl.DataFrame({"policy": sorted(set(adopt.get_column("policy")))},
                                   schema={"policy": pl.Utf8}).with_columns(
            pl.lit(None, pl.Int64).alias("opening"), pl.lit(None, pl.Int64).alias("end"))

    cov_df = None
    if covariates is not None:
        cr = read_covariates(covariates, known_units=known_units,
                             columns=cols["covariate_columns"], adoption_columns=acols, **read)
        problems += cr.problems
        sources["covariates"] = cr.label
        cov_df = cr.frame

    rel_out, rel_problems, rel_sources, dropped_edges = _relations(
        relations or {}, granularity, known_units, opts, unknown_units=unknown_units)
    problems += rel_problems
    sources.update(rel_sources)

    spans = None
    if events is not None:
        er = read_events(events, known_units=known_units, **read)
        problems += er.problems
        sources["events"] = er.label
        spans = er.frame

    if problems:
        raise StudyDataError(problems)

    periods = adopt.get_column("period")
    s = _window_option("start", start, granularity, opts) if start is not None else periods.min()
    e = _window_option("end", end, granularity, opts) if end is not None else periods.max()
    if e < s:
        raise InvalidOptionError(f"the observation window is empty: start {start!r} is after end {end!r}.")

    exclusions.extend(dropped_edges)
    return Study(units=units_df, policies=policies_df, adoptions=_in_window(adopt, s, e, exclusions),
                 covariates=cov_df, relations=rel_out,
                 events=None if spans is None else _expand_events(spans, e),
                 granularity=granularity, start=s, end=e,
                 exclusion_log=tuple(exclusions), sources=sources)


# ---------------------------------------------------------------------- helpers
def column_mappings(given: Mapping[str, Any], flat: Mapping[str, Any]) -> dict[str, Any]:
    """The column mappings of load_study: those given, the rest built from the flat
    keywords (``unit_col=`` ...), so both spellings take one path.

    Examples
    --------
    >>> column_mappings({"adoption_columns": None}, {"unit_col": "state"})["adoption_columns"].unit
    'state'
    """
    unknown = [k for k in flat if k not in _FLAT_COLUMNS]
    if unknown:
        raise InvalidOptionError(f"load_study() got an unexpected keyword argument {unknown[0]!r}"
                                 + did_you_mean(unknown[0], [*_FLAT_COLUMNS, *_MAPPINGS],
                                                style="clause") + ".")
    fields: dict[str, dict[str, Any]] = {m: {} for m in given}
    for key, value in flat.items():
        mapping, field = _FLAT_COLUMNS[key]
        if given.get(mapping) is not None:
            raise InvalidOptionError(f"give {mapping}= or {key}=, not both ({key} is "
                                     f"{mapping}.{field}).")
        fields[mapping][field] = value
    return {m: v if v is not None else _MAPPINGS[m](**fields[m]) for m, v in given.items()}


def _adopting_units(adopt: pl.DataFrame) -> pl.DataFrame:
    """The units table when none is given: the units that adopt something."""
    ids = sorted(set(adopt.get_column("unit")))
    return pl.DataFrame({"unit": ids, "name": ids, "parent": [None] * len(ids),
                         "entry": [None] * len(ids), "exit": [None] * len(ids)},
                        schema_overrides={"parent": pl.Utf8, "entry": pl.Int64, "exit": pl.Int64})


def _unit_problems(adopt: pl.DataFrame, units: pl.DataFrame, label: str,
                   cols: AdoptionColumns) -> list[Problem]:
    """Adoptions by a unit not in the units table, or outside its entry and exit."""
    known_units = units.get_column("unit").to_list()
    entry_of = dict(zip(known_units, units.get_column("entry").to_list()))
    exit_of = dict(zip(known_units, units.get_column("exit").to_list()))
    out = []
    for u, per, t, row in adopt.select("unit", "period", "time", "row").rows():
        if u not in entry_of:
            out.append(Problem(label, row, cols.unit, u, "unknown unit code" + _suggest(u, known_units)))
        elif entry_of[u] is not None and per < entry_of[u]:
            out.append(Problem(label, row, cols.time, t, f"adoption before unit {u!r} exists "
                               f"(its entry period is {entry_of[u]})"))
        elif exit_of[u] is not None and per > exit_of[u]:
            out.append(Problem(label, row, cols.time, t, f"adoption after unit {u!r} ceased to "
                               f"exist (its exit period is {exit_of[u]})"))
    return out


def _policy_problems(adopt: pl.DataFrame, policies: pl.DataFrame, label: str,
                     cols: AdoptionColumns) -> list[Problem]:
    """Adoptions of a policy not in the policies table."""
    known = policies.get_column("policy").to_list()
    kp = set(known)
    return [Problem(label, row, cols.policy, p, "unknown policy code" + _suggest(p, known))
            for p, row in adopt.select("policy", "row").rows() if p not in kp]


def _in_window(adopt: pl.DataFrame, s: int, e: int, exclusions: list[Exclusion]) -> pl.DataFrame:
    """The adoptions inside the window [s, e]; those outside are counted in ``exclusions``."""
    for reason, outside in (("adoption before the observation window starts", pl.col("period") < s),
                            ("adoption after the observation window ends", pl.col("period") > e)):
        gone = adopt.filter(outside)
        if gone.height:
            exclusions.append(Exclusion("study", reason, gone.height, tuple(
                f"{p}/{u}" for p, u in gone.select("policy", "unit").head(5).rows())))
    return (adopt.filter(pl.col("period").is_between(s, e)).drop("row")
            .sort(["policy", "period", "unit"]))


def _window_option(name: str, value: object, granularity: str, opts: ReadOptions) -> int:
    try:
        return read_time(value, granularity, years=opts.years)
    except TimeError as exc:
        raise InvalidOptionError(f"{name}={value!r}: {exc}") from None


def _expand_events(spans: pl.DataFrame, last: int) -> pl.DataFrame:
    """One row per period in force; open spans run to the end of observation ``last``."""
    recs = [(ev, p, unit, value) for ev, s, e, unit, value in spans.rows()
            for p in range(s, (last if e is None else e) + 1)]
    return pl.DataFrame(recs, schema={"event": pl.Utf8, "period": pl.Int64, "unit": pl.Utf8,
                                      "value": pl.Float64}, orient="row")
