"""The one door to pyfixest: an optional dependency (``pip install policydiffusion[effects]``)."""

from __future__ import annotations

from policydiffusion.errors import MissingDependencyError, require

import contextlib
import warnings

__all__ = ["pyfixest", "MissingDependencyError", "quiet_fixest"]


def pyfixest():
    """The pyfixest module, or a clear error saying how to install it."""
    return require("pyfixest", feature="policydiffusion.effects (estimates with pyfixest)",
                   extra="effects")


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
