"""national_count and region_count on random studies with late entry and exits, against
brute-force loops (studygen)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from studygen import raw_studies, to_study

from policydiffusion import terms as T
from policydiffusion.riskset import monadic_riskset


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_studies(), st.integers(0, 2))
def test_counts_are_the_numerators_of_the_shares(raw, lag):
    region = {u: "N" if k % 2 else "S" for k, u in enumerate(raw.units)}  # as to_study writes
    rs = monadic_riskset(to_study(raw), policies=raw.policies,
                         terms=[T.national_count(lag=lag), T.region_count(lag=lag)])
    cols = ("policy", "unit", "period", f"national_count_l{lag}", f"region_count_l{lag}")
    for p, u, t, nat, reg in rs.data.select(cols).rows():
        others = [j for j in raw.units if j != u and raw.exists(j, t)]
        assert nat == sum(raw.adopted_by(p, j, t - lag) for j in others)
        assert reg == sum(raw.adopted_by(p, j, t - lag) for j in others if region[j] == region[u])
