"""`policydiffusion reinvention` on a folder and on a CSV, with the JSON it writes."""

from __future__ import annotations

import json

import pandas as pd

from policydiffusion.cli import run

A = "A person has no duty to retreat from any place. The person may meet force with force."
B = "A person has no duty to retreat from any place. The person may use deadly force here."


def test_folder_json_figure_and_pairs(tmp_path, capsys):
    for unit, text in {"FL": A, "MI": B, "KS": A}.items():
        (tmp_path / "texts" / "syg").mkdir(parents=True, exist_ok=True)
        (tmp_path / "texts" / "syg" / f"{unit}.txt").write_text(text, encoding="utf-8")
    pd.DataFrame({"policy": "syg", "unit": ["FL", "MI", "KS"], "year": [2005, 2006, 2007]}
                 ).to_csv(tmp_path / "adopt.csv", index=False)
    out = tmp_path / "out.json"
    code = run(["reinvention", str(tmp_path / "texts"), "--adoptions", str(tmp_path / "adopt.csv"),
                "--json", str(out), "--figure", str(tmp_path / "drift.svg"),
                "--pairs", str(tmp_path / "pairs.csv")])
    assert code == 0, capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    src = {r["unit"]: r for r in data["sources"]}
    assert src["FL"]["source"] is None and src["FL"]["similarity"] is None
    assert src["MI"]["source"] == "FL" and 0 < src["MI"]["similarity"] < 1
    assert src["KS"]["source"] == "FL" and src["KS"]["similarity"] == 1.0
    drift = data["reinvention_index"][0]
    assert drift["policy"] == "syg"
    # the texts the index and slope used (the reference left out), and why a trend is missing
    assert (drift["n"], drift["n_used"], drift["no_trend"]) == (3, 2, None)
    assert (tmp_path / "drift.svg").read_text().startswith("<?xml")
    assert len(pd.read_csv(tmp_path / "pairs.csv")) == 6


def test_csv_texts_and_a_bad_unit_is_one_clear_error(tmp_path, capsys):
    pd.DataFrame({"policy": "syg", "unit": ["FL", "ZZ"], "text": [A, B]}
                 ).to_csv(tmp_path / "texts.csv", index=False)
    pd.DataFrame({"policy": "syg", "unit": ["FL", "MI"], "year": [2005, 2006]}
                 ).to_csv(tmp_path / "adopt.csv", index=False)
    code = run(["reinvention", str(tmp_path / "texts.csv"), "--adoptions", str(tmp_path / "adopt.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "texts.csv row 3" in err and "'ZZ': unit not in the adoptions" in err
