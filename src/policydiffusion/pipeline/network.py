"""Step 2b: infer a diffusion network from other policies' cascades (netinf)."""

from __future__ import annotations

from dataclasses import dataclass

from policydiffusion.study import Study
from policydiffusion.studyfile import StudyFile

__all__ = ["NetworkOutput", "network_step", "mode_keys", "network_cascades"]


@dataclass(frozen=True)
class NetworkOutput:
    """The netinf result, the relation made from it, and the policies it used."""

    result: object  # policydiffusion.networks.NetinfResult
    relation: object  # policydiffusion.study.Relation
    policies: tuple[str, ...]


def mode_keys(result: object) -> tuple[str, ...]:
    """Text keys (report.i18n) saying which netinf behaviour produced ``result``."""
    prov = getattr(result, "provenance", {}) or {}
    if prov.get("compat") == "networkinference":
        return ("network.mode.compat",)
    snap = ("network.mode.snap",) if prov.get("objective") == "snap" else ()
    return snap + ("network.mode.default",)


def network_cascades(study: Study, sf: StudyFile) -> tuple[tuple[str, ...], object]:
    """The policies the network is inferred from (``network.policies``, default: every
    policy outside ``policies.focus``) and their cascades."""
    from policydiffusion.networks import cascades_from_study

    focus = set(sf.policies.focus or ())
    spec = sf.network
    policies = tuple((spec.policies if spec is not None else None)
                     or [p for p in study.policy_ids if p not in focus])
    return policies, cascades_from_study(study, policies=list(policies))


def network_step(study: Study, sf: StudyFile, *, seed: int) -> tuple[Study, NetworkOutput | None]:
    """Infer the network and add it to the study as a relation (``network.relation``)."""
    spec = sf.network
    if spec is None or not spec.enabled:
        return study, None
    from policydiffusion.networks import as_relation, netinf

    policies, cascades = network_cascades(study, sf)
    options = dict(spec.options)
    if spec.n_edges == "auto":
        if not {"p_value_cutoff", "penalty"} & set(options):
            options["p_value_cutoff"] = 0.05
    else:
        options["n_edges"] = int(spec.n_edges)
    options.setdefault("objective", spec.objective)
    options.setdefault("compat", spec.compat)
    result = netinf(cascades, **options)
    relation = as_relation(result, name=spec.relation)
    return study.with_relation(relation), NetworkOutput(result=result, relation=relation,
                                                        policies=policies)
