"""The diffusion terms a study file may name, with their options.

The list comes from :mod:`policydiffusion.terms` itself (each public builder and
the keyword options of its signature), so a study file accepts exactly what the
Python API accepts. Should that module be missing, a built-in list is used.
"""

from __future__ import annotations

import inspect
from functools import lru_cache

__all__ = ["known_terms"]

# Used only when policydiffusion.terms cannot be imported.
_FALLBACK: dict[str, tuple[str, ...]] = {
    "neighbors_adopted": ("relation", "kind", "lag", "name"),
    "region_share": ("column", "lag", "name"),
    "national_share": ("lag", "name"),
    "leaders_adopted": ("leaders", "lag", "name"),
    "event_in_force": ("event", "lag", "name"),
    "parent_adopted": ("lag", "name"),
    "exposure": ("relation", "attribute", "lag", "name"),
    "covariate": ("name", "lag"),
    "relation_count": ("relation", "window", "lag", "name"),
    "attribute_difference": ("attr", "kind", "name"),
    "same_group": ("column", "name"),
    "contiguous": ("relation", "name"),
    "duration_poly": ("degree", "scale", "name"),
    "duration_spline": ("knots", "name"),
    "period_dummies": ("name",),
}


@lru_cache(maxsize=1)
def known_terms() -> dict[str, tuple[str, ...]]:
    """Term builder names mapped to the option names each accepts.

    Examples
    --------
    >>> "neighbors_adopted" in known_terms()
    True
    """
    try:
        from policydiffusion import terms as T
    except ImportError:
        return dict(_FALLBACK)
    out: dict[str, tuple[str, ...]] = {}
    names = getattr(T, "__all__", [n for n in dir(T) if not n.startswith("_")])
    for name in names:
        fn = getattr(T, name, None)
        if not inspect.isfunction(fn):
            continue
        params = inspect.signature(fn).parameters.values()
        kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        out[name] = tuple(p.name for p in params if p.kind in kinds)
    return out or dict(_FALLBACK)
