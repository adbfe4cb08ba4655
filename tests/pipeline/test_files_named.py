"""run.json lists every file a study file names with its checksum, also those read
through ``../`` (issue 16 item 11; the outside-folder warning promises it)."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from policydiffusion.pipeline.data import LoadedData, files_named, sha256
from policydiffusion.pipeline.outputs import provenance
from policydiffusion.studyfile import load_study_file


def _study(tmp_path, reinvention_enabled="true"):
    shared = tmp_path / "shared"
    (shared / "texts" / "p").mkdir(parents=True)
    for name, text in {"texts/p/A.txt": "a", "texts/p/B.txt": "b",
                       "a.csv": "policy,unit,time\np,A,2001\np,B,2002\n",
                       "pilots.csv": "policy,unit,time\np,A,2000\n",
                       "panel.csv": "unit,time,y\nA,2001,1\n",
                       "pub.csv": "term,estimate,std_error\nx,1,1\n"}.items():
        (shared / name).write_text(text)
    (tmp_path / "study").mkdir()
    sf = tmp_path / "study" / "s.toml"
    sf.write_text(f'''[study]
title = "t"
[data]
adoptions = "../shared/a.csv"
[reinvention]
enabled = {reinvention_enabled}
texts = "../shared/texts"
[modes]
pilots = "../shared/pilots.csv"
[effects]
panel = "../shared/panel.csv"
outcome = "y"
bins = [[0, 1]]
published = "../shared/pub.csv"
''')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the outside-folder warnings: tested elsewhere
        return load_study_file(sf), shared


def test_every_file_named_is_listed_with_its_checksum(tmp_path):
    sf, shared = _study(tmp_path)
    files = files_named(sf)
    names = {str((shared / n).resolve()) for n in ("a.csv", "texts/p/A.txt", "texts/p/B.txt",
                                                   "pilots.csv", "panel.csv", "pub.csv")}
    assert {str(Path(k).resolve()) for k in files} == names
    for k, v in files.items():
        assert v == sha256(k)


def test_a_section_switched_off_lists_nothing(tmp_path):
    sf, _ = _study(tmp_path, reinvention_enabled="false")
    assert not any("texts" in k for k in files_named(sf))


def test_run_json_inputs_include_them(tmp_path):
    sf, shared = _study(tmp_path)
    state = SimpleNamespace(sf=sf, seed=1, loaded=LoadedData(study=None, inputs={}),
                            risksets=[], network=None, reinvention=None, models=[],
                            heterogeneity=[], notes=[])
    prov = provenance(state, lang="en", exclusions=pd.DataFrame())
    assert any(k.endswith("pilots.csv") for k in prov["inputs_sha256"])
    assert sum(k.endswith(".txt") for k in prov["inputs_sha256"]) == 2
