"""Write henan_civilized.csv: the monadic risk set of Henan's prefectures for the
文明行为促进条例 (monthly), with ``after`` = 1 from the province's adoption (2020-07).

    PYTHONPATH=src python3 tests/modes/golden/make_hazard_data.py && Rscript tests/modes/golden/hazard_break.R
"""

from pathlib import Path

import polars as pl

from policydiffusion.datasets.china_levels import china_regulations_study
from policydiffusion.riskset import monadic_riskset

HERE = Path(__file__).parent


def main() -> None:
    study = china_regulations_study(policies=["civilized_behavior"])
    rs = monadic_riskset(study, policy="civilized_behavior", level="prefecture",
                         unit_attributes=["parent"])
    C = study.adoptions.filter(pl.col("unit") == "410000").get_column("period").item()
    rows = (rs.data.filter(pl.col("parent") == "410000")
            .select("unit", "period", "adopt", (pl.col("period") >= C).cast(pl.Int8).alias("after")))
    rows.write_csv(HERE / "henan_civilized.csv")
    print(rows.height, "rows;", rows.get_column("adopt").sum(), "events; break at period", C)


if __name__ == "__main__":
    main()
