"""The multi-level timeline and the prefecture map."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from policydiffusion.datasets.china_levels import china_covid_study, china_regulations_study  # noqa: E402
from policydiffusion.report.figures import plot_choropleth, plot_level_timeline  # noqa: E402
from policydiffusion.report.figures.maps import NO_ADOPTION, NO_DATA, _guess_geometry  # noqa: E402
from policydiffusion.study import read_pilots  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_level_timeline_bands_central_line_and_pilots():
    s = china_regulations_study()
    pilots = read_pilots(pd.DataFrame({"policy": ["business_environment"], "unit": ["411400"],
                                       "time": ["2019-06"]}), s)
    ax = plot_level_timeline(s, "business_environment", pilots=pilots, label_by="unit")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:3] == ["central (1)", "100000", "province (6)"]
    assert labels.index("prefecture (8)") == 2 + 6 + 1
    central = s.adoptions.filter(s.adoptions["unit"] == "100000")["period"].item()
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert [ln.get_xdata()[0] for ln in dashed] == [central]
    squares = [ln for ln in ax.get_lines() if ln.get_marker() == "s"]
    assert len(squares) == 1
    assert squares[0].get_xdata()[0] == pilots["period"].item()


def test_level_timeline_strip_for_many_adopters():
    ax = plot_level_timeline(china_regulations_study(), "civilized_behavior", label_by="unit",
                             max_rows=10)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["province (2)", "110000", "410000", "prefecture (40)"]


def test_prefecture_map_colours_the_prefectures():
    s = china_covid_study(policies=["home_isolation"])
    assert _guess_geometry(s.unit_ids) == "china_prefectures"
    assert _guess_geometry(["110000", "120000"]) == "china_provinces"
    ax = plot_choropleth(s, "home_isolation")
    faces = ax.collections[0].get_facecolors()
    grey = matplotlib.colors.to_rgba(NO_ADOPTION)
    no_data = matplotlib.colors.to_rgba(NO_DATA)
    coloured = sum(not np.allclose(f, grey) and not np.allclose(f, no_data) for f in faces)
    assert coloured >= 110  # 110 prefectures ordered home isolation (multi-part polygons: more)
    assert not any("No data" in t.get_text() for t in ax.texts)
