"""A wide-layout cell in words that is no time names the option for "not adopted" codes
(``never``), spelled for where the load runs; following the hint loads the sheet."""

from __future__ import annotations

import pytest

from policydiffusion.cli import run
from policydiffusion.errors import StudyDataError
from policydiffusion.study import load_study


def _sheet(tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text("unit,p,q\nA,2001,\nB,nein,2004\n", encoding="utf-8")
    return f


def test_python_hint_names_never_and_following_it_loads(tmp_path):
    with pytest.raises(StudyDataError) as e:
        load_study(_sheet(tmp_path), layout="wide")
    (p,) = e.value.problems
    assert (p.row, p.column, p.value) == (3, "p", "nein")
    assert "not adopted (now '0', 'never', 'not adopted', 'no') are set with never=[...]" in p.hint
    s = load_study(_sheet(tmp_path), layout="wide", never=["0", "never", "nein"])
    assert sorted(s.adoptions.select("policy", "unit").rows()) == [("p", "A"), ("q", "B")]
    assert s.exclusion_log[0].examples == ("p/B=nein",)


def test_cli_hint_names_the_study_file_key(tmp_path, capsys):
    assert run(["validate", str(_sheet(tmp_path)), "--layout", "wide"]) == 2
    err = capsys.readouterr().err
    assert ("set with never = [...] in a study file's [data] (`policydiffusion validate` has no "
            "--never)") in err


def test_a_digit_cell_keeps_the_plain_time_message(tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text("unit,p\nA,2001\nB,20x1\n", encoding="utf-8")
    with pytest.raises(StudyDataError) as e:
        load_study(f, layout="wide")
    assert "never" not in e.value.problems[0].hint
