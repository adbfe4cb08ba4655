"""Sampled non-event dyads (King & Zeng 2001): every event kept, non-events thinned.

Directed-dyad risk sets are mostly non-events. Keeping every event and a random
share ``fraction`` of the non-events, stratified by policy and period, loses little
information about the slopes (King & Zeng 2001) and cuts the rows by about
``1/fraction``. Within each (policy, period) stratum the non-events are put in a
seeded random order and kept by systematic sampling with a random start: each
non-event is kept with probability exactly ``fraction`` and every stratum keeps
``floor`` or ``ceil`` of ``fraction`` times its non-events. Fit the sample with the
prior correction (``rare_events={"tau": population_share}``) or with
``weights="sample_weight"`` (1 for events, ``1/fraction`` for non-events) and a robust
variance.
"""

from __future__ import annotations

import math
from typing import Sequence

import polars as pl

from policydiffusion.errors import InvalidOptionError

__all__ = ["sample_nonevents", "check_sampling"]

WEIGHT = "sample_weight"


def check_sampling(fraction: float | None, seed: int | None) -> None:
    """Validate ``sample_nonevents`` and its seed (a sampled build needs both)."""
    if fraction is None:
        return
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not (
            0 < fraction <= 1) or math.isnan(fraction):
        raise InvalidOptionError(
            f"sample_nonevents must be a share in (0, 1]; got {fraction!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidOptionError(
            "sample_nonevents needs seed=<int> so the sample can be drawn again; "
            f"got seed={seed!r}.")


def sample_nonevents(rows: pl.LazyFrame, fraction: float, *, seed: int,
                     outcome: str = "adopt", strata: Sequence[str] = ("policy", "period"),
                     keys: Sequence[str] = ("policy", "unit", "source", "period")
                     ) -> pl.LazyFrame:
    """Every row with ``outcome == 1`` and a stratified share ``fraction`` of the others,
    with a ``sample_weight`` column (1 for events, ``1 / fraction`` for non-events).

    The random order comes from a seeded hash of each row's ``keys``, so the sample
    does not depend on row order or on how policies are batched (for a given polars
    version).

    Examples
    --------
    >>> import polars as pl
    >>> rows = pl.LazyFrame({"policy": ["p"] * 200, "unit": [str(i) for i in range(200)],
    ...                      "source": ["s"] * 200, "period": [1] * 200,
    ...                      "adopt": [1] * 5 + [0] * 195})
    >>> out = sample_nonevents(rows, 0.1, seed=3).collect()
    >>> int(out["adopt"].sum()), out.height in (24, 25), out["sample_weight"].max()
    (5, True, 10.0)
    """
    check_sampling(fraction, seed)
    y = pl.col(outcome)
    order = pl.struct(list(keys)).hash(seed=seed)
    start = (pl.struct(list(strata)).hash(seed=seed + 1) % (1 << 52)).cast(pl.Float64) / (
        1 << 52)
    rank = order.rank("ordinal").over([*strata, outcome]).cast(pl.Float64) - 1
    # systematic sampling with a random start: position r is kept when an integer
    # falls in (r f + start, (r + 1) f + start], which has probability f
    kept = ((rank + 1) * fraction + start).floor() > (rank * fraction + start).floor()
    return (rows.filter((y == 1) | kept)
            .with_columns(pl.when(y == 1).then(1.0).otherwise(1.0 / fraction).alias(WEIGHT)))
