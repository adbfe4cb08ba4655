"""The Study: validated units, policies, adoptions, covariates, relations and events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import pandas as pd
import polars as pl

from policydiffusion._display import TextSummary
from policydiffusion.errors import InvalidOptionError
from policydiffusion.study._periods import period_label
from policydiffusion.study._relations import Relation

__all__ = ["Study", "Exclusion"]


@dataclass(frozen=True)
class Exclusion:
    """Rows left out at some stage, with the reason and how many.

    ``examples`` holds up to five of the affected keys so a user can look them up.
    """

    stage: str
    reason: str
    count: int
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Study:
    """A validated diffusion study. Build one with :func:`load_study`.

    Attributes
    ----------
    units : polars.DataFrame
        ``unit`` (text id), ``name``, ``parent``, ``entry``, ``exit`` (integer periods
        or null) and any further unit attributes (region, group, ...).
    policies : polars.DataFrame
        ``policy``, ``opening`` and ``end`` (integer periods or null) and metadata.
    adoptions : polars.DataFrame
        ``policy``, ``unit``, ``period`` (integer), ``time`` (the original value as
        text) and ``level`` (null unless the policy has levels), one row per
        (policy, unit), within the observation window.
    covariates : polars.DataFrame or None
        A ``unit`` x ``period`` panel.
    relations : dict[str, Relation]
        Named edge lists.
    events : polars.DataFrame or None
        ``event``, ``period``, ``unit`` (null: applies to every unit), ``value``.
    granularity : str
        ``year``, ``quarter``, ``month`` or ``period``.
    start, end : int
        The observation window; adoptions outside it are excluded and counted.
    exclusion_log : tuple[Exclusion, ...]
        Everything left out while loading, with reasons (see :attr:`exclusions`).
    sources : dict
        Where each table came from (file names), for messages and provenance.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> s = load_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
    ...                              "time": [2001, 2003]}))
    >>> s.n_units, s.n_policies, (s.start, s.end)
    (2, 1, (2001, 2003))
    """

    units: pl.DataFrame
    policies: pl.DataFrame
    adoptions: pl.DataFrame
    covariates: pl.DataFrame | None = None
    relations: Mapping[str, Relation] = field(default_factory=dict)
    events: pl.DataFrame | None = None
    granularity: str = "year"
    start: int = 0
    end: int = 0
    exclusion_log: tuple[Exclusion, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ views
    @property
    def unit_ids(self) -> list[str]:
        """Unit ids in the order of the units table."""
        return self.units.get_column("unit").to_list()

    @property
    def policy_ids(self) -> list[str]:
        """Policy ids in the order of the policies table."""
        return self.policies.get_column("policy").to_list()

    @property
    def n_units(self) -> int:
        return self.units.height

    @property
    def n_policies(self) -> int:
        return self.policies.height

    @property
    def exclusions(self) -> pd.DataFrame:
        """Every exclusion made while loading: stage, reason, count, examples."""
        return pd.DataFrame(
            [(e.stage, e.reason, e.count, ", ".join(e.examples)) for e in self.exclusion_log],
            columns=["stage", "reason", "count", "examples"],
        )

    def label(self, period: int) -> str:
        """Display label of an integer period (``2016``, ``2016Q2``, ``2016-05``)."""
        return period_label(period, self.granularity)

    def adoptions_of(self, policy: str) -> pl.DataFrame:
        """The adoptions of one policy, sorted by period then unit."""
        return self.adoptions.filter(pl.col("policy") == policy).sort(["period", "unit"])

    def policy_window(self, policy: str) -> tuple[int | None, int]:
        """(opening, end) of a policy: its own values where given, else (None, study end)."""
        row = self.policies.filter(pl.col("policy") == policy)
        if row.height == 0:
            raise InvalidOptionError(f"unknown policy {policy!r}; the study has {self.n_policies} "
                                     f"policies, e.g. {self.policy_ids[:5]}")
        opening, end = row.get_column("opening")[0], row.get_column("end")[0]
        return opening, (self.end if end is None else min(int(end), self.end))

    def relation(self, name: str) -> Relation:
        """The relation called ``name`` (error lists the known ones)."""
        if name not in self.relations:
            known = ", ".join(repr(k) for k in self.relations) or "none"
            raise InvalidOptionError(f"the study has no relation {name!r}; known: {known}.")
        return self.relations[name]

    def with_relation(self, relation: Relation) -> "Study":
        """A new Study with ``relation`` added (e.g. an inferred network)."""
        rel = dict(self.relations)
        rel[relation.name] = relation
        return replace(self, relations=rel)

    def select_policies(self, policies: list[str]) -> "Study":
        """A new Study restricted to ``policies`` (in the given order)."""
        for p in policies:
            self.policy_window(p)  # raises for unknown ids
        pol = pl.DataFrame({"policy": policies}).join(self.policies, on="policy", how="left")
        return replace(self, policies=pol,
                       adoptions=self.adoptions.filter(pl.col("policy").is_in(policies)))

    def summary(self) -> TextSummary:
        """A few lines describing the study, with exclusions (a ``str``; HTML in notebooks)."""
        lines = [
            f"Study: {self.n_units} units, {self.n_policies} policies, "
            f"{self.adoptions.height} adoptions, periods {self.label(self.start)}-{self.label(self.end)} "
            f"({self.granularity})",
        ]
        if self.covariates is not None:
            cov = [c for c in self.covariates.columns if c not in ("unit", "period")]
            lines.append(f"  covariates: {', '.join(cov)} ({self.covariates.height} unit-periods)")
        for r in self.relations.values():
            kind = "directed" if r.directed else "undirected"
            timing = "static" if r.is_static else "period-varying"
            lines.append(f"  relation {r.name!r}: {r.edges.height} edges ({kind}, {timing})")
        if self.events is not None:
            lines.append(f"  events: {', '.join(sorted(set(self.events.get_column('event'))))}")
        if self.exclusion_log:
            lines.append("  exclusions:")
            for e in self.exclusion_log:
                lines.append(f"    {e.count:>6}  {e.reason} ({e.stage})")
        else:
            lines.append("  exclusions: none")
        return TextSummary("\n".join(lines))

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __repr__(self) -> str:
        return (f"Study(units={self.n_units}, policies={self.n_policies}, "
                f"adoptions={self.adoptions.height}, periods={self.start}..{self.end})")
