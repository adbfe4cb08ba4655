"""Bad values in a study file are refused before any work, all at once, at their line.

Part of the bad-input suite (see tests/study/test_bad_input.py): each row of
``CASES`` is one class of bad study-file value with the message it gets.
"""

from __future__ import annotations

import pytest

from policydiffusion.errors import StudyFileError
from policydiffusion.studyfile import load_study_file, parse_study_file

BASE = '''[study]
title = "Lotteries"
[data]
dataset = "spid"
[policies]
focus = ["lottery"]
[[riskset]]
name = "main"
[[model]]
name = "m1"
formula = "adopt ~ duration"
'''

CASES = [
    ("negative digits", "[report]\ndigits = -1\n",
     "line 13, field 'report.digits': must be a whole number from 0 to 10; got -1"),
    ("zero moderation points",
     '[[moderation]]\nmodel = "m1"\nvariable = "duration"\nmoderator = "duration"\npoints = 0\n',
     "field 'moderation.points': must be a whole number from 2 to 1000; got 0"),
    ("negative seed", None,
     "line 3, field 'study.seed': must be a whole number from 0 to 4294967295; got -5"),
    ("unbounded simulation draws", '[[simulation]]\nmodel = "m1"\ndraws = 100000000\n',
     "field 'simulation.draws': must be a whole number from 1 to 10000; got 100000000"),
    ("negative simulation seed", '[[simulation]]\nmodel = "m1"\nseed = -1\n',
     "field 'simulation.seed': must be a whole number from 0 to 4294967295; got -1"),
    ("years window reversed", None,
     "field 'data.years': must be [FIRST, LAST] years, e.g. [1900, 2030]; got [2030, 1900]"),
    ("unknown relation duplicates rule",
     '[data.relations.r]\nfile = "r.csv"\nduplicates = "mean"\n',
     "field 'data.relations.r.duplicates': must be one of 'error', 'sum', 'max'; got 'mean'"),
    ("overlapping event-time bins (found before any work, by effects' normalise_bins)",
     '[effects]\npanel = "hsiang_china"\nbins = [[0, 7], [8, 14], 3]\n',
     "line 14, field 'effects.bins': bins (0, 7) and (3, 3) overlap"),
    ("moderation without its variable (a misspelt key)",
     '[[moderation]]\nmodel = "m1"\nterm = "duration"\nmoderator = "duration"\n',
     "line 12, field 'moderation.variable': missing required key 'variable'"),
    ("Chinese policy id as a bare TOML key",
     '[policies.labels]\n彩票 = "State lottery"\n',
     "A bare key may use only A-Z, a-z, 0-9, '_' and '-': quote it, \"彩票\" = ..."),
]


def _text(name: str, extra: str | None) -> str:
    if name == "negative seed":
        return BASE.replace('title = "Lotteries"', 'title = "Lotteries"\nseed = -5')
    if name == "years window reversed":
        return BASE.replace('dataset = "spid"', 'dataset = "spid"\nyears = [2030, 1900]')
    if name == "unknown relation duplicates rule":
        return BASE.replace("[policies]", extra + "[policies]")
    return BASE + extra


@pytest.mark.parametrize("name, extra, message", CASES, ids=[c[0] for c in CASES])
def test_bad_study_file_value_is_refused_at_its_line(name, extra, message):
    with pytest.raises(StudyFileError) as e:
        parse_study_file(_text(name, extra), file="s.toml")
    assert message in str(e.value)


def test_every_problem_is_reported_at_once():
    text = BASE.replace('title = "Lotteries"', 'title = "Lotteries"\nseed = -5') + \
        "[report]\ndigits = -1\n"
    with pytest.raises(StudyFileError, match=r"^2 problems in s.toml"):
        parse_study_file(text, file="s.toml")


def test_study_file_with_a_byte_order_mark_is_read(tmp_path):
    p = tmp_path / "s.toml"
    p.write_bytes("\ufeff".encode() + BASE.encode())
    assert load_study_file(p).study.title == {"en": "Lotteries"}


def test_quoted_chinese_policy_id_is_fine():
    sf = parse_study_file(BASE + '[policies.labels]\n"彩票" = "State lottery"\n')
    assert sf.policies.labels["彩票"] == {"en": "State lottery"}
