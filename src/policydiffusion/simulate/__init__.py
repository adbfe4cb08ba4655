"""Simulating policy diffusion: data-generating processes with known truth.

Simulation lets a researcher check that a design can detect an effect before
collecting data, check that a fitted model reproduces the observed S-curve, and ask
"what if" (seeding counterfactuals); it also gives data with known truth to test
every estimator. Every function takes a ``seed`` (``numpy.random.default_rng``).

Examples
--------
>>> from policydiffusion.simulate import random_network, simulate_cascades
>>> sim = simulate_cascades(random_network(10, n_edges=20, seed=1), n_cascades=3, seed=1)
>>> sorted(set(sim.cascades["cascade_id"]))
[1, 2, 3]
"""

from policydiffusion.simulate.cascades import CascadeSimulation, random_network, simulate_cascades
from policydiffusion.simulate.designs import (blank_study, mechanism_design, mechanism_term,
                                              synthetic_study)
from policydiffusion.simulate.dyadic import DyadicSimulation, simulate_dyadic
from policydiffusion.simulate.from_fit import (FitSimulation, compare_curves, fit_from_json,
                                               simulate_from_fit)
from policydiffusion.simulate.hazard import HazardSimulation, simulate_hazard
from policydiffusion.simulate.recovery import (PowerResult, RecoveryResult, fit_simulation,
                                               power_analysis, recovery)
from policydiffusion.simulate.seeding import SeedingResult, choose_seeds, seeding_counterfactual
from policydiffusion.simulate.spec import simulate_from_spec
from policydiffusion.simulate.threshold import ThresholdSimulation, simulate_threshold

__all__ = ["simulate_hazard", "HazardSimulation", "simulate_dyadic", "DyadicSimulation",
           "simulate_cascades", "CascadeSimulation", "random_network", "simulate_threshold",
           "ThresholdSimulation", "recovery", "RecoveryResult", "power_analysis", "PowerResult",
           "fit_simulation", "blank_study", "synthetic_study", "mechanism_design", "mechanism_term",
           "simulate_from_fit", "FitSimulation", "compare_curves", "fit_from_json",
           "seeding_counterfactual", "SeedingResult", "choose_seeds", "simulate_from_spec",
           "generate_china_mobile_gov"]


def __getattr__(name: str):
    if name == "generate_china_mobile_gov":
        from policydiffusion.simulate.china_mobile_gov import generate_china_mobile_gov

        return generate_china_mobile_gov
    raise AttributeError(name)
