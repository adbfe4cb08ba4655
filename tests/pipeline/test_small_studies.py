"""Study files that read the user's own files, simulate from a fit, and fail clearly."""

import importlib.util
import json

import pytest

from policydiffusion.cli import run
from policydiffusion.errors import StudyFileError
from policydiffusion.pipeline import run_study

STUDY = '''
[study]
title = "Toy study"
[data]
adoptions = "adoptions.csv"
units = "units.csv"
end = 2010
[data.relations.borders]
file = "borders.csv"
source = "a"
target = "b"
[[riskset]]
name = "rs"
terms = [{term = "neighbors_adopted", relation = "borders", name = "nbr"},
         {term = "national_share", name = "natl"}]
[[model]]
name = "m"
formula = "adopt ~ nbr + duration"
vcov = "hc1"
[[simulation]]
model = "m"
draws = 20
[report]
figures = ["curves", "simulation"]
table_formats = ["csv", "markdown"]
figure_formats = ["png"]
'''


@pytest.fixture
def toy(tmp_path):
    units = [f"U{i:02d}" for i in range(20)]
    (tmp_path / "units.csv").write_text("unit,name,region\n" + "".join(
        f"{u},Unit {u},{'N' if i < 10 else 'S'}\n" for i, u in enumerate(units)))
    years = [2001, 2002, 2002, 2003, 2004, 2004, 2004, 2005, 2006, 2006, 2007, 2008]
    (tmp_path / "adoptions.csv").write_text("policy,unit,time\n" + "".join(
        f"p1,{u},{y}\n" for u, y in zip(units, years)) + "p1,NOPE,2003\n")
    (tmp_path / "borders.csv").write_text("a,b\n" + "".join(
        f"{units[i]},{units[i + 1]}\n" for i in range(19)))
    (tmp_path / "study.toml").write_text(STUDY)
    return tmp_path


def test_unknown_unit_in_the_data_is_reported_by_file_and_row(toy):
    with pytest.raises(Exception, match=r"adoptions.csv row 14"):
        run_study(toy / "study.toml", toy / "out")


@pytest.mark.skipif(importlib.util.find_spec("policydiffusion.simulate") is None,
                    reason="policydiffusion.simulate is not installed")
def test_own_files_run_with_simulation(toy):
    text = (toy / "adoptions.csv").read_text().replace("p1,NOPE,2003\n", "")
    (toy / "adoptions.csv").write_text(text)
    res = run_study(toy / "study.toml", toy / "out")
    assert len(res.state.simulations) == 1
    sim = res.state.simulations[0].frame
    assert {"observed", "simulated_mean", "simulated_q025", "simulated_q975"} <= set(sim.columns)
    run_json = json.loads((toy / "out" / "run.json").read_text())
    assert set(run_json["inputs_sha256"]) == {str(toy / f) for f in
                                              ("adoptions.csv", "units.csv", "borders.csv")}
    assert (toy / "out" / "figures" / "simulation_from_fit_m.png").exists()
    assert not (toy / "out" / "figures" / "simulation_from_fit_m.svg").exists()
    assert "HC1" in (toy / "out" / "tables" / "models_rs_p1.md").read_text() or \
        "hc1" in json.dumps(json.loads((toy / "out" / "results.json").read_text())["m"]["vcov"])


@pytest.mark.skipif(importlib.util.find_spec("policydiffusion.simulate") is None,
                    reason="policydiffusion.simulate is not installed")
def test_simulation_figure_only_when_listed_in_report_figures(toy):
    text = (toy / "adoptions.csv").read_text().replace("p1,NOPE,2003\n", "")
    (toy / "adoptions.csv").write_text(text)
    (toy / "study.toml").write_text(STUDY.replace('figures = ["curves", "simulation"]',
                                                  'figures = ["curves"]'))
    res = run_study(toy / "study.toml", toy / "out")
    assert len(res.state.simulations) == 1
    assert (toy / "out" / "figures" / "adoption_curves.png").exists()
    assert not (toy / "out" / "figures" / "simulation_from_fit_m.png").exists()
    assert (toy / "out" / "tables" / "simulation_from_fit_m.csv").exists()


def _no_simulation(text):
    return text.split("[[simulation]]")[0] + "[report]" + text.split("[report]")[1]


def test_formula_with_an_unknown_column_names_the_line(toy):
    text = (toy / "adoptions.csv").read_text().replace("p1,NOPE,2003\n", "")
    (toy / "adoptions.csv").write_text(text)
    (toy / "study.toml").write_text(_no_simulation(STUDY).replace("adopt ~ nbr + duration",
                                                                  "adopt ~ nbrs"))
    with pytest.raises(StudyFileError, match=r"study.toml, line 18, field 'model.formula'.*available "
                                             r"columns: .*'nbr'"):
        run_study(toy / "study.toml", toy / "out")


def test_cli_run_and_errors(toy, capsys):
    text = (toy / "adoptions.csv").read_text().replace("p1,NOPE,2003\n", "")
    (toy / "adoptions.csv").write_text(text)
    (toy / "study.toml").write_text(_no_simulation(STUDY))
    assert run(["run", str(toy / "study.toml"), "--out", str(toy / "o"), "--quiet"]) == 0
    assert "report:" in capsys.readouterr().out
    (toy / "bad.toml").write_text(_no_simulation(STUDY).replace('vcov = "hc1"', 'vcov = "hc9"'))
    assert run(["run", str(toy / "bad.toml"), "--out", str(toy / "o2"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml, line 19, field 'model.vcov'" in err
    assert run(["run", str(toy / "study.toml"), "--out", str(toy / "o3"), "--lang", "fr"]) == 2


def test_simulate_command_runs_a_study_files_simulations(toy):
    text = (toy / "adoptions.csv").read_text().replace("p1,NOPE,2003\n", "")
    (toy / "adoptions.csv").write_text(text)
    out = toy / "sims"
    assert run(["simulate", "--study", str(toy / "study.toml"), "--out", str(out)]) == 0
    import pandas as pd

    draws = pd.read_csv(out / "from_fit_m_adoptions.csv")
    curves = pd.read_csv(out / "from_fit_m_curves.csv")
    assert list(draws.columns) == ["draw", "unit", "period"] and draws["draw"].max() < 20
    assert {"observed", "simulated_mean"} <= set(curves.columns)
    # same seed (from the file): same draws
    assert run(["simulate", "--study", str(toy / "study.toml"), "--out", str(toy / "again")]) == 0
    assert pd.read_csv(toy / "again" / "from_fit_m_adoptions.csv").equals(draws)
    assert run(["simulate", "--study", str(toy / "study.toml"), "--out", str(out),
                "--seed", "3"]) == 2


SPID_EXTRA = '''[study]
title = "Extra relation"
[data]
dataset = "spid"
[data.relations.extra]
file = "extra.csv"
source = "a"
target = "b"
weight = "w"
[policies]
focus = ["lott"]
[[riskset]]
name = "main"
terms = [{term = "neighbors_adopted", relation = "extra"}]
[[model]]
name = "m1"
formula = "adopt ~ neighbors_adopted"
'''


def test_relation_added_to_a_shipped_dataset_is_checked_by_file_and_row(tmp_path):
    from policydiffusion.errors import StudyDataError
    from policydiffusion.pipeline.data import load_data
    from policydiffusion.studyfile import load_study_file

    (tmp_path / "extra.csv").write_text("a,b,w\nCA,XX,1\nNY,NY,2\nCA,NV,zz\n")
    (tmp_path / "study.toml").write_text(SPID_EXTRA)
    with pytest.raises(StudyDataError) as exc:
        load_data(load_study_file(tmp_path / "study.toml"))
    msg = str(exc.value)
    assert "extra.csv row 2, column 'b': 'XX': relation names an unknown unit" in msg
    assert "extra.csv row 3, column 'b': 'NY': self-loop" in msg
    assert "extra.csv row 4, column 'w': 'zz': edge weight must be a number" in msg
    (tmp_path / "extra.csv").write_text("a,b,w\nCA,NV,1\nNY,NJ,2\n")
    loaded = load_data(load_study_file(tmp_path / "study.toml"))
    assert "extra" in loaded.study.relations and loaded.dataset == "spid"
    assert str(tmp_path / "extra.csv") in loaded.inputs
