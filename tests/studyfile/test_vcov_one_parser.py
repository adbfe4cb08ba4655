"""One judge of variance options: Python, the CLI and the study file accept and refuse the
same specs, because all three ask ``VcovSpec.parse``."""

import json

import pytest

from policydiffusion.cli.fit import vcov_from_options
from policydiffusion.errors import InvalidOptionError, StudyFileError
from policydiffusion.estimate import VcovSpec
from policydiffusion.studyfile import parse_study_file
from test_validate import MINIMAL

STUDY = MINIMAL + "vcov = VCOV\n"

# (spec, accepted)
TABLE = [
    ("classical", True), ("hc0", True), ("hc1", True), ("HC1", True),
    ({"cluster": "unit"}, True), ({"cluster": ["unit", "year"]}, True),
    ({"cluster-cr0": "unit"}, True), ({"cluster-regress": "unit"}, True),
    ({"dyadic": ["unit", "source"]}, True),
    ("robust", False), ("cluster", False), ("dyadic", False), ({"clustr": "unit"}, False),
    ({"hc0": "unit"}, False), ({"dyadic": "unit"}, False), ({"cluster": ["unit", "unit"]}, False),
]


def _python(spec):
    try:
        VcovSpec.parse(spec)
    except InvalidOptionError:
        return False
    return True


def _cli(spec):
    vcov, cluster = (spec, []) if isinstance(spec, str) else next(iter(spec.items()))
    cluster = [cluster] if isinstance(cluster, str) else list(cluster)
    try:
        vcov_from_options(vcov, cluster)
    except InvalidOptionError:
        return False
    return True


def _study_file(spec):
    try:
        parse_study_file(STUDY.replace("VCOV", json.dumps(spec).replace(":", " =")),
                         file="s.toml")
    except StudyFileError as e:
        assert "field 'model.vcov" in str(e)
        return False
    return True


@pytest.mark.parametrize("spec, accepted", TABLE, ids=[str(s) for s, _ in TABLE])
def test_python_cli_and_study_file_agree(spec, accepted):
    assert (_python(spec), _cli(spec), _study_file(spec)) == (accepted,) * 3


def test_study_file_keeps_its_normal_form_and_parse_words():
    def vcov(spec):
        text = STUDY.replace("VCOV", json.dumps(spec).replace(":", " ="))
        return parse_study_file(text, file="s.toml").models[0].vcov

    assert vcov({"cluster": ["unit"]}) == {"cluster": "unit"}
    assert vcov({"dyadic": ["unit", "source"]}) == {"dyadic": ["unit", "source"]}
    assert vcov("hc1") == "hc1"
    with pytest.raises(StudyFileError, match=r"line 13, field 'model.vcov.clustr': unknown "
                       r"variance 'clustr'.*did you mean 'cluster'"):
        vcov({"clustr": "unit"})


def test_cli_flag_messages_survive():
    with pytest.raises(InvalidOptionError, match="--cluster makes no sense with --vcov hc0"):
        vcov_from_options("hc0", ["unit"])
    with pytest.raises(InvalidOptionError, match="--vcov dyadic needs --cluster COLUMN"):
        vcov_from_options("dyadic", [])
    assert vcov_from_options(None, ["unit"]) == {"cluster": ["unit"]}
    assert vcov_from_options(None, []) == "classical"
