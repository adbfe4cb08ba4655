"""A toy study whose term values are worked out by hand in the tests (tests/terms)."""

from __future__ import annotations

import pandas as pd
import polars as pl

from policydiffusion.study import RelationSpec, load_study

UNITS = ["A", "B", "C", "D", "E"]


def toy_frames() -> dict[str, pd.DataFrame]:
    return {
        # p: A 2001, B 2002, C 2004; D and E never.  q: B 2001, C 2002, D 2003.
        "adoptions": pd.DataFrame({"policy": ["p", "p", "p", "q", "q", "q"],
                                   "unit": ["A", "B", "C", "B", "C", "D"],
                                   "time": [2001, 2002, 2004, 2001, 2002, 2003]}),
        "units": pd.DataFrame({"unit": UNITS, "region": ["N", "N", "S", "S", "N"],
                               "parent": [None, None, None, None, "A"],
                               "perf": [1.0, 2.0, 3.0, 4.0, 5.0]}),
        # gdp = 10 * (position + 1) + (year - 2000)
        "covariates": pd.DataFrame([(u, y, 10.0 * (k + 1) + (y - 2000))
                                    for k, u in enumerate(UNITS) for y in range(2000, 2006)],
                                   columns=["unit", "year", "gdp"]),
        "contiguity": pd.DataFrame({"a": ["A", "B", "C"], "b": ["B", "C", "D"]}),  # E isolate
        "visits": pd.DataFrame({"src": ["D", "D", "E"], "dst": ["A", "A", "B"],
                                "n": [2.0, 1.0, 3.0], "year": [2001, 2003, 2002]}),
        "events": pd.DataFrame({"event": ["directive", "directive"], "time": [2003, 2002],
                                "unit": [None, "D"], "value": [1.0, 5.0]}),
    }


def toy_study(frames: dict[str, pd.DataFrame] | None = None):
    f = frames or toy_frames()
    return load_study(
        f["adoptions"], units=f["units"], covariates=f["covariates"],
        relations={"contiguity": RelationSpec(f["contiguity"], source="a", target="b"),
                   "visits": RelationSpec(f["visits"], source="src", target="dst", weight="n",
                                          period="year", directed=True)},
        events=f["events"], end=2005)




def value(df: pl.DataFrame, col: str, unit: str, period: int, source: str | None = None,
          policy: str = "p"):
    f = df.filter((pl.col("policy") == policy) & (pl.col("unit") == unit)
                  & (pl.col("period") == period))
    if source is not None:
        f = f.filter(pl.col("source") == source)
    assert f.height == 1, (unit, period, source, f)
    return f.get_column(col).item()
