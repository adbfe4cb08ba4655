"""A run's output folder is written as a whole, locked, and never mixes two runs
(issue 16, item 10); paths leaving the study file's folder are said (item 11)."""

from __future__ import annotations

import os
import warnings

import pytest

from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning
from policydiffusion.pipeline._atomic import output_folder


def _old_run(out):
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "old_model.csv").write_text("from the old run\n")
    (out / "report.html").write_text("old report")
    (out / "run.json").write_text("{}")


def test_new_run_replaces_the_old_one_as_a_whole(tmp_path):
    out = tmp_path / "out"
    _old_run(out)
    with output_folder(out) as tmp:
        (tmp / "tables").mkdir()
        (tmp / "tables" / "new_model.csv").write_text("new\n")
        (tmp / "run.json").write_text("{}")
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["new_model.csv"]
    assert not (out / "report.html").exists()  # no old report beside new tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp or lock left


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_interrupted_run_leaves_the_old_folder_untouched(tmp_path, interruption):
    out = tmp_path / "out"
    _old_run(out)
    with pytest.raises(interruption):
        with output_folder(out) as tmp:
            (tmp / "report.html").write_text("half-written")
            raise interruption
    assert (out / "report.html").read_text() == "old report"
    assert (out / "tables" / "old_model.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_run_on_a_locked_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    (tmp_path / ".out.lock").write_text(str(os.getpid()))  # a live run holds it
    with pytest.raises(InvalidOptionError, match=f"another run \\(process {os.getpid()}\\)"):
        with output_folder(out):
            pass
    assert not out.exists()


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "out"
    (tmp_path / ".out.lock").write_text("999999999")  # no such process
    with output_folder(out) as tmp:
        (tmp / "run.json").write_text("{}")
    assert (out / "run.json").exists() and not (tmp_path / ".out.lock").exists()


def test_a_folder_of_other_files_is_refused_before_any_work(tmp_path):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.docx").write_text("precious")
    with pytest.raises(InvalidOptionError, match="not a policydiffusion run"):
        with output_folder(out):
            raise AssertionError("work started")
    assert (out / "chapter1.docx").read_text() == "precious"


def test_run_study_interrupted_while_writing_keeps_the_old_report(tmp_path, monkeypatch):
    import policydiffusion.pipeline.run as run_mod
    import policydiffusion.report.html as html_mod
    from policydiffusion.studyfile import example_path

    out = tmp_path / "out"
    _old_run(out)

    def half_written(doc, folder, **kwargs):  # Ctrl-C after the new tables, before the report
        (folder / "tables").mkdir(exist_ok=True)
        (folder / "tables" / "new_model.csv").write_text("new\n")
        raise KeyboardInterrupt

    for name in ("analyse", "all_exclusions", "provenance", "build_document"):
        monkeypatch.setattr(run_mod, name, lambda *a, **k: None)
    monkeypatch.setattr(html_mod, "write_report", half_written)
    with pytest.raises(KeyboardInterrupt):
        run_mod.run_study(example_path("us_states_spid"), out)
    assert (out / "report.html").read_text() == "old report"
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["old_model.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_data_path_outside_the_study_folder_is_warned(tmp_path):
    from policydiffusion.studyfile import load_study_file

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "a.csv").write_text("policy,unit,time\np,A,2001\np,B,2002\n")
    (tmp_path / "study").mkdir()
    sf = tmp_path / "study" / "s.toml"
    sf.write_text('[study]\ntitle = "t"\n[data]\nadoptions = "../shared/a.csv"\n')
    with pytest.warns(PolicyDiffusionWarning, match=r"line 4, field 'data.adoptions': "
                      r"'../shared/a.csv' is outside the study file's folder"):
        load_study_file(sf)
    inside = tmp_path / "shared" / "s.toml"
    inside.write_text('[study]\ntitle = "t"\n[data]\nadoptions = "a.csv"\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_study_file(inside)


def test_cli_warnings_are_one_line_without_a_source_location(tmp_path, capsys):
    from policydiffusion.cli import run

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "a.csv").write_text("policy,unit,time\np,A,2001\np,B,2002\n")
    (tmp_path / "study").mkdir()
    sf = tmp_path / "study" / "s.toml"
    sf.write_text('[study]\ntitle = "t"\n[data]\nadoptions = "../shared/a.csv"\n')
    run(["run", str(sf), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert "warning: " in err and "outside the study file's folder" in err
    assert ".py:" not in err


def test_formula_and_cluster_typos_stop_the_run_before_any_work(tmp_path, monkeypatch):
    import policydiffusion.pipeline.run as run_mod
    from policydiffusion.errors import StudyFileError

    def no_work(*args, **kwargs):
        raise AssertionError("the description ran before the formulas were checked")

    monkeypatch.setattr(run_mod, "describe_step", no_work)
    monkeypatch.setattr(run_mod, "network_step", no_work)
    sf = tmp_path / "s.toml"
    sf.write_text('[study]\ntitle = "t"\n[data]\ndataset = "spid"\n[policies]\nfocus = ["lott"]\n'
                  '[[riskset]]\nname = "main"\n'
                  'terms = [{term = "neighbors_adopted", relation = "contiguity", name = "nb"}]\n'
                  '[[model]]\nname = "m1"\nformula = "adopt ~ nbb + duration"\n'
                  'vcov = {cluster = "unti"}\n')
    with pytest.raises(StudyFileError) as e:
        run_mod.run_study(sf, tmp_path / "out")
    msg = str(e.value)
    assert msg.startswith("2 problems in")
    assert "line 12, field 'model.formula': model 'm1': risk set 'main' has no column 'nbb' " \
           "(did you mean 'nb'?)" in msg
    assert "line 13, field 'model.vcov': model 'm1': risk set 'main' has no column 'unti' " \
           "(did you mean 'unit'?)" in msg
    assert not (tmp_path / "out").exists()


def test_network_from_one_cascade_stops_the_run_before_any_work(tmp_path, monkeypatch):
    import policydiffusion.pipeline.run as run_mod
    from policydiffusion.errors import StudyFileError

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the network options were checked")

    monkeypatch.setattr(run_mod, "describe_step", no_work)
    sf = tmp_path / "s.toml"
    sf.write_text('[study]\ntitle = "t"\n[data]\ndataset = "spid"\n[policies]\nfocus = ["lott"]\n'
                  '[network]\npolicies = ["aborparc"]\nn_edges = 3\n')
    with pytest.raises(StudyFileError, match=r"line 8, field 'network.policies': the network is "
                                             r"inferred from 1 cascade .*needs at least two"):
        run_mod.run_study(sf, tmp_path / "out")
