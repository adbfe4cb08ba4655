"""Before any work: every model's formula and variance columns exist in its risk set.

A misspelt variable would otherwise be found only when the model is fitted, after
the description and network inference have run. The risk sets are planned (lazily,
for their first policy) to learn their columns; nothing is computed.
"""

from __future__ import annotations

from policydiffusion._suggest import did_you_mean
from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.pipeline.risksets import _build_one, build_terms
from policydiffusion.study import Study
from policydiffusion.studyfile import StudyFile

__all__ = ["check_models", "check_network"]


def _vcov_columns(vcov: object) -> list[str]:
    from policydiffusion.estimate._vcov import VcovSpec

    return list(VcovSpec.parse(vcov).columns)


def check_network(study: Study, sf: StudyFile) -> None:
    """Refuse a ``[network]`` with fewer than two cascades before any work (netinf needs
    two to give an edge a p-value)."""
    if sf.network is None or not sf.network.enabled:
        return
    from policydiffusion.pipeline.network import network_cascades

    policies, cascades = network_cascades(study, sf)
    n = cascades.n_cascades  # type: ignore[attr-defined]
    if n < 2:
        raise StudyFileError(f"{sf.where(('network', 'policies'))}: the network is inferred from "
                             f"{n} cascade{'' if n == 1 else 's'} ({len(policies)} policies "
                             "outside policies.focus, or network.policies); netinf needs at "
                             "least two. Name more policies, or set enabled = false.")


def check_models(study: Study, sf: StudyFile) -> None:
    """Raise one :class:`StudyFileError` naming every formula or cluster column that its
    risk set does not have, at the model's line, with the closest column.

    Risk sets that use the inferred network are checked when it exists (at fit time).
    """
    from policydiffusion.estimate._design import parse_formula, rhs_variables

    inferred = sf.network.relation if sf.network is not None and sf.network.enabled else None
    problems: list[str] = []
    for i, spec in enumerate(sf.risksets):
        models = [(j, m) for j, m in enumerate(sf.models) if m.riskset == spec.name]
        if not models or (inferred and any(t.params.get("relation") == inferred
                                           for t in spec.terms)):
            continue
        policies = tuple(spec.policies or study.policy_ids)
        first = None if spec.design == "pooled" else policies[0]
        rs = _build_one(study, spec, build_terms(sf, spec.terms), first, policies, sf, i,
                        plan_only=True)
        columns = [c for c in rs.plan.collect_schema().names()  # type: ignore[attr-defined]
                   if not c.startswith("_")]
        for j, m in models:
            try:
                response, rhs = parse_formula(m.formula)
                needed = [(("model", j, "formula"), v) for v in (response, *rhs_variables(rhs))]
            except PolicyDiffusionError as exc:
                problems.append(f"{sf.where(('model', j, 'formula'))}: {exc}")
                continue
            needed += [(("model", j, "vcov"), v) for v in _vcov_columns(m.vcov)]
            problems += [f"{sf.where(path)}: model {m.name!r}: risk set {spec.name!r} has no "
                         f"column {v!r}{did_you_mean(v, columns)}; available columns: "
                         f"{', '.join(map(repr, columns))}"
                         for path, v in needed if v not in columns]
    if problems:
        n = len(problems)
        head = "" if n == 1 else f"{n} problems in {sf.path}:\n  "
        raise StudyFileError(head + "\n  ".join(problems))
