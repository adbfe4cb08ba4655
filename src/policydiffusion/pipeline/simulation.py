"""Step 6: simulate adoption from fitted models and compare with what happened."""

from __future__ import annotations

import re
from typing import Callable

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.pipeline.state import RunState, SimulationOutput

__all__ = ["simulation_step"]


def simulation_step(state: RunState, *, tick: Callable[[str], None] | None = None
                    ) -> tuple[SimulationOutput, ...]:
    """Run each ``[[simulation]]`` on every fit of its model (one per policy)."""
    if not state.sf.simulations:
        return ()
    from policydiffusion.simulate import simulate_from_fit

    out = []
    for i, spec in enumerate(state.sf.simulations):
        seed = spec.seed if spec.seed is not None else state.seed
        for m in (x for x in state.models if x.spec.name == spec.model):
            if m.built.policy is None or m.built.spec.design != "monadic":
                raise StudyFileError(f"{state.sf.where(('simulation', i, 'model'))}: simulations "
                                     "need a model fitted to a monadic risk set of one policy")
            if tick is not None:
                tick(f"simulation {m.key}")
            terms = [t for t in m.built.terms  # only those it uses
                     if re.search(rf"\b{re.escape(t.name)}", m.spec.formula)]
            try:
                # the fit was given the risk set: its spline knots are in its provenance
                sim = simulate_from_fit(m.result, state.study, policy=m.built.policy, terms=terms,
                                        draws=spec.draws, seed=seed, **dict(spec.options))
            except PolicyDiffusionError as exc:
                raise StudyFileError(f"{state.sf.where(('simulation', i))}: {exc}") from None
            out.append(SimulationOutput(key=f"{spec.kind}_{m.key}".replace("@", "_"),
                                        kind=spec.kind, model=m.key, frame=sim.compare(),
                                        spec=spec, adoptions=sim.adoptions))
    return tuple(out)
