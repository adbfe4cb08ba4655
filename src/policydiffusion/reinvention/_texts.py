"""Texts attached to adoptions: read, validate, and count what is left out.

A text belongs to one adoption, keyed by ``(policy, unit)``. Texts come as a folder
laid out ``POLICY/UNIT.txt`` (or ``.md``) or as a table (CSV, Parquet, Excel, or a
DataFrame) with ``policy``, ``unit`` and ``text`` columns; files must be UTF-8.

Problems that mean the input is wrong raise :class:`~policydiffusion.errors.StudyDataError`
naming every file or row: a binary or non-UTF-8 file, a unit or policy that the
adoptions do not know. A text that cannot be used is left out and counted with its
reason (empty text; a text for a unit that never adopted that policy).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from policydiffusion.errors import ExclusionWarning, Problem, StudyDataError
from policydiffusion.reinvention._truncation import truncation
from policydiffusion.reinvention._tokens import detect_language
from policydiffusion.study._read import TableLike, read_table, require_columns
from policydiffusion.study._study import Exclusion

__all__ = ["PolicyTexts", "read_texts", "read_adoptions"]

_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class PolicyTexts:
    """Validated texts: one row per adoption with a text.

    ``table`` has ``policy``, ``unit``, ``text``, ``source`` (file or row), ``language``,
    ``truncated`` and ``truncation`` (why it looks cut off); and, when adoptions were
    given, ``time`` (decimal year) and ``date`` (as given). ``exclusions`` counts the
    texts left out, by reason; ``missing`` the adoptions that have no text.
    """

    table: pd.DataFrame
    exclusions: tuple[Exclusion, ...] = ()
    missing: int = 0

    def tidy(self) -> pd.DataFrame:
        """The table without the texts themselves (their length instead)."""
        out = self.table.drop(columns="text")
        out.insert(2, "n_chars", self.table["text"].str.len())
        return out

    def summary(self) -> str:
        """A few lines: texts per policy, truncated texts, exclusions."""
        lines = [f"{len(self.table)} texts for {self.table['policy'].nunique()} policies"]
        for p, g in self.table.groupby("policy", sort=True):
            lines.append(f"  {p}: {len(g)} texts, {int(g['truncated'].sum())} truncated")
        lines += [f"  left out: {e.count} ({e.reason})" for e in self.exclusions]
        if self.missing:
            lines.append(f"  adoptions without a text: {self.missing}")
        return "\n".join(lines)


def read_adoptions(source: TableLike, *, policy_col: str = "policy", unit_col: str = "unit",
                   time_col: str | None = None) -> pd.DataFrame:
    """Adoptions as ``policy, unit, date, time`` (time = decimal year, for ordering and drift).

    ``time_col`` defaults to the first of ``date``, ``year``, ``time`` that exists. A
    cell that is neither a year nor a date is reported with its row.

    Examples
    --------
    >>> import pandas as pd
    >>> read_adoptions(pd.DataFrame({"policy": ["p"], "unit": ["NY"], "date": ["2020-07-02"]}))
      policy unit        date    time
    0      p   NY  2020-07-02  2020.5
    """
    table = read_table(source, argument="adoptions")
    cols = table.frame.columns
    if time_col is None:
        time_col = next((c for c in ("date", "year", "time") if c in cols), "date")
    require_columns(table, {"policy": policy_col, "unit": unit_col, "time": time_col})
    f = table.frame
    problems, times = [], []
    for pos, value in enumerate(f[time_col].tolist()):
        t = _decimal_year(value)
        if t is None:
            problems.append(Problem(table.label, table.row_of(pos), time_col, value,
                                    "not a year or a date (use 2019 or 2019-07-01)"))
        times.append(t)
    if problems:
        raise StudyDataError(problems)
    return pd.DataFrame({"policy": f[policy_col].astype(str), "unit": f[unit_col].astype(str),
                         "date": f[time_col].astype(str), "time": times})


def _decimal_year(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value == value else None  # a period number; NaN is missing
    s = str(value).strip()
    if s.isdigit() and len(s) == 4:
        return float(s)
    try:
        d = pd.Timestamp(s)
    except (ValueError, TypeError):
        return None
    if pd.isna(d):
        return None
    days = 366 if d.is_leap_year else 365
    return d.year + (d.day_of_year - 1) / days


def read_texts(source: str | Path | pd.DataFrame, *, adoptions: TableLike | None = None,
               policy_col: str = "policy", unit_col: str = "unit", text_col: str = "text",
               time_col: str | None = None) -> PolicyTexts:
    """Read and validate texts keyed by ``(policy, unit)``.

    ``source`` is a folder (``POLICY/UNIT.txt`` or ``.md``) or a table with policy,
    unit and text columns. With ``adoptions`` (see :func:`read_adoptions`) every text
    is checked against them and gets the adoption's date.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
    ...                       "text": ["A person may stand.", "  "]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     pt = read_texts(texts)
    >>> len(pt.table), pt.exclusions[0].reason, pt.exclusions[0].count
    (1, 'empty text', 1)
    """
    rows, problems, left_out = _read_source(source, policy_col, unit_col, text_col)
    if problems:
        raise StudyDataError(problems)
    table = pd.DataFrame(rows, columns=["policy", "unit", "text", "source"])
    missing = 0
    if adoptions is not None:
        adopt = read_adoptions(adoptions, time_col=time_col)
        table, missing = _match_adoptions(table, adopt, left_out)
    table["language"] = [detect_language(t) for t in table["text"]]
    why = [truncation(t, language=lang) for t, lang in zip(table["text"], table["language"])]
    table["truncated"] = [w is not None for w in why]
    table["truncation"] = why
    exclusions = tuple(Exclusion("texts", reason, len(keys), tuple(keys[:5]))
                       for reason, keys in left_out.items())
    if exclusions:
        warnings.warn("texts left out: " + "; ".join(f"{e.count} ({e.reason})" for e in exclusions),
                      ExclusionWarning, stacklevel=2)
    dup = table.duplicated(["policy", "unit"], keep=False)
    if dup.any():
        raise StudyDataError([Problem(s, None, None, f"{p}/{u}", "a second text for this adoption")
                              for p, u, s in table.loc[dup, ["policy", "unit", "source"]]
                              .itertuples(index=False)])
    return PolicyTexts(table.reset_index(drop=True), exclusions, missing)


def _read_source(source, policy_col, unit_col, text_col):
    rows, problems, left_out = [], [], {}
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        for path in sorted(Path(source).glob("*/*")):
            key = f"{path.parent.name}/{path.stem}"
            if path.suffix.lower() not in _SUFFIXES:
                left_out.setdefault(f"not a .txt or .md file ({path.suffix or 'no suffix'})",
                                    []).append(key)
                continue
            raw = path.read_bytes()
            text, hint = _decode(raw)
            if hint:
                problems.append(Problem(str(path), None, None, None, hint))
            elif not text.strip():
                left_out.setdefault("empty text", []).append(key)
            else:
                rows.append((path.parent.name, path.stem, _clean(text), str(path)))
        if not rows and not problems and not left_out:
            problems.append(Problem(str(source), None, None, None,
                                    "no POLICY/UNIT.txt or .md files in this folder"))
        return rows, problems, left_out
    table = read_table(source, argument="texts")
    require_columns(table, {"policy": policy_col, "unit": unit_col, "text": text_col})
    f = table.frame
    for pos, (p, u, t) in enumerate(zip(f[policy_col], f[unit_col], f[text_col])):
        where = f"{table.label} row {table.row_of(pos)}"
        if not isinstance(t, str) or not t.strip():
            left_out.setdefault("empty text", []).append(f"{p}/{u}")
        elif "\x00" in t:
            problems.append(Problem(table.label, table.row_of(pos), text_col, None,
                                    "binary content (NUL bytes), not text"))
        else:
            rows.append((str(p), str(u), _clean(t), where))
    return rows, problems, left_out


def _decode(raw: bytes) -> tuple[str, str | None]:
    if b"\x00" in raw:
        return "", "binary file (NUL bytes), not a text file"
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", f"not UTF-8 (byte {exc.start}); save the file as UTF-8"


def _clean(text: str) -> str:
    """Drop Markdown comments (LawRefBook's ``<!-- INFO END -->``) and unify line ends."""
    return re.sub(r"<!--.*?-->", "", text.replace("\r\n", "\n"), flags=re.S).strip()


def _match_adoptions(table: pd.DataFrame, adopt: pd.DataFrame, left_out: dict):
    problems = []
    units, policies = set(adopt["unit"]), set(adopt["policy"])
    for p, u, s in table[["policy", "unit", "source"]].itertuples(index=False):
        if u not in units:
            problems.append(Problem(s, None, "unit", u, "unit not in the adoptions"))
        if p not in policies:
            problems.append(Problem(s, None, "policy", p, "policy not in the adoptions"))
    if problems:
        raise StudyDataError(problems)
    merged = table.merge(adopt, on=["policy", "unit"], how="left", indicator=True)
    orphan = merged["_merge"] == "left_only"
    if orphan.any():
        left_out.setdefault("no adoption of this policy by this unit", []).extend(
            (merged.loc[orphan, "policy"] + "/" + merged.loc[orphan, "unit"]).tolist())
    have = set(zip(table["policy"], table["unit"]))
    missing = sum((p, u) not in have for p, u in zip(adopt["policy"], adopt["unit"]))
    out = merged.loc[~orphan].drop(columns="_merge").sort_values(["policy", "time", "unit"])
    return out, missing
