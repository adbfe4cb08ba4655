"""Command-line interface: ``policydiffusion <command>``.

Each subcommand lives in its own module in this package and registers itself on
:data:`app`; this module imports them all, so adding a command means adding a file.
Errors of our own hierarchy become one clear line on stderr and exit status 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings
from typing import Sequence

from policydiffusion._spelling import spelled_as
from policydiffusion.cli._app import app
from policydiffusion.errors import (DeprecatedSpellingWarning, PolicyDiffusionError,
                                    PolicyDiffusionWarning)

__all__ = ["app", "main", "run"]

# Order in which commands are listed by --help: the flow of an analysis.
_ORDER = ["demo", "run", "datasets", "validate", "describe", "riskset", "fit", "netinf",
          "simulate", "power", "reinvention"]


def _register() -> None:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))
    for name in names:
        importlib.import_module(f"{__name__}.{name}")


_register()


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit status (0 on success).

    Usage errors print typer's one-line message and return 2; our own errors print
    ``error: ...`` and return 2; Ctrl-C prints ``interrupted`` and returns 130.

    Examples
    --------
    >>> run(["--help"])  # doctest: +SKIP
    0
    """
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            # Python hides DeprecationWarnings outside __main__; a CLI user must still
            # learn that a spelling is on its way out
            warnings.simplefilter("default", DeprecatedSpellingWarning)
            # our warnings are the command's output ('warning:' lines), not exceptions
            # that a host's filters (-W error, pytest's) turn them into
            warnings.simplefilter("default", PolicyDiffusionWarning)
            args = list(argv) if argv is not None else sys.argv[1:]
            # a hint names an option of the command that runs (a study file's data: its keys)
            with spelled_as("cli", **_command_options(args)):
                status = app(args=args, standalone_mode=False)
    except PolicyDiffusionError as exc:
        msg = str(exc).strip()
        first, _, rest = msg.partition("\n")
        print(f"error: {first}", file=sys.stderr)
        if rest:
            print(rest, file=sys.stderr)
        return 2
    except SystemExit as exc:  # typer's own exits (--help)
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:
        handled = _usage_error(exc)
        if handled is None:
            raise
        return handled
    # In non-standalone mode typer returns the code of a raised ``typer.Exit``
    # (130 for Ctrl-C); a command that finishes normally returns None.
    if not isinstance(status, int) or isinstance(status, bool):
        return 0
    return _interrupted() if status == 130 else status


def _command_options(args: list[str]) -> dict:
    """The command named in ``args`` and its options, for :func:`spelled_as`."""
    import typer

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in commands:
        return {}
    return {"command": command, "options": [o for p in commands[command].params
                                            for o in (*p.opts, *p.secondary_opts)]}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # a warning is about the user's data or options: its text, not the line of
    # typer (or of policydiffusion) that happened to issue it
    print(f"warning: {message}", file=sys.stderr)


def _interrupted() -> int:
    print("interrupted: nothing more was written", file=sys.stderr)
    return 130


def _usage_error(exc: BaseException) -> int | None:
    """Exit status for typer's usage errors and aborts, or None for anything else.

    typer >= 0.29 vendors click as ``typer._click`` and no longer installs
    ``click``, while older typer raises click's own classes. Both expose the same
    protocol (``show()`` and ``exit_code``; ``Abort`` by name), so we rely on that
    rather than importing either.
    """
    show = getattr(exc, "show", None)
    code = getattr(exc, "exit_code", None)
    if callable(show) and isinstance(code, int):
        show()
        return code
    if any(cls.__name__ == "Abort" for cls in type(exc).__mro__):
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, KeyboardInterrupt):
            return _interrupted()
        print("aborted", file=sys.stderr)
        return 1
    return None


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
