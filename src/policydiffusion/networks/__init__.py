"""Diffusion networks: netinf inference, rolling windows, uncertainty, measures.

Examples
--------
>>> from policydiffusion.networks import cascades_from_table, netinf
>>> from policydiffusion.datasets import load_dataset
>>> res = netinf(cascades_from_table(load_dataset("netinf_example_cascades")), n_edges=2)
>>> res.n_edges
2
"""

from __future__ import annotations

from policydiffusion.networks._cascades import (
    Cascades,
    cascades_from_study,
    cascades_from_table,
    cascades_from_wide,
)
from policydiffusion.networks._netinf import NetinfResult, netinf

__all__ = [
    "Cascades",
    "NetinfResult",
    "cascades_from_study",
    "cascades_from_table",
    "cascades_from_wide",
    "netinf",
]
