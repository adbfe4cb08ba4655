"""A Vuong p-value whose variance is degenerate is shown as undefined, never as 0."""

import json

import pandas as pd

from policydiffusion.networks import cascades_from_table, netinf

# every cascade gains exactly log(beta / epsilon) from each edge: sd(D) = 0 (or noise)
SAME_GAIN = pd.DataFrame({"cascade_id": list("aaabbbccc"), "node": list("xyzxyzxyz"),
                          "time": [1, 2, 3, 1, 2, 3, 1, 2, 4]})


def test_corrected_p_is_nan_when_every_cascade_gains_the_same():
    res = netinf(cascades_from_table(SAME_GAIN), p_value_cutoff=0.05)
    assert res.n_edges == 2  # the undefined test does not stop the cutoff rule
    assert res.edges["p_value"].isna().all()  # was 0.0: certainty from a zero variance
    assert "no p-value" in res.p_value_note and "p n/a" in res.summary()
    d = res.to_dict()
    assert [e["p_value"] for e in d["edges"]] == [None, None]
    json.dumps(d, allow_nan=False)  # valid JSON: no NaN literal


def test_package_p_values_still_reproduce_the_package():
    res = netinf(cascades_from_table(SAME_GAIN), p_value_cutoff=0.05, p_value="package")
    assert res.edges["p_value"].tolist() == [0.0, 0.0] and res.p_value_note is None


def test_ordinary_p_values_unchanged():
    from policydiffusion.datasets import load_dataset

    c = cascades_from_table(load_dataset("netinf_example_cascades"))
    res = netinf(c, n_edges=5)
    p = res.edges["p_value"]
    assert p.notna().all() and res.p_value_note is None
    assert all(0 <= v <= 1 for v in p)
