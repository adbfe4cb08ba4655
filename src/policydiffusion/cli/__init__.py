"""Command-line interface: ``policydiffusion <command>``.

Each subcommand lives in its own module in this package and registers itself on
:data:`app`; this module imports them all, so adding a command means adding a file.
Errors of our own hierarchy become one clear line on stderr and exit status 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Sequence

from policydiffusion.cli._app import app
from policydiffusion.errors import PolicyDiffusionError

__all__ = ["app", "main", "run"]

# Order in which commands are listed by --help: the flow of an analysis.
_ORDER = ["demo", "run", "datasets", "validate", "describe", "riskset", "fit", "netinf",
          "simulate", "power"]


def _register() -> None:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))
    for name in names:
        importlib.import_module(f"{__name__}.{name}")


_register()


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit status (0 on success).

    Examples
    --------
    >>> run(["--help"])  # doctest: +SKIP
    0
    """
    try:
        app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except PolicyDiffusionError as exc:
        msg = str(exc).strip()
        first, _, rest = msg.partition("\n")
        print(f"error: {first}", file=sys.stderr)
        if rest:
            print(rest, file=sys.stderr)
        return 2
    except SystemExit as exc:  # typer's own exits (--help, usage errors)
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors in non-standalone mode
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
