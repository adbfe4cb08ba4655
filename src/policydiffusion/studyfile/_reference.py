"""The field-by-field reference of the study file, as Markdown, from the schema itself.

``docs/study-file.md`` embeds this text between two markers; a test checks it is
current. Regenerate it with ``python -m policydiffusion.studyfile._reference``.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from policydiffusion.studyfile import _schema as S
from policydiffusion.studyfile._terms import known_terms

__all__ = ["field_reference", "BEGIN", "END"]

BEGIN = "<!-- BEGIN FIELD REFERENCE (generated: python -m policydiffusion.studyfile._reference) -->"
END = "<!-- END FIELD REFERENCE -->"


def _default(fld: dataclasses.Field) -> str:
    if fld.metadata.get("required"):
        return "**required**"
    if fld.default is not dataclasses.MISSING and fld.default is not None:
        d = fld.default
        if isinstance(d, tuple):
            return "`[" + ", ".join(f'"{x}"' if isinstance(x, str) else str(x) for x in d) + "]`"
        if isinstance(d, bool):
            return f"`{str(d).lower()}`"
        return f'`"{d}"`' if isinstance(d, str) else f"`{d}`"
    return "not set" if fld.default_factory is dataclasses.MISSING else "empty"


def _table(cls: type, header: str, skip: tuple = ()) -> list[str]:
    what = (cls.__doc__ or "").strip().split(": ", 1)[-1]
    out = [f"### `{header}`", "", what[:1].upper() + what[1:], "",
           "| key | default | meaning |", "|---|---|---|"]
    for fld in dataclasses.fields(cls):
        if fld.name in skip:
            continue
        doc = fld.metadata["doc"]
        if fld.metadata.get("choices") and fld.metadata["kind"] != "strlist":
            doc += " One of: " + ", ".join(f"`{c}`" for c in fld.metadata["choices"]) + "."
        doc = doc.replace("|", "\\|")
        out.append(f"| `{fld.name}` | {_default(fld)} | {doc} |")
    return out + [""]


def field_reference() -> str:
    """Markdown tables of every table and key of a study file, and the term list.

    Examples
    --------
    >>> "| `formula` | **required** |" in field_reference()
    True
    """
    lines = [BEGIN, ""]
    for key, (cls, is_array) in S.TOP_LEVEL.items():
        lines += _table(cls, f"[[{key}]]" if is_array else f"[{key}]")
        if key == "data":
            lines += _table(S.RelationFile, "[data.relations.NAME]", skip=("name",))
    lines += ["### Terms", "",
              "Each entry of a risk set's `terms` is `{term = \"NAME\", option = value, ...}`. "
              "The names and options are those of the Python builders in "
              "`policydiffusion.terms` (see their docstrings for meanings and defaults):", "",
              "| term | options |", "|---|---|"]
    for name, opts in sorted(known_terms().items()):
        lines.append(f"| `{name}` | {', '.join(f'`{o}`' for o in opts) or '(none)'} |")
    lines += ["", END]
    return "\n".join(lines)


def _docs_path() -> Path:
    return Path(__file__).resolve().parents[3] / "docs" / "study-file.md"


def update_docs(path: Path | None = None) -> bool:
    """Rewrite the generated block of ``docs/study-file.md``; True when it changed."""
    path = path or _docs_path()
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = head + field_reference() + tail
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":  # pragma: no cover
    changed = update_docs()
    print("docs/study-file.md " + ("updated" if changed else "already current"))
    sys.exit(0)
