"""Diffusion modes in a multi-level state: top-down, pilot-then-promote, bottom-up, horizontal.

:func:`classify_modes` measures, for every policy, when the centre adopted, who adopted
before it, whether pilots led, how the lower-level hazard changed at the central date
and how clustered adoption was within parents, and labels the mode by the documented
:class:`ModeRules` (METHODS 5.24). The command line: ``policydiffusion modes``.

Examples
--------
>>> from policydiffusion.datasets.china_levels import china_regulations_study
>>> study = china_regulations_study()
>>> classify_modes(study).tidy()[["policy", "mode"]].values.tolist()
[['business_environment', 'top-down'], ['civilized_behavior', 'undetermined']]

Each province as the "centre" of its own cities (Henan: four cities legislated before
the province did):

>>> t = classify_modes(study, central_level="province").tidy()
>>> t.loc[t["central_unit"] == "410000", ["policy", "mode", "n_before", "n_lower_adopters"]].values.tolist()
[['business_environment', 'undetermined', 1, 3], ['civilized_behavior', 'bottom-up', 4, 12]]
"""

from policydiffusion.modes._classify import (MODE_LABELS_ZH, MODES, ModeRules, ModesResult,
                                             classify_modes)
from policydiffusion.modes._evidence import hazard_break

__all__ = ["classify_modes", "ModeRules", "ModesResult", "MODES", "MODE_LABELS_ZH", "hazard_break"]
