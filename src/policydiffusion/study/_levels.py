"""Governments at several levels: the validated hierarchy of a Study's units and pilots.

A unit carries a ``level`` (any names, ordered top to bottom: ``central``, ``province``,
``prefecture``, ...) and a ``parent`` (the unit one level up). :func:`hierarchy`
checks the tree and returns a :class:`Hierarchy` with every unit's ancestors;
:func:`at_levels` keeps only some levels (adoptions of the others are counted as
exclusions); :func:`read_pilots` validates a table of pilot designations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import polars as pl

from policydiffusion.errors import InvalidOptionError, Problem, StudyDataError
from policydiffusion.study._cells import ReadOptions
from policydiffusion.study._collect import _time_cells
from policydiffusion.study._periods import parse_time, time_hint
from policydiffusion.study._read import TableLike, read_table
from policydiffusion.study._study import Exclusion, Study

__all__ = ["Hierarchy", "hierarchy", "at_levels", "read_pilots", "ancestor_table"]


@dataclass(frozen=True)
class Hierarchy:
    """The levels of a Study's units, top to bottom, and every unit's ancestors.

    Attributes
    ----------
    levels : tuple[str, ...]
        Level names, top (rank 0) to bottom.
    units : polars.DataFrame
        ``unit, level, rank, parent``.
    ancestors : polars.DataFrame
        ``unit, ancestor, ancestor_level, distance`` (1 = the parent), one row per pair.
    """

    levels: tuple[str, ...]
    units: pl.DataFrame
    ancestors: pl.DataFrame

    def rank(self, level: str) -> int:
        """Position of ``level`` from the top (0)."""
        if level not in self.levels:
            raise InvalidOptionError(f"unknown level {level!r}; the levels are {list(self.levels)}.")
        return self.levels.index(level)

    def units_at(self, level: str) -> list[str]:
        """The units of one level, in the order of the units table."""
        self.rank(level)
        return self.units.filter(pl.col("level") == level).get_column("unit").to_list()

    def level_of(self) -> dict[str, str]:
        """``{unit: level}``."""
        return dict(zip(self.units.get_column("unit"), self.units.get_column("level")))

    def summary(self) -> str:
        counts = self.units.group_by("level").len()
        n = dict(zip(counts.get_column("level"), counts.get_column("len")))
        return "Levels: " + " > ".join(f"{lv} ({n.get(lv, 0)})" for lv in self.levels)


def _units_label(study: Study) -> tuple[str, bool]:
    label = study.sources.get("units", "units (DataFrame)")
    return label, not label.endswith("(DataFrame)")


def hierarchy(study: Study, *, levels: Sequence[str] | None = None,
              level_col: str = "level") -> Hierarchy:
    """Check the units' levels and parents and return the :class:`Hierarchy`.

    ``levels`` orders the level names top to bottom; without it the order is read off
    the tree (a level's rank is the smallest depth of its units below a root). Every
    problem is reported at once, by file, row and column: a unit without a level, a
    level not in ``levels``, a parent that is not a unit of the table, a parent at the
    same or a lower level, and a cycle of parents.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> units = pd.DataFrame({"unit": ["C", "P1", "A", "B"],
    ...                       "level": ["central", "province", "city", "city"],
    ...                       "parent": [None, "C", "P1", "P1"]})
    >>> s = load_study(pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]}), units=units)
    >>> h = hierarchy(s)
    >>> h.levels, h.summary()
    (('central', 'province', 'city'), 'Levels: central (1) > province (1) > city (2)')
    >>> h.ancestors.filter(pl.col("unit") == "A").get_column("ancestor").to_list()
    ['P1', 'C']
    """
    u = study.units
    if level_col not in u.columns:
        cols = [c for c in u.columns if c not in ("unit", "name")]
        raise InvalidOptionError(f"the units table has no column {level_col!r} (each unit's level, "
                                 f"e.g. central / province / prefecture); it has {cols}.")
    label, from_file = _units_label(study)
    row = (lambda pos: pos + 2) if from_file else (lambda pos: pos)
    ids = u.get_column("unit").to_list()
    lv = [None if v is None or str(v).strip() == "" else str(v) for v in u.get_column(level_col)]
    par = u.get_column("parent").to_list()
    pos_of = {x: i for i, x in enumerate(ids)}
    problems: list[Problem] = []
    for i, (x, lvl) in enumerate(zip(ids, lv)):
        if lvl is None:
            problems.append(Problem(label, row(i), level_col, None, f"unit {x!r} has no level"))
        elif levels is not None and lvl not in levels:
            problems.append(Problem(label, row(i), level_col, lvl,
                                    f"level not among levels={list(levels)}; add it, or keep "
                                    "only some levels with at_levels()"))
    for i, (x, p) in enumerate(zip(ids, par)):
        if p is not None and p not in pos_of:
            problems.append(Problem(label, row(i), "parent", p,
                                    f"parent of {x!r} is not a unit of the table; add it (e.g. "
                                    "the central government) or leave the parent empty"))
    cycles = _cycles(ids, par, pos_of)
    for cyc in cycles:
        problems.append(Problem(label, row(pos_of[cyc[0]]), "parent", par[pos_of[cyc[0]]],
                                "parents form a cycle: " + " -> ".join(cyc + [cyc[0]])))
    if problems:
        raise StudyDataError(problems)
    order = tuple(levels) if levels is not None else _inferred_order(ids, lv, par, pos_of)
    rank = {name: k for k, name in enumerate(order)}
    for i, (x, p) in enumerate(zip(ids, par)):
        if p is not None and rank[lv[pos_of[p]]] >= rank[lv[i]]:
            where = "the same" if lv[pos_of[p]] == lv[i] else "a lower"
            problems.append(Problem(label, row(i), "parent", p,
                                    f"parent of {x!r} ({lv[i]}) is at {where} level "
                                    f"({lv[pos_of[p]]}); levels top to bottom: {list(order)}"))
    if problems:
        raise StudyDataError(problems)
    units = pl.DataFrame({"unit": ids, "level": lv, "rank": [rank[v] for v in lv], "parent": par},
                         schema={"unit": pl.Utf8, "level": pl.Utf8, "rank": pl.Int32,
                                 "parent": pl.Utf8})
    return Hierarchy(order, units, ancestor_table(ids, par, lv))


def ancestor_table(ids: Sequence[str], parents: Sequence[str | None],
                   levels: Sequence[str | None] | None = None) -> pl.DataFrame:
    """``unit, ancestor, ancestor_level, distance`` by walking the parent chains.

    Parents outside ``ids`` end a chain (they are not ancestors in the table).

    Examples
    --------
    >>> ancestor_table(["C", "P", "A"], [None, "C", "P"]).rows()
    [('P', 'C', None, 1), ('A', 'P', None, 1), ('A', 'C', None, 2)]
    """
    parent = {x: p for x, p in zip(ids, parents)}
    level = dict(zip(ids, levels)) if levels is not None else {}
    rows = []
    for x in ids:
        p, d, seen = parent.get(x), 1, {x}
        while p is not None and p in parent and p not in seen:
            rows.append((x, p, level.get(p), d))
            seen.add(p)
            p, d = parent.get(p), d + 1
    return pl.DataFrame(rows, schema={"unit": pl.Utf8, "ancestor": pl.Utf8,
                                      "ancestor_level": pl.Utf8, "distance": pl.Int32},
                        orient="row")


def _cycles(ids, par, pos_of) -> list[list[str]]:
    state: dict[str, int] = {}
    found: list[list[str]] = []
    for start in ids:
        path: list[str] = []
        x = start
        while x is not None and x in pos_of and state.get(x, 0) == 0:
            state[x] = 1
            path.append(x)
            x = par[pos_of[x]]
        if x is not None and state.get(x) == 1 and x in path:
            found.append(path[path.index(x):])
        for y in path:
            state[y] = 2
    return found


def _inferred_order(ids, lv, par, pos_of) -> tuple[str, ...]:
    depth: dict[str, int] = {}

    def d(x: str) -> int:
        if x not in depth:
            p = par[pos_of[x]]
            depth[x] = 0 if p is None else d(p) + 1
        return depth[x]

    best: dict[str, int] = {}
    for x, lvl in zip(ids, lv):
        best[lvl] = min(best.get(lvl, 10**9), d(x))
    return tuple(sorted(best, key=lambda k: (best[k], k)))


def at_levels(study: Study, levels: Sequence[str], *, level_col: str = "level") -> Study:
    """The Study with only the units of ``levels``; other units' adoptions are excluded.

    Each adoption by a unit of another level is left out and counted in
    ``study.exclusions`` (reason names the level). A kept unit whose parent is dropped
    gets its nearest kept ancestor as parent, so ancestor terms still reach the centre.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> units = pd.DataFrame({"unit": ["C", "P", "A", "X"],
    ...                       "level": ["central", "province", "city", "county"],
    ...                       "parent": [None, "C", "P", "A"]})
    >>> s = load_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "X"],
    ...                              "time": [2001, 2002]}), units=units)
    >>> s2 = at_levels(s, ["central", "city"])
    >>> s2.unit_ids, s2.units.get_column("parent").to_list()
    (['C', 'A'], [None, 'C'])
    >>> s2.exclusions[["reason", "count"]].values.tolist()
    [["adoption by a unit at a level the analysis excludes ('county')", 1]]
    """
    h = hierarchy(study, level_col=level_col)
    unknown = [lv for lv in levels if lv not in h.levels]
    if unknown:
        raise InvalidOptionError(f"unknown level(s) {unknown}; the units have levels {list(h.levels)}.")
    keep = set(h.units.filter(pl.col("level").is_in(list(levels))).get_column("unit"))
    anc = h.ancestors.filter(pl.col("ancestor").is_in(list(keep))).sort("distance")
    nearest = dict(anc.group_by("unit", maintain_order=True).agg(pl.col("ancestor").first()).rows())
    units = (study.units.filter(pl.col("unit").is_in(list(keep)))
             .with_columns(pl.col("unit").replace_strict(nearest, default=None).alias("parent")))
    level_of = h.level_of()
    gone = study.adoptions.filter(~pl.col("unit").is_in(list(keep)))
    log = list(study.exclusion_log)
    for lvl in sorted({level_of[x] for x in gone.get_column("unit")}, key=h.rank):
        part = gone.filter(pl.col("unit").replace_strict(level_of) == lvl)
        ex = tuple(f"{p}/{x}" for p, x in part.select("policy", "unit").rows()[:5])
        log.append(Exclusion("levels", f"adoption by a unit at a level the analysis excludes "
                                       f"({lvl!r})", part.height, ex))
    covariates = (study.covariates.filter(pl.col("unit").is_in(list(keep)))
                  if study.covariates is not None else None)
    return replace(study, units=units, covariates=covariates,
                   adoptions=study.adoptions.filter(pl.col("unit").is_in(list(keep))),
                   exclusion_log=tuple(log))


def read_pilots(pilots: TableLike, study: Study, *, policy_col: str = "policy",
                unit_col: str = "unit", time_col: str = "time", date_format: str | None = None,
                encoding: str | None = None) -> pl.DataFrame:
    """Validated pilot designations: ``policy, unit, period`` (one row per pair).

    A pilot names a unit the centre designated to try a policy at a time. Every problem
    is reported at once: an unknown policy or unit, a missing or unreadable time, and a
    unit designated twice for the same policy. ``date_format`` and ``encoding`` read
    the times and the file as :func:`load_study` does (``"%d/%m/%Y"``, ``"gb18030"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> s = load_study(pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2003]}),
    ...                units=pd.DataFrame({"unit": ["A", "B"]}))
    >>> read_pilots(pd.DataFrame({"policy": ["p"], "unit": ["B"], "time": [2001]}), s).rows()
    [('p', 'B', 2001)]
    >>> read_pilots(pd.DataFrame({"policy": ["p"], "unit": ["B"], "time": ["03/04/2001"]}), s,
    ...             date_format="%d/%m/%Y").rows()
    [('p', 'B', 2001)]
    """
    opts = ReadOptions(date_format=date_format, encoding=encoding)
    t = read_table(pilots, argument="pilots", encoding=encoding)
    missing = [c for c in (policy_col, unit_col, time_col) if c not in t.frame.columns]
    if missing:
        raise StudyDataError([Problem(t.label, None, c, None, "no such column in the pilots table "
                                      f"(it has {list(t.frame.columns)})") for c in missing])
    units, policies = set(study.unit_ids), set(study.policy_ids)
    problems: list[Problem] = []
    rows: list[tuple[str, str, int]] = []
    seen: dict[tuple[str, str], int] = {}
    f = t.frame
    times = _time_cells(t, time_col, opts)  # as written when a date_format reads them
    for pos, (p, x, tm) in enumerate(zip(f[policy_col], f[unit_col], times)):
        p, x = str(p).strip(), str(x).strip()
        ok = True
        if p not in policies:
            problems.append(Problem(t.label, t.row_of(pos), policy_col, p,
                                    "not a policy of the study"))
            ok = False
        if x not in units:
            problems.append(Problem(t.label, t.row_of(pos), unit_col, x, "not a unit of the study"))
            ok = False
        per = parse_time(tm, study.granularity, date_format=date_format)
        if per is None:
            problems.append(Problem(t.label, t.row_of(pos), time_col, tm,
                                    f"unreadable designation time; {time_hint(study.granularity)}"))
            ok = False
        if ok and (p, x) in seen:
            problems.append(Problem(t.label, t.row_of(pos), unit_col, x,
                                    f"unit designated twice for policy {p!r} (first at row "
                                    f"{t.row_of(seen[(p, x)])})"))
            ok = False
        if ok:
            seen[(p, x)] = pos
            rows.append((p, x, int(per)))
    if problems:
        raise StudyDataError(problems)
    return pl.DataFrame(rows, schema={"policy": pl.Utf8, "unit": pl.Utf8, "period": pl.Int64},
                        orient="row")
