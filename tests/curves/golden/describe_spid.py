"""Writes describe_spid.json: describe_policy of a few SPID policies (no permutations).

The committed JSON was written at commit eda50b2, before the curve likelihood was
batched (issue 16, item 19); test_fast_describe.py checks that today's code still gives
these numbers (with ``optimizer="multistart"``, the optimiser it used; the
default Newton optimiser is checked against them to the optimiser's precision).
Run from the repository root: PYTHONPATH=src python3 tests/curves/golden/describe_spid.py
"""

import json
from pathlib import Path

from policydiffusion.curves import describe_policy
from policydiffusion.datasets import spid_study

POLICIES = ["aborparc", "adc", "antibully", "absvot"]

if __name__ == "__main__":  # not on import: pytest --doctest-modules imports this file
    study = spid_study(policies=POLICIES)
    out = {p: describe_policy(study, p, permutations=0, optimizer="multistart").to_dict()
           for p in POLICIES}
    for d in out.values():
        d.pop("provenance")
        d.pop("curve")
    Path(__file__).with_name("describe_spid.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
