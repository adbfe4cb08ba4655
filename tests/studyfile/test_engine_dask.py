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
