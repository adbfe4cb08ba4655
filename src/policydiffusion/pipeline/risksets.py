"""Step 3: build every risk set the study file asks for, with its diffusion terms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.study import Study
from policydiffusion.studyfile import RiskSetSection, StudyFile, TermSpec

__all__ = ["BuiltRiskSet", "build_terms", "build_risksets"]


@dataclass(frozen=True)
class BuiltRiskSet:
    """One risk set: for a policy (monadic, dyadic) or for all (pooled, ``policy=None``)."""

    spec: RiskSetSection
    policy: str | None
    riskset: object  # policydiffusion.riskset.RiskSet
    terms: tuple = ()  # the term objects it was built from (build_terms of spec.terms)
    # built on Dask ([engine] kind = "dask"): the DaskRiskSet the models are fitted from;
    # ``riskset`` is then its local view (a scan of its folder, or its rows gathered)
    dask: object = None

    @property
    def key(self) -> str:
        return self.spec.name if self.policy is None else f"{self.spec.name}@{self.policy}"


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
            rs = _build_one(study, spec, terms, policy, policies, sf, i)
            drs = rs if sf.engine.kind == "dask" else None
            out.append(BuiltRiskSet(spec=spec, policy=policy, terms=terms, dask=drs,
                                    riskset=rs if drs is None else drs.to_riskset()))
    return out


def exclusions_frame(built: list[BuiltRiskSet]) -> pd.DataFrame:
    """Every risk set's exclusions with a ``stage`` naming the risk set."""
    frames = []
    for b in built:
        ex = b.riskset.exclusions  # type: ignore[attr-defined]
        if ex is not None and len(ex):
            frames.append(ex.assign(stage=f"risk set {b.key}")[["stage", "reason", "count",
                                                                 "examples"]])
    if not frames:
        return pd.DataFrame(columns=["stage", "reason", "count", "examples"])
    return pd.concat(frames, ignore_index=True)
