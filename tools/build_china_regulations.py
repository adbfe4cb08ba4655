"""Build the shipped adoption table of two Chinese regulation series from LawRefBook/Laws.

Input: github.com/LawRefBook/Laws at commit 2f4c5c23716267af9dbebbbbd6cbbf732b101981 (texts
from the national law database flk.npc.gov.cn; the repository states no licence;
legislation is excluded from copyright by PRC Copyright Law art. 5):
  python3 tools/build_china_regulations.py /path/to/Laws.git
Writes src/policydiffusion/datasets/data/china_regulations/adoptions.csv.

Dates come from each statute's header (the lines before ``<!-- INFO END -->``), never
from the file name, which is the date of the version. For a statute with several
versions the header of every version is read and the original enactment is kept: the
first line that says 通过 without 修改/修正/修订 (passed), the first 批准 line (approved by
the provincial people's congress, for city regulations), the first 公布 (published) and
the first 施行 (in force). ``adoption_date`` is the passage date.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src/policydiffusion/datasets/data"
OUT = DATA / "china_regulations"
COMMIT = "2f4c5c23716267af9dbebbbbd6cbbf732b101981"
SERIES = {"优化营商环境条例": "business_environment", "文明行为促进条例": "civilized_behavior"}
CENTRAL = "100000"
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)$")
_AMEND = ("修改", "修正", "修订")


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, "-c", "core.quotepath=off", *args], check=True,
                          capture_output=True, text=True).stdout


def header_dates(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.split("<!-- INFO END -->")[0].splitlines():
        m = _DATE.match(line.strip())
        if not m:
            continue
        date = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
        what = m[4]
        amend = any(a in what for a in _AMEND)
        if "批准" in what and not amend:
            out.setdefault("approved", date)
        elif "通过" in what and not amend:
            out.setdefault("passed", date)
        elif "公布" in what and not amend:
            out.setdefault("published", date)
        elif "施行" in what and not amend:
            out.setdefault("in_force", date)
    return out


def main(repo: str) -> None:
    with (DATA / "geo/china_prefectures.csv").open(encoding="utf-8") as fh:
        pref = list(csv.DictReader(fh))
    provinces = {r["province_zh"]: r["province_code"] for r in pref}
    cities = {(r["province_code"], r["name_zh"]): r["code"] for r in pref
              if r["kind"] != "municipality"}
    files = git(repo, "ls-tree", "-r", "--name-only", COMMIT).splitlines()
    found: dict[tuple[str, str], list[str]] = {}
    for f in files:
        name = f.rsplit("/", 1)[-1]
        for title, pid in SERIES.items():
            m = re.match(rf"^(.*){title}(\(\d{{4}}-\d{{2}}-\d{{2}}\))?\.md$", name)
            if m:
                found.setdefault((pid, m[1]), []).append(f)
    rows, unmapped = [], []
    for (pid, issuer), paths in sorted(found.items()):
        dates: dict[str, str] = {}
        for p in sorted(paths):
            for k, v in header_dates(git(repo, "show", f"{COMMIT}:{p}")).items():
                dates[k] = min(v, dates.get(k, v))
        if issuer == "":
            unit, level, issuer_zh = CENTRAL, "central", "国务院"
        elif issuer in provinces:
            unit, level, issuer_zh = provinces[issuer], "province", issuer
        else:
            folder = paths[0].split("/")[3] if paths[0].startswith("DLC/") else ""
            pc = next((c for n, c in provinces.items() if n.startswith(folder)), None)
            unit = cities.get((pc, issuer)) if pc else None
            level, issuer_zh = "prefecture", issuer
            if unit is None:
                unmapped.append((pid, issuer, paths[0]))
                continue
        title = issuer + next(t for t, i in SERIES.items() if i == pid)
        rows.append({"policy": pid, "unit": unit, "level": level, "issuer_zh": issuer_zh,
                     "title_zh": title, "adoption_date": dates.get("passed", ""),
                     "passed": dates.get("passed", ""), "approved": dates.get("approved", ""),
                     "published": dates.get("published", ""), "in_force": dates.get("in_force", ""),
                     "versions": len(paths), "source_file": sorted(paths)[0]})
    rows.sort(key=lambda r: (r["policy"], r["adoption_date"], r["unit"]))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "adoptions.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} regulations; unmapped issuers: {unmapped}")
    missing = [r["title_zh"] for r in rows if not r["passed"]]
    print(f"without a passage date: {missing}")


if __name__ == "__main__":
    main(sys.argv[1])
