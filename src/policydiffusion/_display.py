"""Text that also renders as HTML in a notebook (Jupyter's ``_repr_html_``)."""

from __future__ import annotations

import functools
import html
from typing import Any, Callable

__all__ = ["TextSummary", "TableText", "with_html_table"]


class TextSummary(str):
    """A plain-text summary (it *is* the ``str``) that a notebook shows as preformatted HTML.

    Examples
    --------
    >>> s = TextSummary("Study: 2 units\\n  exclusions: none")
    >>> s == "Study: 2 units\\n  exclusions: none", print(s) is None
    Study: 2 units
      exclusions: none
    (True, True)
    >>> s._repr_html_()
    '<pre>Study: 2 units\\n  exclusions: none</pre>'
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


class TableText(str):
    """A table as text in the format asked for, rendered by a notebook in its HTML form.

    Examples
    --------
    >>> t = TableText("| a |", lambda: "<table><tr><td>a</td></tr></table>")
    >>> t, t._repr_html_()
    ('| a |', '<table><tr><td>a</td></tr></table>')
    """

    __slots__ = ("_html",)
    _html: Callable[[], str]

    def __new__(cls, text: str, html_text: Callable[[], str]) -> "TableText":
        obj = super().__new__(cls, text)
        obj._html = html_text
        return obj

    def _repr_html_(self) -> str:
        return self._html()


def with_html_table(table: Callable[..., str]) -> Callable[..., str]:
    """Make a table function's text render as its ``fmt="html"`` form in notebooks.

    Examples
    --------
    >>> @with_html_table
    ... def table(rows, *, fmt="markdown"):
    ...     return f"<b>{rows}</b>" if fmt == "html" else f"**{rows}**"
    >>> t = table(3)
    >>> print(t), t._repr_html_()
    **3**
    (None, '<b>3</b>')
    """

    @functools.wraps(table)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        text = table(*args, **kwargs)
        if kwargs.get("fmt", "markdown") == "html":
            return TableText(text, lambda: text)
        return TableText(text, lambda: table(*args, **{**kwargs, "fmt": "html"}))

    return wrapper
