"""No zero-improvement edge unless compat="networkinference" asks for the package's padding
(issue 10 item 5)."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError, NetinfStopWarning
from policydiffusion.networks import (NetinfOptions, cascades_from_table, netinf,
                                      rolling_netinf)

# c follows a and b, who tie, in cascades p and q: once b -> c is in, a -> c (same
# delays) adds nothing; b -> a (cascade r) improves. Three possible edges, two useful.
SMALL = pd.DataFrame({"cascade_id": ["p"] * 3 + ["q"] * 3 + ["r"] * 2,
                      "node": ["a", "b", "c", "a", "b", "c", "b", "a"],
                      "time": [0, 0, 1, 0, 0, 2, 0, 3]})


def test_default_stops_at_the_first_edge_that_adds_nothing(example_cascades):
    pad = netinf(example_cascades, n_edges=500, compat="networkinference")
    assert pad.n_edges == 500
    zero = int((pad.edges["improvement"] == 0).sum())
    assert zero > 0  # the package pads: the request exceeds the improving edges
    with pytest.warns(NetinfStopWarning, match="stopped at .* of the 500 edges") as rec:
        own = netinf(example_cascades, n_edges=500)
    w = rec[0].message
    assert (w.requested, w.inferred) == (500, own.n_edges)
    assert own.n_edges == 500 - zero
    assert (own.edges["improvement"] > 0).all()
    assert "no remaining edge improves" in own.stop and "500 requested" in own.stop
    # the improving edges are the same, in the same order
    pd.testing.assert_frame_equal(own.edges[["origin", "destination", "improvement"]],
                                  pad.edges[["origin", "destination", "improvement"]]
                                  .head(own.n_edges))


def test_small_example_pads_only_in_compat_mode():
    casc = cascades_from_table(SMALL)
    with pytest.warns(NetinfStopWarning):
        own = netinf(casc, params=1.0, n_edges=3)
    assert list(zip(own.edges.origin, own.edges.destination)) == [("b", "c"), ("b", "a")]
    pad = netinf(casc, params=1.0, n_edges=3, compat="networkinference")
    assert pad.n_edges == 3 and pad.edges["improvement"].iloc[-1] == 0
    assert (pad.edges.origin.iloc[-1], pad.edges.destination.iloc[-1]) == ("a", "c")
    assert pad.stop.startswith("3 edges requested; 1 of them improve nothing")


def test_p_values_default_to_the_corrected_formula(example_cascades):
    own = netinf(example_cascades, n_edges=10)
    corr = netinf(example_cascades, n_edges=10, p_value="corrected")
    pkg = netinf(example_cascades, n_edges=10, compat="networkinference")
    np.testing.assert_array_equal(own.edges["p_value"], corr.edges["p_value"])
    assert not np.allclose(own.edges["p_value"], pkg.edges["p_value"], rtol=0, atol=1e-12)
    assert own.provenance["p_value"] == "corrected" and pkg.provenance["p_value"] == "package"
    # the package's formula alone, without padding, is still available
    assert netinf(example_cascades, n_edges=10, p_value="package").provenance["compat"] is None


def test_json_and_summary_say_which_mode_ran(example_cascades):
    own = netinf(example_cascades, n_edges=3).to_dict()
    pkg = netinf(example_cascades, n_edges=3, compat="networkinference")
    assert "no zero-improvement edges" in own["mode"] and "corrected" in own["mode"]
    assert "compatibility" in pkg.to_dict()["mode"]
    assert "compatibility" in str(pkg.summary())
    json.dumps(own)


def test_compat_choices_are_checked():
    with pytest.raises(InvalidOptionError, match="compat must be one of"):
        NetinfOptions(n_edges=3, compat="snap")
    with pytest.raises(InvalidOptionError, match="objective"):
        NetinfOptions(n_edges=3, compat="networkinference", objective="snap")


def test_rolling_stops_early_with_one_warning_and_pads_in_compat_mode():
    df = pd.concat([SMALL.assign(time=SMALL.time + 2000),
                    SMALL.assign(cascade_id=SMALL.cascade_id + "2", time=SMALL.time + 2002)])
    casc = cascades_from_table(df)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        own = rolling_netinf(casc, window=4, periods=[2004, 2005], n_edges=3, params=1.0)
    stop = [w.message for w in rec if issubclass(w.category, NetinfStopWarning)]
    assert len(stop) == 1 and stop[0].periods == (2004, 2005)
    assert (own.edges["improvement"] > 0).all()
    assert own.stops["n_edges"].tolist() == [2, 1]  # 2005: a -> c, b -> c possible, one useful
    assert own.stops["stop"].str.contains("no remaining edge improves").all()
    pad = rolling_netinf(casc, window=4, periods=[2004, 2005], n_edges=3, params=1.0,
                         compat="networkinference")
    assert pad.edges.groupby("period").size().tolist() == [3, 2]
    assert (pad.edges["improvement"] == 0).sum() == 2
    assert "compatibility" in pad.provenance["mode"]


def test_bootstrap_counts_short_draws_in_one_warning(example_cascades):
    from policydiffusion.networks import bootstrap_edges

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        b = bootstrap_edges(example_cascades, draws=2, n_edges=500, seed=1)
    stop = [w.message for w in rec if issubclass(w.category, NetinfStopWarning)]
    assert len(stop) == 1 and stop[0].requested == 500 and "in 2 draw(s)" in str(stop[0])
    assert b.edges["count"].sum() < 2 * 500
