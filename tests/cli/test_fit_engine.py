"""`policydiffusion fit --engine dask [--scheduler ADDRESS]` and `[engine]` in study files
(issue 14): the switch reaches fit_hazard, and its failures are clear errors."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from policydiffusion.cli import run
from policydiffusion.errors import StudyFileError
from policydiffusion.studyfile import parse_study_file

MINIMAL = '''[study]
title = "Lotteries"
[data]
dataset = "spid"
[[riskset]]
name = "main"
terms = [{term = "neighbors_adopted", relation = "contiguity"}]
[[model]]
name = "m1"
formula = "adopt ~ x"
vcov = "classical"
'''
UNREACHABLE = "tcp://127.0.0.1:9"


@pytest.fixture
def riskset(tmp_path):
    rng = np.random.default_rng(14)
    x = rng.normal(size=600)
    df = pd.DataFrame({"adopt": (rng.random(600) < 1 / (1 + np.exp(2 - x))).astype(float),
                       "x": x, "state": np.repeat(np.arange(30), 20)})
    path = tmp_path / "rs.csv"
    df.to_csv(path, index=False)
    return path, df


def test_scheduler_without_dask_engine_is_refused(riskset, capsys):
    assert run(["fit", str(riskset[0]), "-f", "adopt ~ x", "--scheduler", UNREACHABLE]) == 2
    assert "--scheduler makes no sense without --engine dask" in capsys.readouterr().err


def test_unknown_engine_is_refused(riskset, capsys):
    assert run(["fit", str(riskset[0]), "-f", "adopt ~ x", "--engine", "spark"]) == 2
    assert "--engine must be one of 'local', 'dask'; got 'spark'" in capsys.readouterr().err


def test_dask_engine_without_dask_installed_says_how_to_install(riskset, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert run(["fit", str(riskset[0]), "-f", "adopt ~ x", "--engine", "dask"]) == 2
    assert 'pip install "policydiffusion[dask]"' in capsys.readouterr().err


def test_unreachable_scheduler_on_the_command_line(riskset, capsys):
    pytest.importorskip("distributed")
    assert run(["fit", str(riskset[0]), "-f", "adopt ~ x", "--engine", "dask",
                "--scheduler", UNREACHABLE]) == 2
    assert f"cannot reach the Dask scheduler at {UNREACHABLE!r}" in capsys.readouterr().err


def test_dask_engine_on_the_command_line_gives_the_local_numbers(riskset, tmp_path):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    try:
        out = {}
        for engine in ("local", "dask"):
            js = tmp_path / f"{engine}.json"
            assert run(["fit", str(riskset[0]), "-f", "adopt ~ x", "--cluster", "state",
                        "--chunk-rows", "200", "--engine", engine, "--json", str(js),
                        *(["--scheduler", cluster.scheduler_address] if engine == "dask"
                          else [])]) == 0
            out[engine] = json.loads(js.read_text())
        a, b = out["dask"]["coefficients"], out["local"]["coefficients"]
        assert [r["term"] for r in a] == [r["term"] for r in b] == ["Intercept", "x"]
        for key in ("estimate", "std_error"):
            np.testing.assert_allclose([r[key] for r in a], [r[key] for r in b], rtol=1e-10)
        assert out["dask"]["nobs"] == out["local"]["nobs"] == 600
    finally:
        distributed.default_client().close()  # the fit's client, before its cluster goes
        cluster.close()


def test_dask_fit_counts_partitions_on_a_terminal_only(riskset, capsys, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from policydiffusion.cli import fit as fit_cli

    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    args = ["fit", str(riskset[0]), "-f", "adopt ~ x", "--chunk-rows", "200", "--engine",
            "dask", "--scheduler", cluster.scheduler_address]
    try:
        assert run(args) == 0
        assert "partitions" not in capsys.readouterr().err  # a log file gets no counter
        monkeypatch.setattr(fit_cli, "_stderr_is_tty", lambda: True)
        assert run(args) == 0
        assert "pass 1: 3/3 partitions\n" in capsys.readouterr().err
    finally:
        distributed.default_client().close()
        cluster.close()


def test_study_file_engine_table_defaults_and_choices():
    assert parse_study_file(MINIMAL).engine.kind == "local"
    sf = parse_study_file(MINIMAL + '[engine]\nkind = "dask"\nscheduler = "tcp://h:8786"\n')
    assert (sf.engine.kind, sf.engine.scheduler) == ("dask", "tcp://h:8786")
    with pytest.raises(StudyFileError, match="field 'engine.kind': must be one of 'local', "
                       "'dask'; got 'dsk'"):
        parse_study_file(MINIMAL + '[engine]\nkind = "dsk"\n', file="s.toml")
    with pytest.raises(StudyFileError, match="`scheduler` applies to kind = \"dask\" only"):
        parse_study_file(MINIMAL + '[engine]\nscheduler = "tcp://h:8786"\n', file="s.toml")


def test_study_file_engine_reaches_the_fit(riskset):
    pytest.importorskip("distributed")
    from policydiffusion.pipeline.models import fit_models

    sf = parse_study_file(MINIMAL + f'[engine]\nkind = "dask"\nscheduler = "{UNREACHABLE}"\n',
                          file="s.toml")
    built = SimpleNamespace(spec=SimpleNamespace(name="main"), key="main", policy=None,
                            as_built=riskset[1])
    with pytest.raises(StudyFileError, match="model 'm1' on risk set 'main': cannot reach "
                       "the Dask scheduler"):
        fit_models(sf, [built])
