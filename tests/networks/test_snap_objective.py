"""objective="snap" against SNAP's own netinf output on its example cascades
(issue 11 item 7; golden/snap/README.md says where the files come from)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policydiffusion.datasets import load_dataset
from policydiffusion.errors import NetinfStopWarning
from policydiffusion.networks import cascades_from_table, netinf, rolling_netinf

SNAP = Path(__file__).parent / "golden" / "snap"


def snap_cascades():
    """SNAP's input file read as SNAP reads it: node lines, a blank line, cascades."""
    lines = (SNAP / "example-cascades.txt").read_text().splitlines()
    blank = lines.index("")
    names = [ln.split(",")[0] for ln in lines[:blank]]
    rows = []
    for c, line in enumerate(ln for ln in lines[blank + 1:] if ln.strip()):
        v = line.split(",")
        rows += [(c, v[k], float(v[k + 1])) for k in range(0, len(v), 2)]
    df = pd.DataFrame(rows, columns=["cascade_id", "node", "time"])
    return cascades_from_table(df, node_names=names)


def snap_edges(name):
    return pd.read_csv(SNAP / name, sep="/", skiprows=1, header=None,
                       names=["src", "dst", "vol", "gain", "median", "average"], dtype={"src": str, "dst": str})


def test_shipped_example_output():
    """SNAP's shipped run: 5 edges, exponential, alpha 1."""
    res = netinf(snap_cascades(), params=1.0, n_edges=5, objective="snap")
    ref = snap_edges("network-edge.info")
    assert list(zip(res.edges.origin, res.edges.destination)) == list(zip(ref.src, ref.dst))
    np.testing.assert_allclose(res.edges["improvement"], ref["gain"], rtol=0, atol=5e-7)


def test_full_run_until_no_edge_improves():
    """SNAP stops at the first edge that adds nothing: 159 edges, same order and gains."""
    ref = snap_edges("full-edge.info")
    with pytest.warns(NetinfStopWarning):
        res = netinf(snap_cascades(), params=1.0, n_edges=543, objective="snap")
    assert res.n_edges == len(ref) == 159
    assert list(zip(res.edges.origin, res.edges.destination)) == list(zip(ref.src, ref.dst))
    np.testing.assert_allclose(res.edges["improvement"], ref["gain"], rtol=0, atol=5e-7)
    # the same data as the shipped example cascades (NetworkInference took them from SNAP)
    ours = load_dataset("netinf_example_cascades")
    assert len(ours) == sum(len(t) for t in snap_cascades().times)


def test_snap_objective_differs_from_the_package_objective():
    c = snap_cascades()
    snap = netinf(c, params=1.0, n_edges=3, objective="snap")
    ni = netinf(c, params=1.0, n_edges=3)
    # gain of an edge: log f(d) - log(1e-64) per cascade (SNAP), not
    # log(0.5 f(d)) - log(1e-10 f(d')) (NetworkInference)
    assert snap.edges["improvement"].iloc[0] > ni.edges["improvement"].iloc[0] + 1000
    assert snap.provenance["objective"] == "snap" and snap.provenance["beta"] is None
    assert snap.provenance["epsilon"] == 1e-64


def test_rolling_snap_windows_are_shifted_to_zero():
    """A window's cascades start at 0, and shifting does not change SNAP's gains."""
    c = snap_cascades()
    late = c.with_times([t + 1000.0 for t in c.times])
    a = rolling_netinf(c, window=100, periods=[50], n_edges=5, params=1.0, objective="snap")
    b = rolling_netinf(late, window=100, periods=[1050], n_edges=5, params=1.0, objective="snap")
    np.testing.assert_allclose(a.edges["improvement"], b.edges["improvement"], rtol=1e-12)
    assert a.provenance["objective"] == "snap"
