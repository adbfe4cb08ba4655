"""Risk sets built on Dask: the local rows, exclusions and fits (LocalCluster)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.datasets import spid_study
from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.riskset import DaskRiskSet, dyadic_riskset, monadic_riskset

distributed = pytest.importorskip("distributed")

POLICIES = ["aborparc", "aborparn", "absvot"]
DYAD_KEYS = ["policy", "unit", "period", "source"]


@pytest.fixture(scope="module")
def study():
    return spid_study(policies=POLICIES)


def _rows(drs: DaskRiskSet, keys) -> pl.DataFrame:
    return drs.to_riskset().data.sort(keys)


def test_monadic_on_dask_equals_the_local_build(study, client, tmp_path):
    # lagged terms read periods before each block: blocks of 4 periods cut through them
    terms = [T.neighbors_adopted(), T.national_share(), T.duration_spline()]
    local = monadic_riskset(study, policies=POLICIES, terms=terms)
    drs = monadic_riskset(study, policies=POLICIES, terms=terms, engine="dask",
                          partition_periods=4, output=tmp_path / "mono")
    assert isinstance(drs, DaskRiskSet) and drs.folder == tmp_path / "mono"
    assert len(drs.partitions) > 3 * 5 and drs.n_rows() == local.n_rows()
    assert _rows(drs, ["policy", "unit", "period"]).equals(local.data)
    assert drs.exclusions.equals(local.exclusions) and drs.columns == local.columns
    assert (tmp_path / "mono" / "riskset_meta.json").exists()


@pytest.mark.parametrize("conditional", [True, False])
def test_dyadic_on_dask_equals_the_local_build_in_files_and_in_memory(study, client, tmp_path,
                                                                       conditional):
    terms = [T.neighbors_adopted(), T.contiguous(), T.national_share()]
    kw = dict(policies=POLICIES, terms=terms, conditional=conditional)
    local = dyadic_riskset(study, **kw)
    files = dyadic_riskset(study, **kw, engine="dask", partition_periods=7,
                           output=tmp_path / "dyads")
    memory = dyadic_riskset(study, **kw, engine="dask", partition_periods=5)
    assert memory.folder is None and memory.frame.npartitions == len(memory.partitions)
    for drs in (files, memory):
        assert _rows(drs, DYAD_KEYS).equals(local.data)
        assert drs.exclusions.equals(local.exclusions)
    # a first adopter has no row in the conditional design: counted, as locally
    assert (not local.exclusions.empty) == conditional
    text = str(files.summary())
    assert f"partitions: {len(files.partitions)} in Parquet folder" in text
    assert str(local.summary()).split("exclusions")[1] == text.split("exclusions")[1]


def test_rows_in_worker_memory_keep_the_local_types_with_nulls(study, client, tmp_path):
    # a source that has not adopted yet has no time since adoption: an Int32 with nulls,
    # which numpy-backed pandas partitions turned into float64
    kw = dict(policies=POLICIES[:2], conditional=False,
              terms=[T.source_time_since_adoption(), T.contiguous()])
    local = dyadic_riskset(study, **kw)
    assert local.data["source_time_since_adoption"].null_count() > 0
    memory = dyadic_riskset(study, **kw, engine="dask", partition_periods=8)
    files = dyadic_riskset(study, **kw, engine="dask", partition_periods=8,
                           output=tmp_path / "dyads")
    for drs in (memory, files):
        assert drs.to_riskset().data.schema == local.data.schema
        assert _rows(drs, DYAD_KEYS).equals(local.data)
    part = next(iter(memory.partition_frames()))
    assert str(part["source_time_since_adoption"].dtype) == "int32[pyarrow]"
    assert memory.frame.dtypes.equals(part.dtypes)
    formula = "adopt ~ source_time_since_adoption + contiguous + policy"
    a, b = fit_hazard(local, formula), fit_hazard(memory, formula, engine="dask")
    assert a.nobs == b.nobs < local.n_rows()  # rows with a null are left out alike
    np.testing.assert_allclose(b.params, a.params, rtol=1e-10)
    np.testing.assert_allclose(b.std_errors, a.std_errors, rtol=1e-10)


def test_dask_and_local_folders_are_written_alike_and_a_failed_rewrite_leaves_no_meta(
        study, client, tmp_path):
    import json

    kw = dict(policies=POLICIES[:2], terms=[T.contiguous()])
    # sort=False: a Dask dyadic build does not sort (the options must say so alike)
    local = dyadic_riskset(study, **kw, sort=False).sink_parquet_dataset(tmp_path / "local")
    drs = dyadic_riskset(study, **kw, engine="dask", partition_periods=9,
                         output=tmp_path / "dask")
    a, b = (json.loads((f / "riskset_meta.json").read_text()) for f in (local, drs.folder))
    assert b["options"].pop("engine") == "dask" and b["options"].pop("partition_periods") == 9
    a["options"].pop("engine", None)
    assert a == b

    def fail(done, total):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        dyadic_riskset(study, **kw).sink_parquet_dataset(drs.folder, policies_per_file=1,
                                                          progress=fail)
    # the earlier write's parts are gone: its metadata must not describe what is left
    assert sorted(p.name for p in drs.folder.iterdir()) == ["part-00000.parquet"]


def test_the_schema_is_resolved_once_per_build(study, client, monkeypatch, tmp_path):
    from policydiffusion.riskset import _dask

    calls = []
    real = _dask._schema
    monkeypatch.setattr(_dask, "_schema", lambda rs: calls.append(1) or real(rs))
    for output in (None, tmp_path / "mono"):  # resolving a long lazy plan is not free
        calls.clear()
        drs = monadic_riskset(study, policy="absvot", engine="dask", output=output)
        assert len(calls) == 1 and drs.columns == monadic_riskset(study,
                                                                  policy="absvot").columns


def test_sampled_dyads_on_dask_are_the_local_sample(study, client):
    kw = dict(policies=POLICIES, sample_nonevents=0.2, seed=11)
    local = dyadic_riskset(study, **kw)
    drs = dyadic_riskset(study, **kw, engine="dask", partition_periods=3)
    assert _rows(drs, DYAD_KEYS).equals(local.data)


@pytest.mark.parametrize("where", ["files", "memory"])
def test_fit_of_a_dask_risk_set_equals_the_local_fit(study, client, tmp_path, where):
    terms = [T.neighbors_adopted(), T.national_share(), T.contiguous()]
    kw = dict(policies=POLICIES, terms=terms)
    local_rs = dyadic_riskset(study, **kw)
    drs = dyadic_riskset(study, **kw, engine="dask", partition_periods=6,
                         output=tmp_path / "fit" if where == "files" else None)
    formula = "adopt ~ neighbors_adopted_l1 + national_share_l1 + contiguous + policy"
    local = fit_hazard(local_rs, formula)
    dask = fit_hazard(drs, formula, engine="dask", chunk_rows=4000)
    assert dask.nobs == local.nobs
    np.testing.assert_allclose(dask.params, local.params, rtol=1e-10, atol=1e-12)
    assert dask.loglik == pytest.approx(local.loglik, rel=1e-12)
    for spec in ["classical", {"cluster": "unit"}, {"cluster": ["unit", "period"]},
                 {"dyadic": ["unit", "source"]}]:
        a, b = dask.with_vcov(spec), local.with_vcov(spec)
        np.testing.assert_allclose(a.cov.to_numpy(), b.cov.to_numpy(), rtol=1e-10,
                                   atol=1e-14, err_msg=str(spec))
        assert a.n_clusters == b.n_clusters
    assert dask.provenance["riskset"]["options"]["engine"] == "dask"
    # the local engine reads a Dask-built risk set too (from the folder or the workers)
    np.testing.assert_allclose(fit_hazard(drs, formula).params, local.params, rtol=1e-10)


def test_progress_counts_every_partition_of_the_build_and_of_each_pass(study, client,
                                                                       capsys):
    drs = monadic_riskset(study, policies=POLICIES, engine="dask", partition_periods=10,
                          progress=True)
    n = len(drs.partitions)
    fit_hazard(drs, "adopt ~ duration", engine="dask", progress=True)
    err = capsys.readouterr().err
    assert f"building risk set: {n}/{n} partitions\n" in err
    assert f"pass 1: {n}/{n} partitions\n" in err
    monadic_riskset(study, policies=POLICIES, engine="dask")  # off by default in Python
    assert "partitions" not in capsys.readouterr().err


def test_bad_dask_options_are_clear_errors(study):
    with pytest.raises(InvalidOptionError, match="engine"):
        monadic_riskset(study, policy="aborparc", engine="spark")
    with pytest.raises(InvalidOptionError, match="output only applies with engine='dask'"):
        dyadic_riskset(study, policy="aborparc", output="x")
    with pytest.raises(InvalidOptionError, match="progress only applies with engine='dask'"):
        monadic_riskset(study, policy="aborparc", progress=True)
    with pytest.raises(InvalidOptionError, match="partition_periods"):
        dyadic_riskset(study, policy="aborparc", engine="dask", partition_periods=0)
    with pytest.raises(InvalidOptionError, match="cannot reach the Dask scheduler"):
        monadic_riskset(study, policy="aborparc", engine="dask", scheduler="tcp://127.0.0.1:9")


def test_riskset_command_builds_on_dask_into_a_folder(client, tmp_path, capsys):
    from policydiffusion.cli import run

    args = ["riskset", "dyadic", "--dataset", "spid", "--policy", "aborparc", "--policy",
            "absvot", "--term", "contiguous"]
    assert run([*args, "-o", str(tmp_path / "local")]) == 0
    local = capsys.readouterr().out
    assert run([*args, "--engine", "dask", "--partition-periods", "5",
                "-o", str(tmp_path / "dask")]) == 0
    text = capsys.readouterr().out
    assert text.replace(str(tmp_path / "dask"), "X") == local.replace(str(tmp_path / "local"), "X")
    back = pl.scan_parquet(tmp_path / "dask" / "*.parquet").collect().sort(DYAD_KEYS)
    assert back.equals(pl.scan_parquet(tmp_path / "local" / "*.parquet").collect()
                       .sort(DYAD_KEYS))
    assert len(list((tmp_path / "dask").glob("part-*.parquet"))) > 2
    assert run([*args, "--engine", "dask"]) == 2
    assert "give --output FOLDER" in capsys.readouterr().err


def test_dated_relation_windows_cross_partition_boundaries_as_locally(client):
    import pandas as pd

    from policydiffusion.study import RelationSpec, load_study

    rng = np.random.default_rng(14)
    units = [f"u{i:02d}" for i in range(12)]
    adoptions = pd.DataFrame({"policy": "p", "unit": units[:8],
                              "time": rng.integers(2001, 2012, 8)})
    visits = pd.DataFrame({"source": rng.choice(units, 150), "target": rng.choice(units, 150),
                           "year": rng.integers(2000, 2012, 150)})
    visits = visits[visits.source != visits.target].drop_duplicates()
    study = load_study(adoptions, units=pd.DataFrame({"unit": units}), start=2000, end=2012,
                       relations={"visits": RelationSpec(visits, period="year",
                                                         directed=True)})
    terms = [T.relation_count("visits", window=3),
             T.relation_count("visits", window="cumulative"), T.national_share(lag=2)]
    local = dyadic_riskset(study, policy="p", conditional=False, terms=terms)
    drs = dyadic_riskset(study, policy="p", conditional=False, terms=terms, engine="dask",
                         partition_periods=2)
    assert len(drs.partitions) >= 5
    assert _rows(drs, DYAD_KEYS).equals(local.data)
    assert local.data["visits_count_w3"].sum() > 0
