"""Build the shipped prefecture-level geography of China from Vonng/adcode.

Writes, under src/policydiffusion/datasets/data/geo/:
  china_prefectures.csv           one row per prefecture-level unit (codes, names, centroid)
  china_prefecture_adjacency.csv  queen contiguity, both directions
  china_prefectures.geojson       simplified polygons for maps

Input: a checkout of github.com/Vonng/adcode (CC BY 4.0), commit
b755d6e4abca8e0d309728abc9ad4b100dacc685, e.g.
  git -C /path/to/adcode archive HEAD data/adcode data/fences | tar -x -C /tmp/adcode
  python3 tools/build_china_prefectures.py /tmp/adcode
Needs shapely and pypinyin (build-time only; neither is a dependency of the package).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from shapely.geometry import mapping, shape
from shapely.strtree import STRtree

OUT = Path(__file__).resolve().parents[1] / "src/policydiffusion/datasets/data/geo"
# Mainland provinces only (Taiwan, Hong Kong and Macao have no prefectures in this source).
MAINLAND = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
            50, 51, 52, 53, 54, 61, 62, 63, 64, 65}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
# Province-administered county-level units that stand beside prefectures (statistical
# 省直辖县级行政区划). Hebei's 139000 (Dingzhou, Xinji) is left out: both remain part of
# Baoding and Shijiazhuang administratively, so they would double-count territory.
DIRECT_PARENTS = {"419000", "429000", "469000", "659000"}
ADJACENT_WITHIN = 0.002  # degrees (about 200 m): shared borders of one source coincide
SIMPLIFY = 0.02  # degrees, for the shipped map only


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Invert the GCJ-02 offset by fixed-point iteration (error well under 1 m)."""
    wlon, wlat = lon, lat
    for _ in range(10):
        glon, glat = _wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat


def _wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(radlat) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (a / sq * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


_SUFFIXES = ("土家族苗族自治州", "布依族苗族自治州", "苗族侗族自治州", "哈尼族彝族自治州",
             "壮族苗族自治州", "傣族景颇族自治州", "傈僳族自治州", "藏族羌族自治州", "蒙古族藏族自治州",
             "黎族苗族自治县", "黎族自治县", "蒙古自治州", "柯尔克孜自治州", "哈萨克自治州", "朝鲜族自治州", "回族自治州", "藏族自治州",
             "彝族自治州", "白族自治州", "傣族自治州", "自治州", "地区", "林区", "盟", "市", "县")


def short_name(name: str) -> str:
    """The place name without its administrative suffix (武汉市 -> 武汉)."""
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


# pypinyin picks the wrong reading of a polyphonic character in these names
PINYIN_FIXES = {"长治": "Changzhi", "朝阳": "Chaoyang", "昌都": "Changdu", "漯河": "Luohe",
                "锡林郭勒": "Xilinguole", "克孜勒苏": "Kezilesu", "阿勒泰": "Aletai"}


def pinyin(name: str) -> str:
    if name in PINYIN_FIXES:
        return PINYIN_FIXES[name]
    return "".join(lazy_pinyin(name, style=Style.NORMAL)).capitalize()


def read_rows(root: Path) -> dict[str, list[str]]:
    rows = {}
    for f in sorted((root / "data/adcode").glob("*.csv")):
        with f.open(encoding="utf-8") as fh:
            for r in csv.reader(fh):
                if int(r[4]) <= 3:
                    rows[r[5]] = r
    return rows


def main(root: Path) -> None:
    rows = read_rows(root)
    prov = {c: r for c, r in rows.items() if r[4] == "1" and int(c[:2]) in MAINLAND}
    units = []  # (code, name_zh, province_code, kind, fence code, lon, lat)
    for c, r in sorted(rows.items()):
        pcode = r[1][:6]
        if int(c[:2]) not in MAINLAND:
            continue
        if c[:2] + "0000" in MUNICIPALITIES:
            continue
        if r[4] == "2" and r[10] == "f":
            units.append((c, r[2], pcode, "prefecture", c, r[12], r[13]))
        elif r[4] == "3" and pcode in DIRECT_PARENTS:
            units.append((c, r[2], c[:2] + "0000", "province-administered county-level", c,
                          r[12], r[13]))
    for pc in sorted(MUNICIPALITIES):
        r = prov[pc]
        units.append((pc[:2] + "0100", r[2], pc, "municipality", pc, r[12], r[13]))
    units.sort()

    geoms = {}
    for u in units:
        g = json.loads((root / "data/fences" / f"{u[4]}.json").read_text(encoding="utf-8"))
        geoms[u[0]] = shape(g).buffer(0)
    codes = [u[0] for u in units]
    tree = STRtree([geoms[c] for c in codes])
    pairs = set()
    for i, c in enumerate(codes):
        for j in tree.query(geoms[c], predicate="dwithin", distance=ADJACENT_WITHIN):
            if j != i:
                pairs.add((c, codes[int(j)]))

    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "china_prefectures.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name_zh", "name_short_zh", "name_en", "province_code", "province_zh",
                    "kind", "centroid_lon", "centroid_lat"])
        for c, name, pc, kind, _, lon, lat in units:
            wlon, wlat = gcj02_to_wgs84(float(lon), float(lat))
            short = short_name(name)
            w.writerow([c, name, short, pinyin(short), pc, prov[pc][2], kind,
                        f"{wlon:.5f}", f"{wlat:.5f}"])
    with (OUT / "china_prefecture_adjacency.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "neighbor"])
        for a, b in sorted(pairs):
            w.writerow([a, b])
    feats = []
    for c, name, pc, kind, *_ in units:
        g = geoms[c].simplify(SIMPLIFY, preserve_topology=True)
        feats.append({"type": "Feature", "properties": {"code": c, "name_zh": name},
                      "geometry": _rounded(mapping(g))})
    (OUT / "china_prefectures.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                   separators=(",", ":")), encoding="utf-8")
    print(f"{len(units)} units, {len(pairs) // 2} adjacent pairs")


def _rounded(geom: dict) -> dict:
    """GCJ-02 -> WGS84 and 3 decimals (about 100 m), enough for a national map."""
    def conv(c):
        if isinstance(c[0], (int, float)):
            x, y = gcj02_to_wgs84(c[0], c[1])
            return [round(x, 3), round(y, 3)]
        return [conv(x) for x in c]

    return {"type": geom["type"], "coordinates": conv(geom["coordinates"])}


if __name__ == "__main__":
    main(Path(sys.argv[1]))
