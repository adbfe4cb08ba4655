"""NetinfOptions: one record for the options netinf and its repeated runs share."""

import dataclasses

import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.networks import (NetinfOptions, bootstrap_edges, cascades_from_table, netinf,
                                      rolling_netinf, spread_ties)

TIED = pd.DataFrame({"cascade_id": ["p"] * 3 + ["q"] * 3, "node": list("abcabc"),
                     "time": [2000, 2000, 2001, 2005, 2005, 2006]})


def test_options_record_gives_the_same_results_as_keywords(example_cascades):
    kw = {"n_edges": 6, "p_value": "corrected", "params_init": "package"}
    opts = NetinfOptions(**kw)
    a, b = netinf(example_cascades, **kw), netinf(example_cascades, options=opts)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    assert a.provenance == b.provenance
    a = bootstrap_edges(example_cascades, draws=3, seed=5, **kw)
    b = bootstrap_edges(example_cascades, draws=3, seed=5, options=opts)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    assert a.provenance == b.provenance
    casc = cascades_from_table(TIED)
    a = spread_ties(casc, draws=5, seed=2, n_edges=2, params=1.0)
    b = spread_ties(casc, draws=5, seed=2, options=NetinfOptions(n_edges=2, params=1.0))
    pd.testing.assert_frame_equal(a.edges, b.edges)
    a = rolling_netinf(casc, window=3, n_edges=1, params=1.0)
    b = rolling_netinf(casc, window=3, options=NetinfOptions(n_edges=1, params=[1.0]))
    pd.testing.assert_frame_equal(a.edges, b.edges)


def test_options_are_frozen_checked_and_not_mixed_with_keywords(example_cascades):
    opts = NetinfOptions(n_edges=3, params=[0.5])
    assert opts.params == (0.5,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.n_edges = 4
    assert opts.replace(n_edges=4).n_edges == 4 and opts.n_edges == 3
    with pytest.raises(InvalidOptionError, match="p_value must be one of"):
        NetinfOptions(p_value="exact")
    with pytest.raises(InvalidOptionError, match="exactly one stopping rule"):
        NetinfOptions(n_edges=3, penalty="bic").rule
    with pytest.raises(InvalidOptionError, match="not both; got options= and model="):
        bootstrap_edges(example_cascades, draws=2, model="rayleigh", options=opts)
    with pytest.raises(InvalidOptionError, match="NetinfOptions"):
        netinf(example_cascades, options={"n_edges": 3})


def test_netinf_ties_spread_points_to_spread_ties(example_cascades):
    with pytest.raises(InvalidOptionError, match=r"spread_ties\(cascades, draws=\.\.\., seed="):
        netinf(example_cascades, n_edges=3, ties="spread")
    with pytest.raises(InvalidOptionError, match="spread_ties"):
        netinf(example_cascades, n_edges=3, ties="random")


def test_choose_n_edges_takes_the_options_record_too(example_cascades):
    from policydiffusion.networks import choose_n_edges

    a = choose_n_edges(example_cascades, max_edges=8, folds=3, seed=1, model="rayleigh")
    b = choose_n_edges(example_cascades, max_edges=8, folds=3, seed=1,
                       options=NetinfOptions(model="rayleigh"))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.provenance == b.provenance and a.best_n_edges == b.best_n_edges
    with pytest.raises(InvalidOptionError, match="chooses the stopping rule itself"):
        choose_n_edges(example_cascades, max_edges=8, options=NetinfOptions(n_edges=3))
    with pytest.raises(InvalidOptionError, match="not both"):
        choose_n_edges(example_cascades, max_edges=8, model="rayleigh",
                       options=NetinfOptions(model="rayleigh"))


def test_the_options_are_listed_in_one_place_only():
    # every netinf-family function builds its record with netinf_options(options, locals());
    # none spells the nine fields out again
    import inspect
    from pathlib import Path

    import policydiffusion.networks as N

    fields = [f.name for f in dataclasses.fields(NetinfOptions)]
    for fn in (N.netinf, N.bootstrap_edges, N.spread_ties, N.rolling_netinf, N.choose_n_edges):
        assert "options" in inspect.signature(fn).parameters, fn.__name__
        assert "netinf_options(options, locals())" in inspect.getsource(fn), fn.__name__
    src = Path(N.__file__).parent
    spelled = [p.name for p in src.glob("*.py") if p.name != "_options.py"
               and "p_value_cutoff=p_value_cutoff" in p.read_text()]
    assert spelled == [] and len(fields) == 9
