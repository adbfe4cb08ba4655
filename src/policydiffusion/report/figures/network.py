"""Figure of an inferred diffusion network (arrows origin -> destination)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_network"]

_COORDS = (("lon", "lat"), ("capital_lon", "capital_lat"), ("centroid_lon", "centroid_lat"),
           ("longitude", "latitude"))


def _frame(x) -> pd.DataFrame:
    if hasattr(x, "to_pandas") and not isinstance(x, pd.DataFrame):
        return x.to_pandas()
    return pd.DataFrame(x)


def plot_network(edges, *, units=None, ax=None, label_col: str = "name", top: int | None = None,
                 seed: int = 0):
    """Draw a diffusion network: one arrow per edge, from origin (source) to destination.

    Parameters
    ----------
    edges : NetinfResult or DataFrame with ``origin``, ``destination`` (and optionally
        ``improvement``, used for the arrow width)
    units : DataFrame, optional
        Node attributes. Nodes are matched on its ``unit`` column, or on ``label_col``
        when the network uses names (e.g. SPID state names). With longitude/latitude
        columns (``lon``/``lat``, ``capital_lon``/``capital_lat`` or
        ``centroid_lon``/``centroid_lat``) nodes sit at those coordinates; otherwise a
        spring layout with ``seed`` places them.
    ax : matplotlib Axes, optional
    label_col : str
        Column of ``units`` used for node labels.
    top : int, optional
        Draw only the first ``top`` edges (selection order = strongest first).
    seed : int
        Seed of the layout when there are no coordinates.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"origin": ["CA", "CA"], "destination": ["OR", "WA"]})
    >>> ax = plot_network(e)
    >>> len(ax.texts)
    3
    """
    import networkx as nx
    from matplotlib.patches import FancyArrowPatch

    e = edges.edges if hasattr(edges, "edges") and hasattr(edges, "node_names") else _frame(edges)
    if top is not None:
        e = e.head(int(top))
    e = e.copy()
    e["origin"], e["destination"] = e["origin"].astype(str), e["destination"].astype(str)
    nodes = list(dict.fromkeys(e["origin"].tolist() + e["destination"].tolist()))
    from policydiffusion.report.figures._common import new_axes

    ax = new_axes(ax, figsize=(3.5, 3.5))
    labels = {n: n for n in nodes}
    pos = None
    if units is not None:
        u = _frame(units)
        key = "unit" if "unit" in u.columns and set(nodes) <= set(u["unit"].astype(str)) else label_col
        if key in u.columns:
            u = u.assign(_key=u[key].astype(str)).drop_duplicates("_key").set_index("_key")
            if label_col in u.columns:
                labels = {n: str(u.at[n, label_col]) if n in u.index else n for n in nodes}
            for lon, lat in _COORDS:
                if lon in u.columns and lat in u.columns and set(nodes) <= set(u.index):
                    pos = {n: (float(u.at[n, lon]), float(u.at[n, lat])) for n in nodes}
                    break
    if pos is None:
        g = nx.DiGraph()
        g.add_nodes_from(nodes)
        g.add_edges_from(zip(e["origin"], e["destination"]))
        pos = {n: tuple(p) for n, p in nx.spring_layout(g, seed=seed).items()} if nodes else {}
    outdeg = e["origin"].value_counts()
    w = e["improvement"].to_numpy(float) if "improvement" in e.columns and len(e) else np.ones(len(e))
    w = 0.5 + 2.5 * (w - w.min()) / (np.ptp(w) or 1.0) if len(w) else w
    for (o, d), lw in zip(zip(e["origin"], e["destination"]), w):
        ax.add_patch(FancyArrowPatch(pos[o], pos[d], arrowstyle="-|>", mutation_scale=10,
                                     lw=lw, color="0.35", alpha=0.7, shrinkA=6, shrinkB=6,
                                     connectionstyle="arc3,rad=0.1"))
    xy = np.array([pos[n] for n in nodes]) if nodes else np.empty((0, 2))
    sizes = [30 + 25 * int(outdeg.get(n, 0)) for n in nodes]
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, color="tab:blue", zorder=3, edgecolor="white")
    ax.set_axis_off()
    ax.autoscale_view()
    _place_labels(ax, nodes, pos, labels, sizes)
    return ax


#: Where a node's label may go, in order of preference: (dx, dy, ha, va) in points; the
#: second ring, further out, for crowded spots.
_RING = ((0, 4, "center", "bottom"), (0, -4, "center", "top"), (5, 0, "left", "center"),
         (-5, 0, "right", "center"), (4, 3, "left", "bottom"), (-4, 3, "right", "bottom"),
         (4, -3, "left", "top"), (-4, -3, "right", "top"))
_SPOTS = _RING + tuple((3 * dx, 3 * dy, ha, va) for dx, dy, ha, va in _RING)


def _place_labels(ax, nodes: list, pos: dict, labels: dict, sizes: list) -> None:
    """Put each label (biggest nodes first) at the first spot around its node where it
    overlaps no label placed before; if none is free, where it overlaps least."""
    from policydiffusion.report.figures._common import figure_renderer

    ax.get_xlim(), ax.get_ylim()  # settle the pending autoscale: label boxes need the final limits
    renderer = figure_renderer(ax.figure)
    placed: list = []
    for i in sorted(range(len(nodes)), key=lambda i: -sizes[i]):
        n = nodes[i]
        best = None
        for dx, dy, ha, va in _SPOTS:
            t = ax.annotate(labels[n], pos[n], fontsize=7, ha=ha, va=va, xytext=(dx, dy),
                            textcoords="offset points", zorder=4)
            box = t.get_window_extent(renderer).expanded(1.05, 1.1)
            clash = sum(_overlap(box, b) for b in placed)
            if best is None or clash < best[0]:
                if best is not None:
                    best[1].remove()
                best = (clash, t, box)
            else:
                t.remove()
            if clash == 0:
                break
        placed.append(best[2])


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0
