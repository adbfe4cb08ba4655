"""What a policy achieved where it spread: event studies from adoption records.

The adoption records that drive every diffusion model are also the staggered
treatment timing of a policy evaluation. This package builds the event-study
design from them (:func:`event_time_indicators`), estimates it with a maintained
fixed-effects solver (pyfixest, an optional dependency: ``pip install
'policydiffusion[effects]'``), and links effects back to diffusion.

Examples
--------
>>> from policydiffusion.effects import bin_name
>>> bin_name("travel_ban_local", (0, 7))
'travel_ban_local_L0_to_L7'
"""

from policydiffusion.effects._design import bin_name, event_time_indicators, normalise_bins
from policydiffusion.effects._diffusion_links import (HeterogeneityResult, adoption_order,
                                                      effect_heterogeneity, neighbour_adoption_share)
from policydiffusion.effects._event_study import EventStudyResult, event_study
from policydiffusion.errors import MissingDependencyError
from policydiffusion.effects._hsiang import HSIANG_BINS, HSIANG_POLICIES, HsiangChinaPanel, hsiang_china_panel
from policydiffusion.effects._index import (BENEFIT_COMPONENTS, benefit_components, evaluation_index,
                                            unit_effects)
from policydiffusion.effects._staggered import GroupTimeResult, callaway_santanna, cohorts, sun_abraham

__all__ = ["event_study", "EventStudyResult", "event_time_indicators", "bin_name", "normalise_bins",
           "callaway_santanna", "GroupTimeResult", "sun_abraham", "cohorts", "plot_event_study",
           "effect_heterogeneity", "HeterogeneityResult", "adoption_order", "neighbour_adoption_share",
           "unit_effects", "benefit_components", "evaluation_index", "BENEFIT_COMPONENTS",
           "MissingDependencyError", "hsiang_china_panel", "HsiangChinaPanel", "HSIANG_BINS", "HSIANG_POLICIES"]


def __getattr__(name: str):
    # the event-study figure lives in report.figures (the report reads effects' results,
    # not the reverse); this keeps ``from policydiffusion.effects import plot_event_study``
    # working without importing the report when effects is imported
    if name == "plot_event_study":
        from policydiffusion.report.figures.effects import plot_event_study

        return plot_event_study
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
