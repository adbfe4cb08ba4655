"""Simulating policy diffusion: data-generating processes with known truth.

Simulation lets a researcher check that a design can detect an effect before
collecting data, check that a fitted model reproduces the observed S-curve, and ask
"what if" (seeding counterfactuals). Every function takes a ``seed``.
"""

from policydiffusion.simulate.dyadic import DyadicSimulation, simulate_dyadic

__all__ = ["simulate_dyadic", "DyadicSimulation"]
