"""Warnings that point at the user's line, not ours."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

_PKG_DIR = str(Path(__file__).resolve().parent)


def warn(message: str | Warning, category: type[Warning] | None = None) -> None:
    """Issue ``message`` with a stacklevel that skips policydiffusion's own frames.

    ``message`` may be a warning instance (with its ``fields``); ``category`` is then
    not needed.
    """
    level, frame = 1, sys._getframe()
    while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
        level, frame = level + 1, frame.f_back
    if isinstance(message, Warning):
        warnings.warn(message, stacklevel=level)
    else:
        warnings.warn(message, category or UserWarning, stacklevel=level)
