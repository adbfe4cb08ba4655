"""How an option is spelled where a message is read: Python keyword, CLI option or
study-file key.

A loading problem is found deep in the study loader, which does not know whether a
Python caller, the command line or a study file asked for the load; a hint such as
"pass --encoding gb18030" is only true on the command line. :func:`option_hint` spells
an option for the context the load runs in, which the front ends set with
:func:`spelled_as` (the CLI for its commands, the pipeline for a study file's data); Python
is the default. An option the running command does not have is named as the
study-file key, the route a command-line user has to it.

Examples
--------
>>> option_hint("encoding", "gb18030")
"encoding='gb18030'"
>>> with spelled_as("cli", command="validate", options=["--encoding"]):
...     option_hint("encoding", "gb18030"), option_hint("years")
('--encoding gb18030', "years = [FIRST, LAST] in a study file's [data] (`policydiffusion validate` has no --years)")
>>> with spelled_as("study file"):
...     option_hint("encoding", "gb18030")
'encoding = "gb18030"'
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Iterable, Iterator, NamedTuple

__all__ = ["SPELLINGS", "CONTEXTS", "option_hint", "spelled_as"]

CONTEXTS = ("python", "cli", "study file")


class _Spelling(NamedTuple):
    """Placeholders for an option given without a value, per context; ``cli`` is None
    where no command has such an option."""

    python: str
    cli: str | None
    study: str


#: every loading option a hint may name, with its placeholder value in each context
SPELLINGS: dict[str, _Spelling] = {
    "encoding": _Spelling("...", "...", '"..."'),
    "date_format": _Spelling("'%d/%m/%Y'", "'%d/%m/%Y'", '"%d/%m/%Y"'),
    "years": _Spelling("(FIRST, LAST)", None, "[FIRST, LAST]"),
    "missing_values": _Spelling("[...]", None, "[...]"),
    "never": _Spelling("[...]", None, "[...]"),
}

class _Context(NamedTuple):
    kind: str
    command: str | None = None  # the CLI command running, and its options
    options: frozenset[str] | None = None


_CONTEXT: contextvars.ContextVar[_Context] = contextvars.ContextVar(
    "spelling", default=_Context("python"))


@contextlib.contextmanager
def spelled_as(context: str, *, command: str | None = None,
               options: Iterable[str] | None = None) -> Iterator[None]:
    """Spell option hints for ``context`` (``"python"``, ``"cli"`` or ``"study file"``)
    inside the block; on the command line, ``options`` are those of the running
    ``command`` (default: every option is taken to exist).

    Examples
    --------
    >>> with spelled_as("cli"):
    ...     option_hint("date_format", "%Y%m%d")
    "--date-format '%Y%m%d'"
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}; got {context!r}")
    token = _CONTEXT.set(_Context(context, command,
                                  None if options is None else frozenset(options)))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def option_hint(name: str, value: str | None = None) -> str:
    """The option ``name`` (set to ``value``, a text, if given) as the current context
    spells it.

    Examples
    --------
    >>> option_hint("missing_values")
    'missing_values=[...]'
    >>> with spelled_as("study file"):
    ...     option_hint("years")
    'years = [FIRST, LAST]'
    """
    spelling = SPELLINGS[name]
    context = _CONTEXT.get()
    key = f"{name} = " + (spelling.study if value is None else f'"{value}"')
    if context.kind == "study file":
        return key
    if context.kind == "cli":
        flag = f"--{name.replace('_', '-')}"
        if spelling.cli is None or (context.options is not None and flag not in context.options):
            where = f"`policydiffusion {context.command}`" if context.command else "the command line"
            return f"{key} in a study file's [data] ({where} has no {flag})"
        shown = spelling.cli if value is None else (f"'{value}'" if "%" in value or " " in value
                                                   else value)
        return f"{flag} {shown}"
    return f"{name}=" + (spelling.python if value is None else repr(value))
