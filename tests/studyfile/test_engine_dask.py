"""``[engine] kind = "dask"`` builds the study file's risk sets on Dask too (as one task
per policy and block of periods) and fits them there: the numbers are the local ones."""

from __future__ import annotations

import numpy as np
import pytest

from policydiffusion.errors import StudyFileError
from policydiffusion.pipeline.models import fit_models
from policydiffusion.pipeline.outputs import results_dict
from policydiffusion.pipeline.preflight import check_models
from policydiffusion.pipeline.risksets import build_risksets
from policydiffusion.studyfile import parse_study_file

distributed = pytest.importorskip("distributed")

STUDY = '''[study]
title = "Engines"
[data]
dataset = "spid"
[policies]
focus = ["aborparc", "absvot"]
[[riskset]]
name = "single"
terms = [{term = "neighbors_adopted", kind = "count", name = "nbr"},
         {term = "national_share", name = "natl"}]
[[riskset]]
name = "pooled"
design = "pooled"
terms = [{term = "neighbors_adopted", name = "nbr"}]
[[riskset]]
name = "dyads"
design = "dyadic"
conditional = false
terms = [{term = "contiguous"}, {term = "source_time_since_adoption", name = "since"}]
[[model]]
name = "m1"
riskset = "single"
formula = "adopt ~ nbr + natl + duration"
vcov = {cluster = "unit"}
[[model]]
name = "m2"
riskset = "pooled"
formula = "adopt ~ nbr + policy"
[[model]]
name = "m3"
riskset = "dyads"
formula = "adopt ~ contiguous + since"
vcov = {dyadic = ["unit", "source"]}
'''


@pytest.fixture(scope="module")
def spid():
    from policydiffusion.datasets import spid_study

    return spid_study(policies=["aborparc", "absvot"])


def _run(text: str, study, file):
    sf = parse_study_file(text, file=file)
    check_models(study, sf)  # the preflight plans the risk sets locally, whatever the engine
    built = build_risksets(study, sf)
    fitted = fit_models(sf, built)
    return built, {m.key: m.result for m in fitted}, results_dict(_State(fitted))


class _State:  # what results_dict reads of a run's state
    def __init__(self, models):
        self.models = models


@pytest.mark.parametrize("output", [None, "dask_rows"])
def test_engine_table_builds_risk_sets_on_dask_with_the_local_numbers(client, spid, tmp_path,
                                                                      output):
    engine = (f'[engine]\nkind = "dask"\nscheduler = "{client.scheduler.address}"\n'
              'partition_periods = 6\n' + (f'output = "{output}"\n' if output else ''))
    file = tmp_path / "study.toml"
    local_built, local, local_json = _run(STUDY, spid, file)
    dask_built, dask, dask_json = _run(STUDY + engine, spid, file)
    # the risk sets were built as Dask partitions, not locally and then sent
    assert all(len(getattr(b, "dask", None).partitions) > 1 for b in dask_built)
    assert all(getattr(b, "dask", None) is None for b in local_built)
    assert [b.key for b in dask_built] == [b.key for b in local_built]
    for a, b in zip(local_built, dask_built):
        keys = ["policy", "unit", "period"] + (["source"] if a.spec.design == "dyadic" else [])
        assert b.riskset.data.sort(keys).equals(a.riskset.data.sort(keys))
        assert b.riskset.exclusions.equals(a.riskset.exclusions)
    if output:  # one folder per risk set (and policy), beside the study file
        assert (tmp_path / output / "dyads" / "absvot" / "riskset_meta.json").exists()
        assert dask_built[0].dask.folder == tmp_path / output / "single" / "aborparc"
    assert list(dask) == list(local) == ["m1@aborparc", "m1@absvot", "m2", "m3@aborparc",
                                         "m3@absvot"]
    for key, res in local.items():
        assert dask[key].nobs == res.nobs
        np.testing.assert_allclose(dask[key].params, res.params, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dask[key].std_errors, res.std_errors, rtol=1e-10)
        assert dask[key].provenance["riskset"]["options"]["engine"] == "dask"
        for a, b in zip(dask_json[key]["coefficients"], local_json[key]["coefficients"]):
            assert a["term"] == b["term"]
            np.testing.assert_allclose([a["estimate"], a["std_error"]],
                                       [b["estimate"], b["std_error"]], rtol=1e-10)


def test_dask_only_engine_keys_need_kind_dask():
    base = STUDY + '[engine]\n'
    for line in ('partition_periods = 5', 'output = "rows"'):
        key = line.split(" ")[0]
        with pytest.raises(StudyFileError, match=f"`{key}` applies to kind = \"dask\" only"):
            parse_study_file(base + line + "\n", file="s.toml")
    with pytest.raises(StudyFileError, match="engine.partition_periods': must be a whole "
                       "number at least 1; got 0"):
        parse_study_file(base + 'kind = "dask"\npartition_periods = 0\n', file="s.toml")
    sf = parse_study_file(base + 'kind = "dask"\npartition_periods = 5\noutput = "rows"\n')
    assert (sf.engine.partition_periods, sf.engine.output) == (5, "rows")


def test_the_current_client_of_the_scheduler_named_is_reused(client):
    from policydiffusion._dask import dask_client

    # a study file's risk sets and fits name the same scheduler: one connection, not one each
    assert dask_client(client.scheduler.address) is client


def test_the_preflight_only_plans_the_risk_sets(spid, monkeypatch, tmp_path):
    from policydiffusion.riskset import RiskSet

    def refuse(self):
        raise AssertionError("the preflight computed a risk set")

    monkeypatch.setattr(RiskSet, "collect", refuse)
    # with [engine] kind = "dask" it would otherwise build a whole risk set before any work
    check_models(spid, parse_study_file(STUDY, file=tmp_path / "study.toml"))


RUN = STUDY[:STUDY.index("[[riskset]]")] + '''[describe]
enabled = false
[[riskset]]
name = "single"
terms = [{term = "neighbors_adopted", name = "nbr"}, {term = "duration_spline", knots = 2}]
[[riskset]]
name = "dyads"
design = "dyadic"
conditional = false
terms = [{term = "contiguous"}]
[[model]]
name = "m1"
riskset = "single"
formula = "adopt ~ nbr * duration + duration_spline_1 + duration_spline_2"
[[model]]
name = "m3"
riskset = "dyads"
formula = "adopt ~ contiguous"
vcov = {dyadic = ["unit", "source"]}
[[moderation]]
model = "m1"
variable = "nbr"
moderator = "duration"
points = 3
[[simulation]]
model = "m1"
draws = 3
[report]
figures = ["curves"]
table_formats = ["csv"]
figure_formats = ["png"]
'''
# what only the engine explains: where the rows were built, and that a Dask build leaves
# dyadic rows unsorted within a partition (the default sorts rows built in memory)
ENGINE_OPTIONS = ("engine", "partition_periods", "sort")


@pytest.fixture(scope="module")
def runs(client, tmp_path_factory):
    """The same study file run locally, on Dask in worker memory and on Dask in a folder;
    for each: run.json, results.json and the risk sets gathered to this process."""
    import json

    from policydiffusion.pipeline import run_study
    from policydiffusion.riskset import DaskRiskSet

    tmp = tmp_path_factory.mktemp("engines")
    engine = f'[engine]\nkind = "dask"\nscheduler = "{client.scheduler.address}"\n' \
             'partition_periods = 6\n'
    out = {}
    for name, extra in [("local", ""), ("memory", engine), ("folder", engine + 'output = "rows"\n')]:
        (tmp / f"{name}.toml").write_text(RUN + extra)
        gathered = []
        with pytest.MonkeyPatch.context() as mp:
            real = DaskRiskSet.to_riskset
            mp.setattr(DaskRiskSet, "to_riskset",
                       lambda self: gathered.append(self.policies) or real(self))
            run_study(tmp / f"{name}.toml", tmp / f"out_{name}")
        out[name] = (*(json.loads((tmp / f"out_{name}" / f).read_text())
                       for f in ("run.json", "results.json")), gathered)
    return out


def _engine_free(riskset_prov: dict) -> dict:
    return {**riskset_prov, "options": {k: v for k, v in riskset_prov["options"].items()
                                        if k not in ENGINE_OPTIONS}}


@pytest.mark.parametrize("where", ["memory", "folder"])
def test_local_and_dask_runs_record_the_same_risk_set_provenance(runs, where):
    (local_run, local_res, _), (dask_run, dask_res, _) = runs["local"], runs[where]
    assert list(dask_run["risksets"]) == list(local_run["risksets"]) == [
        "single@aborparc", "single@absvot", "dyads@aborparc", "dyads@absvot"]
    for key, rs in local_run["risksets"].items():
        assert dask_run["risksets"][key]["options"]["engine"] == "dask"
        assert _engine_free(dask_run["risksets"][key]) == _engine_free(rs)
    assert list(dask_res) == list(local_res)
    # the run says which Dask ran it, as it says which polars did
    assert {"dask", "distributed"} <= set(dask_run["versions"])
    assert not {"dask", "distributed"} & set(local_run["versions"])
    for key, res in local_res.items():
        local, dask = dict(res["provenance"]), dict(dask_res[key]["provenance"])
        # the local fit records its risk set's build too (it was given the rows only),
        # with the knots a simulation from the fit evaluates its spline at
        assert ("knots" in local["riskset"]) == key.startswith("m1")
        assert _engine_free(dask.pop("riskset")) == _engine_free(local.pop("riskset"))
        # the description of the data names where Dask holds the rows; the rest is equal
        assert dask.pop("data").startswith(local.pop("data") + " (")
        assert dask == local


def test_a_dask_run_gathers_only_the_risk_sets_a_step_reads(runs):
    # the marginal effects read the rows of m1's risk sets; the counts, the methods text,
    # the fits and the simulations do not: the dyadic risk sets stay on the workers
    assert runs["memory"][2] == [("aborparc",), ("absvot",)]
    assert runs["local"][2] == []
    for where in ("memory", "folder"):
        assert runs[where][1]["m1@absvot"]["coefficients"][0]["term"] == "Intercept"
