"""Which column of each input table holds what: one small frozen mapping per table.

:func:`~policydiffusion.study.load_study` and the readers
(:func:`~policydiffusion.study.read_adoptions`, ...) take these instead of a dozen
``*_col`` keywords; the flat keywords of load_study still work and build them.
An id column left as ``None`` means "the adoptions' unit (or policy) column".

Examples
--------
>>> AdoptionColumns(unit="state", time="year")
AdoptionColumns(policy='policy', unit='state', time='year', level=None)
>>> UnitColumns(id="fips").entry
'entry'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AdoptionColumns", "UnitColumns", "PolicyColumns", "CovariateColumns",
           "RelationColumns"]


@dataclass(frozen=True)
class AdoptionColumns:
    """Columns of the adoptions table: policy id, unit id, adoption time and, optionally,
    the policy level (a number, e.g. the strength of the adopted version).

    In the wide layout only ``unit`` is read; the other columns are policies.

    Examples
    --------
    >>> AdoptionColumns(unit="state").unit
    'state'
    """

    policy: str = "policy"
    unit: str = "unit"
    time: str = "time"
    level: str | None = None


@dataclass(frozen=True)
class UnitColumns:
    """Columns of the units table: id (``None``: the adoptions' unit column), display
    name, parent (one level up), and entry and exit times; any other column is an
    attribute.

    Examples
    --------
    >>> UnitColumns(id="code", name="province_name").name
    'province_name'
    """

    id: str | None = None
    name: str = "name"
    parent: str = "parent"
    entry: str = "entry"
    exit: str = "exit"


@dataclass(frozen=True)
class PolicyColumns:
    """Columns of the policies table: id (``None``: the adoptions' policy column), the
    first period anyone can adopt (``opening``) and the end of observation (``end``).

    Examples
    --------
    >>> PolicyColumns(opening="ruling").opening
    'ruling'
    """

    id: str | None = None
    opening: str = "opening"
    end: str = "end"


@dataclass(frozen=True)
class CovariateColumns:
    """Columns of the covariate panel: unit (``None``: the adoptions' unit column) and
    time (``None``: the adoptions' time column, else ``period``, ``year`` or ``time``);
    every other column is a covariate.

    Examples
    --------
    >>> CovariateColumns(time="year").unit is None
    True
    """

    unit: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class RelationColumns:
    """Columns of an edge list: source and target units, and optionally a weight (edge
    count or strength; 1 without it) and a period (edges in force in that period only).

    Examples
    --------
    >>> RelationColumns(source="from", target="to", weight="visits").period is None
    True
    """

    source: str = "source"
    target: str = "target"
    weight: str | None = None
    period: str | None = None
