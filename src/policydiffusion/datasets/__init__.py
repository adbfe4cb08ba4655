"""Datasets shipped with policydiffusion, with provenance and licence.

``list_datasets()`` describes them; ``load_dataset(name)`` returns a pandas
DataFrame (or, for geometry, a GeoJSON dict); ``spid_study()`` and
``china_provinces_units()`` build ready-to-use study pieces. Full provenance is
in ``data/PROVENANCE.md`` inside the package.

Examples
--------
>>> from policydiffusion.datasets import list_datasets, load_dataset
>>> "spid_adoptions" in set(list_datasets()["name"])
True
>>> load_dataset("spid_adoptions").shape
(17835, 3)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

import pandas as pd

from policydiffusion.errors import InvalidOptionError

__all__ = ["list_datasets", "load_dataset", "dataset_path", "spid_study", "china_provinces_units",
           "register_dataset", "DatasetInfo"]


@dataclass(frozen=True)
class DatasetInfo:
    """One shipped dataset: what it is, where it came from, its licence."""

    name: str
    kind: str  # "table", "geometry" or "study"
    description: str
    source: str
    licence: str
    file: str | None = None
    loader: Callable[[], object] | None = None
    simulated: bool = False


def _data_dir() -> Path:
    return Path(str(resources.files("policydiffusion.datasets") / "data"))


def dataset_path(file: str) -> Path:
    """Path of a shipped data file, e.g. ``dataset_path("geo/us_states.geojson")``.

    Examples
    --------
    >>> p = dataset_path("geo/us_states.geojson")
    >>> p.suffix, p.exists()
    ('.geojson', True)
    """
    return _data_dir() / file


_NI = "desmarais-lab/NetworkInference data/policies.RData (SPID v1.0, Boehmke et al. 2018; doi:10.7910/DVN/CVYSR7)"
_REGISTRY: dict[str, DatasetInfo] = {}


def register_dataset(info: DatasetInfo) -> None:
    """Add a dataset to the registry (used by modules that build datasets).

    Examples
    --------
    >>> import pandas as pd
    >>> register_dataset(DatasetInfo("toy_counts", "table", "three counts (example)", "made up",
    ...                              "CC0", loader=lambda: pd.DataFrame({"n": [1, 2, 3]})))
    >>> int(load_dataset("toy_counts")["n"].sum())
    6
    >>> _ = _REGISTRY.pop("toy_counts")   # leave the registry as it was
    """
    _REGISTRY[info.name] = info


for _info in [
    DatasetInfo("spid_adoptions", "table",
                "State Policy Innovation and Diffusion database: 17,835 first adoptions of 728 "
                "policies by the 50 US states, 1691-2017 (policy, state, adoption_year)",
                _NI, "MIT (NetworkInference package); cite Boehmke et al. 2018",
                "spid_policy_adoptions.csv"),
    DatasetInfo("spid_metadata", "table",
                "SPID policy metadata: source, first/last year, adopter count, description, "
                "Policy Agendas major topic (728 rows)", _NI,
                "MIT (NetworkInference package); cite Boehmke et al. 2018", "spid_policy_metadata.csv"),
    DatasetInfo("us_state_regions", "table",
                "US states (and DC): postal and FIPS codes, statehood year, Census region and "
                "division, capital coordinates (51 rows)",
                "cran/cspp network_data (IPPSR State Networks) + picsolab/PolicyFlow statehood file",
                "GPL (>= 3) (cspp); PolicyFlow file: none stated", "us_state_regions.csv"),
    DatasetInfo("us_state_adjacency", "table",
                "US state contiguity edge list, both directions, with land_border and ippsr_border "
                "flags (222 rows)", "ubikuity/List-of-neighboring-states-for-each-US-state",
                "MIT", "us_state_adjacency.csv"),
    DatasetInfo("netinf_example_cascades", "table",
                "SNAP netinf toy cascades: 54 cascades over 32 nodes (cascade_id, node, time)",
                "desmarais-lab/NetworkInference data/cascades.RData (= SNAP example-cascades.txt)",
                "MIT (NetworkInference) / BSD (SNAP)", "netinf_example_cascades.csv"),
    DatasetInfo("china_provinces", "table",
                "China's 34 provincial-level divisions (31 mainland): codes, Chinese and English "
                "names, NBS and geographic regions, capitals, centroids, area",
                "turbanisch/chinautils (names, MIT) + hand-compiled columns + Natural Earth centroids",
                "MIT (names); Natural Earth public domain", "geo/china_provinces.csv"),
    DatasetInfo("china_province_adjacency", "table",
                "Land borders between Chinese provincial-level divisions, both directions (140 rows)",
                "computed from Natural Earth 1:10m Admin-1", "public domain (Natural Earth)",
                "geo/china_province_adjacency.csv"),
    DatasetInfo("china_urban_agglomerations", "table",
                "Membership of provincial divisions in five national urban agglomerations (15 rows)",
                "hand-compiled from the national plans named in the file", "see PROVENANCE.md",
                "geo/china_urban_agglomerations.csv"),
    DatasetInfo("us_states_geometry", "geometry",
                "US states and DC, simplified polygons (GeoJSON, EPSG:4326)",
                "Natural Earth 1:50m Admin-1 via martynafford/natural-earth-geojson",
                "public domain (Natural Earth), CC0", "geo/us_states.geojson"),
    DatasetInfo("china_provinces_geometry", "geometry",
                "China's provincial-level divisions, simplified polygons (GeoJSON, EPSG:4326)",
                "Natural Earth 1:10m Admin-1 via elastic/ems-file-service",
                "public domain (Natural Earth)", "geo/china_provinces.geojson"),
]:
    register_dataset(_info)

register_dataset(DatasetInfo(
    "china_covid_outcomes", "table",
    "Daily panel of 339 Chinese cities, 2020-01-10 to 2020-04-06: cumulative and active "
    "COVID-19 cases, local travel ban, emergency declaration, home isolation, testing regime "
    "(Hsiang et al. 2020; 29,832 rows)",
    "Global-Policy-Lab/gpl-covid data/processed/adm2/CHN_processed.csv @ 84369c5",
    "CC0 1.0", "china_covid_outcomes/city_panel.csv.gz"))


def list_datasets() -> pd.DataFrame:
    """The shipped datasets: name, kind, description, source, licence, simulated.

    Examples
    --------
    >>> list_datasets().columns.tolist()
    ['name', 'kind', 'description', 'source', 'licence', 'simulated']
    """
    _load_optional()
    return pd.DataFrame(
        [(i.name, i.kind, i.description, i.source, i.licence, i.simulated) for i in _REGISTRY.values()],
        columns=["name", "kind", "description", "source", "licence", "simulated"],
    )


def load_dataset(name: str) -> object:
    """Load a shipped dataset by name (see :func:`list_datasets`).

    Tables come back as pandas DataFrames, geometry as a GeoJSON dict, studies as
    whatever their builder returns (a Study).

    Examples
    --------
    >>> load_dataset("us_state_regions")["state_abb"].head(2).tolist()
    ['AK', 'AL']
    """
    _load_optional()
    if name not in _REGISTRY:
        from policydiffusion._suggest import did_you_mean

        hint = did_you_mean(name, _REGISTRY, style="clause")
        raise InvalidOptionError(f"no dataset called {name!r}{hint} Known: {', '.join(_REGISTRY)}.")
    info = _REGISTRY[name]
    if info.loader is not None:
        return info.loader()
    path = dataset_path(info.file or "")
    if info.kind == "geometry":
        return json.loads(path.read_text(encoding="utf-8"))
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _load_optional() -> None:
    """Import modules that register further datasets (e.g. simulated study data)."""
    import importlib

    for mod in ("policydiffusion.datasets.china_mobile_gov", "policydiffusion.datasets.china_levels",
                "policydiffusion.datasets.policy_texts"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise


def spid_study(*, policies: list[str] | None = None, end: int = 2017, contiguity: str = "land"):
    """The SPID adoptions as a Study of the 50 states, with regions and contiguity.

    Units are postal codes (``unit``) with full names (``name``), Census region and
    division, FIPS code, capital coordinates and ``statehood_year``. Statehood is an
    attribute, not an entry period: SPID records 130 adoptions by territories and
    colonies before statehood. Relations: ``contiguity`` (land borders among the 50
    states; AK and HI are isolates) and ``same_division``. Observation ends in
    ``end`` (2017, the last SPID year), so non-adopters are censored there.

    Parameters
    ----------
    policies
        Restrict to these policy ids (default: all 728).
    end
        Last period of observation.
    contiguity
        ``"land"`` (land borders only) or ``"ippsr"`` (the IPPSR coding).

    Examples
    --------
    >>> s = spid_study(policies=["aborparc"])
    >>> s.n_units, s.n_policies, s.adoptions.height
    (50, 1, 15)
    """
    from policydiffusion.study import RelationSpec, load_study

    regions = load_dataset("us_state_regions")
    regions = regions[regions["state_abb"] != "DC"]
    names = dict(zip(regions["state_name"], regions["state_abb"]))
    adopt = load_dataset("spid_adoptions")
    adopt = adopt.assign(unit=adopt["state"].map(names))
    meta = load_dataset("spid_metadata")
    if policies is not None:
        adopt = adopt[adopt["policy"].isin(policies)]
        meta = meta.set_index("policy").loc[list(policies)].reset_index()
    units = regions.rename(columns={"state_abb": "unit", "state_name": "name",
                                    "census_region": "region", "census_division": "division"})
    adj = load_dataset("us_state_adjacency")
    adj = adj[(adj["state"] != "DC") & (adj["neighbor"] != "DC")]
    flag = "land_border" if contiguity == "land" else "ippsr_border"
    adj = adj[adj[flag] == 1]
    div = units[["unit", "division"]]
    same_div = div.merge(div, on="division")
    same_div = same_div[same_div["unit_x"] != same_div["unit_y"]]
    return load_study(
        adopt[["policy", "unit", "adoption_year"]],
        units=units,
        policies=meta,
        relations={
            "contiguity": RelationSpec(adj, source="state", target="neighbor",
                                       description=f"shared land border ({flag})"),
            "same_division": RelationSpec(same_div, source="unit_x", target="unit_y",
                                          description="same Census division"),
        },
        time_col="adoption_year",
        end=end,
    )


def china_provinces_units(*, mainland_only: bool = True) -> pd.DataFrame:
    """Provincial-level divisions as a units table: ``unit`` (GB/T code as text),
    ``name`` (English), ``name_zh``, ``region`` (NBS four regions), geographic
    region, centroid, and ``agglomeration`` (urban agglomeration id or empty).

    Examples
    --------
    >>> u = china_provinces_units()
    >>> len(u), u.loc[u["name"] == "Beijing", "agglomeration"].item()
    (31, 'jingjinji')
    """
    p = load_dataset("china_provinces")
    if mainland_only:
        p = p[p["mainland"] == 1]
    ua = load_dataset("china_urban_agglomerations")
    agg = ua.groupby("code")["agglomeration_id"].first()
    out = pd.DataFrame({
        "unit": p["code"].astype(str).values,
        "name": p["name_en"].values,
        "name_zh": p["name_zh_short"].values,
        "region": p["nbs_region"].values,
        "geo_region": p["geo_region_en"].values,
        "geo_region_zh": p["geo_region_zh"].values,
        "centroid_lon": p["centroid_lon"].values,
        "centroid_lat": p["centroid_lat"].values,
        "agglomeration": p["code"].map(agg).fillna("").values,
    })
    return out.reset_index(drop=True)
