"""Texts attached to adoptions: folder and table input, validation, truncation."""

from __future__ import annotations

import pandas as pd
import pytest

from policydiffusion.errors import ExclusionWarning, StudyDataError
from policydiffusion.reinvention import read_texts, truncation

ADOPT = pd.DataFrame({"policy": ["civ", "civ", "civ"], "unit": ["qd", "nb", "ws"],
                      "date": ["2016-11-26", "2017-04-24", "2018-09-21"]})
FULL = "第一条 为了文明。\n第二条 适用本条例。\n第三条 本条例自2017年1月1日起施行。"


def _folder(tmp_path, files: dict[str, bytes | str]):
    for rel, content in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return tmp_path


def test_folder_with_adoptions_orders_by_date_and_flags_truncation(tmp_path):
    root = _folder(tmp_path, {"civ/nb.md": "<!-- INFO END -->\n" + FULL,
                              "civ/qd.txt": FULL,
                              "civ/ws.md": "第一条 为了文明。\n第二条 适用本条例。\n第三条 爱护公物。"})
    pt = read_texts(root, adoptions=ADOPT)
    assert pt.table["unit"].tolist() == ["qd", "nb", "ws"]
    assert pt.table["truncated"].tolist() == [False, False, True]
    assert "第三条" in pt.table["truncation"].iloc[2]
    assert not pt.table["text"].iloc[1].startswith("<!--")
    assert pt.missing == 0 and pt.exclusions == ()


def test_empty_file_and_text_without_adoption_are_counted(tmp_path):
    root = _folder(tmp_path, {"civ/qd.txt": FULL, "civ/nb.txt": "  \n",
                              "civ/ws.txt": FULL, "civ/notes.csv": "x"})
    adopt = ADOPT.assign(policy=["civ", "civ", "other"])
    with pytest.warns(ExclusionWarning, match="empty text"):
        pt = read_texts(root, adoptions=adopt)
    reasons = {e.reason: e.count for e in pt.exclusions}
    assert reasons == {"empty text": 1, "no adoption of this policy by this unit": 1,
                       "not a .txt or .md file (.csv)": 1}
    assert pt.table["unit"].tolist() == ["qd"]
    assert pt.missing == 2  # nb (empty) and other/ws have adoptions but no usable text


def test_unknown_unit_binary_and_non_utf8_are_errors_naming_the_file(tmp_path):
    root = _folder(tmp_path, {"civ/qd.txt": FULL, "civ/xx.txt": FULL})
    with pytest.raises(StudyDataError, match=r"xx\.txt.*'xx': unit not in the adoptions"):
        read_texts(root, adoptions=ADOPT)
    bad = _folder(tmp_path / "b", {"civ/qd.txt": b"\x00\x01PNG", "civ/nb.txt": "é".encode("latin-1")})
    with pytest.raises(StudyDataError) as err:
        read_texts(bad)
    msg = str(err.value)
    assert "2 problems" in msg and "qd.txt" in msg and "binary" in msg and "not UTF-8" in msg


def test_table_input_names_rows_and_bad_dates():
    texts = pd.DataFrame({"policy": ["civ"], "unit": ["qd"], "text": [FULL]})
    pt = read_texts(texts, adoptions=ADOPT)
    assert pt.table["time"].iloc[0] == pytest.approx(2016 + 330 / 366)
    with pytest.raises(StudyDataError, match="row 1, column 'date'.*not a year or a date"):
        read_texts(texts, adoptions=ADOPT.assign(date=["2016", "soon", "2018"]))


def test_truncation_rules():
    assert truncation(FULL) is None
    assert truncation(FULL[:-1]) == "ends mid-sentence"
    assert truncation("Section 1. A person may stand his ground.") is None
    assert truncation("Section 1. A person may stand his") is None  # English: not checked
