"""Event-history risk sets: monadic, directed-dyad and pooled, with diffusion terms.

Examples
--------
>>> from policydiffusion.datasets import spid_study
>>> from policydiffusion.riskset import monadic_riskset
>>> from policydiffusion import terms as T
>>> rs = monadic_riskset(spid_study(policies=["aborparc"]), policy="aborparc",
...                      terms=[T.neighbors_adopted(), T.national_share()])
>>> rs.data.height, int(rs.data["adopt"].sum())
(1427, 15)
"""

from policydiffusion.riskset._dask import DaskRiskSet
from policydiffusion.riskset._dyadic import dyadic_riskset
from policydiffusion.riskset._monadic import monadic_riskset
from policydiffusion.riskset._riskset import RiskSet

__all__ = ["monadic_riskset", "dyadic_riskset", "RiskSet", "DaskRiskSet"]
