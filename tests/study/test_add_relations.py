"""add_relations: relations added to a loaded Study, checked as load_study checks them."""

from __future__ import annotations

import pandas as pd
import pytest

from policydiffusion.errors import StudyDataError
from policydiffusion.study import add_relations, load_study


@pytest.fixture()
def study():
    return load_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
                                    "time": [2001, 2002]}),
                      units=pd.DataFrame({"unit": ["A", "B", "C"]}))


def test_add_relations_is_the_relation_load_study_reads(study, tmp_path):
    path = tmp_path / "border.csv"
    path.write_text("source,target\nA,B\nB,C\nC,DC\n")
    added = add_relations(study, {"border": path}, unknown_units="drop")
    direct = load_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
                                      "time": [2001, 2002]}),
                        units=pd.DataFrame({"unit": ["A", "B", "C"]}),
                        relations={"border": path}, unknown_units="drop")
    assert added.relations["border"].edges.equals(direct.relations["border"].edges)
    assert added.exclusions.to_dict("records") == direct.exclusions.to_dict("records")
    assert added.sources["relation:border"] == direct.sources["relation:border"]
    assert "border" not in study.relations  # the study given is unchanged


def test_add_relations_names_file_row_and_column_of_bad_edges(study, tmp_path):
    path = tmp_path / "border.csv"
    path.write_text("source,target\nA,B\nB,DC\n")
    with pytest.raises(StudyDataError) as err:
        add_relations(study, {"border": path})
    text = str(err.value)
    assert "border.csv" in text and "DC" in text and "row 3" in text
