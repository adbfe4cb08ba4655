"""Write china_gap.csv: the shipped China example's conditional dyadic risk set (the
columns of model 'visits', the dyad units, the performance-gap split at 10 and the
same-agglomeration split).

Run from the repository root: PYTHONPATH=src python3 tests/interpret/golden/make_china_gap.py
"""
from pathlib import Path

from policydiffusion.datasets import load_dataset
from policydiffusion.pipeline.risksets import build_terms
from policydiffusion.riskset import dyadic_riskset
from policydiffusion.studyfile import example_path, load_study_file

sf = load_study_file(example_path("china_mobile_gov"))
data = dyadic_riskset(load_dataset("china_mobile_gov"), "mobile_gov", conditional=True,
                      terms=build_terms(sf, sf.risksets[0].terms)).data.to_pandas()
data["large"] = (data["perf_gap"] >= 10).astype(int)
cols = ["unit", "source", "period", "adopt", "visits", "perf_gap", "duration", "large",
        "same_agglomeration"]
data[cols].to_csv(Path(__file__).with_name("china_gap.csv"), index=False)
