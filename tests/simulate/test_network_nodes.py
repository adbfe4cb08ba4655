"""The cascade and threshold simulators number a network's nodes one way: the nodes
given (as text, like the edges' ends) first, then those of the edges."""

from __future__ import annotations

from policydiffusion.simulate.cascades import random_network, simulate_cascades
from policydiffusion.simulate.threshold import simulate_threshold


def test_nodes_given_as_numbers_match_the_edges_text_ids() -> None:
    net = random_network(5, n_edges=8, seed=1)  # nodes "0".."4"
    sim = simulate_cascades(net, n_cascades=3, nodes=range(6), seed=2)  # "5": an isolate
    assert set(sim.cascades.get_column("node")) <= {str(k) for k in range(6)}
    thr = simulate_threshold(net, n_periods=3, nodes=range(6), seed=2)
    assert thr.adoptions.get_column("unit").to_list() == [str(k) for k in range(6)]
