"""Golden values and the cascades make_golden.R builds (shared by the netinf tests)."""

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from policydiffusion.datasets import load_dataset
from policydiffusion.networks import cascades_from_table

GOLDEN = Path(__file__).parent / "golden" / "netinf_golden.json"


@lru_cache(maxsize=1)
def golden() -> dict:
    return json.loads(GOLDEN.read_text())


@lru_cache(maxsize=None)
def package_cascades(data: str):
    """The cascades exactly as make_golden.R builds them with the package."""
    if data == "example":
        return cascades_from_table(load_dataset("netinf_example_cascades"),
                                   node_names=[str(i) for i in range(32)], order="input")
    spid = load_dataset("spid_adoptions")
    if data == "spid_slice":
        spid = spid[spid["policy"].isin(golden()["slice_policies"])]
    return cascades_from_table(spid, cascade_col="policy", node_col="state",
                               time_col="adoption_year", order="input")
