"""Step 6: simulations from fitted models (recovery, power, seeding counterfactuals)."""

from __future__ import annotations

from typing import Callable

import pandas as pd

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.pipeline.state import RunState, SimulationOutput

__all__ = ["simulation_step"]


def simulation_step(state: RunState, *, tick: Callable[[str], None] | None = None
                    ) -> tuple[SimulationOutput, ...]:
    """Run each ``[[simulation]]`` on the first fit of its model; seeds from the study file."""
    if not state.sf.simulations:
        return ()
    from policydiffusion import simulate as S

    funcs = {"recovery": S.recovery, "power": S.power_analysis,
             "counterfactual": S.seeding_counterfactual}
    out = []
    for i, spec in enumerate(state.sf.simulations):
        fits = [m for m in state.models if m.spec.name == spec.model]
        m = fits[0]
        if tick is not None:
            tick(f"simulation {spec.kind} ({m.key})")
        seed = spec.seed if spec.seed is not None else state.seed
        data = m.built.riskset.data  # type: ignore[attr-defined]
        try:
            res = funcs[spec.kind](m.result, data, n_sims=spec.n_sims, seed=seed,
                                   **dict(spec.options))
        except (PolicyDiffusionError, TypeError) as exc:
            raise StudyFileError(f"{state.sf.where(('simulation', i))}: {exc}") from None
        frame = res.tidy() if hasattr(res, "tidy") else pd.DataFrame(res)
        out.append(SimulationOutput(key=f"{spec.kind}_{m.key}".replace("@", "_"), kind=spec.kind,
                                    model=m.key, frame=frame, spec=spec))
    return tuple(out)
