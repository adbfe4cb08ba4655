"""One "did you mean" helper, used by every place that suggests a name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from policydiffusion._suggest import did_you_mean
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionError

SRC = Path(__file__).resolve().parents[2] / "src" / "policydiffusion"


def test_one_implementation():
    users = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                   if "get_close_matches" in p.read_text(encoding="utf-8"))
    assert users == ["_suggest.py"]


def test_styles_and_no_match():
    assert did_you_mean("datset", ["dataset"]) == " (did you mean 'dataset'?)"
    assert did_you_mean("datset", ["dataset"], style="clause") == "; did you mean 'dataset'?"
    assert did_you_mean("datset", ["dataset"], style="sentence") == " Did you mean 'dataset'?"
    assert did_you_mean("qqq", ["dataset"]) == ""
    with pytest.raises(ValueError, match="style must be one of"):
        did_you_mean("a", ["a"], style="loud")


def test_every_former_copy_still_suggests_with_its_wording():
    from policydiffusion.cli.riskset import parse_term
    from policydiffusion.datasets import load_dataset
    from policydiffusion.simulate._common import check_names
    from policydiffusion.study import load_study

    with pytest.raises(InvalidOptionError, match=r"no dataset called 'spid_adoption'; did you "
                                                 r"mean 'spid_adoptions'\?"):
        load_dataset("spid_adoption")
    with pytest.raises(InvalidOptionError, match=r"unknown term 'national_shar'\. Did you mean "
                                                 r"'national_share'\?"):
        parse_term("national_shar")
    with pytest.raises(InvalidOptionError, match=r"'neighbors' \(did you mean 'neighbours'\?\)"):
        check_names({"neighbors": 1.0}, {"neighbours"}, "fitted")
    with pytest.raises(PolicyDiffusionError, match=r"unknown unit code; did you mean "
                                                   r"'Alabama'\?"):
        load_study(pd.DataFrame({"policy": ["p"], "unit": ["Alabamma"], "time": [2000]}),
                   units=pd.DataFrame({"unit": ["Alabama", "Texas"]}))


def test_study_file_keys_suggest(tmp_path):
    from policydiffusion.studyfile import load_study_file

    f = tmp_path / "s.toml"
    f.write_text('[data]\ndatset = "spid"\n', encoding="utf-8")
    with pytest.raises(PolicyDiffusionError, match=r"unknown key 'datset' \(did you mean "
                                                   r"'dataset'\?\)"):
        load_study_file(f)
