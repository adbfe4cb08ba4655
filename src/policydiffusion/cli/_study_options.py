"""The study options shared by every command that reads adoption data.

:func:`with_study` adds the ADOPTIONS argument, ``--dataset`` and the loading options
(``--units``, ``--unit-col``, ...) to a command's signature and hands the command a
built :class:`~policydiffusion.study.Study` as ``study``; the options are declared
once, here, so every command reads data the same way.
"""

from __future__ import annotations

import functools
import inspect
import typing
from pathlib import Path
from typing import Callable, List, Mapping, Optional

import typer

from policydiffusion.errors import InvalidOptionError, check_choice

SHIPPED_STUDIES = ("spid", "china_mobile_gov", "china_regulations", "china_prefectures_covid")

_P = inspect.Parameter
# (name, type, typer default) in the order --help lists them
_OPTIONS: list[tuple[str, object, object]] = [
    ("dataset", Optional[str], typer.Option(
        None, help="A shipped study instead of files: spid (real SPID data), "
                   "china_mobile_gov (SIMULATED), china_regulations or china_prefectures_covid "
                   "(real Chinese data at several levels). Only --relation (with --directed, "
                   "--unknown-units, --date-format, --encoding) can be added to it.")),
    ("units", Optional[Path], typer.Option(None, help="Units table (one row per unit).")),
    ("policies", Optional[Path], typer.Option(None, help="Policy metadata table.")),
    ("covariates", Optional[Path], typer.Option(None, help="Unit x period covariate panel.")),
    ("relation", List[str], typer.Option(
        [], help="NAME=FILE[:SOURCE_COL:TARGET_COL[:PERIOD_COL[:WEIGHT_COL]]]; repeatable. A "
                 "period column dates the edges (e.g. visits in a year), a weight column "
                 "counts them; leave PERIOD_COL empty for weights only (a.csv:s:t::n).")),
    ("directed", bool, typer.Option(
        False, "--directed", help="The --relation edges run from SOURCE to TARGET (default: "
                                  "undirected).")),
    ("events", Optional[Path], typer.Option(
        None, help="Events table: event and time (or start and optional end), optional unit "
                   "and value; e.g. central directives for event_in_force.")),
    ("policy_col", str, typer.Option("policy", help="Column holding the policy id.")),
    ("unit_col", str, typer.Option("unit", help="Column holding the unit id.")),
    ("time_col", str, typer.Option("time", help="Column holding the adoption time.")),
    ("layout", str, typer.Option(
        "long", help="long (one row per adoption) or wide (unit x policy).")),
    ("granularity", str, typer.Option("year", help="year, quarter, month or period.")),
    ("start", Optional[str], typer.Option(
        None, help="First period observed (default: first adoption).")),
    ("end", Optional[str], typer.Option(
        None, help="Last period observed: non-adopters are censored here (default: last "
                   "adoption).")),
    ("unknown_units", str, typer.Option(
        "error", help="Relation edges naming units outside the study: error (default) or "
                      "drop (removed and counted as exclusions).")),
    ("date_format", Optional[str], typer.Option(
        None, help="How text dates are written, e.g. %d/%m/%Y (default: year first, "
                   "2001-03-04).")),
    ("encoding", Optional[str], typer.Option(
        None, help="Text encoding of CSV files (default utf-8; e.g. gb18030 for GBK files).")),
]
_ADOPTIONS = ("adoptions", Optional[Path], typer.Argument(
    None, help="Adoption records: CSV, Parquet, Excel or Stata file; or use --dataset."))
_NAMES = [_ADOPTIONS[0]] + [o[0] for o in _OPTIONS]


def with_study(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the shared study options and call it with ``study=``.

    The command declares its own arguments and options and a ``study`` parameter;
    ADOPTIONS comes after its own positional arguments, the loading options after
    its own options.

    Examples
    --------
    >>> @with_study
    ... def count(study, *, verbose: bool = False) -> None:
    ...     print(study.n_units)
    >>> count(dataset="spid")
    50
    """
    hints = typing.get_type_hints(command)
    own = [p.replace(annotation=hints.get(p.name, p.annotation))
           for p in inspect.signature(command).parameters.values() if p.name not in ("study", "loading")]
    positional = [p for p in own if isinstance(p.default, typer.models.ArgumentInfo)]
    options = [p for p in own if p not in positional]
    kind = _P.POSITIONAL_OR_KEYWORD
    params = (positional + [_P(_ADOPTIONS[0], kind, default=_ADOPTIONS[2], annotation=_ADOPTIONS[1])]
              + [p.replace(kind=kind) for p in options]
              + [_P(n, kind, default=d, annotation=t) for n, t, d in _OPTIONS])

    wants_loading = "loading" in inspect.signature(command).parameters

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        bound = inspect.Signature(params).bind_partial(*args, **kwargs).arguments
        loading = {n: bound.pop(n, _plain_default(n)) for n in _NAMES}
        if wants_loading:  # e.g. validate, which reports what the options left unread
            bound["loading"] = loading
        return command(study=build_study(**loading), **bound)

    wrapper.__signature__ = inspect.Signature(params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


def _plain_default(name: str) -> object:
    for n, _, d in [_ADOPTIONS] + _OPTIONS:
        if n == name:
            return getattr(d, "default", d)
    raise KeyError(name)


def build_study(*, adoptions: Optional[Path], dataset: Optional[str], units: Optional[Path],
                policies: Optional[Path], covariates: Optional[Path], relation: List[str],
                policy_col: str, unit_col: str, time_col: str, layout: str, granularity: str,
                start: Optional[str], end: Optional[str], directed: bool = False,
                events: Optional[Path] = None, unknown_units: str = "error",
                date_format: Optional[str] = None, encoding: Optional[str] = None):
    """A Study from files and options, or a shipped study (``dataset``)."""
    if (dataset is None) == (adoptions is None):
        raise InvalidOptionError(f"give an ADOPTIONS file or --dataset ({', '.join(SHIPPED_STUDIES)}), "
                                 "not both and not neither.")
    rels = _relation_specs(relation, directed)
    if dataset is not None:
        check_choice("--dataset", dataset, SHIPPED_STUDIES)
        # the shipped study has its own tables: only relations (and how they are read) can
        # be added to it, as a study file's [data.relations] can; anything else is refused
        # rather than silently ignored
        given = {k: v for k, v in dict(
            units=units, policies=policies, covariates=covariates, events=events,
            policy_col=policy_col, unit_col=unit_col, time_col=time_col, layout=layout,
            granularity=granularity, start=start, end=end).items() if v != _plain_default(k)}
        if not rels:
            given.update({k: v for k, v in dict(
                directed=directed, unknown_units=unknown_units, date_format=date_format,
                encoding=encoding).items() if v != _plain_default(k)})
        if given:
            names = ", ".join("--" + k.replace("_", "-") for k in given)
            raise InvalidOptionError(
                f"--dataset {dataset} brings its own tables and columns: {names} would be "
                "ignored; drop them (only --relation can be added to a shipped study).")
        study = _shipped_study(dataset)
        if not rels:
            return study
        from policydiffusion.study import add_relations

        return add_relations(study, rels, unknown_units=unknown_units, date_format=date_format,
                             encoding=encoding)
    from policydiffusion.study import load_study

    return load_study(adoptions, units=units, policies=policies, covariates=covariates,
                      relations=rels or None, events=events, policy_col=policy_col, unit_col=unit_col,
                      time_col=time_col, layout=layout, granularity=granularity, start=start,
                      end=end, unknown_units=unknown_units, date_format=date_format,
                      encoding=encoding)


def _shipped_study(dataset: str):
    if dataset == "spid":
        from policydiffusion.datasets import spid_study

        return spid_study()
    if dataset in ("china_regulations", "china_prefectures_covid"):
        from policydiffusion.datasets import china_levels

        return (china_levels.china_regulations_study() if dataset == "china_regulations"
                else china_levels.china_covid_study())
    from policydiffusion.datasets.china_mobile_gov import china_mobile_gov_study

    return china_mobile_gov_study()


def _relation_specs(relation: List[str], directed: bool) -> dict:
    rels = {}
    for spec in relation:
        name, _, rest = spec.partition("=")
        if not rest:
            raise InvalidOptionError(
                f"--relation {spec!r} must look like NAME=FILE[:SOURCE_COL:TARGET_COL"
                "[:PERIOD_COL[:WEIGHT_COL]]], e.g. contiguity=adjacency.csv:state:neighbor")
        rels[name] = _relation_spec(spec, rest, directed)
    return rels


def _relation_spec(spec: str, rest: str, directed: bool):
    """FILE[:SOURCE:TARGET[:PERIOD[:WEIGHT]]] as a RelationSpec."""
    from policydiffusion.study import RelationSpec

    # a Windows drive letter (C:\...) is part of the file name, not a column
    drive = len(rest) > 2 and rest[1] == ":" and rest[2] in "\\/"
    parts = rest[2:].split(":") if drive else rest.split(":")
    if drive:
        parts[0] = rest[:2] + parts[0]
    if len(parts) == 2 or len(parts) > 5 or any(not p for p in parts[:3]):
        raise InvalidOptionError(
            f"--relation {spec!r}: give FILE, FILE:SOURCE_COL:TARGET_COL, "
            "FILE:SOURCE_COL:TARGET_COL:PERIOD_COL or FILE:SOURCE_COL:TARGET_COL:PERIOD_COL:WEIGHT_COL "
            "(PERIOD_COL may be empty).")
    kw: dict = {"directed": directed}
    if len(parts) >= 3:
        kw.update(source=parts[1], target=parts[2])
    if len(parts) >= 4 and parts[3]:
        kw["period"] = parts[3]
    if len(parts) == 5 and parts[4]:
        kw["weight"] = parts[4]
    return RelationSpec(parts[0], **kw)


def ignored_columns(loading: dict, sources: Mapping[str, str] | None = None
                    ) -> dict[str, list[str]]:
    """Columns of the input files that the loading options leave unread, by file:
    adoption columns other than the policy, unit and time columns (long layout), and
    relation columns other than source, target, period and weight. (Units, policies and
    covariates tables keep every column as an attribute.) Files are read as the study
    was (``encoding``), and ``sources`` (the study's) names any unit or time column the
    loader recognised in place of the defaults."""
    from policydiffusion.study import read_table

    enc = loading.get("encoding")
    out: dict[str, list[str]] = {}
    if loading.get("adoptions") is not None and loading.get("layout", "long") == "long":
        t = read_table(loading["adoptions"], argument="adoptions", encoding=enc)
        used = {loading["policy_col"], loading["unit_col"], loading["time_col"],
                *((sources or {}).get(k) for k in ("unit column", "time column"))}
        out[t.label] = [c for c in t.frame.columns if c not in used]
    for spec in loading.get("relation") or []:
        rel = _relation_spec(spec, spec.partition("=")[2], False)
        t = read_table(rel["edges"], argument="relation", encoding=enc)
        used = {rel["source"], rel["target"], rel["period"], rel["weight"]}
        out[t.label] = [c for c in t.frame.columns if c not in used]
    return {k: v for k, v in out.items() if v}

