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

from policydiffusion.terms import (_dyadic, _exposure, _leaders, _levels, _neighbors, _regional,
                                   _text_similarity, _time, _vertical)
from policydiffusion.terms._base import Term, renamable

# Every builder takes name= (one spelling for renaming, as in the CLI and the study
# file): the public builders are the family modules' builders with that keyword added.
neighbors_adopted = renamable(_neighbors.neighbors_adopted)
region_share = renamable(_regional.region_share)
national_share = renamable(_regional.national_share)
region_count = renamable(_regional.region_count)
national_count = renamable(_regional.national_count)
leaders_adopted = renamable(_leaders.leaders_adopted)
event_in_force = renamable(_vertical.event_in_force)
parent_adopted = renamable(_vertical.parent_adopted)
exposure = renamable(_exposure.exposure)
covariate = renamable(_exposure.covariate)
relation_count = renamable(_dyadic.relation_count)
source_time_since_adoption = renamable(_dyadic.source_time_since_adoption)
attribute_difference = renamable(_dyadic.attribute_difference)
same_group = renamable(_dyadic.same_group)
contiguous = renamable(_dyadic.contiguous)
duration = renamable(_time.duration)
duration_poly = renamable(_time.duration_poly)
duration_spline = renamable(_time.duration_spline)
period_dummies = renamable(_time.period_dummies)
ancestor_adopted = renamable(_levels.ancestor_adopted)
central_signal = renamable(_levels.central_signal)
peer_share_within_parent = renamable(_levels.peer_share_within_parent)
pilot_designated = renamable(_levels.pilot_designated)
text_similarity = renamable(_text_similarity.text_similarity)

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

# text_similarity reads a relation built by policydiffusion.reinvention (not a CLI term)
__all__ = ["Term", "BUILDERS", "pilot_designated", *BUILDERS, "text_similarity"]
