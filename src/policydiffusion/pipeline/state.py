"""Everything one run produced, handed from the analysis steps to the report."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from policydiffusion.pipeline.data import LoadedData
from policydiffusion.pipeline.models import FittedModel
from policydiffusion.pipeline.network import NetworkOutput
from policydiffusion.pipeline.reinvention import ReinventionOutput
from policydiffusion.pipeline.risksets import BuiltRiskSet
from policydiffusion.study import Study
from policydiffusion.studyfile import StudyFile

__all__ = ["RunState", "ModerationOutput", "HeterogeneityOutput", "SimulationOutput"]


@dataclass(frozen=True)
class ModerationOutput:
    """The marginal effect of ``variable`` across ``moderator`` for one fitted model."""

    key: str
    model: str
    variable: str
    moderator: str
    frame: pd.DataFrame  # columns: moderator value, effect, conf_low, conf_high, discrete
    spec: object
    observed: tuple[float, ...] = ()  # the moderator in the estimation sample (for a rug)


@dataclass(frozen=True)
class HeterogeneityOutput:
    """Subgroup estimates of one fitted model and the test of their difference."""

    key: str
    model: str
    by: str
    split_key: str  # i18n key of the split
    split_value: object
    frame: pd.DataFrame  # term, group, estimate, std_error, p_value, difference_p
    spec: object
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimulationOutput:
    """One simulation's summary table (``frame``) and its draws (``adoptions``:
    draw, unit, period of every simulated adoption)."""

    key: str
    kind: str
    model: str
    frame: pd.DataFrame
    spec: object
    adoptions: object = None


@dataclass(frozen=True)
class RunState:
    """All the results of running a study file."""

    sf: StudyFile
    loaded: LoadedData
    study: Study  # with the inferred relation, if any
    seed: int
    descriptions: dict = field(default_factory=dict)
    network: NetworkOutput | None = None
    reinvention: ReinventionOutput | None = None
    risksets: tuple[BuiltRiskSet, ...] = ()
    models: tuple[FittedModel, ...] = ()
    moderation: tuple[ModerationOutput, ...] = ()
    heterogeneity: tuple[HeterogeneityOutput, ...] = ()
    simulations: tuple[SimulationOutput, ...] = ()
    modes: object = None  # policydiffusion.modes.ModesResult of the [modes] table, if any
    effects: object = None  # pipeline.effects.EffectsOutput of the [effects] table, if any
    notes: tuple[str, ...] = ()  # things skipped, warnings: shown in run.json
