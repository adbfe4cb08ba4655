"""The diffusion terms a study file may name, with their options.

The list comes from :mod:`policydiffusion.terms` itself (each builder in its
``BUILDERS`` and the options of its signature), so a study file accepts exactly what
the Python API accepts; every term also takes ``name``, the column's name (the
builder's ``.alias``). Should that module be missing, a built-in list is used.
"""

from __future__ import annotations

import inspect
from functools import lru_cache

__all__ = ["known_terms"]

# Used only when policydiffusion.terms cannot be imported.
_FALLBACK: dict[str, tuple[str, ...]] = {
    "neighbors_adopted": ("relation", "kind", "weighted", "lag", "name"),
    "region_share": ("column", "lag", "name"),
    "national_share": ("lag", "name"),
    "leaders_adopted": ("leaders", "k", "by_region", "region", "lag", "name"),
    "event_in_force": ("event", "lag", "name"),
    "parent_adopted": ("lag", "name"),
    "exposure": ("relation", "attribute", "lag", "name"),
    "covariate": ("column", "lag", "name"),
    "relation_count": ("relation", "window", "name"),
    "source_time_since_adoption": ("name",),
    "attribute_difference": ("attribute", "kind", "lag", "name"),
    "same_group": ("column", "name"),
    "contiguous": ("relation", "lag", "name"),
    "duration": ("name",),
    "duration_poly": ("degree", "scale", "name"),
    "duration_spline": ("knots", "name"),
    "period_dummies": ("drop_first", "name"),
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
    builders = getattr(T, "BUILDERS", None) or {
        n: getattr(T, n) for n in getattr(T, "__all__", ()) if inspect.isfunction(getattr(T, n))}
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for name, fn in builders.items():
        params = inspect.signature(fn).parameters.values()
        out[name] = tuple(p.name for p in params if p.kind in kinds) + ("name",)
    return out or dict(_FALLBACK)
