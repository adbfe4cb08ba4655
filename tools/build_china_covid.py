"""Build the shipped China COVID-19 measures (January-February 2020) from gpl-covid.

Input: github.com/Global-Policy-Lab/gpl-covid (data licence CC0 1.0), commit
84369c56b76f67c6b91f42872ea124636450c82a, file data/raw/china/CHN_policy_data_sources.csv:
  git -C /path/to/gpl-covid show 84369c56:data/raw/china/CHN_policy_data_sources.csv > chn.csv
  python3 tools/build_china_covid.py chn.csv
Place names (English) are mapped to GB/T 2260 codes through the shipped prefecture table
(geo/china_prefectures.csv): within the province, the name without apostrophes, spaces
and diacritics must equal the Hanyu Pinyin of the Chinese short name; ALIASES below lists
the conventional spellings that are not pinyin. Names that cannot be mapped are written
to unmapped.csv with their count (none at the pinned commit; the measures keep every
mapped row).
Needs pypinyin (build-time only).
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

from pypinyin import Style, lazy_pinyin

DATA = Path(__file__).resolve().parents[1] / "src/policydiffusion/datasets/data"
OUT = DATA / "china_covid_2020"
# Conventional English (or Mongolian / Tibetan) spellings -> Chinese short name.
ALIASES = {"hohhot": "呼和浩特", "hulunbuir": "呼伦贝尔", "bayannur": "巴彦淖尔", "ordos": "鄂尔多斯",
           "ulanqab": "乌兰察布", "xilingol": "锡林郭勒", "xinganmeng": "兴安", "garze": "甘孜",
           "urumqi": "乌鲁木齐", "lhasa": "拉萨", "harbin": "哈尔滨", "ngawa": "阿坝"}
_DROP = ("league", "city")


def norm(name: str) -> str:
    if "Autonomous Prefecture" in name:  # "Enshi Tujia and Miao Autonomous Prefecture" -> Enshi
        name = name.split()[0]
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = "".join(ch for ch in s if ch.isalpha())
    for d in _DROP:
        s = s.replace(d, "")
    return s


def py(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.NORMAL)).lower()


def main(src: Path) -> None:
    with (DATA / "geo/china_prefectures.csv").open(encoding="utf-8") as fh:
        pref = list(csv.DictReader(fh))
    provinces = {r["province_code"]: r["province_zh"] for r in pref}
    prov_short = {c: n.replace("壮族自治区", "").replace("回族自治区", "")
                  .replace("维吾尔自治区", "").replace("自治区", "").replace("省", "").replace("市", "")
                  for c, n in provinces.items()}
    prov_key = {}
    for c, short in prov_short.items():
        prov_key[py(short)] = c
    prov_key["shaanxi"], prov_key["shanxi"] = "610000", "140000"  # 陕西 and 山西 share a pinyin
    by_prov: dict[str, dict[str, str]] = {}
    for r in pref:
        by_prov.setdefault(r["province_code"], {})[py(r["name_short_zh"])] = r["code"]
    alias_code = {}
    for r in pref:
        for k, v in ALIASES.items():
            if r["name_short_zh"] == v:
                alias_code[(r["province_code"], k)] = r["code"]

    out, unmapped = [], {}
    with src.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pc = prov_key.get(norm(row["adm1_name"]))
            code, level = None, None
            if pc is not None and row["adm2_name"] == "All":
                code, level = pc, "province"
            elif pc is not None:
                key = norm(row["adm2_name"])
                code = by_prov[pc].get(key) or alias_code.get((pc, key))
                level = "prefecture"
            if code is None:
                k = (row["adm1_name"], row["adm2_name"])
                unmapped[k] = unmapped.get(k, 0) + 1
                continue
            end = row["date_end"]
            out.append({
                "policy": row["policy"], "unit": code, "level": level,
                "date": _iso(row["date_start"]), "date_end": "" if end in ("", "NA") else _iso(end),
                "adm1_name": row["adm1_name"], "adm2_name": row["adm2_name"],
                "description": row["policy_description"], "source": row["source"],
                "access_date": _iso(row["access_date"]),
            })
    out.sort(key=lambda r: (r["policy"], r["date"], r["unit"]))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "measures.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    if unmapped:  # nothing is written when every name maps (as at the pinned commit)
        with (OUT / "unmapped.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["adm1_name", "adm2_name", "rows"])
            for (a, b), n in sorted(unmapped.items()):
                w.writerow([a, b, n])
    print(f"{len(out)} rows mapped, {sum(unmapped.values())} rows unmapped: {unmapped}")


def _iso(d: str) -> str:
    return datetime.strptime(d, "%m/%d/%Y").strftime("%Y-%m-%d")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
