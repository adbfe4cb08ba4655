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
from typing import Callable, List, Optional

import typer

from policydiffusion.errors import InvalidOptionError, check_choice

SHIPPED_STUDIES = ("spid", "china_mobile_gov", "china_regulations", "china_prefectures_covid")

_P = inspect.Parameter
# (name, type, typer default) in the order --help lists them
_OPTIONS: list[tuple[str, object, object]] = [
    ("dataset", Optional[str], typer.Option(
        None, help="A shipped study instead of files: spid (real SPID data), "
                   "china_mobile_gov (SIMULATED), china_regulations or china_prefectures_covid "
                   "(real Chinese data at several levels).")),
    ("units", Optional[Path], typer.Option(None, help="Units table (one row per unit).")),
    ("policies", Optional[Path], typer.Option(None, help="Policy metadata table.")),
    ("covariates", Optional[Path], typer.Option(None, help="Unit x period covariate panel.")),
    ("relation", List[str], typer.Option(
        [], help="NAME=FILE[:SOURCE_COL:TARGET_COL]; repeatable.")),
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
           for p in inspect.signature(command).parameters.values() if p.name != "study"]
    positional = [p for p in own if isinstance(p.default, typer.models.ArgumentInfo)]
    options = [p for p in own if p not in positional]
    kind = _P.POSITIONAL_OR_KEYWORD
    params = (positional + [_P(_ADOPTIONS[0], kind, default=_ADOPTIONS[2], annotation=_ADOPTIONS[1])]
              + [p.replace(kind=kind) for p in options]
              + [_P(n, kind, default=d, annotation=t) for n, t, d in _OPTIONS])

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        bound = inspect.Signature(params).bind_partial(*args, **kwargs).arguments
        loading = {n: bound.pop(n, _plain_default(n)) for n in _NAMES}
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
                start: Optional[str], end: Optional[str], unknown_units: str = "error",
                date_format: Optional[str] = None, encoding: Optional[str] = None):
    """A Study from files and options, or a shipped study (``dataset``)."""
    if (dataset is None) == (adoptions is None):
        raise InvalidOptionError(f"give an ADOPTIONS file or --dataset ({', '.join(SHIPPED_STUDIES)}), "
                                 "not both and not neither.")
    if dataset is not None:
        check_choice("--dataset", dataset, SHIPPED_STUDIES)
        if dataset == "spid":
            from policydiffusion.datasets import spid_study

            return spid_study()
        if dataset in ("china_regulations", "china_prefectures_covid"):
            from policydiffusion.datasets import china_levels

            return (china_levels.china_regulations_study() if dataset == "china_regulations"
                    else china_levels.china_covid_study())
        from policydiffusion.datasets.china_mobile_gov import china_mobile_gov_study

        return china_mobile_gov_study()
    from policydiffusion.study import RelationSpec, load_study

    rels = {}
    for spec in relation:
        name, _, rest = spec.partition("=")
        if not rest:
            raise InvalidOptionError(
                f"--relation {spec!r} must look like NAME=FILE[:SOURCE_COL:TARGET_COL], "
                "e.g. contiguity=adjacency.csv:state:neighbor")
        parts = rest.split(":")
        kw = {"source": parts[1], "target": parts[2]} if len(parts) >= 3 else {}
        rels[name] = RelationSpec(parts[0], **kw)
    return load_study(adoptions, units=units, policies=policies, covariates=covariates,
                      relations=rels or None, policy_col=policy_col, unit_col=unit_col,
                      time_col=time_col, layout=layout, granularity=granularity, start=start,
                      end=end, unknown_units=unknown_units, date_format=date_format,
                      encoding=encoding)
