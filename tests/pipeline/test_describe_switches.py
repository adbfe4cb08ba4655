"""[describe] fit_curves / takeoff / speed switch the matching columns of the report's glance table."""

from types import SimpleNamespace

from policydiffusion.datasets import spid_study
from policydiffusion.pipeline.assemble import _description
from policydiffusion.pipeline.describe import describe_step
from policydiffusion.studyfile import parse_study_file

TEXT = '''[study]
title = "t"
[data]
dataset = "spid"
[policies]
focus = ["lott"]
[describe]
{switches}
[[riskset]]
name = "main"
terms = [{{term = "neighbors_adopted", relation = "contiguity"}}]
[[model]]
name = "m1"
formula = "adopt ~ neighbors_adopted"
'''


def _glance_columns(switches, study, descriptions=None):
    sf = parse_study_file(TEXT.format(switches=switches))
    desc = descriptions or describe_step(study, sf, seed=1)
    state = SimpleNamespace(descriptions=desc, sf=sf, study=study)
    table = _description(state, 3).items[1]
    header = table.render("csv", "en").splitlines()[0]
    return header, desc


def test_describe_switches_omit_their_columns():
    study = spid_study(end=2017)
    header, desc = _glance_columns("", study)
    switched = ("Take-off", "Periods to half", "Speed (0-1)", "Best-fitting curve")
    for col in switched:
        assert col in header
    off, _ = _glance_columns("fit_curves = false\ntakeoff = false\nspeed = false", study, desc)
    assert off == ",".join(c for c in header.split(",") if c not in switched)
