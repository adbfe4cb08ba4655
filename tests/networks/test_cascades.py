"""Building cascades from tables, wide matrices and Studies."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion.datasets import spid_study
from policydiffusion.errors import StudyDataError
from policydiffusion.networks import (cascades_from_study, cascades_from_table,
                                      cascades_from_wide, netinf)

DF = pd.DataFrame({"cascade_id": ["b", "b", "a", "a", "a"], "node": ["y", "x", "z", "x", "y"],
                   "time": [3, 1, 5, 5, 2]})


def test_sorted_order():
    c = cascades_from_table(DF)
    assert c.node_names == ("x", "y", "z") and c.cascade_ids == ("a", "b")
    assert [c.node_names[i] for i in c.nodes[0]] == ["y", "x", "z"]  # tie 5: x before z
    assert c.times[0].tolist() == [2.0, 5.0, 5.0]


def test_input_order_is_the_packages():
    c = cascades_from_table(DF, order="input")
    assert c.node_names == ("y", "x", "z")  # first appearance
    assert [c.node_names[i] for i in c.nodes[0]] == ["y", "z", "x"]  # tie kept in row order


def test_non_adopters_are_nodes_and_polars_input():
    c = cascades_from_table(pl.from_pandas(DF), node_names=["x", "y", "z", "never"])
    assert c.n_nodes == 4 and c.n_events == 5


def test_problems_are_reported_with_rows():
    bad = DF.copy()
    bad.loc[1, "time"] = None
    with pytest.raises(StudyDataError) as err:
        cascades_from_table(bad)
    assert "row 1" in str(err.value) and "'time'" in str(err.value)
    dup = pd.concat([DF, DF.iloc[[0]]], ignore_index=True)
    with pytest.raises(StudyDataError, match="more than once"):
        cascades_from_table(dup)
    with pytest.raises(StudyDataError, match="not a number"):
        cascades_from_table(DF.assign(time=["1", "x", "2", "3", "4"]))


def test_wide_equals_long():
    wide = DF.pivot(index="node", columns="cascade_id", values="time")
    a = netinf(cascades_from_table(DF), params=1.0, n_edges=2)
    b = netinf(cascades_from_wide(wide), params=1.0, n_edges=2)
    pd.testing.assert_frame_equal(a.edges, b.edges)


def test_study_cascades_include_every_unit():
    st = spid_study()
    c = cascades_from_study(st)
    assert c.n_nodes == 50 and c.n_cascades == st.n_policies
    assert c.n_events == st.adoptions.height
    first = st.adoptions_of(c.cascade_ids[0])
    assert sorted(c.node_names[i] for i in c.nodes[0]) == sorted(first.get_column("unit").to_list())


def test_study_and_table_give_the_same_network(spid_frame):
    st = spid_study()
    names = dict(zip(st.units.get_column("name").to_list(), st.unit_ids))
    tab = spid_frame.assign(state=spid_frame.state.map(names))
    a = netinf(cascades_from_study(st), n_edges=25)
    b = netinf(cascades_from_table(tab, cascade_col="policy", node_col="state",
                                   time_col="adoption_year", node_names=st.unit_ids), n_edges=25)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    np.testing.assert_allclose(a.params, b.params)
