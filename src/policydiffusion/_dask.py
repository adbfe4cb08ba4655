"""The Dask client and a progress counter, shared by the risk-set builders and the fits.

Needs the ``dask`` extra: ``pip install "policydiffusion[dask]"``; nothing here
imports Dask until it is called.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from policydiffusion.errors import InvalidOptionError, require

__all__ = ["dask_client", "report_progress"]


def dask_client(scheduler: str | None = None):
    """The Dask client to use: ``scheduler``'s, else the current one, else a new
    LocalCluster's. The current client is reused when it is connected to
    ``scheduler`` (a study file's builds and fits would each open one otherwise).

    Raises
    ------
    InvalidOptionError
        When the scheduler cannot be reached (3 s); without Dask installed, its
        subclass :class:`~policydiffusion.errors.MissingDependencyError`.

    Examples
    --------
    >>> dask_client("tcp://127.0.0.1:9")  # doctest: +SKIP
    Traceback (most recent call last):
    InvalidOptionError: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9': ...
    """
    distributed = require("distributed", feature="engine='dask'", extra="dask",
                          package="dask[distributed]")
    Client, get_client = distributed.Client, distributed.get_client
    if scheduler is not None:
        try:
            current = get_client()
        except ValueError:
            current = None
        if current is not None and current.scheduler.address == scheduler:
            return current
        try:
            return Client(scheduler, timeout="3s")
        except (OSError, TimeoutError) as exc:
            raise InvalidOptionError(
                f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from exc
    try:
        return get_client()
    except ValueError:
        from distributed import LocalCluster

        return Client(LocalCluster(processes=False))


def report_progress(futures: Sequence[Any], what: str, *, enabled: bool) -> None:
    """Wait for ``futures``, printing ``what: k/n partitions`` to stderr as they finish.

    A plain counter rewritten on one line (no tqdm), ending with a newline at n/n.

    Examples
    --------
    >>> report_progress([], "pass 1", enabled=False)
    """
    if not enabled:
        return
    from distributed import as_completed

    n = len(futures)
    print(f"{what}: 0/{n} partitions", end="\r" if n else "\n", file=sys.stderr, flush=True)
    for done, _ in enumerate(as_completed(futures), start=1):
        print(f"{what}: {done}/{n} partitions", end="\r" if done < n else "\n",
              file=sys.stderr, flush=True)
