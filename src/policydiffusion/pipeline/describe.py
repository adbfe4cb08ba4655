"""Step 2: describe how each policy spread (curves, take-off, speed, clustering)."""

from __future__ import annotations

from typing import Callable

from policydiffusion.study import Study
from policydiffusion.studyfile import StudyFile

__all__ = ["describe_step", "described_policies"]


def described_policies(study: Study, sf: StudyFile) -> list[str]:
    """The policies described: ``describe.policies``, else ``policies.focus``, else all."""
    return list(sf.describe.policies or sf.policies.focus or study.policy_ids)


def describe_step(study: Study, sf: StudyFile, *, seed: int,
                  tick: Callable[[str], None] | None = None) -> dict:
    """``{policy: PolicyDescription}`` for every described policy (empty when disabled)."""
    if not sf.describe.enabled:
        return {}
    from policydiffusion.curves import describe_policy, fit_curves_many, policy_speed

    policies = described_policies(study, sf)
    speed = policy_speed(study, policies)  # once for all (describe_policy needs it for the index)
    fits = fit_curves_many(study, policies)  # one batch: far faster than policy by policy
    out = {}
    for p in policies:
        if tick is not None:
            tick(f"describe {p}")
        out[p] = describe_policy(study, p, relation=sf.describe.morans_i, permutations=0,
                                 seed=seed, reference=policies, speed_table=speed, curve_fits=fits)
    return out
