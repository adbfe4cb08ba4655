"""The diffusion terms a study file may name, with their options.

The list comes from :mod:`policydiffusion.terms` itself (each builder in its
``BUILDERS`` and the options of its signature), so a study file accepts exactly what
the Python API accepts; every term also takes ``name``, the column's name (the
builder's ``.alias``).
"""

from __future__ import annotations

import inspect
from functools import lru_cache

__all__ = ["known_terms"]


@lru_cache(maxsize=1)
def known_terms() -> dict[str, tuple[str, ...]]:
    """Term builder names mapped to the option names each accepts.

    Examples
    --------
    >>> "neighbors_adopted" in known_terms()
    True
    """
    from policydiffusion.terms import BUILDERS

    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return {name: tuple(p.name for p in inspect.signature(fn).parameters.values()
                        if p.kind in kinds)
            for name, fn in BUILDERS.items()}
