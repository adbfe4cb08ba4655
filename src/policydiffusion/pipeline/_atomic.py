"""Write a run's output folder all at once: a locked temporary folder renamed on success.

A run killed half-way, or two runs writing to one folder, would otherwise leave a
complete-looking folder that mixes two runs (an old report beside new tables). Here
the files are written into a temporary sibling folder; only when everything is
written does it replace the output folder, and a lock file keeps a second run out.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from policydiffusion.errors import InvalidOptionError

__all__ = ["output_folder", "RUN_MARKER"]

#: the file every finished run writes last; a folder holding it may be replaced
RUN_MARKER = "run.json"


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _take_lock(out: Path) -> Path:
    lock = _lock_path(out)
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid):
                raise InvalidOptionError(
                    f"another run (process {pid}) is writing to {out}; wait for it to finish, "
                    f"or choose another --out folder (lock file: {lock}).") from None
            lock.unlink(missing_ok=True)  # left by a run that was killed
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        return lock
    raise InvalidOptionError(f"could not lock {out} (lock file: {lock}).")


def _check_replaceable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InvalidOptionError(f"--out {out} is a file; give a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / RUN_MARKER).exists():
        raise InvalidOptionError(
            f"--out {out} holds files that are not a policydiffusion run (no {RUN_MARKER}); "
            "a run replaces its whole output folder, so choose a new or empty folder.")


@contextmanager
def output_folder(out: str | Path) -> Iterator[Path]:
    """Lock ``out`` and yield a temporary folder beside it; on success it becomes ``out``.

    The previous contents of ``out`` (an earlier run, recognised by its ``run.json``)
    are replaced as a whole; a folder with other files is refused before any work.
    If the body raises (or is interrupted), ``out`` is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with output_folder(root / "out") as tmp:
    ...     _ = (tmp / "run.json").write_text("{}")
    >>> sorted(p.name for p in root.iterdir())
    ['out']
    """
    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _check_replaceable(out)
    lock = _take_lock(out)
    tmp = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        yield tmp
        _check_replaceable(out)  # nothing else wrote there meanwhile
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        lock.unlink(missing_ok=True)
