"""The Dask engine: the local engine's numbers for every variance kind (LocalCluster)."""

from __future__ import annotations

import numpy as np
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard

distributed = pytest.importorskip("distributed")

KINDS = ["classical", "hc0", "hc1", {"cluster": "state"}, {"cluster-regress": "state"},
         {"cluster": ["state", "year"]}, {"cluster-regress": ["state", "year"]},
         {"dyadic": ["state", "region"]}]


@pytest.mark.parametrize("link", ["logit", "cloglog"])
def test_dask_fit_equals_the_local_engine_for_every_variance(panel, client, link):
    kw = dict(link=link, weights="w", chunk_rows=700)   # 5 partitions, missing rows in some
    local = fit_hazard(panel, "adopt ~ x1 * d + x2 + region", **kw)
    dask = fit_hazard(panel, "adopt ~ x1 * d + x2 + region", engine="dask", **kw)
    assert dask.nobs == local.nobs and dask.n_dropped_missing == local.n_dropped_missing == 25
    np.testing.assert_allclose(dask.params, local.params, rtol=1e-10, atol=1e-12)
    assert dask.loglik == pytest.approx(local.loglik, rel=1e-12)
    for spec in KINDS:
        a, b = dask.with_vcov(spec), local.with_vcov(spec)
        np.testing.assert_allclose(a.cov.to_numpy(), b.cov.to_numpy(), rtol=1e-10,
                                   atol=1e-14, err_msg=str(spec))
        assert a.n_clusters == b.n_clusters and a.vcov_label == b.vcov_label


def test_unreachable_scheduler_is_a_clear_error(panel):
    with pytest.raises(InvalidOptionError, match="cannot reach the Dask scheduler"):
        fit_hazard(panel, "adopt ~ x1", engine="dask", scheduler="tcp://127.0.0.1:9")


def test_the_engine_settings_are_sent_to_the_workers_once_per_fit(panel, client, monkeypatch):
    sent = []
    scatter = client.scatter

    def counting(data, *args, **kwargs):
        sent.append(type(data).__name__)
        return scatter(data, *args, **kwargs)

    monkeypatch.setattr(client, "scatter", counting)
    res = fit_hazard(panel, "adopt ~ x1 + x2", engine="dask", chunk_rows=700)
    assert res.n_iter >= 3 and sent.count("_PartEngine") == 1


def test_a_worker_lost_mid_fit_is_retried_without_changing_the_result(panel, tmp_path):
    from policydiffusion.estimate import _dask as engine

    for i in range(5):  # Parquet files: a lost partition is read again from its file
        panel.iloc[i * 600:(i + 1) * 600].to_parquet(tmp_path / f"part-{i}.parquet")
    kw = dict(vcov={"cluster": "state"}, weights="w", chunk_rows=400)
    local = fit_hazard(tmp_path, "adopt ~ x1 * d + x2", **kw)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    lost = []
    run_pass = engine.DaskEngine.run_pass

    def losing_a_worker(self, *args, **kwargs):
        st = run_pass(self, *args, **kwargs)
        if not lost:  # after the first pass, one worker goes away with its partitions
            name, worker = next(iter(cluster.workers.items()))
            lost.append(len(worker.data))
            cluster.sync(worker.close)
        return st

    try:
        with distributed.Client(cluster):
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(engine.DaskEngine, "run_pass", losing_a_worker)
                dask = fit_hazard(tmp_path, "adopt ~ x1 * d + x2", engine="dask", **kw)
            assert len(cluster.scheduler.workers) == 1
    finally:
        cluster.close()
    assert lost and lost[0] > 0  # the lost worker held data the later passes needed
    np.testing.assert_allclose(dask.params, local.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dask.cov.to_numpy(), local.cov.to_numpy(), rtol=1e-10,
                               atol=1e-14)


def test_the_client_reads_only_a_sample_of_parquet_data(panel, client, tmp_path, monkeypatch):
    import threading

    from policydiffusion.estimate._data import DataSource

    for i in range(3):
        panel.iloc[i * 1000:(i + 1) * 1000].to_parquet(tmp_path / f"part-{i}.parquet")
    local = fit_hazard(tmp_path, "adopt ~ x1 + region", vcov={"cluster": "state"})
    on_client = []
    chunks = DataSource.chunks

    def counting(self, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            on_client.append(kwargs.get("chunk_rows"))
        return chunks(self, *args, **kwargs)

    monkeypatch.setattr(DataSource, "chunks", counting)
    dask = fit_hazard(tmp_path, "adopt ~ x1 + region", engine="dask",
                      vcov={"cluster": "state"})
    two_way = dask.with_vcov({"cluster": ["state", "year"]})
    # the levels of the outcome, region and the clusters are collected by the workers
    assert on_client == [5000]  # only the first rows, to fix the design
    np.testing.assert_allclose(dask.cov.to_numpy(), local.cov.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(two_way.cov.to_numpy(),
                               local.with_vcov({"cluster": ["state", "year"]}).cov.to_numpy(),
                               rtol=1e-10)


def test_one_parquet_file_is_read_in_runs_of_row_groups(panel, client, tmp_path):
    import polars as pl

    from policydiffusion.estimate._dask import _row_group_parts

    path = tmp_path / "one.parquet"
    pl.from_pandas(panel).write_parquet(path, row_group_size=500)  # 6 row groups
    parts = _row_group_parts([str(path)], 1000)  # three tasks, not one: the workers share it
    assert [p.groups for p in parts] == [(0, 1), (2, 3), (4, 5)]
    kw = dict(vcov={"cluster": ["state", "year"]}, weights="w", chunk_rows=1000)
    local = fit_hazard(path, "adopt ~ x1 * d + x2", **kw)
    dask = fit_hazard(path, "adopt ~ x1 * d + x2", engine="dask", **kw)
    assert dask.nobs == local.nobs
    np.testing.assert_allclose(dask.params, local.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dask.cov.to_numpy(), local.cov.to_numpy(), rtol=1e-10,
                               atol=1e-14)
