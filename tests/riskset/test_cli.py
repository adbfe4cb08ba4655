"""`policydiffusion riskset` from the command line."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from policydiffusion.cli import run
from policydiffusion.cli.riskset import parse_term
from policydiffusion.errors import InvalidOptionError


def test_monadic_spid_to_parquet_with_terms(tmp_path, capsys):
    out = tmp_path / "rs.parquet"
    assert run(["riskset", "monadic", "--dataset", "spid", "--policy", "aborparc",
                "--term", "neighbors_adopted:relation=contiguity,kind=share",
                "--term", "national_share", "--term", "duration_poly", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rows: 1,427" in text and "events (unit adoptions): 15" in text
    df = pl.read_parquet(out)
    assert df.height == 1427 and "duration_poly_3" in df.columns


def test_dyadic_from_files_to_csv_prints_exclusions(tmp_path, capsys):
    pd.DataFrame({"policy": ["p", "p", "p"], "unit": ["A", "B", "C"],
                  "year": [2001, 2002, 2003]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"unit": ["A", "B", "C", "D"], "exit": [None, None, None, 2000]}).to_csv(
        tmp_path / "u.csv", index=False)
    pd.DataFrame({"s": ["A", "B"], "t": ["B", "C"]}).to_csv(tmp_path / "r.csv", index=False)
    out = tmp_path / "dy.csv"
    code = run(["riskset", "dyadic", str(tmp_path / "a.csv"), "--units", str(tmp_path / "u.csv"),
                "--relation", f"contiguity={tmp_path / 'r.csv'}:s:t", "--time-col", "year",
                "--policy", "p", "--full", "--term", "contiguous", "-o", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "full" in text and "unit ceased to exist before the start of risk" in text
    df = pd.read_csv(out)
    assert set(df.columns) >= {"unit", "source", "adopt_after_source", "contiguous"}
    assert len(df) == (1 + 2 + 3) * 2  # A 2001, B 2001-02, C 2001-03; 2 existing sources each


def test_pooled_dataset_folder(tmp_path, capsys):
    out = tmp_path / "pooled"
    assert run(["riskset", "pooled", "--dataset", "spid", "--policy", "aborparc", "--policy",
                "absvot", "-o", str(out), "--policies-per-file", "1"]) == 0
    assert len(list(out.glob("part-*.parquet"))) == 2
    assert "2 policies (pooled)" in capsys.readouterr().out


def test_errors_are_one_line_with_status_2(capsys):
    assert run(["riskset", "monadic", "--dataset", "spid", "--policy", "aborparc",
                "--term", "national_shares"]) == 2
    assert "did you mean 'national_share'" in capsys.readouterr().err.lower()
    assert run(["riskset", "monadic", "--dataset", "spid"]) == 2
    assert run(["riskset", "sideways", "--dataset", "spid"]) == 2


def test_parse_term_values_and_errors():
    assert parse_term("leaders_adopted:leaders=CA+NY,by_region=true").leaders == ("CA", "NY")
    assert parse_term("duration_poly:degree=2,scale=5").scale == 5.0
    with pytest.raises(InvalidOptionError, match="takes"):
        parse_term("national_share:kind=share")


def test_riskset_to_stata_round_trips(tmp_path, capsys):
    out = tmp_path / "rs.dta"
    assert run(["riskset", "monadic", "--dataset", "spid", "--policy", "aborparc",
                "--term", "neighbors_adopted:relation=contiguity,kind=share", "-o", str(out)]) == 0
    back = pd.read_stata(out)
    ref = tmp_path / "rs.parquet"
    assert run(["riskset", "monadic", "--dataset", "spid", "--policy", "aborparc",
                "--term", "neighbors_adopted:relation=contiguity,kind=share", "-o", str(ref)]) == 0
    want = pl.read_parquet(ref).to_pandas()
    assert list(back.columns) == list(want.columns) and len(back) == len(want) == 1427
    assert (back["adopt"].to_numpy() == want["adopt"].to_numpy()).all()
    assert abs(back.iloc[:, -2].astype(float) - want.iloc[:, -2].astype(float)).max() < 1e-12
    labels = pd.io.stata.StataReader(out).variable_labels()
    assert labels["adopt"]  # column descriptions travel as variable labels


def test_monadic_to_stata(tmp_path, capsys):
    """Issue 16, item 13: `riskset -o file.dta` writes a Stata file with variable labels."""
    out = tmp_path / "rs.dta"
    assert run(["riskset", "monadic", "--dataset", "spid", "--policy", "aborparc",
                "--term", "national_share", "-o", str(out)]) == 0
    assert "written to" in capsys.readouterr().out
    df = pd.read_stata(out)
    assert len(df) == 1427 and int(df["adopt"].sum()) == 15
    with pd.io.stata.StataReader(out) as r:
        labels = r.variable_labels()
    assert labels["national_share_l1"].startswith("share of the other")


def test_cli_expresses_the_dyadic_design(tmp_path, capsys):
    """Issue 16, item 17: directed, dated, weighted relations and events from the CLI."""
    from policydiffusion.cli._study_options import build_study

    pd.DataFrame({"policy": ["p", "p", "p"], "unit": ["A", "B", "C"],
                  "year": [2001, 2002, 2003]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"from": ["A", "A", "B"], "to": ["B", "C", "C"], "year": [2000, 2001, 2001],
                  "count": [2, 1, 3]}).to_csv(tmp_path / "v.csv", index=False)
    pd.DataFrame({"event": ["directive"], "start": [2002]}).to_csv(tmp_path / "e.csv", index=False)
    base = dict(adoptions=tmp_path / "a.csv", dataset=None, units=None, policies=None, covariates=None,
                policy_col="policy", unit_col="unit", time_col="year", layout="long",
                granularity="year", start=None, end=None)
    study = build_study(**base, relation=[f"visits={tmp_path / 'v.csv'}:from:to:year:count"], directed=True,
                        events=tmp_path / "e.csv")
    rel = study.relations["visits"]
    assert rel.directed and not rel.is_static
    e = rel.edges.sort(["source", "target"])
    assert e["weight"].to_list() == [2.0, 1.0, 3.0] and e["period"].to_list() == [2000, 2001, 2001]
    assert study.events is not None and "directive" in study.events["event"].to_list()
    weights_only = build_study(**base, relation=[f"v={tmp_path / 'v.csv'}:from:to::count"])
    assert not weights_only.relations["v"].directed and weights_only.relations["v"].is_static
    code = run(["riskset", "dyadic", str(tmp_path / "a.csv"), "--time-col", "year", "--policy", "p",
                "--relation", f"visits={tmp_path / 'v.csv'}:from:to:year:count", "--directed",
                "--events", str(tmp_path / "e.csv"), "--full", "-o", str(tmp_path / "d.csv")])
    assert code == 0, capsys.readouterr()
    with pytest.raises(InvalidOptionError, match="PERIOD_COL"):
        build_study(**base, relation=[f"v={tmp_path / 'v.csv'}:from"])


def test_validate_reports_the_columns_it_ignored(tmp_path, capsys):
    """Issue 16, item 17: validate names the input columns no option reads."""
    pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"], "year": [2001, 2002],
                  "source_url": ["x", "y"], "level": [1, 2]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"s": ["A"], "t": ["B"], "year": [2001], "count": [3],
                  "note": ["-"]}).to_csv(tmp_path / "r.csv", index=False)
    assert run(["validate", str(tmp_path / "a.csv"), "--time-col", "year",
                "--relation", f"visits={tmp_path / 'r.csv'}:s:t:year"]) == 0
    out = capsys.readouterr().out
    assert "OK: no problems found." in out
    assert "Columns not read from a.csv: source_url, level" in out
    assert "Columns not read from r.csv: count, note" in out
