"""Line numbers of the keys and values in a TOML text.

``tomllib`` parses TOML but forgets where each value was; error messages about a
study file must name the line. :func:`toml_positions` scans the raw text (which
``tomllib`` has already accepted, so it is valid TOML) and maps every path to the
1-based line where it is written. A path is a tuple of keys and, inside arrays,
0-based indices: ``("riskset", 1, "terms", 0, "relation")``.

Examples
--------
>>> text = 'title = "x"\\n[[model]]\\nname = "a"\\n[[model]]\\nname = "b"\\nterms = [\\n  {term = "t"},\\n]\\n'
>>> pos = toml_positions(text)
>>> pos[("model", 1, "name")], pos[("model", 1, "terms", 0, "term")]
(5, 7)
"""

from __future__ import annotations

__all__ = ["toml_positions"]

Path = tuple  # tuple[str | int, ...]

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.pos: dict[Path, int] = {}
        self.aot_count: dict[Path, int] = {}  # array-of-tables path -> number of elements

    # ------------------------------------------------------------ low level
    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.s):
                if self.s[self.i] == "\n":
                    self.line += 1
                self.i += 1

    def skip_ws(self, newlines: bool = False) -> None:
        while True:
            c = self.peek()
            if c in (" ", "\t", "\r") or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                while self.peek() not in ("\n", ""):
                    self.advance()
            else:
                return

    def string(self) -> str:
        """Read a basic, literal or multi-line string starting at the cursor."""
        q = self.peek()
        triple = self.s.startswith(q * 3, self.i)
        if triple:
            self.advance(3)
            start = self.i
            while not self.s.startswith(q * 3, self.i) or self.s.startswith(q * 4, self.i):
                if q == '"' and self.peek() == "\\":
                    self.advance()
                self.advance()
                if self.i >= len(self.s):
                    break
            out = self.s[start:self.i]
            self.advance(3)
            return out
        self.advance()
        start = self.i
        while self.peek() not in (q, ""):
            if q == '"' and self.peek() == "\\":
                self.advance()
            self.advance()
        out = self.s[start:self.i]
        self.advance()
        return out

    def key(self) -> list[str]:
        """Read a (dotted) key."""
        parts: list[str] = []
        while True:
            self.skip_ws()
            c = self.peek()
            if c in ('"', "'"):
                parts.append(self.string())
            else:
                start = self.i
                while self.peek() in _BARE and self.peek():
                    self.advance()
                parts.append(self.s[start:self.i])
            self.skip_ws()
            if self.peek() == ".":
                self.advance()
                continue
            return parts

    # ------------------------------------------------------------ structure
    def resolve(self, keys: list[str]) -> Path:
        """Turn header keys into a path, stepping into the last element of arrays of tables."""
        path: Path = ()
        for k in keys:
            path = path + (k,)
            if path in self.aot_count:
                path = path + (self.aot_count[path] - 1,)
        return path

    def value(self, path: Path) -> None:
        self.skip_ws()
        self.pos.setdefault(path, self.line)
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.advance()
            idx = 0
            while True:
                self.skip_ws(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                if self.peek() == "":
                    return
                self.value(path + (idx,))
                idx += 1
                self.skip_ws(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif c == "{":
            self.advance()
            while True:
                self.skip_ws()
                if self.peek() == "}":
                    self.advance()
                    return
                if self.peek() == "":
                    return
                line = self.line
                keys = self.key()
                self.pos.setdefault(path + tuple(keys), line)
                self.skip_ws()
                if self.peek() == "=":
                    self.advance()
                self.value(path + tuple(keys))
                self.skip_ws()
                if self.peek() == ",":
                    self.advance()
        else:  # number, boolean, date: up to a delimiter
            while self.peek() not in (",", "]", "}", "\n", "#", ""):
                self.advance()

    def run(self) -> dict[Path, int]:
        table: Path = ()
        while self.i < len(self.s):
            self.skip_ws(newlines=True)
            c = self.peek()
            if c == "":
                break
            line = self.line
            if c == "[":
                aot = self.s.startswith("[[", self.i)
                self.advance(2 if aot else 1)
                keys = self.key()
                self.advance(2 if aot else 1)
                if aot:
                    parent = self.resolve(keys[:-1])
                    base = parent + (keys[-1],)
                    self.pos.setdefault(base, line)
                    n = self.aot_count.get(base, 0)
                    self.aot_count[base] = n + 1
                    table = base + (n,)
                else:
                    table = self.resolve(keys)
                self.pos.setdefault(table, line)
                continue
            keys = self.key()
            full = table + tuple(keys)
            self.pos.setdefault(full, line)
            self.skip_ws()
            if self.peek() == "=":
                self.advance()
            self.value(full)
        return self.pos


def toml_positions(text: str) -> dict[tuple, int]:
    """Map each key path of a valid TOML document to its 1-based line number.

    Tables, arrays of tables, inline tables, arrays and dotted keys are handled;
    the parents of dotted keys get the line where they first appear.

    Parameters
    ----------
    text
        The TOML source, already accepted by ``tomllib``.

    Returns
    -------
    dict
        ``{path: line}``; a path is a tuple of keys and array indices.

    Examples
    --------
    >>> toml_positions('[data]\\ndataset = "spid"\\n')[("data", "dataset")]
    2
    """
    pos = _Scanner(text).run()
    # parents of dotted keys: the first line where any child appears
    for path, line in list(pos.items()):
        for k in range(1, len(path)):
            parent = path[:k]
            if parent not in pos or pos[parent] > line:
                pos[parent] = line
    return pos
