"""The one door to pyfixest: an optional dependency (``pip install policydiffusion[effects]``)."""

from __future__ import annotations

from policydiffusion.errors import PolicyDiffusionError

import contextlib
import warnings

__all__ = ["pyfixest", "MissingDependencyError", "quiet_fixest"]


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


@contextlib.contextmanager
def quiet_fixest():
    """Silence pyfixest's own deprecation noise (pandas 3 APIs it still uses) and its
    collinearity notice, which callers turn into our own error naming the term."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings("ignore", message=r"[\s\S]*dropped due to multicollinearity")
        warnings.filterwarnings("ignore", message=r"The SaturatedEventStudyClass is currently in beta")
        yield
