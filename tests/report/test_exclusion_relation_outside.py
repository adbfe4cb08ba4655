"""The templated exclusion reason of load_study(unknown_units="drop") is translated."""

from __future__ import annotations

import pandas as pd

from policydiffusion.pipeline.assemble import _reason
from policydiffusion.study import RelationSpec, load_study


def test_dropped_edges_reason_has_a_chinese_text_and_keeps_its_values():
    adopt = pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]})
    edges = pd.DataFrame({"s": ["A", "AK"], "t": ["B", "A"]})
    study = load_study(adopt, units=pd.DataFrame({"unit": ["A", "B"]}), unknown_units="drop",
                       relations={"net work": RelationSpec(edges, source="s", target="t")})
    reason = study.exclusions["reason"].iloc[0]
    assert _reason(reason, "en") == reason
    zh = _reason(reason, "zh")
    assert zh != reason and "'net work'" in zh and "AK" in zh and "已删除" in zh
