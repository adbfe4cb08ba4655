"""One figure per kind per process (issue 16, item 19): a figure kept by
``reuse_figures`` and redrawn for policy B gives the PNG pixels of B drawn alone,
whatever policy it drew before (nothing of A's data, legend or scale left over)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import imread  # noqa: E402

from policydiffusion.curves import describe_policy  # noqa: E402
from policydiffusion.datasets import spid_study  # noqa: E402
from policydiffusion.report.figures import (plot_adoption_curve, plot_adoption_timeline,  # noqa: E402
                                            plot_choropleth, plot_hazard)
from policydiffusion.report.figures._common import reuse_figures  # noqa: E402

# zerotol: all 50 states adopted (no "Not adopted" key); adoption act (1994): one adopter;
# aborparc and antibully: different year ranges (the colour bar's ticks)
POLICIES = ["zerotol", "adoption act (1994)", "aborparc", "antibully"]
DRAW = {"map": lambda st, p, lang: plot_choropleth(st, p, lang=lang),
        "timeline": lambda st, p, lang: plot_adoption_timeline(st, p, lang=lang),
        # as describe draws them: fitted curves (their legend) and the take-off line
        "curve": lambda st, p, lang: plot_adoption_curve(_described(st, p).curve, _described(st, p).fits,
                                                         lang=lang, takeoff=_described(st, p).takeoff.get(
                                                             "takeoff_period")),
        "hazard": lambda st, p, lang: plot_hazard(_described(st, p).curve, lang=lang)}
_DESCRIBED: dict = {}


def _described(st, p):
    if (id(st), p) not in _DESCRIBED:
        _DESCRIBED[id(st), p] = describe_policy(st, p, permutations=0)
    return _DESCRIBED[id(st), p]


@pytest.fixture(scope="module")
def spid():
    return spid_study(policies=POLICIES)


def _pixels(ax) -> np.ndarray:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    return imread(io.BytesIO(buf.getvalue()))


@pytest.mark.parametrize("kind", sorted(DRAW))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reused_figure_draws_what_a_new_one_draws(spid, kind, lang):
    draw = DRAW[kind]
    alone = {p: _pixels(draw(spid, p, lang)) for p in POLICIES}
    kept = None
    # each policy after each other one: A then B for every ordered pair in the cycle
    for p in POLICIES + POLICIES[::-1]:
        with reuse_figures():
            ax = draw(spid, p, lang)
        if kept is not None:
            assert ax.figure is kept  # redrawn, not built again
        kept = ax.figure
        got = _pixels(ax)
        assert got.shape == alone[p].shape and np.array_equal(got, alone[p]), (kind, lang, p)


def test_no_reuse_outside_the_block(spid):
    a = plot_choropleth(spid, "aborparc")
    with reuse_figures():
        b = plot_choropleth(spid, "aborparc")
        c = plot_choropleth(spid, "antibully")
        d = plot_choropleth(spid, "antibully", title="t")  # a title changes the layout: new
    e = plot_choropleth(spid, "antibully")
    assert a is not b and b is c and d is not c and e is not c
    plt.close("all")


def test_timeline_labels_skip_the_inside_check_only_where_every_point_is_inside(spid):
    # the check is left out (annotation_clip=False: ~25 ms a timeline) because every
    # label's point lies inside autoscaled axes: the labels drawn are those it would draw
    for p in POLICIES:
        ax = plot_adoption_timeline(spid, p)
        r = ax.figure.canvas.get_renderer()
        labels = [t for t in ax.texts if t.get_annotation_clip() is False]
        assert len(labels) == 50
        for t in labels:
            t.set_annotation_clip(None)
            assert t._check_xy(r), (p, t.get_text())
        plt.close(ax.figure)
    # on axes the caller gives (limits that may cut points off) matplotlib still checks
    fig, ax = plt.subplots()
    ax.set_xlim(2000, 2001)
    ax.set_autoscale_on(False)
    plot_adoption_timeline(spid, "aborparc", ax=ax)
    assert all(t.get_annotation_clip() is None for t in ax.texts)
    plt.close(fig)
