"""The study file's [network] compat/objective reach netinf, and the report says which
mode ran (issue 10 item 5, issue 11 item 7)."""

import pytest

from policydiffusion.datasets import spid_study
from policydiffusion.errors import NetinfStopWarning, StudyFileError
from policydiffusion.pipeline.methods import methods_paragraphs
from policydiffusion.pipeline.network import mode_keys, network_step
from policydiffusion.studyfile import parse_study_file

BASE = '''[study]
title = "Lotteries"
[data]
dataset = "spid"
[policies]
focus = ["lott"]
[[riskset]]
name = "main"
terms = [{term = "neighbors_adopted", relation = "contiguity"}]
[[model]]
name = "m1"
formula = "adopt ~ neighbors_adopted"
[network]
policies = ["aborparc", "antibully", "amber", "chartersch"]
n_edges = 500
'''


def _methods(result):
    return methods_paragraphs(designs=[], models=[], time=[], moderation=[],
                              heterogeneity=[], describe=False, simulated=False,
                              network={"n": 4, "edges": result.n_edges,
                                       "mode_keys": mode_keys(result)})


def test_study_file_compat_and_objective_reach_netinf_and_the_methods_text():
    study = spid_study(policies=["aborparc", "antibully", "amber", "chartersch"])
    sf = parse_study_file(BASE, file="s.toml")
    assert (sf.network.compat, sf.network.objective) == (None, "networkinference")
    with pytest.warns(NetinfStopWarning):
        _, own = network_step(study, sf, seed=1)
    assert own.result.n_edges < 500 and (own.result.edges["improvement"] > 0).all()
    text = " ".join(p["en"] for p in _methods(own.result))
    assert "never added" in text and "compatibility" not in text
    sf = parse_study_file(BASE + 'compat = "networkinference"\n', file="s.toml")
    _, pad = network_step(study, sf, seed=1)
    assert pad.result.n_edges == 500 and pad.result.provenance["compat"] == "networkinference"
    both = _methods(pad.result)
    assert "compatibility mode" in both[-1]["en"] and "兼容模式" in both[-1]["zh"]
    sf = parse_study_file(BASE + 'objective = "snap"\n', file="s.toml")
    with pytest.warns(NetinfStopWarning):
        _, snap = network_step(study, sf, seed=1)
    assert snap.result.provenance["objective"] == "snap"
    assert "SNAP" in " ".join(p["en"] for p in _methods(snap.result))


def test_study_file_rejects_unknown_compat():
    with pytest.raises(StudyFileError, match="compat"):
        parse_study_file(BASE + 'compat = "r"\n', file="s.toml")
