"""The one door to pyfixest: an optional dependency (``pip install policydiffusion[effects]``)."""

from __future__ import annotations

from policydiffusion.errors import MissingDependencyError, require

import contextlib
import logging
import warnings

__all__ = ["pyfixest", "MissingDependencyError", "quiet_fixest"]


def pyfixest():
    """The pyfixest module, or a clear error saying how to install it."""
    with _root_logger_kept():
        return require("pyfixest", feature="policydiffusion.effects (estimates with pyfixest)",
                       extra="effects")


@contextlib.contextmanager
def _root_logger_kept():
    """pyfixest runs ``logging.basicConfig(level=INFO)`` when its estimation modules are
    first imported (at the first fit), which would print every library's INFO records
    (fontTools' font subsetting in the report, for one) on the user's terminal: the
    root logger is put back as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@contextlib.contextmanager
def quiet_fixest():
    """Silence pyfixest's own deprecation noise (pandas 3 APIs it still uses) and its
    collinearity notice, which callers turn into our own error naming the term; keep
    the root logger as it was."""
    with warnings.catch_warnings(), _root_logger_kept():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings("ignore", message=r"[\s\S]*dropped due to multicollinearity")
        warnings.filterwarnings("ignore", message=r"The SaturatedEventStudyClass is currently in beta")
        yield
