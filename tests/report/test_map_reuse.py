"""The map kept by ``reuse_figures`` keeps its shapes matched to the study's units
(issue 16, item 19): the next policies only recolour it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from policydiffusion.datasets import spid_study  # noqa: E402
from policydiffusion.report.figures import maps, plot_choropleth  # noqa: E402
from policydiffusion.report.figures._common import reuse_figures  # noqa: E402


def test_units_are_matched_once_per_kept_map(monkeypatch):
    st = spid_study(policies=["aborparc", "antibully", "zerotol"])
    calls = []
    real = maps._match_units
    monkeypatch.setattr(maps, "_match_units", lambda *a: calls.append(a[1]) or real(*a))
    colours = []
    for p in st.policy_ids:
        with reuse_figures():
            ax = plot_choropleth(st, p)
        colours.append(ax.collections[0].get_facecolor().copy())
    plt.close("all")
    assert calls == ["us_states"]
    fresh = plot_choropleth(st, "zerotol").collections[0].get_facecolor()  # matched again
    plt.close("all")
    assert len(calls) == 2 and np.array_equal(colours[-1], fresh)
    assert not np.array_equal(colours[0], colours[-1])


def test_a_kept_map_of_units_named_by_name_is_not_matched_again(monkeypatch):
    """With ``geometry="auto"`` and units named "Alabama" rather than "AL", the map was
    chosen by matching the units to each shipped map (twice) before the kept map was
    looked up: three matchings per policy. Now once in all, for the first policy."""
    import pandas as pd

    from policydiffusion.curves import as_study

    st = spid_study(policies=["aborparc", "antibully", "zerotol"])
    name = dict(st.units.select(["unit", "name"]).iter_rows())
    a = st.adoptions.to_pandas() if hasattr(st.adoptions, "to_pandas") else st.adoptions
    named = as_study(pd.DataFrame({"policy": a["policy"], "unit": a["unit"].map(name), "period": a["period"]}),
                     units=list(name.values()))
    calls = []
    real = maps._match_units
    monkeypatch.setattr(maps, "_match_units", lambda *a: calls.append(a[1]) or real(*a))
    colours = []
    with reuse_figures():
        for p in ("aborparc", "antibully", "zerotol"):
            colours.append(plot_choropleth(named, p).collections[0].get_facecolor().copy())
    plt.close("all")
    assert calls == ["us_states", "china_provinces"]  # each candidate once, for the first policy
    by_code = plot_choropleth(st, "zerotol").collections[0].get_facecolor()
    plt.close("all")
    assert np.array_equal(colours[-1], by_code) and not np.array_equal(colours[0], colours[-1])
