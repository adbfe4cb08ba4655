"""A study file using the replication options end to end: unknown_units = "drop", a
year-varying source network with relation_lag = 0 / adoption_lag = 0, national_count,
not_before, and vcov cluster-cr0."""

import json

from policydiffusion.pipeline import run_study

STUDY = '''
[study]
title = "Replication options"
[data]
adoptions = "adoptions.csv"
units = "units.csv"
end = 2012
unknown_units = "drop"
[data.relations.net]
file = "net.csv"
source = "i"
target = "j"
period = "year"
directed = true
[[riskset]]
name = "rs"
options = {first_period_adopters = "skip", not_before = 2003}
terms = [
  {term = "neighbors_adopted", relation = "net", kind = "count", relation_lag = 0, adoption_lag = 0, name = "src"},
  {term = "national_count", name = "all_adopt"},
]
[[model]]
name = "m"
formula = "adopt ~ src + all_adopt"
vcov = {cluster-cr0 = "unit"}
[report]
figures = []
table_formats = ["csv"]
figure_formats = ["png"]
'''


def test_study_file_with_the_replication_options(tmp_path):
    units = [f"U{i:02d}" for i in range(20)]
    (tmp_path / "units.csv").write_text("unit\n" + "".join(f"{u}\n" for u in units))
    years = [2001, 2002, 2003, 2004, 2004, 2005, 2006, 2006, 2007, 2008, 2009, 2010]
    (tmp_path / "adoptions.csv").write_text("policy,unit,time\n" + "".join(
        f"p1,{u},{y}\n" for u, y in zip(units, years)))
    rows = [f"{units[k]},{units[(k + 3) % 20]},{y}\n" for y in range(2001, 2013)
            for k in range(20)] + ["U01,AK,2005\n", "HI,U02,2006\n"]
    (tmp_path / "net.csv").write_text("i,j,year\n" + "".join(rows))
    (tmp_path / "study.toml").write_text(STUDY)
    res = run_study(tmp_path / "study.toml", tmp_path / "out")
    run_json = json.loads((tmp_path / "out" / "run.json").read_text())
    dropped = [e for e in run_json["exclusions"] if "outside the study" in e["reason"]]
    assert len(dropped) == 1 and dropped[0]["count"] == 2 and "AK, HI" in dropped[0]["reason"]
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    model = next(iter(results.values())) if "m" not in results else results["m"]
    assert model["vcov"]["type"] == "cluster-cr0"
    built = res.state.risksets[0].riskset
    assert built.data.get_column("period").min() == 2003  # max(2001 + 1, 2003)
    assert "same-period adopters included" in built.column_meta["src"]["description"]
    assert "CR0 (no small-sample factor)" in (tmp_path / "out" / "report.html").read_text()
