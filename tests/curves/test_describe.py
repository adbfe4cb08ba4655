"""describe_policy collects every measure; its dict is JSON-ready."""

from __future__ import annotations

import json

import pytest

from policydiffusion.curves import describe_policy, fit_curves, policy_speed, takeoff
from policydiffusion.datasets import spid_study


def test_describe_policy_consistent_with_parts():
    s = spid_study(policies=["aborparc", "antibully", "termlim"])
    d = describe_policy(s, "antibully", permutations=99, seed=1)
    assert d.n_units == 50 and d.n_adopters == 50 and d.first_period == 1999
    assert d.takeoff["takeoff_period"] == takeoff(s, "antibully", fit=None)["takeoff_period"].item()
    sp = policy_speed(s).set_index("policy").loc["antibully"]
    assert d.speed["intercept"] == pytest.approx(sp["intercept"])
    assert d.fits["bass"].value("q") == pytest.approx(fit_curves(s, "antibully")["bass"].value("q"))
    assert d.moran is not None and d.moran.permutations == 99
    out = json.loads(json.dumps(d.to_dict()))
    for key in ("n_units", "n_adopters", "first_period", "takeoff_period", "logistic", "gompertz",
                "bass", "speed"):
        assert key in out
    assert set(out["bass"]["std_errors"]) == {"K", "p", "q"}
    assert "antibully" in d.summary()


def test_describe_without_relation_notes_it():
    import pandas as pd

    a = pd.DataFrame({"policy": "p", "unit": list("ABCD"), "period": [1, 2, 2, 3]})
    from policydiffusion.curves import as_study

    d = describe_policy(as_study(a, units=6), "p")
    assert d.moran is None and any("relation" in n for n in d.notes)
