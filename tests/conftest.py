import pytest
import matplotlib

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def client():
    """A 2-worker Dask LocalCluster (threads) for the tests of the Dask engine."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
