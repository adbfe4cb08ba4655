"""Interpretation of fitted hazard models: marginal effects, moderation, heterogeneity,
model comparison and out-of-time prediction.

Examples
--------
>>> from policydiffusion.interpret import average_marginal_effects, lr_test
"""

from __future__ import annotations

from policydiffusion.interpret._compare import LRTest, lr_test
from policydiffusion.interpret._margins import average_marginal_effects, predicted_hazard
from policydiffusion.interpret._moderation import marginal_effect_across
from policydiffusion.interpret._predict import OutOfTimeResult, out_of_time
from policydiffusion.interpret._subgroups import SubgroupResult, fit_subgroups

__all__ = ["average_marginal_effects", "marginal_effect_across", "predicted_hazard",
           "fit_subgroups", "SubgroupResult", "lr_test", "LRTest", "out_of_time",
           "OutOfTimeResult"]
