"""The one door to pyfixest: an optional dependency (``pip install policydiffusion[effects]``)."""

from __future__ import annotations

from policydiffusion.errors import PolicyDiffusionError

__all__ = ["pyfixest", "MissingDependencyError"]


class MissingDependencyError(PolicyDiffusionError, ImportError):
    """An optional dependency needed for this feature is not installed."""


def pyfixest():
    """The pyfixest module, or a clear error saying how to install it."""
    try:
        import pyfixest as pf
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "policydiffusion.effects estimates with pyfixest, which is not installed; "
            "install it with `pip install 'policydiffusion[effects]'` (or `pip install pyfixest`)."
        ) from exc
    return pf
