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

Ranking the non-events of a stratum holds a whole policy batch in memory (2.1 GB for
the conditional dyads of 2,000 counties). ``method="bernoulli"`` streams instead: each
non-event is kept when a seeded hash of its keys, read as a number in [0, 1), is below
``fraction``, so it too is kept with probability exactly ``fraction``, independently
of the others, but a stratum keeps a binomial number of its non-events rather than
``floor`` or ``ceil`` of ``fraction`` times them. The two methods draw different
dyads from the same seed.
"""

from __future__ import annotations

import math
from typing import Sequence

import polars as pl

from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["sample_nonevents", "check_sampling", "METHODS"]

WEIGHT = "sample_weight"
METHODS = ("systematic", "bernoulli")


def check_sampling(fraction: float | None, seed: int | None,
                   method: str = "systematic") -> None:
    """Validate ``sample_nonevents``, its seed (a sampled build needs both) and method."""
    check_choice("sample_method", method, METHODS)
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
                     method: str = "systematic", outcome: str = "adopt",
                     strata: Sequence[str] = ("policy", "period"),
                     keys: Sequence[str] = ("policy", "unit", "source", "period")
                     ) -> pl.LazyFrame:
    """Every row with ``outcome == 1`` and a stratified share ``fraction`` of the others,
    with a ``sample_weight`` column (1 for events, ``1 / fraction`` for non-events).

    The random order (``method="systematic"``) or draw (``"bernoulli"``, streamed)
    comes from a seeded hash of each row's ``keys``, so the sample does not depend on
    row order or on how policies are batched (for a given polars version).

    Examples
    --------
    >>> import polars as pl
    >>> rows = pl.LazyFrame({"policy": ["p"] * 200, "unit": [str(i) for i in range(200)],
    ...                      "source": ["s"] * 200, "period": [1] * 200,
    ...                      "adopt": [1] * 5 + [0] * 195})
    >>> out = sample_nonevents(rows, 0.1, seed=3).collect()
    >>> int(out["adopt"].sum()), out.height in (24, 25), out["sample_weight"].max()
    (5, True, 10.0)
    >>> int(sample_nonevents(rows, 0.1, seed=3, method="bernoulli").collect()["adopt"].sum())
    5
    """
    check_sampling(fraction, seed, method)
    y = pl.col(outcome)
    if method == "bernoulli":  # row by row: nothing is held but the morsel streamed
        kept = _uniform(pl.struct(list(keys)), seed) < fraction
    else:
        order = pl.struct(list(keys)).hash(seed=seed)
        start = _uniform(pl.struct(list(strata)), seed + 1)
        rank = order.rank("ordinal").over([*strata, outcome]).cast(pl.Float64) - 1
        # systematic sampling with a random start: position r is kept when an integer
        # falls in (r f + start, (r + 1) f + start], which has probability f
        kept = ((rank + 1) * fraction + start).floor() > (rank * fraction + start).floor()
    return (rows.filter((y == 1) | kept)
            .with_columns(pl.when(y == 1).then(1.0).otherwise(1.0 / fraction).alias(WEIGHT)))


def _uniform(values: pl.Expr, seed: int) -> pl.Expr:
    """A seeded hash of ``values`` as a number in [0, 1) (52 bits: exact in a float)."""
    return (values.hash(seed=seed) % (1 << 52)).cast(pl.Float64) / (1 << 52)
