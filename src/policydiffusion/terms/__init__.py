"""Diffusion terms: small named builders that add lagged columns to a risk set.

Each builder returns a frozen :class:`Term` with a ``name`` (its column; every builder
takes ``name=`` to rename it), a ``lag`` (information up to ``t - lag``; 1 by default, so same-period
adoptions by others are left out) and a ``description`` that the risk set stores in
``column_meta``. One module per family of the literature (METHODS 5.3-5.5, 5.18).

Examples
--------
>>> from policydiffusion import terms as T
>>> [t.name for t in (T.neighbors_adopted(), T.national_share(), T.region_share())]
['neighbors_adopted_l1', 'national_share_l1', 'region_share_l1']
"""

from policydiffusion.terms._base import Term, renamable
from policydiffusion.terms._dyadic import (attribute_difference, contiguous, relation_count,
                                           same_group, source_time_since_adoption)
from policydiffusion.terms._exposure import covariate, exposure
from policydiffusion.terms._leaders import leaders_adopted
from policydiffusion.terms._levels import (ancestor_adopted, central_signal, peer_share_within_parent,
                                           pilot_designated)
from policydiffusion.terms._neighbors import neighbors_adopted
from policydiffusion.terms._regional import (national_count, national_share, region_count,
                                              region_share)
from policydiffusion.terms._text_similarity import text_similarity
from policydiffusion.terms._time import duration, duration_poly, duration_spline, period_dummies
from policydiffusion.terms._vertical import event_in_force, parent_adopted

#: Every term builder by name (used by the command line's ``--term NAME:opt=value``).
BUILDERS = {
    f.__name__: f
    for f in (neighbors_adopted, region_share, national_share, region_count, national_count,
              leaders_adopted, event_in_force,
              parent_adopted, exposure, covariate, relation_count, source_time_since_adoption,
              attribute_difference, same_group, contiguous, duration, duration_poly,
              duration_spline, period_dummies, ancestor_adopted, central_signal,
              peer_share_within_parent)
}

# every builder takes name= (one spelling for renaming, as in the CLI and the study file)
for _f in (*BUILDERS.values(), pilot_designated, text_similarity):
    globals()[_f.__name__] = renamable(_f)
BUILDERS = {n: globals()[n] for n in BUILDERS}
del _f

# text_similarity reads a relation built by policydiffusion.reinvention (not a CLI term)
__all__ = ["Term", "BUILDERS", "pilot_designated", *BUILDERS, "text_similarity"]
