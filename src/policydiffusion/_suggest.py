"""The one "did you mean" of the package: the closest known name to a misspelt one."""

from __future__ import annotations

import difflib
from typing import Iterable

__all__ = ["did_you_mean"]

_STYLES = {
    "paren": " (did you mean {!r}?)",  # inside a list of problems
    "clause": "; did you mean {!r}?",  # after a clause of the same sentence
    "sentence": " Did you mean {!r}?",  # a sentence of its own
}


def did_you_mean(value: object, known: Iterable[object], *, style: str = "paren") -> str:
    """A hint naming the known value closest to ``value``, or ``""`` if none is close.

    Closeness is difflib's ratio of at least 0.6; values are compared as text.
    ``style`` is ``"paren"`` (`` (did you mean 'x'?)``), ``"clause"``
    (``; did you mean 'x'?``) or ``"sentence"`` (`` Did you mean 'x'?``).

    Examples
    --------
    >>> did_you_mean("datset", ["dataset", "units"])
    " (did you mean 'dataset'?)"
    >>> did_you_mean("stat", ["state"], style="clause"), did_you_mean("zzz", ["state"])
    ("; did you mean 'state'?", '')
    """
    if style not in _STYLES:
        raise ValueError(f"style must be one of {', '.join(_STYLES)}; got {style!r}.")
    match = difflib.get_close_matches(str(value), [str(k) for k in known], n=1, cutoff=0.6)
    return _STYLES[style].format(match[0]) if match else ""
