"""``add_relations``: relations read from tables and added to a loaded Study."""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from policydiffusion.errors import StudyDataError, check_choice
from policydiffusion.study._cells import MISSING_CODES, ReadOptions
from policydiffusion.study._read_relation import UNKNOWN_UNITS, RelationSpec, _relations
from policydiffusion.study._periods import YEARS
from policydiffusion.study._read import TableLike
from policydiffusion.study._relations import Relation
from policydiffusion.study._study import Study

__all__ = ["add_relations"]


def add_relations(study: Study, relations: Mapping[str, RelationSpec | Relation | TableLike], *,
                  unknown_units: str = "error", missing_values: Sequence[str] = MISSING_CODES,
                  date_format: str | None = None, years: tuple[int, int] | None = YEARS,
                  encoding: str | None = None) -> Study:
    """A new Study with ``relations`` added, read and checked as :func:`load_study` does.

    ``relations`` maps a name to a :class:`RelationSpec`, a :class:`Relation` or a
    table with ``source`` / ``target`` columns; the other options are load_study's.
    Every problem in every relation is raised together as one StudyDataError naming
    file, row and column; with ``unknown_units="drop"`` the edges naming units
    outside the study are removed and counted in ``study.exclusions``.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> s = load_study(pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]}),
    ...                units=pd.DataFrame({"unit": ["A", "B"]}))
    >>> edges = pd.DataFrame({"source": ["A", "A"], "target": ["B", "DC"]})
    >>> s2 = add_relations(s, {"border": edges}, unknown_units="drop")
    >>> s2.relations["border"].edges.height, s2.exclusions["count"].tolist()
    (2, [1])
    """
    check_choice("unknown_units", unknown_units, UNKNOWN_UNITS)
    opts = ReadOptions(tuple(missing_values), date_format,
                       None if years is None else tuple(years), encoding=encoding)
    rels, problems, sources, dropped = _relations(relations, study.granularity,
                                                  list(study.unit_ids), opts,
                                                  unknown_units=unknown_units)
    if problems:
        raise StudyDataError(problems)
    for rel in rels.values():
        study = study.with_relation(rel)
    return replace(study, sources={**study.sources, **sources}, exclusion_log=study.exclusion_log + tuple(dropped))
