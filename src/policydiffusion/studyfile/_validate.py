"""Read a study file (TOML), check every field, and build a :class:`StudyFile`.

Every problem found is reported at once, each naming the file, the line and the
field, with a "did you mean" for misspelt keys and choices.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import re
import tomllib
import warnings
from pathlib import Path
from typing import Any, Mapping

from policydiffusion._suggest import did_you_mean
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning, StudyFileError
from policydiffusion.studyfile import _schema as S
from policydiffusion.studyfile._positions import toml_positions
from policydiffusion.studyfile._terms import known_terms

__all__ = ["load_study_file", "parse_study_file", "describe_location"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


def _field_name(path: tuple) -> str:
    parts: list[str] = []
    for p in path:
        if isinstance(p, int):
            if parts and parts[-1] in ("riskset", "model", "moderation", "heterogeneity",
                                       "simulation"):
                continue  # arrays of tables: the line says which one
            parts[-1] = f"{parts[-1]}[{p + 1}]"
        else:
            parts.append(str(p))
    return ".".join(parts)


def _line_of(positions: Mapping[tuple, int], path: tuple) -> int | None:
    for k in range(len(path), 0, -1):
        if path[:k] in positions:
            return positions[path[:k]]
    return None


def describe_location(file: Path | str, positions: Mapping[tuple, int], path: tuple) -> str:
    """``"study.toml, line 12, field 'model.formula'"``: where a field is written.

    The line is that of the field, or of the nearest enclosing table when the field
    is missing (e.g. a required key).

    Examples
    --------
    >>> describe_location("s.toml", {("model",): 3, ("model", 0): 3}, ("model", 0, "formula"))
    "s.toml, line 3, field 'model.formula'"
    """
    line = _line_of(positions, path)
    where = str(file) + (f", line {line}" if line is not None else "")
    name = _field_name(path)
    return where + (f", field {name!r}" if name else "")


def _suggest(value: object, known: Any) -> str:
    return did_you_mean(value, known)


class _Checker:
    """Collects problems while converting the raw TOML dict into dataclasses."""

    def __init__(self, file: Path, positions: Mapping[tuple, int]) -> None:
        self.file = file
        self.positions = positions
        self._problems: list[tuple[int, int, str]] = []

    def bad(self, path: tuple, message: str) -> None:
        line = _line_of(self.positions, path) or 0
        where = describe_location(self.file, self.positions, path)
        self._problems.append((line, len(self._problems), f"{where}: {message}"))

    @property
    def problems(self) -> list[str]:
        """Problems in the order of their lines."""
        return [msg for *_, msg in sorted(self._problems)]

    # ------------------------------------------------------------ kinds
    def label(self, path: tuple, value: Any) -> dict | None:
        if isinstance(value, str):
            return {"en": value}
        if isinstance(value, dict):
            out = {}
            for lang, text in value.items():
                if lang not in S.LANGUAGES:
                    self.bad(path + (lang,), f"unknown language {lang!r}; use "
                             f"{' or '.join(S.LANGUAGES)}{_suggest(lang, S.LANGUAGES)}")
                elif not isinstance(text, str):
                    self.bad(path + (lang,), f"must be text; got {text!r}")
                else:
                    out[lang] = text
            return out
        self.bad(path, f"must be text or {{en = \"...\", zh = \"...\"}}; got {value!r}")
        return None

    def outside_folder(self, path: tuple, value: str, full: Path) -> None:
        """Warn when a data path leaves the study file's folder (``../``, absolute)."""
        folder = self.file.parent.resolve()
        if not full.resolve().is_relative_to(folder):
            warnings.warn(f"{describe_location(self.file, self.positions, path)}: {value!r} is "
                          f"outside the study file's folder ({folder}); it is read, and "
                          "run.json lists it with its checksum", PolicyDiffusionWarning,
                          stacklevel=2)

    def within(self, path: tuple, value: int, bounds: tuple) -> bool:
        lo, hi = bounds or (None, None)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            span = (f"from {lo} to {hi}" if lo is not None and hi is not None
                    else f"at least {lo}" if lo is not None else f"at most {hi}")
            self.bad(path, f"must be a whole number {span}; got {value!r}")
            return False
        return True

    def convert(self, path: tuple, kind: str, value: Any, choices: tuple,  # noqa: C901
                bounds: tuple = ()) -> Any:
        def need(ok: bool, what: str) -> bool:
            if not ok:
                self.bad(path, f"must be {what}; got {value!r}")
            return ok

        if kind in ("str", "name", "formula"):
            if not need(isinstance(value, str), "text"):
                return None
            if kind == "name" and not _NAME.match(value):
                self.bad(path, f"{value!r} is not a usable name: start with a letter, then "
                         "letters, digits, '_' or '-'")
            if kind == "formula" and "~" not in value:
                self.bad(path, f"{value!r} is not a formula; write `adopt ~ term1 + term2`")
            if choices and value not in choices:
                self.bad(path, f"must be one of {', '.join(map(repr, choices))}; got "
                         f"{value!r}{_suggest(value, choices)}")
            return value
        if kind == "int":
            if not need(isinstance(value, int) and not isinstance(value, bool), "a whole number"):
                return None
            return value if self.within(path, value, bounds) else None
        if kind == "years":
            ok = (isinstance(value, list) and len(value) == 2
                  and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                  and value[0] <= value[1])
            return tuple(value) if need(ok, "[FIRST, LAST] years, e.g. [1900, 2030]") else None
        if kind == "bool":
            return value if need(isinstance(value, bool), "true or false") else None
        if kind == "time":
            return value if need(isinstance(value, (int, str)) and not isinstance(value, bool),
                                 "a year (2017) or a date/period text ('2017-06')") else None
        if kind == "path":
            if not need(isinstance(value, str), "a file path (text)"):
                return None
            p = Path(value)
            full = p if p.is_absolute() else (self.file.parent / p)
            if not full.exists():
                self.bad(path, f"file {value!r} not found (looked for {full})")
            self.outside_folder(path, value, full)
            return full
        if kind == "strlist":
            if isinstance(value, str):
                value = [value]
            if not need(isinstance(value, list) and all(isinstance(v, str) for v in value),
                        "a list of texts"):
                return None
            for i, v in enumerate(value):
                if choices and v not in choices:
                    self.bad(path + (i,), f"{v!r} is not one of {', '.join(map(repr, choices))}"
                             f"{_suggest(v, choices)}")
            return tuple(value)
        if kind == "label":
            return self.label(path, value)
        if kind == "labels":
            if not need(isinstance(value, dict), "a table of names"):
                return None
            return {k: self.label(path + (k,), v) for k, v in value.items()}
        if kind == "options":
            return dict(value) if need(isinstance(value, dict), "a table") else None
        if kind == "int_or_auto":
            ok = value == "auto" or (isinstance(value, int) and not isinstance(value, bool)
                                     and value > 0)
            return value if need(ok, "a positive whole number or 'auto'") else None
        if kind == "split":
            ok = value in ("auto", "median") or (isinstance(value, (int, float))
                                                 and not isinstance(value, bool))
            return value if need(ok, "'auto', 'median' or a number") else None
        if kind == "bins":
            return self.bins(path, value)
        if kind == "vcov":
            return self.vcov(path, value)
        if kind == "terms":
            return self.terms(path, value)
        if kind == "relations":
            if not need(isinstance(value, dict), "tables [data.relations.NAME]"):
                return None
            out = []
            for name, spec in value.items():
                if not isinstance(spec, dict):
                    self.bad(path + (name,), "must be a table with at least `file = \"...\"`")
                    continue
                rel = self.section(S.RelationFile, path + (name,), {"name": name, **spec})
                if rel is not None:
                    out.append(rel)
            return tuple(out)
        raise AssertionError(kind)  # pragma: no cover - schema kinds are fixed

    def bins(self, path: tuple, value: Any) -> tuple | None:
        # effects' normalise_bins is the one judge of overlapping bins, so a study
        # file is refused here, before any work, for what event_study would refuse mid-run
        from policydiffusion.effects._design import normalise_bins

        def whole(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool)

        if not isinstance(value, list) or not value:
            self.bad(path, f"must be a list of event-time bins, e.g. [[0, 7], [8, 14]]; got {value!r}")
            return None
        out = []
        for i, b in enumerate(value):
            pair = [b, b] if whole(b) else b
            if not (isinstance(pair, list) and len(pair) == 2 and all(whole(v) for v in pair)):
                self.bad(path + (i,), f"must be [LO, HI] (whole numbers of periods) or one "
                         f"whole number; got {b!r}")
            elif pair[0] > pair[1]:
                self.bad(path + (i,), f"starts after it ends: [{pair[0]}, {pair[1]}]")
            else:
                out.append((pair[0], pair[1]))
        try:
            if out:
                normalise_bins(out)
        except InvalidOptionError as e:
            self.bad(path, str(e).rstrip("."))
            return None
        return tuple(out)

    def vcov(self, path: tuple, value: Any) -> Any:
        # VcovSpec.parse is the one judge of a variance option (Python, CLI and study file
        # accept and refuse the same specs); here its refusal becomes a problem at the line.
        from policydiffusion.estimate._vcov import VcovSpec

        try:
            spec = VcovSpec.parse(value)
        except InvalidOptionError as e:
            at = path + tuple(value) if isinstance(value, dict) and len(value) == 1 else path
            self.bad(at, str(e).rstrip("."))
            return None
        if not spec.columns:
            return spec.kind
        one = spec.kind != "dyadic" and len(spec.columns) == 1
        return {spec.kind: spec.columns[0] if one else list(spec.columns)}

    def terms(self, path: tuple, value: Any) -> tuple:
        if not isinstance(value, list):
            self.bad(path, "must be an array of inline tables, e.g. "
                     "[{term = \"national_share\"}, {term = \"duration_poly\", degree = 3}]")
            return ()
        known = known_terms()
        out = []
        for i, t in enumerate(value):
            p = path + (i,)
            if isinstance(t, str):
                t = {"term": t}
            if not isinstance(t, dict) or "term" not in t:
                self.bad(p, f"must be {{term = \"NAME\", ...}}; got {t!r}")
                continue
            name = t["term"]
            if name not in known:
                self.bad(p + ("term",), f"unknown term {name!r}{_suggest(name, known)}; known: "
                         f"{', '.join(sorted(known))}")
                continue
            params = {k: v for k, v in t.items() if k != "term"}
            for k in params:
                if k not in known[name]:
                    opts = ", ".join(known[name]) or "none"
                    self.bad(p + (k,), f"term {name!r} has no option {k!r}"
                             f"{_suggest(k, known[name])}; its options: {opts}")
            out.append(S.TermSpec(term=name, params=params, where=p))
        return tuple(out)

    # ------------------------------------------------------------ tables
    def section(self, cls: type, path: tuple, raw: Any) -> Any:
        if not isinstance(raw, dict):
            self.bad(path, f"must be a table; got {raw!r}")
            return None
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in raw:
            if key not in fields:
                self.bad(path + (key,), f"unknown key {key!r}{_suggest(key, fields)}; "
                         f"allowed: {', '.join(fields)}")
        kw: dict[str, Any] = {}
        for name, fld in fields.items():
            meta = fld.metadata
            if name not in raw:
                if meta.get("required"):
                    self.bad(path + (name,), f"missing required key {name!r}: {meta['doc']}")
                continue
            val = self.convert(path + (name,), meta["kind"], raw[name], meta.get("choices", ()),
                               meta.get("bounds", ()))
            if val is not None:
                kw[name] = val
        try:
            return cls(**kw)
        except TypeError:  # a required field missing: already reported
            return None


def _apply_overrides(raw: dict, overrides: Mapping[str, Any]) -> dict:
    raw = copy.deepcopy(raw)
    for dotted, value in overrides.items():
        keys: list[Any] = [int(k) if k.isdigit() else k for k in dotted.split(".")]
        node: Any = raw
        for k in keys[:-1]:
            if isinstance(k, int):
                node = node[k]
            else:
                node = node.setdefault(k, {})
        node[keys[-1]] = value
    return raw


def parse_study_file(text: str, *, file: Path | str = "<study>",
                     overrides: Mapping[str, Any] | None = None) -> S.StudyFile:
    """Validate study-file text and build a :class:`~policydiffusion.studyfile.StudyFile`.

    Parameters
    ----------
    text
        The TOML text.
    file
        Where it came from: used in messages and to resolve relative paths.
    overrides
        Dotted keys replacing values before validation, e.g.
        ``{"policies.focus": ["aborparc"], "model.0.link": "probit"}``.

    Raises
    ------
    StudyFileError
        Listing every problem with file, line and field.

    Examples
    --------
    >>> sf = parse_study_file('''
    ... [study]
    ... title = "Lotteries"
    ... [data]
    ... dataset = "spid"
    ... [policies]
    ... focus = ["lottery"]
    ... [[riskset]]
    ... name = "main"
    ... terms = [{term = "neighbors_adopted"}]
    ... [[model]]
    ... name = "m1"
    ... formula = "adopt ~ neighbors_adopted"
    ... ''')
    >>> sf.models[0].riskset, sf.models[0].link, sf.models[0].vcov
    ('main', 'logit', {'cluster': 'unit'})
    >>> parse_study_file('[study]\\ntitle = "x"\\n[data]\\ndatset = "spid"\\n')
    Traceback (most recent call last):
    ...
    policydiffusion.errors.StudyFileError: 2 problems in <study>:
      <study>, line 3, field 'data': give either `dataset = "spid"` (a shipped study) or ...
      <study>, line 4, field 'data.datset': unknown key 'datset' (did you mean 'dataset'?); ...
    """
    file = Path(file)
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{file}: not valid TOML: {exc}{_toml_hint(text, str(exc))}") from None
    positions = toml_positions(text)
    if overrides:
        raw = _apply_overrides(raw, overrides)
    ck = _Checker(file, positions)

    for key in raw:
        if key not in S.TOP_LEVEL:
            ck.bad((key,), f"unknown table [{key}]{_suggest(key, S.TOP_LEVEL)}; allowed: "
                   f"{', '.join(S.TOP_LEVEL)}")
    built: dict[str, Any] = {}
    for key, (cls, is_array) in S.TOP_LEVEL.items():
        value = raw.get(key)
        if is_array:
            if value is None:
                built[key] = ()
                continue
            if isinstance(value, dict):  # [model] written instead of [[model]]
                ck.bad((key,), f"write [[{key}]] (double brackets: there may be several)")
                built[key] = ()
                continue
            items = [ck.section(cls, (key, i), v) for i, v in enumerate(value)]
            built[key] = tuple(x for x in items if x is not None)
        else:
            if value is None and key in ("study", "data"):
                ck.bad((key,), f"missing table [{key}]")
            built[key] = ck.section(cls, (key,), value if value is not None else {})

    sf = _cross_check(ck, file, raw, built, positions)
    if ck.problems:
        n = len(ck.problems)
        head = f"{n} problem{'s' if n > 1 else ''} in {file}:"
        if n == 1:
            raise StudyFileError(ck.problems[0])
        raise StudyFileError(head + "\n" + "\n".join("  " + p for p in ck.problems))
    assert sf is not None
    return sf


def _toml_hint(text: str, message: str) -> str:
    """What to do about a TOML error: bare keys must be ASCII (a Chinese id must be quoted)."""
    m = re.search(r"at line (\d+)", message)
    lines = text.splitlines()
    if not m or not 0 < int(m.group(1)) <= len(lines):
        return ""
    key = lines[int(m.group(1)) - 1].split("=", 1)[0].strip()
    if "=" in lines[int(m.group(1)) - 1] and key and not re.fullmatch(r"[A-Za-z0-9_\-.\"' ]+", key):
        return (f". A bare key may use only A-Z, a-z, 0-9, '_' and '-': quote it, "
                f"\"{key}\" = ...")
    return ""


def _unique(ck: _Checker, key: str, items: tuple) -> None:
    seen: set[str] = set()
    for i, it in enumerate(items):
        if it.name in seen:
            ck.bad((key, i, "name"), f"name {it.name!r} is used twice; names must be unique")
        seen.add(it.name)


def _formula_words(formulas: Any) -> list[str]:
    return sorted({w for fml in formulas for w in re.findall(r"[A-Za-z_]\w*", fml)})


def _cross_check(ck: _Checker, file: Path, raw: dict, b: dict, positions: Mapping) -> S.StudyFile | None:
    data: S.DataSection | None = b["data"]
    if data is not None and "data" in raw:
        if (data.dataset is None) == (data.adoptions is None):
            ck.bad(("data",), "give either `dataset = \"spid\"` (a shipped study) or "
                   "`adoptions = \"FILE\"`" + (", not both" if data.dataset else ""))
        if data.dataset is not None and isinstance(raw["data"], dict):
            # a shipped dataset reads only `relations` and how to read them (and `end` for
            # spid) from [data]
            used = ({"dataset", "adoptions", "relations", "unknown_units", "encoding",
                     "missing_values", "date_format", "years"}
                    | ({"end"} if data.dataset == "spid" else set()))
            fields = {fl.name for fl in dataclasses.fields(S.DataSection)}
            for key in raw["data"]:
                if key in fields and key not in used:
                    ck.bad(("data", key), "ignored with a shipped dataset; use adoptions = ... to "
                           "read your own files")
    risksets: tuple = b["riskset"]
    models: tuple = b["model"]
    _unique(ck, "riskset", risksets)
    _unique(ck, "model", models)
    rs_names = [r.name for r in risksets]
    fixed_models = []
    for i, m in enumerate(models):
        rs_name = m.riskset
        if rs_name is None:
            if len(risksets) == 1:
                rs_name = risksets[0].name
            else:
                ck.bad(("model", i), f"model {m.name!r}: say which risk set it uses "
                       f"(`riskset = \"...\"`; defined: {', '.join(rs_names) or 'none'})")
        elif rs_name not in rs_names:
            ck.bad(("model", i, "riskset"), f"no [[riskset]] named {rs_name!r}"
                   f"{_suggest(rs_name, rs_names)}; defined: {', '.join(rs_names) or 'none'}")
        design = next((r.design for r in risksets if r.name == rs_name), "monadic")
        levelled = any(r.name == rs_name and "level" in r.options for r in risksets)
        vcov = m.vcov
        if vcov is None:
            # one level at risk (e.g. prefectures): cluster by the parent (the province)
            vcov = ({"dyadic": ["unit", "source"]} if design == "dyadic" else
                    {"cluster": "parent"} if levelled else {"cluster": "unit"})
        label = m.label or {"en": m.name}
        fixed_models.append(dataclasses.replace(m, riskset=rs_name, vcov=vcov, label=label))
    model_names = [m.name for m in models]
    formulas = {m.name: m.formula or "" for m in models}
    for key in ("moderation", "heterogeneity", "simulation"):
        for i, item in enumerate(b[key]):
            if item.model not in model_names:
                ck.bad((key, i, "model"), f"no [[model]] named {item.model!r}"
                       f"{_suggest(item.model, model_names)}; defined: "
                       f"{', '.join(model_names) or 'none'}")
    requests: dict[tuple, int] = {}
    for i, mo in enumerate(b["moderation"]):
        same = requests.setdefault((mo.model, mo.variable, mo.moderator, mo.scale), i)
        if same != i:  # the same figure twice would overwrite the first
            ck.bad(("moderation", i), f"repeats [[moderation]] {same + 1} (model {mo.model!r}, "
                   f"{mo.variable!r} across {mo.moderator!r}, scale {mo.scale!r}); remove one")
        fml = formulas.get(mo.model, "")
        for what in ("variable", "moderator"):
            name = getattr(mo, what)
            if name is None:  # a missing required key is reported already
                continue
            if mo.model in formulas and not re.search(rf"\b{re.escape(name)}\b", fml):
                ck.bad(("moderation", i, what), f"{name!r} does not appear in the formula of "
                       f"model {mo.model!r} ({fml})")
    report_sec = b["report"]
    for j, name in enumerate(getattr(report_sec, "key_terms", None) or ()):
        pattern = re.compile(rf"\b{re.escape(name)}(?![A-Za-z0-9])")
        if models and not any(pattern.search(fml) for fml in formulas.values()):
            ck.bad(("report", "key_terms", j), f"{name!r} does not appear in any model formula"
                   f"{_suggest(name, _formula_words(formulas.values()))}")
    network = b["network"] if "network" in raw else None
    reinvention = b["reinvention"] if "reinvention" in raw else None
    if reinvention is not None and reinvention.texts is None and "texts" not in (
            raw["reinvention"] or {}):
        ck.bad(("reinvention", "texts"), "[reinvention] needs `texts`: a folder POLICY/UNIT.txt "
               "or a table with policy, unit and text columns")
    inferred = network.relation if network is not None and network.enabled else None
    for i, r in enumerate(risksets):
        if r.design != "dyadic" and "conditional" in (raw["riskset"][i] or {}):
            ck.bad(("riskset", i, "conditional"), "`conditional` applies to dyadic risk sets only")
        for t in r.terms:
            rel = t.params.get("relation")
            if rel is not None and rel == "netinf" and inferred is None:
                ck.bad(t.where + ("relation",), "relation 'netinf' is inferred by a [network] "
                       "table, which this file does not have")
    effects = b["effects"] if "effects" in raw else None
    if effects is not None:
        _check_effects(ck, file, effects)
    engine = b["engine"]
    for key in ("scheduler", "partition_periods", "output"):
        if engine is not None and getattr(engine, key) is not None and engine.kind != "dask":
            ck.bad(("engine", key), f"`{key}` applies to kind = \"dask\" only")
    study, policies, describe, report = b["study"], b["policies"], b["describe"], b["report"]
    if report is not None and "docx" in report.table_formats and importlib.util.find_spec("docx") is None:
        # said before any work, not after the models are fitted
        ck.bad(("report", "table_formats"), "\"docx\" (Word tables) needs python-docx, which is "
               "not installed: pip install \"policydiffusion[docx]\"")
    if None in (study, data, policies, describe, report, engine):
        return None
    if not report.title and study.title:
        report = dataclasses.replace(report, title=study.title)
    focus = policies.focus
    if describe.policies is None and focus is not None:
        describe = dataclasses.replace(describe, policies=focus)
    risksets = tuple(r if r.policies is not None or focus is None
                     else dataclasses.replace(r, policies=focus) for r in risksets)
    risksets = tuple(dataclasses.replace(r, unit_attributes=(*r.unit_attributes, "parent"))
                     if "level" in r.options and "parent" not in r.unit_attributes else r
                     for r in risksets)  # the default clusters of a level design
    return S.StudyFile(
        path=file, study=study, data=data, policies=policies, describe=describe,
        risksets=risksets, models=tuple(fixed_models), moderation=b["moderation"],
        heterogeneity=b["heterogeneity"], network=network, simulations=b["simulation"],
        report=report, reinvention=reinvention, positions=positions, raw=raw,
        modes=b["modes"] if "modes" in raw else None, effects=effects, engine=engine)


def _check_effects(ck: _Checker, file: Path, e: S.EffectsSection) -> None:
    """A CSV panel needs its outcome and bins; files named must exist."""
    if e.panel is None:  # not `required` in the schema: an absent [effects] is built too
        ck.bad(("effects", "panel"), "missing required key 'panel': a CSV file or one of "
               f"{', '.join(map(repr, S.EFFECTS_PANELS))}")
        return
    for key in ("panel", "adoptions"):
        value = getattr(e, key)
        if value in S.EFFECTS_PANELS + ("study",) or not value:
            continue
        if key == "panel" and not value.lower().endswith(".csv"):
            ck.bad(("effects", key), f"must be a CSV file or one of "
                   f"{', '.join(map(repr, S.EFFECTS_PANELS))}; got {value!r}"
                   f"{_suggest(value, S.EFFECTS_PANELS)}")
            continue
        full = Path(value) if Path(value).is_absolute() else file.parent / value
        if not full.exists():
            ck.bad(("effects", key), f"file {value!r} not found (looked for {full})")
    if e.panel not in S.EFFECTS_PANELS:
        for key in ("outcome", "bins"):
            if getattr(e, key) is None:
                ck.bad(("effects", key), f"missing {key!r}: a CSV panel needs it")
    if e.window is not None and len(e.window) != 1:
        ck.bad(("effects", "window"), f"must be one bin, e.g. [[8, 70]]; got {len(e.window)}")


def load_study_file(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> S.StudyFile:
    """Read and validate a study file.

    Parameters
    ----------
    path
        The TOML file. Relative data paths inside it are read from its folder.
    overrides
        Dotted keys replacing values before validation (see :func:`parse_study_file`).

    Raises
    ------
    StudyFileError
        The file is missing, is not TOML, or has problems (each named by line and field).

    Examples
    --------
    >>> from policydiffusion.studyfile import example_path
    >>> sf = load_study_file(example_path("us_states_spid"))
    >>> sf.data.dataset
    'spid'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise StudyFileError(f"{path}: study file not found") from None
    except UnicodeDecodeError as exc:
        raise StudyFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_study_file(text, file=path, overrides=overrides)
