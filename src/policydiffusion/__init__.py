"""policydiffusion: policy innovation and diffusion research in Python.

The flow of an analysis, one stage per subpackage::

    study -> describe (curves) -> riskset / terms -> estimate -> interpret
          -> networks -> simulate -> report

The main path is importable from the top level (loaded on first use, so that
``import policydiffusion`` and the command line stay fast):

>>> import pandas as pd
>>> import policydiffusion as pdf
>>> study = pdf.load_study(pd.DataFrame({"policy": "p", "unit": list("ABCD"),
...                                      "time": [2001, 2002, 2002, 2004]}), end=2005)
>>> rs = pdf.monadic_riskset(study, policy="p", terms=[pdf.terms.national_share()])
>>> res = pdf.fit_hazard(rs, "adopt ~ national_share_l1")
>>> res.nobs, res.provenance["data"]
(9, "the monadic risk set of 'p'")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: top-level name -> (module, attribute or None for the module itself)
_MAIN_PATH: dict[str, tuple[str, str | None]] = {
    "load_study": ("policydiffusion.study", "load_study"),
    "load_dataset": ("policydiffusion.datasets", "load_dataset"),
    "monadic_riskset": ("policydiffusion.riskset", "monadic_riskset"),
    "dyadic_riskset": ("policydiffusion.riskset", "dyadic_riskset"),
    "terms": ("policydiffusion.terms", None),
    "fit_hazard": ("policydiffusion.estimate", "fit_hazard"),
    "fit_cox": ("policydiffusion.estimate", "fit_cox"),
    "regression_table": ("policydiffusion.report.tables", "regression_table"),
    "netinf": ("policydiffusion.networks", "netinf"),
    "describe_policy": ("policydiffusion.curves", "describe_policy"),
    "classify_modes": ("policydiffusion.modes", "classify_modes"),
}

__all__ = ["__version__", *_MAIN_PATH]


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): the subpackages import numpy, pandas and polars, which the CLI's
    # start-up and `policydiffusion --version` should not pay for.
    if name not in _MAIN_PATH:
        raise AttributeError(f"module 'policydiffusion' has no attribute {name!r}")
    module, attr = _MAIN_PATH[name]
    value = importlib.import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MAIN_PATH))
