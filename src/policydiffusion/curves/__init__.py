"""Describing diffusion: adoption curves, S-curve and Bass fits, take-off, adopter
categories, speed, innovativeness, spatial clustering and a diffusion index.

Every function takes a :class:`~policydiffusion.study.Study` (or a plain adoptions
table with columns ``policy``, ``unit``, ``period`` plus ``units=``) and returns
tidy pandas DataFrames or frozen result objects.

Examples
--------
>>> import pandas as pd
>>> from policydiffusion.curves import adoption_curve
>>> a = pd.DataFrame({"policy": "p", "unit": ["A", "B"], "period": [2000, 2002]})
>>> adoption_curve(a, units=4)["cumulative"].tolist()
[1, 1, 2]
"""

from policydiffusion.curves._curve import adoption_curve, pooled_adoption_curve
from policydiffusion.curves._data import as_study
from policydiffusion.curves._describe import PolicyDescription, describe_policies, describe_policy
from policydiffusion.curves._fit import CurveFit, CurveFits, fit_curves, fit_curves_many
from policydiffusion.curves._bass_ols import BassOLSFit, bass_ols, fit_bass_ols
from policydiffusion.curves._models import INFLUENCE, MODELS
from policydiffusion.curves._aft import AFTFit, fit_aft
from policydiffusion.curves._speed import gini, mallinson_data, policy_speed
from policydiffusion.curves._index import INDEX_COMPONENTS, diffusion_index
from policydiffusion.curves._spatial import (MoranResult, follow_neighbor_share, moran_statistic,
                                             morans_i, weight_matrix)
from policydiffusion.curves._innovativeness import dynamic_innovativeness, walker_scores
from policydiffusion.curves._rogers import CATEGORIES, adopter_categories, takeoff

__all__ = [
    "AFTFit", "BassOLSFit", "bass_ols", "fit_bass_ols", "CATEGORIES", "INDEX_COMPONENTS", "MoranResult", "PolicyDescription", "INFLUENCE", "MODELS", "CurveFit", "CurveFits", "adopter_categories",
    "adoption_curve", "as_study", "describe_policies", "describe_policy", "diffusion_index", "follow_neighbor_share", "moran_statistic", "morans_i", "weight_matrix", "dynamic_innovativeness", "fit_aft", "fit_curves", "fit_curves_many", "gini", "mallinson_data", "policy_speed", "pooled_adoption_curve", "takeoff", "walker_scores",
]
