"""Step 3: build every risk set the study file asks for, with its diffusion terms."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import polars as pl

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.study import Study
from policydiffusion.studyfile import RiskSetSection, StudyFile, TermSpec

__all__ = ["BuiltRiskSet", "build_terms", "build_risksets"]


@dataclass(frozen=True)
class BuiltRiskSet:
    """One risk set: for a policy (monadic, dyadic) or for all (pooled, ``policy=None``).

    ``as_built`` is the builder's result: a ``RiskSet``, or on ``[engine] kind = "dask"``
    a ``DaskRiskSet`` whose rows stay where Dask built them (the models are fitted
    there). Its design, options, exclusions and column metadata are read without any
    row; ``n_rows()``, ``n_events()`` and ``events()`` count and fetch on the workers;
    only ``riskset`` (the rows in this process, for the steps that read rows: marginal
    effects, subgroups) gathers a risk set held in worker memory, on first use.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> from policydiffusion.riskset import monadic_riskset
    >>> from policydiffusion.studyfile import RiskSetSection
    >>> s = load_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
    ...                              "time": [2001, 2003]}), end=2004)
    >>> b = BuiltRiskSet(RiskSetSection(name="rs"), "p", monadic_riskset(s, policy="p"))
    >>> b.key, b.n_rows(), b.n_events(), b.dask is None
    ('rs@p', 4, 2, True)
    """

    spec: RiskSetSection
    policy: str | None
    as_built: object  # policydiffusion.riskset.RiskSet or DaskRiskSet
    terms: tuple = ()  # the term objects it was built from (build_terms of spec.terms)
    # rows with outcome == 1 by outcome: the report asks in each language, run.json once more
    _events: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        return self.spec.name if self.policy is None else f"{self.spec.name}@{self.policy}"

    @property
    def dask(self) -> object:
        """The ``DaskRiskSet`` the models are fitted from; None on the local engine."""
        from policydiffusion.riskset import RiskSet

        return None if isinstance(self.as_built, RiskSet) else self.as_built

    @functools.cached_property
    def riskset(self) -> object:
        """The rows in this process as a ``RiskSet``: the local build; on Dask a lazy
        scan of its folder, or its rows gathered from the workers (on first use)."""
        drs = self.dask
        return self.as_built if drs is None else drs.to_riskset()  # type: ignore[attr-defined]

    def _in_worker_memory(self) -> bool:
        # a folder's scan reads the files in a stream: only worker memory needs tasks
        return self.dask is not None and self.dask.folder is None  # type: ignore[attr-defined]

    def n_rows(self) -> int:
        """Rows (on Dask: counted by the build's tasks)."""
        if self._in_worker_memory():
            return self.dask.n_rows()  # type: ignore[attr-defined]
        return self.riskset.n_rows()  # type: ignore[attr-defined]

    def events(self, outcome: str = "adopt") -> pl.DataFrame:
        """The rows with ``outcome == 1`` (on Dask: filtered by the workers, so only
        those rows come to this process)."""
        if not self._in_worker_memory():
            return self.riskset.plan.filter(pl.col(outcome) == 1).collect()  # type: ignore[attr-defined]
        if outcome not in self._events:
            futures = self.dask.partition_futures()  # type: ignore[attr-defined]
            parts = [] if not futures else futures[0].client.gather(futures[0].client.map(
                _rows_where_one, futures, column=outcome, pure=False))
            self._events[outcome] = pl.concat([pl.from_pandas(p) for p in parts] or [
                self.dask._schema], how="vertical_relaxed")  # type: ignore[attr-defined]
        return self._events[outcome]

    def n_events(self) -> int:
        """Adoptions, counted as ``RiskSet.n_events`` counts them (dyadic: unit-periods)."""
        if not self._in_worker_memory():
            return self.riskset.n_events()  # type: ignore[attr-defined]
        from policydiffusion.riskset import RiskSet

        rows = self.events()
        d = self.dask
        return RiskSet(d.design, rows.lazy(), d.exclusions, d.column_meta,  # type: ignore[attr-defined]
                       d.options, d.policies, _collected=rows).n_events()  # type: ignore[attr-defined]


def _rows_where_one(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """A worker's partition cut to the rows with ``column == 1``."""
    return frame[(frame[column] == 1).fillna(False).astype(bool)]


def build_terms(sf: StudyFile, terms: tuple[TermSpec, ...]) -> list:
    """Term objects from their study-file specs (``name`` renames the column, as the
    builders' own ``name=`` does)."""
    from policydiffusion.terms import BUILDERS as builders

    out = []
    for t in terms:
        try:
            term = builders[t.term](**t.params)
        except (PolicyDiffusionError, TypeError) as exc:
            raise StudyFileError(f"{sf.where(t.where)}: {exc}") from None
        out.append(term)
    return out


def _build_one(study: Study, spec: RiskSetSection, terms: list, policy: str | None,
               policies: tuple[str, ...], sf: StudyFile, index: int, *,
               plan_only: bool = False) -> object:
    """One risk set, built on the ``[engine]``; ``plan_only``: its lazy plan in this
    process whatever ``[engine]`` says (the preflight only learns its columns)."""
    from policydiffusion.riskset import dyadic_riskset, monadic_riskset

    opts = {"start": spec.start, "terms": terms, "unit_attributes": spec.unit_attributes,
            **spec.options, **({"lazy": True} if plan_only else _engine_options(sf, spec, policy))}
    try:
        if spec.design == "dyadic":
            return dyadic_riskset(study, policy, conditional=spec.conditional, **opts)
        if spec.design == "pooled":
            return monadic_riskset(study, policies=list(policies), **opts)
        return monadic_riskset(study, policy, **opts)
    except PolicyDiffusionError as exc:
        raise StudyFileError(f"{sf.where(('riskset', index))}: risk set {spec.name!r}"
                             f"{'' if policy is None else f' for {policy!r}'}: {exc}") from None


def _engine_options(sf: StudyFile, spec: RiskSetSection, policy: str | None) -> dict:
    """The builders' Dask options from ``[engine]`` (none for the local engine); each
    risk set gets its own folder under ``output``, as a Dask build replaces the part
    files of the folder it writes."""
    e = sf.engine
    if e.kind != "dask":
        return {}
    folder = None
    if e.output is not None:
        folder = Path(sf.path).parent / e.output / spec.name
        folder = folder if policy is None else folder / policy
    return dict(engine="dask", scheduler=e.scheduler, partition_periods=e.partition_periods,
                output=folder)


def build_risksets(study: Study, sf: StudyFile, *,
                   tick: Callable[[str], None] | None = None) -> list[BuiltRiskSet]:
    """Every risk set: one per policy for monadic and dyadic designs, one for pooled."""
    out = []
    for i, spec in enumerate(sf.risksets):
        terms = tuple(build_terms(sf, spec.terms))
        policies = tuple(spec.policies or study.policy_ids)
        targets: list[str | None] = [None] if spec.design == "pooled" else list(policies)
        for policy in targets:
            if tick is not None:
                tick(f"risk set {spec.name}" + ("" if policy is None else f" ({policy})"))
            # on Dask the rows stay on the workers: gathered only by a step that reads them
            rs = _build_one(study, spec, terms, policy, policies, sf, i)
            out.append(BuiltRiskSet(spec=spec, policy=policy, as_built=rs, terms=terms))
    return out


def exclusions_frame(built: list[BuiltRiskSet]) -> pd.DataFrame:
    """Every risk set's exclusions with a ``stage`` naming the risk set."""
    frames = []
    for b in built:
        ex = b.as_built.exclusions  # type: ignore[attr-defined]
        if ex is not None and len(ex):
            frames.append(ex.assign(stage=f"risk set {b.key}")[["stage", "reason", "count",
                                                                 "examples"]])
    if not frames:
        return pd.DataFrame(columns=["stage", "reason", "count", "examples"])
    return pd.concat(frames, ignore_index=True)
