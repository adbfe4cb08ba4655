"""The [effects] table of a study file: validation at the line, and a small end-to-end run."""

import json

import numpy as np
import pandas as pd
import pytest

from policydiffusion.effects import event_study
from policydiffusion.errors import StudyFileError
from policydiffusion.pipeline import run_study
from policydiffusion.studyfile import parse_study_file

HEAD = '''[study]
title = "Toy effects"
[data]
adoptions = "adoptions.csv"
units = "units.csv"
end = 2010
[describe]
enabled = false
'''
EFFECTS = '''[effects]
panel = "panel.csv"
outcome = "y"
bins = [[0, 1], [2, 10]]
absorb = ["unit", "time"]
benefit = "increase"
links = ["adoption_order"]
[report]
figures = ["curves"]
table_formats = ["csv"]
figure_formats = ["png"]
'''


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    d = tmp_path_factory.mktemp("effects")
    units = [f"U{i:02d}" for i in range(20)]
    years = dict(zip(units[:12], [2002, 2003, 2003, 2004, 2005, 2005, 2006, 2006, 2007, 2008,
                                  2008, 2009]))
    (d / "units.csv").write_text("unit,name\n" + "".join(f"{u},Unit {u}\n" for u in units))
    (d / "adoptions.csv").write_text("policy,unit,time\n" + "".join(
        f"p1,{u},{y}\n" for u, y in years.items()))
    rng = np.random.default_rng(7)
    rows = [(u, t, 0.1 * i + 0.05 * (t - 2000) + 0.5 * (u in years and t >= years[u])
             + rng.normal(0, 0.1)) for i, u in enumerate(units) for t in range(2000, 2011)]
    pd.DataFrame(rows, columns=["unit", "time", "y"]).to_csv(d / "panel.csv", index=False)
    (d / "study.toml").write_text(HEAD + EFFECTS)
    return d


def test_study_file_with_effects_runs_end_to_end(toy):
    pytest.importorskip("pyfixest")
    res = run_study(toy / "study.toml", toy / "out")
    eff = json.loads((toy / "out" / "results.json").read_text())["_effects"]
    direct = event_study(pd.read_csv(toy / "panel.csv"), pd.read_csv(toy / "adoptions.csv"),
                         outcome="y", unit="unit", time="time", bins=[(0, 1), (2, 10)],
                         absorb=("unit", "time")).tidy().set_index("term")
    got = {e["term"]: e for e in eff["estimates"]}
    assert set(got) == {"p1_L0_to_L1", "p1_L2_to_L10"}
    for term, e in got.items():
        assert e["estimate"] == pytest.approx(direct.at[term, "estimate"], abs=1e-10)
        assert e["std_error"] == pytest.approx(direct.at[term, "std_error"], abs=1e-10)
    assert got["p1_L2_to_L10"]["estimate"] == pytest.approx(0.5, abs=0.15)  # the built-in effect
    (ben,) = eff["benefits"]
    assert ben["average_effect"] > 0 and ben["average_benefit"] > 0 and eff["source"]["window"] == [0, 10]
    (idx,) = eff["index"]
    assert idx["breadth"] == pytest.approx(12 / 20) and idx["benefit_index"] > 0
    assert [(x["moderator"], x["policy"]) for x in eff["links"]] == [("adoption_order", "p1")]
    assert (toy / "out" / "tables" / "effects_event_study.csv").exists()
    assert (toy / "out" / "figures" / "effects_figure.png").exists()
    html = res.report.read_text(encoding="utf-8")
    assert "Policy effects" in html and "Outcome panel: y in panel.csv (20 units" in html
    assert "Effects by adoption_order (p1) (one pooled model)" in html


def _problems(text, tmp_path):
    (tmp_path / "panel.csv").write_text("unit,time,y\n")
    with pytest.raises(StudyFileError) as exc:
        parse_study_file(text, file=tmp_path / "s.toml")
    return str(exc.value)


def test_bad_effects_values_are_named_at_their_line(tmp_path):
    text = HEAD + '''[effects]
panel = "panel.csv"
bins = [[0, 1], [5, 2], "x"]
benefit = "lower"
window = [[0, 1], [2, 3]]
links = ["emulation"]
'''
    msg = _problems(text, tmp_path)
    assert "line 11, field 'effects.bins[2]': starts after it ends: [5, 2]" in msg
    assert "line 11, field 'effects.bins[3]': must be [LO, HI]" in msg
    assert "line 12, field 'effects.benefit': must be one of 'increase', 'decrease'" in msg
    assert "line 13, field 'effects.window': must be one bin" in msg
    assert "line 14, field 'effects.links[1]': 'emulation' is not one of 'adoption_order'" in msg
    assert "field 'effects.outcome': missing 'outcome': a CSV panel needs it" in msg


def test_unknown_panel_and_missing_file(tmp_path):
    msg = _problems(HEAD + '[effects]\npanel = "hsiang_chin"\n', tmp_path)
    assert "line 10, field 'effects.panel': must be a CSV file or one of 'hsiang_china'" in msg
    assert "did you mean 'hsiang_china'?" in msg
    msg = _problems(HEAD + '[effects]\npanel = "nope.csv"\noutcome = "y"\nbins = [0]\n', tmp_path)
    assert "line 10, field 'effects.panel': file 'nope.csv' not found" in msg
    msg = _problems(HEAD + '[effects]\noutcome = "y"\n', tmp_path)
    assert "field 'effects.panel': missing required key 'panel'" in msg


def test_without_pyfixest_the_run_stands_and_says_why(toy, tmp_path, monkeypatch):
    from policydiffusion.effects import MissingDependencyError
    from policydiffusion.effects import _event_study

    def missing():
        raise MissingDependencyError("pyfixest is not installed; pip install 'policydiffusion[effects]'")

    monkeypatch.setattr(_event_study, "pyfixest", missing)
    res = run_study(toy / "study.toml", tmp_path / "out")
    eff = json.loads((tmp_path / "out" / "results.json").read_text())["_effects"]
    assert eff == {"skipped": "pyfixest is not installed; pip install 'policydiffusion[effects]'"}
    html = res.report.read_text(encoding="utf-8")
    assert "The [effects] table was not run: pyfixest is not installed" in html
    assert not (tmp_path / "out" / "tables" / "effects_event_study.csv").exists()
