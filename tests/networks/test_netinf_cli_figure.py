"""The netinf command and the network figure."""

import json

import matplotlib.pyplot as plt
import pytest

from policydiffusion.cli import run
from policydiffusion.datasets import dataset_path, spid_study
from policydiffusion.report.figures.network import plot_network
from netinf_golden_data import golden

SPID = str(dataset_path("spid_policy_adoptions.csv"))


@pytest.fixture
def example_path(tmp_path):
    from policydiffusion.datasets import load_dataset

    path = tmp_path / "example.csv"
    load_dataset("netinf_example_cascades").to_csv(path, index=False)
    return str(path)


def test_cli_reproduces_the_package(tmp_path, capsys):
    out = tmp_path / "net.json"
    trees = tmp_path / "trees.csv"
    assert run(["netinf", SPID, "--p-value", "0.05", "--node-order", "input", "--json", str(out),
                "--trees", str(trees), "--compat", "networkinference"]) == 0
    d = json.loads(out.read_text())
    ref = next(c for c in golden()["cases"] if c["name"] == "spid_exp_auto_p05")
    assert d["model"] == "exponential" and d["params"] == pytest.approx(ref["params"], rel=1e-13)
    assert [e["origin"] for e in d["edges"]] == ref["edges"]["origin"]
    assert [e["destination"] for e in d["edges"]] == ref["edges"]["destination"]
    assert set(d["edges"][0]) == {"origin", "destination", "improvement", "p_value"}
    assert trees.read_text().startswith("cascade_id,child,parent,log_score,via")
    assert "686 edges" in capsys.readouterr().out
    assert "compatibility" in d["mode"] and d["provenance"]["p_value"] == "package"


def test_cli_default_uses_corrected_p_values_and_says_so(tmp_path, example_path):
    out = tmp_path / "net.json"
    assert run(["netinf", example_path, "--edges", "500", "--cascade-col", "cascade_id",
                "--node-col", "node", "--time-col", "time", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert "corrected p-values" in d["mode"] and d["provenance"]["compat"] is None
    assert len(d["edges"]) < 500 and min(e["improvement"] for e in d["edges"]) > 0
    assert d["stop"].startswith("no remaining edge improves")
    out2 = tmp_path / "snap.json"
    assert run(["netinf", example_path, "--edges", "5", "--cascade-col", "cascade_id",
                "--node-col", "node", "--time-col", "time", "--objective", "snap",
                "--params", "1", "--json", str(out2)]) == 0
    assert json.loads(out2.read_text())["provenance"]["objective"] == "snap"
    assert run(["netinf", example_path, "--edges", "5", "--compat", "networkinference",
                "--objective", "snap"]) == 2


def test_cli_errors_are_one_line(capsys):
    assert run(["netinf", SPID]) == 2
    assert "exactly one of --p-value" in capsys.readouterr().err
    assert run(["netinf", SPID, "--edges", "3", "--params", "x"]) == 2
    assert run(["netinf", SPID, "--edges", "3", "--model", "weibull"]) == 2


def test_cli_other_models(tmp_path):
    out = tmp_path / "n.json"
    assert run(["netinf", SPID, "--edges", "5", "--model", "log-normal", "--params", "2,1.1",
                "--json", str(out)]) == 0
    assert json.loads(out.read_text())["params"] == [2.0, 1.1]


def test_plot_network_with_coordinates():
    import pandas as pd

    e = pd.DataFrame({"origin": ["California", "California"],
                      "destination": ["Oregon", "Nevada"], "improvement": [3.0, 1.0]})
    fig, ax = plt.subplots()
    assert plot_network(e, units=spid_study().units, ax=ax) is ax
    xs = sorted(round(x, 2) for x, _ in ax.collections[0].get_offsets())
    assert xs[0] < -118  # longitudes, not a spring layout
    assert {t.get_text() for t in ax.texts} == {"California", "Oregon", "Nevada"}
    plt.close(fig)
