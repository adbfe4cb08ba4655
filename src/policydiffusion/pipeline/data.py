"""Step 1: load the study named by the study file, and record what was read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path

from policydiffusion.errors import InvalidOptionError, StudyFileError
from policydiffusion._suggest import did_you_mean
from policydiffusion.study import (AdoptionColumns, CovariateColumns, RelationColumns, RelationSpec,
                                   Study, UnitColumns, add_relations, load_study)
from policydiffusion.studyfile import StudyFile

__all__ = ["LoadedData", "load_data", "sha256", "files_named"]

_SHIPPED_FILES = {
    "spid": ("spid_policy_adoptions.csv", "spid_policy_metadata.csv", "us_state_regions.csv",
             "us_state_adjacency.csv"),
    "china_mobile_gov": ("china_mobile_gov/adoptions.csv", "china_mobile_gov/units.csv",
                         "china_mobile_gov/covariates.csv", "china_mobile_gov/visits.csv",
                         "china_mobile_gov/events.csv", "china_mobile_gov/dgp.json",
                         "geo/china_province_adjacency.csv", "geo/china_urban_agglomerations.csv"),
    "china_prefectures_covid": ("china_covid_2020/measures.csv", "geo/china_prefectures.csv",
                                "geo/china_prefecture_adjacency.csv", "geo/china_provinces.csv"),
}


@dataclass(frozen=True)
class LoadedData:
    """The study, where it came from, and whether it is simulated."""

    study: Study
    inputs: dict[str, str] = field(default_factory=dict)  # label -> sha256
    simulated: bool = False
    dataset: str | None = None
    note: str = ""


def sha256(path: Path) -> str:
    """SHA-256 of a file, in hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def files_named(sf: StudyFile) -> dict[str, str]:
    """Every file the study file names (data, relations, texts, pilots, effects panel and
    published estimates; each file of a texts folder) with its SHA-256, for run.json:
    a file read through ``../`` or an absolute path is listed like any other.

    Sections switched off (``enabled = false``) read nothing and list nothing.
    """
    paths: list[Path] = []

    def walk(node: object) -> None:
        if isinstance(node, Path):
            paths.append(node)
        elif isinstance(node, (tuple, list)):
            for v in node:
                walk(v)
        elif is_dataclass(node) and getattr(node, "enabled", True) is not False:
            for f in fields(node):
                walk(getattr(node, f.name))

    walk([getattr(sf, f.name) for f in fields(sf) if f.name not in ("path", "raw")])
    e = sf.effects
    if e is not None and e.enabled:  # the panel and adoptions are named as text
        paths += [p if p.is_absolute() else sf.path.parent / p
                  for p in map(Path, (e.panel, e.adoptions))
                  if str(p) not in ("hsiang_china", "study", "None")]
    out = {}
    for p in paths:
        for f in (sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]):
            if f.exists():
                out[str(f)] = sha256(f)
    return out


def _shipped(sf: StudyFile) -> LoadedData:
    from policydiffusion.datasets import dataset_path

    name = sf.data.dataset
    if name == "spid":
        from policydiffusion.datasets import spid_study

        study = spid_study(end=int(sf.data.end) if sf.data.end is not None else 2017)
        simulated, note = False, ""
    elif name == "china_mobile_gov":
        from policydiffusion.datasets.china_mobile_gov import china_mobile_gov_study

        study = china_mobile_gov_study()
        simulated = True
        note = "SIMULATED DATA (china_mobile_gov): see its dgp.json."
    elif name == "china_prefectures_covid":
        from policydiffusion.datasets.china_levels import COVID_SOURCE, china_covid_study

        study = china_covid_study()
        simulated, note = False, f"Real data: {COVID_SOURCE}."
    else:  # pragma: no cover - the schema restricts the names
        raise InvalidOptionError(f"unknown dataset {name!r}")
    inputs = {}
    for f in _SHIPPED_FILES[name]:
        p = dataset_path(f)
        if p.exists():
            inputs[f"{name}:{f}"] = sha256(p)
    return LoadedData(study=study, inputs=inputs, simulated=simulated, dataset=name, note=note)


def _files(sf: StudyFile) -> LoadedData:
    d = sf.data
    rels = {r.name: _spec(r) for r in d.relations}
    reading = {k: v for k, v in (("missing_values", d.missing_values), ("never", d.never))
               if v is not None}
    study = load_study(
        str(d.adoptions), units=_opt(d.units), policies=_opt(d.policies),
        covariates=_opt(d.covariates), events=_opt(d.events), relations=rels or None,
        layout=d.layout,
        adoption_columns=AdoptionColumns(policy=d.policy_col, unit=d.unit_col, time=d.time_col),
        unit_columns=UnitColumns(id=d.units_id_col, name=d.name_col),
        covariate_columns=CovariateColumns(unit=d.covariates_unit_col, time=d.covariates_time_col),
        granularity=d.granularity, start=d.start, end=d.end, unknown_units=d.unknown_units,
        date_format=d.date_format, years=d.years, encoding=d.encoding, **reading)
    paths = [d.adoptions, d.units, d.policies, d.covariates, d.events] + [r.file for r in d.relations]
    inputs = {str(p): sha256(p) for p in paths if p is not None}
    return LoadedData(study=study, inputs=inputs)


def _spec(r) -> RelationSpec:
    return RelationSpec(str(r.file), columns=RelationColumns(r.source, r.target, r.weight, r.period),
                        directed=r.directed, description=r.description, duplicates=r.duplicates)


def _opt(p: Path | None) -> str | None:
    return None if p is None else str(p)


def _extra_relations(sf: StudyFile, study: Study) -> tuple[Study, dict[str, str]]:
    """Relations from files added to a shipped dataset, checked as load_study checks them."""
    if not sf.data.relations:
        return study, {}
    d = sf.data
    study = add_relations(study, {r.name: _spec(r) for r in d.relations},
                          unknown_units=d.unknown_units, date_format=d.date_format,
                          years=d.years, encoding=d.encoding,
                          **({} if d.missing_values is None
                             else {"missing_values": d.missing_values}))
    return study, {str(r.file): sha256(r.file) for r in d.relations}


def _written(raw: dict, path: tuple) -> bool:
    node: object = raw
    for k in path:
        try:
            node = node[k]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def load_data(sf: StudyFile) -> LoadedData:
    """Load the data a study file names (a shipped dataset or files).

    Policies named in the file but absent from the data are reported as a
    :class:`StudyFileError` at the line that names them.
    """
    loaded = _shipped(sf) if sf.data.dataset else _files(sf)
    study = loaded.study
    if sf.data.dataset:
        study, extra = _extra_relations(sf, study)
        loaded = replace(loaded, study=study, inputs={**loaded.inputs, **extra})
    known = set(study.policy_ids)
    checks = [(("policies", "focus"), sf.policies.focus), (("describe", "policies"), sf.describe.policies),
              (("describe", "map_policies"), sf.describe.map_policies)]
    checks += [(("riskset", i, "policies"), r.policies) for i, r in enumerate(sf.risksets)]
    if sf.network is not None:
        checks.append((("network", "policies"), sf.network.policies))
    problems = []
    for path, pols in checks:
        if not _written(sf.raw, path):
            continue  # a default (e.g. policies.focus), checked where it is written
        for p in pols or ():
            if p not in known:
                problems.append(f"{sf.where(path)}: no policy {p!r} in the data{did_you_mean(p, sorted(known))}")
    if problems:
        raise StudyFileError("\n".join(dict.fromkeys(problems)))
    return loaded
