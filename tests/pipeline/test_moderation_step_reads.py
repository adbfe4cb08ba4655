"""The study file's moderation step reads the sample only through marginal_effect_across:
the moderator's observed values (the figure's rug) come from its pass, not a read of their own."""

from types import SimpleNamespace
from unittest import mock

import numpy as np
import pandas as pd

from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import _margins
from policydiffusion.pipeline.interpret import moderation_step


def test_the_step_reads_the_sample_twice_and_keeps_every_moderator_value(monkeypatch):
    from policydiffusion.estimate._data import DataSource

    rng = np.random.default_rng(3)
    n = 400
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.integers(0, 40, n) / 4.0})
    eta = -1.0 + 0.5 * df.x + 0.2 * df.x * df.z
    df["adopt"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    df.loc[[5, 77, 300], "z"] = np.nan  # rows outside the estimation sample
    res = fit_hazard(df, "adopt ~ x * z")
    spec = SimpleNamespace(model="m", variable="x", moderator="z", scale="link", points=5)
    fitted = SimpleNamespace(spec=SimpleNamespace(name="m"), result=res, key="m",
                             built=SimpleNamespace(riskset=SimpleNamespace(data=df)))
    state = SimpleNamespace(sf=SimpleNamespace(moderation=[spec], where=lambda key: "study.toml"),
                            models=[fitted])
    monkeypatch.setattr(_margins, "CHUNK_ROWS", 150)  # values counted over three chunks
    with mock.patch.object(DataSource, "chunks", autospec=True,
                           side_effect=DataSource.chunks) as reads:
        (out,) = moderation_step(state)
    # one pass for the moderator's range, one for the effects; none for the rug
    assert reads.call_count == 2
    assert out.observed == tuple(sorted(df["z"].dropna().tolist()))  # every row's value
    assert len(out.observed) == n - 3
    assert out.frame["value"].tolist() == np.linspace(0.0, 9.75, 5).tolist()


def test_the_value_counts_merge_across_many_chunks():
    from policydiffusion.interpret._moderation import _Seen

    rng = np.random.default_rng(1)
    m = rng.integers(0, 30, 2000) / 3.0
    seen = _Seen()
    for a in range(0, m.size, 50):  # 40 chunks: merged every 17
        seen.add(np.zeros(50), m[a:a + 50])
    values, counts = seen.value_counts()
    assert np.repeat(values, counts).tolist() == sorted(m.tolist())
