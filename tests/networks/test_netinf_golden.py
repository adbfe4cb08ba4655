"""netinf against NetworkInference 1.2.5 (values written by golden/make_golden.R).

These tests check the package's exact behaviour, so they run with
``compat="networkinference"`` (zero-improvement padding and the package's p-values)."""

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.networks import netinf

from netinf_golden_data import golden, package_cascades

CASES = golden()["cases"]


def _run(case, **extra):
    casc = package_cascades(case["data"])
    assert list(casc.node_names) == case["node_names"]
    return netinf(casc, model=case["model"], params=case["params_given"], params_init="package",
                  n_edges=case["n_edges"], p_value_cutoff=case["p_value_cutoff"],
                  trees="trees" in case, compat="networkinference", **extra)


@pytest.mark.parametrize("case", [c for c in CASES if "error" not in c], ids=lambda c: c["name"])
def test_matches_package(case):
    res = _run(case)
    ref = case["edges"]
    np.testing.assert_allclose(res.params, case["params"], rtol=1e-13)
    assert res.edges["origin"].tolist() == ref["origin"]
    assert res.edges["destination"].tolist() == ref["destination"]
    np.testing.assert_allclose(res.edges["improvement"], ref["improvement"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(res.edges["p_value"], ref["p_value"], rtol=0, atol=1e-6)
    if "trees" in case:
        got = res.trees.sort_values(["cascade_id", "child"]).reset_index(drop=True)
        want = (pd.DataFrame(case["trees"]).sort_values(["cascade_id", "child"])
                .reset_index(drop=True))
        assert got["parent"].tolist() == want["parent"].tolist()
        np.testing.assert_allclose(got["log_score"], want["log_score"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=lambda c: c["name"])
def test_package_rayleigh_init_fails_like_the_package(case):
    """The package's Rayleigh start is NaN when there are more than 171 delays."""
    assert case["model"] == "rayleigh"
    with pytest.raises(InvalidOptionError, match="overflows"):
        _run(case)
    res = netinf(package_cascades(case["data"]), model="rayleigh", n_edges=5)  # corrected
    assert np.isfinite(res.params[0]) and res.n_edges == 5


def test_full_spid_headline(spid_cascades):
    """The issue's reference run: 686 edges, California -> Oregon first."""
    case = next(c for c in CASES if c["name"] == "spid_exp_auto_p05")
    res = netinf(spid_cascades, p_value_cutoff=0.05, compat="networkinference")
    assert res.n_edges == len(case["edges"]["origin"]) == 686
    assert (res.edges["origin"][0], res.edges["destination"][0]) == ("California", "Oregon")
