"""Build the shipped South China Sea inset (南海诸岛) for the China maps.

Writes src/policydiffusion/datasets/data/geo/china_scs_inset.geojson with
  - the 9 dashes of China's dashed line (kind "dash"), from Natural Earth
    (public domain): github.com/nvkelso/natural-earth-vector, commit
    6a9da465f6f05b9936e34340d6a81a00f79ac1a2,
    geojson/ne_10m_admin_0_boundary_lines_maritime_indicator_chn.geojson,
    coordinates rounded to 4 decimals;
  - the islands (kind "islands"): the polygons of Sansha (460300, Xisha, Zhongsha and
    Nansha) from the shipped china_prefectures.geojson (Vonng/adcode, CC BY 4.0),
    south of 24N and within lon 105-125, unchanged;
  - the Dongsha (Pratas) atoll (kind "reef"): Natural Earth's 1:10m reef line of the
    atoll (public domain, from WDB2): github.com/martynafford/natural-earth-geojson
    (CC0), commit 90266457d82d3717e47313e72a921e31a087d2c4, 10m/physical/ne_10m_reefs.json,
    the one reef of the inset's sea north of 18N (the Sansha reefs are already in the
    islands), coordinates rounded to 4 decimals. Natural Earth has no land there.

Usage:
  python3 tools/build_china_scs_inset.py \
      /path/to/ne_10m_admin_0_boundary_lines_maritime_indicator_chn.geojson /path/to/ne_10m_reefs.json
Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GEO = Path(__file__).resolve().parents[1] / "src/policydiffusion/datasets/data/geo"
BOX = (105.0, 2.0, 125.0, 24.0)  # lon0, lat0, lon1, lat1: the inset's sea
NE_COMMIT = "6a9da465f6f05b9936e34340d6a81a00f79ac1a2"
DONGSHA_SOUTH = 18.0  # reefs north of this (Hainan's tip) are Dongsha's; south of it Sansha's


def _in_box(ring: list, south: float = BOX[1]) -> bool:
    return all(BOX[0] <= x <= BOX[2] and south <= y <= BOX[3] for x, y in ring)


def _round(line: list) -> list:
    return [[round(x, 4), round(y, 4)] for x, y in line]


def build(ne_file: str, reefs_file: str) -> str:
    """The inset's GeoJSON text from the two Natural Earth files and the shipped prefecture map."""
    dashes = json.loads(Path(ne_file).read_text(encoding="utf-8"))["features"]
    if len(dashes) != 9:
        raise SystemExit(f"{ne_file}: expected the 9 dashes, found {len(dashes)} features")
    features = [{"type": "Feature",
                 "properties": {"kind": "dash", "note": f["properties"]["NOTE"],
                                "ne_id": f["properties"]["ne_id"]},
                 "geometry": {"type": "LineString",
                              "coordinates": _round(f["geometry"]["coordinates"])}}
                for f in dashes]
    pref = json.loads((GEO / "china_prefectures.geojson").read_text(encoding="utf-8"))
    sansha = next(f for f in pref["features"] if str(f["properties"]["code"]) == "460300")
    polys = [p for p in sansha["geometry"]["coordinates"] if _in_box(p[0])]
    features.append({"type": "Feature",
                     "properties": {"kind": "islands", "code": "460300", "province_code": "460000",
                                    "name_zh": "南海诸岛"},
                     "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    reefs = [f for f in json.loads(Path(reefs_file).read_text(encoding="utf-8"))["features"]
             if f["geometry"]["type"] == "LineString"
             and _in_box(f["geometry"]["coordinates"], south=DONGSHA_SOUTH)]
    if len(reefs) != 1:
        raise SystemExit(f"{reefs_file}: expected Dongsha's one reef north of {DONGSHA_SOUTH}N "
                         f"in the inset's sea, found {len(reefs)}")
    features.append({"type": "Feature",
                     "properties": {"kind": "reef", "name_zh": "东沙群岛",
                                    "name_en": "Dongsha (Pratas)"},
                     "geometry": {"type": "LineString",
                                  "coordinates": _round(reefs[0]["geometry"]["coordinates"])}})
    out = {"type": "FeatureCollection", "features": features}
    print(f"9 dashes, {len(polys)} of {len(sansha['geometry']['coordinates'])} Sansha polygons, "
          f"Dongsha's reef ({len(reefs[0]['geometry']['coordinates'])} points)", file=sys.stderr)
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(ne_file: str, reefs_file: str) -> None:
    (GEO / "china_scs_inset.geojson").write_text(build(ne_file, reefs_file), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
