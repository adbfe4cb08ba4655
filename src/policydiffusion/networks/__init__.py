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
from policydiffusion.networks._measures import conforming_share, network_measures, top_sources
from policydiffusion.networks._models import init_params
from policydiffusion.networks._netinf import NetinfResult, netinf
from policydiffusion.networks._options import NetinfOptions
from policydiffusion.networks._relation import as_relation, sources_adopted
from policydiffusion.networks._rolling import RollingNetinf, rolling_netinf, window_cascades
from policydiffusion.networks._uncertainty import (
    EdgeCountChoice,
    EdgeFrequencies,
    bootstrap_edges,
    choose_n_edges,
    count_possible_edges,
    spread_ties,
)

__all__ = [
    "Cascades",
    "EdgeCountChoice",
    "EdgeFrequencies",
    "NetinfOptions",
    "NetinfResult",
    "RollingNetinf",
    "as_relation",
    "conforming_share",
    "init_params",
    "network_measures",
    "rolling_netinf",
    "sources_adopted",
    "top_sources",
    "window_cascades",
    "bootstrap_edges",
    "choose_n_edges",
    "count_possible_edges",
    "spread_ties",
    "cascades_from_study",
    "cascades_from_table",
    "cascades_from_wide",
    "netinf",
]
