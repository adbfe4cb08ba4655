"""The Study: loading and validating adoption records and everything around them.

Examples
--------
>>> import pandas as pd
>>> from policydiffusion.study import load_study
>>> study = load_study(pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]}))
>>> study.adoptions.height
1
"""

from policydiffusion.study._cells import ReadOptions
from policydiffusion.study._collect import TableRead
from policydiffusion.study._columns import (AdoptionColumns, CovariateColumns, PolicyColumns,
                                            RelationColumns, UnitColumns)
from policydiffusion.study._levels import Hierarchy, at_levels, hierarchy, read_pilots
from policydiffusion.study._load import RelationSpec, load_study
from policydiffusion.study._add_relations import add_relations
from policydiffusion.study._read import read_table
from policydiffusion.study._read_adoptions import ColumnChoiceWarning, read_adoptions
from policydiffusion.study._read_relation import RelationRead, read_relation
from policydiffusion.study._read_tables import read_covariates, read_events, read_policies, read_units
from policydiffusion.study._periods import parse_time, period_label
from policydiffusion.study._relations import Relation
from policydiffusion.study._study import Exclusion, Study

__all__ = ["Study", "Exclusion", "Relation", "RelationSpec", "load_study", "add_relations", "parse_time",
           "period_label", "Hierarchy", "hierarchy", "at_levels", "read_pilots",
           "AdoptionColumns", "UnitColumns", "PolicyColumns", "CovariateColumns", "RelationColumns",
           "ReadOptions", "TableRead", "RelationRead", "ColumnChoiceWarning", "read_table",
           "read_adoptions", "read_units", "read_policies", "read_covariates", "read_relation",
           "read_events"]
