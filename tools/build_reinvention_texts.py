"""Build the shipped policy texts for policydiffusion.reinvention from two git snapshots.

    python3 tools/build_reinvention_texts.py LAWS_GIT_DIR DSSG_GIT_DIR

LAWS_GIT_DIR: a clone of LawRefBook/Laws at 2f4c5c23716267af9dbebbbbd6cbbf732b101981;
DSSG_GIT_DIR: a clone of dssg/policy_diffusion at 61d5885e809ab8d92db18d79f7a82b6461cf4343.
Writes src/policydiffusion/datasets/data/{china_civility_texts,english_bill_texts}/texts.csv.gz.
Every cleaning step is here; nothing is edited by hand.
"""

from __future__ import annotations

import collections
import gzip
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

LAWS_COMMIT = "2f4c5c23716267af9dbebbbbd6cbbf732b101981"
DSSG_COMMIT = "61d5885e809ab8d92db18d79f7a82b6461cf4343"
OUT = Path(__file__).resolve().parents[1] / "src/policydiffusion/datasets/data"


def git(gitdir: str, *args: str) -> str:
    return subprocess.run(["git", "-C", gitdir, "-c", "core.quotepath=false", *args],
                          check=True, capture_output=True, text=True).stdout


def _date(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def china(gitdir: str) -> pd.DataFrame:
    names = [n for n in git(gitdir, "ls-tree", "-r", "--name-only", LAWS_COMMIT).splitlines()
             if "文明行为促进条例" in n]
    rows = []
    for name in sorted(names):
        raw = git(gitdir, "show", f"{LAWS_COMMIT}:{name}")
        header, _, body = raw.partition("<!-- INFO END -->")
        title = re.search(r"^#\s*(\S+)", header, re.M).group(1)
        unit = title.replace("文明行为促进条例", "")
        events = [(m.group(4), _date(*m.group(1, 2, 3)), m.group(0).strip()) for m in
                  re.finditer(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)", header)]
        passed = next((d for what, d, _ in events if what.endswith("通过")), None)
        approved = next((d for what, d, _ in events if "批准" in what and "修正" not in what
                         and "修订" not in what), None)
        revised = [d for what, d, _ in events if "修正" in what or "修订" in what]
        province = name.split("/")[-2]
        rows.append({
            "policy": "civility_promotion",
            "unit": unit,
            "province": province,
            "level": "province" if unit.endswith("省") or unit == "北京市" else "city",
            # a city's regulation becomes law when the provincial standing committee
            # approves it; a province's (and Beijing's) when its own committee passes it
            "date": approved or passed,
            "passed": passed,
            "approved": approved,
            "revised": revised[-1] if revised else None,
            "file_date": re.search(r"\((\d{4}-\d{2}-\d{2})\)", name).group(1),
            "header": " | ".join(e for _, _, e in events),
            "source_path": name,
            "text": body.strip(),
        })
    return pd.DataFrame(rows).sort_values(["date", "unit"]).reset_index(drop=True)


# the records of labeled_bills.json used, by the evaluation set's "match" label
POLICIES = {"5": "stand_your_ground", "0": "paid_sick_leave", "1": "paid_sick_leave",
            "2": "paid_sick_leave"}
STATES = {  # URL host -> state, for the hosts of the records used
    "azleg.gov": "AZ", "legis.state.ak.us": "AK", "capitol.hawaii.gov": "HI",
    "flsenate.gov": "FL", "ilga.gov": "IL", "mgaleg.maryland.gov": "MD",
    "legislature.mi.gov": "MI", "revisor.mn.gov": "MN", "njleg.state.nj.us": "NJ",
    "assembly.state.ny.us": "NY", "ncga.state.nc.us": "NC", "olis.leg.state.or.us": "OR",
    "legis.state.pa.us": "PA", "scstatehouse.gov": "SC", "lawfilesext.leg.wa.gov": "WA",
    "legis.state.wv.us": "WV", "cga.ct.gov": "CT", "nebraskalegislature.gov": "NE",
    "gencourt.state.nh.us": "NH", "schouse.gov": "SC", "lrc.ky.gov": "KY", "okhouse.gov": "OK",
    "state.tn.us": "TN", "legis.wisconsin.gov": "WI", "legisweb.state.wy.us": "WY",
    "kansas.gov": "KS", "ls.state.ms.us": "MS",
}
GOVERNMENT = re.compile(r"\.gov\b|\.state\.[a-z]{2}\.us\b|\.leg\.|legis|legislature|\.us/")
NAV = re.compile(r"^(?:home|senate|house|bills? & ?laws|searches|media center|publications|"
                 r"get started|skip navigation|search|login|logout|contact|help|menu)$", re.I)
START = re.compile(r"\b(?:AN ACT|A BILL|BE IT ENACTED)\b")


def _host(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url).split("/")[0].lower()
    return next((h for h in STATES if host == h or host.endswith("." + h)), host)


def _year(url: str, text: str) -> int:
    m = re.search(r"(20[01]\d)", url)
    if m:
        return int(m.group(1))
    m = re.search(r"/(\d\d)rs/", url, re.I)  # Kentucky: "06rs" = 2006 regular session
    if m:
        return 2000 + int(m.group(1))
    years = collections.Counter(int(y) for y in re.findall(r"\b(200[4-9]|201[0-6])\b", text))
    top = max(years.values())
    return max(y for y, n in years.items() if n == top)


def clean_bill(text: str) -> str:
    """Strip page clutter: HTML, line numbers, navigation, repeated headers, text before the bill."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))  # HTML tags and entities (Kentucky)
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    counts = collections.Counter(ln for ln in lines if ln)
    keep = []
    for ln in lines:
        if not ln or re.fullmatch(r"[\d\s\-–.,:;|*_()\[\]]*", ln) or NAV.match(ln):
            continue  # empty, line numbers and rules, navigation links
        if re.fullmatch(r"(?:page \d+( of \d+)?|- ?[ivx\d]+ ?-)", ln, re.I):
            continue  # page headers
        if counts[ln] >= 3 and len(ln.split()) <= 8:
            continue  # running headers and footers repeated on every page
        ln = re.sub(r"^\d{1,2}\s+(?=\S)", "", ln)  # a line number glued to the line
        keep.append(ln)
    body = "\n".join(keep)
    m = START.search(body)
    if m and m.start() < 0.4 * len(body):
        body = body[m.start():]  # site banners and menus before the bill itself
    return re.sub(r"[ \t]+", " ", body).strip()


def english(gitdir: str) -> tuple[pd.DataFrame, collections.Counter]:
    data = json.loads(git(gitdir, "show", f"{DSSG_COMMIT}:data/evaluation_set/labeled_bills.json"))
    rows, dropped, seen = [], collections.Counter(), set()
    for key, rec in data.items():
        policy = POLICIES.get(str(rec.get("match")))
        if policy is None:
            continue
        url = rec["url"]
        if not GOVERNMENT.search(url):
            dropped["not a government page (advocacy or other site)"] += 1
            continue
        if url in seen:
            dropped["same URL as an earlier record"] += 1
            continue
        seen.add(url)
        text = clean_bill(rec["text"])
        state = STATES[_host(url)]
        rows.append({"policy": policy, "state": state, "year": _year(url, rec["text"]),
                     "record": int(key), "url": url, "text": text})
    frame = pd.DataFrame(rows).sort_values(["policy", "year", "state", "record"])
    # a unit is a state; several bills of one state in one policy get their record number
    n = frame.groupby(["policy", "state"])["record"].transform("size")
    frame.insert(1, "unit", [s if k == 1 else f"{s}-{r}" for s, r, k in
                             zip(frame["state"], frame["record"], n)])
    return frame.reset_index(drop=True), dropped


def write(frame: pd.DataFrame, folder: str) -> Path:
    path = OUT / folder / "texts.csv.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:  # mtime=0: byte-identical rebuilds
        fh.write(frame.to_csv(index=False).encode("utf-8"))
    return path


if __name__ == "__main__":
    laws, dssg = sys.argv[1:3]
    zh = china(laws)
    print(write(zh, "china_civility_texts"), len(zh), "texts")
    en, dropped = english(dssg)
    print(write(en, "english_bill_texts"), len(en), "texts;", dict(dropped))
    print(en.groupby("policy").size().to_dict())
