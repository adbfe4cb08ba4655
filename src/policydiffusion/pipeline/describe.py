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
    from policydiffusion.curves import describe_policies, policy_speed

    policies = described_policies(study, sf)
    speed = policy_speed(study, policies)  # the speed is rescaled among the described policies
    # one batch: the data read once and the curve fits fitted together
    descriptions = describe_policies(study, policies, relation=sf.describe.morans_i, permutations=0,
                                     seed=seed, reference=policies, speed_table=speed)
    out = {}
    for d in descriptions:
        if tick is not None:  # one tick per policy, as the progress bar counts them
            tick(f"describe {d.policy}")
        out[d.policy] = d
    return out
