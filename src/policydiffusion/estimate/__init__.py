"""Estimation: discrete-time hazard GLMs (logit, probit, cloglog), Firth and rare-events
logit, Cox models with time-varying covariates, and their variance estimators.

Examples
--------
>>> from policydiffusion.estimate import fit_hazard, VcovSpec
>>> VcovSpec.parse({"cluster": ["state", "year"]}).kind
'cluster'
"""

from __future__ import annotations

from policydiffusion.estimate._cox import CoxResult, fit_cox
from policydiffusion.estimate._firth_infer import PenalizedLRTest
from policydiffusion.estimate._glm import SolverOptions
from policydiffusion.estimate._hazard import fit_hazard
from policydiffusion.estimate._rare import RareEvents
from policydiffusion.estimate._result import HazardResult
from policydiffusion.estimate._vcov import VcovSpec

__all__ = ["fit_hazard", "fit_cox", "HazardResult", "CoxResult", "VcovSpec", "SolverOptions",
           "PenalizedLRTest", "RareEvents"]
