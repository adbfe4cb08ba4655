"""A small report document built without any model: for the template and browser tests."""

import pandas as pd
import pytest

from policydiffusion.report.document import (Fact, FigureItem, Paragraph, ReportDocument, Section,
                                             frame_table)
from policydiffusion.report.i18n import tr


def _curve(lang):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([2000, 2001, 2002, 2003], [0.1, 0.3, 0.6, 0.8], drawstyle="steps-post")
    ax.set_xlabel(tr("axis.year", lang))
    ax.set_ylabel(tr("axis.cumulative_share", lang))
    return fig


def _table(lang):
    return pd.DataFrame({tr("col.policy", lang): ["lott", "amber"],
                         tr("col.adopters", lang): ["36", "48"],
                         tr("col.estimate", lang): ["0.123", "-1.500"]})


@pytest.fixture
def dummy_doc():
    return ReportDocument(
        title={"en": "A test report", "zh": "测试报告"},
        description={"en": "Made of dummy results.", "zh": "由虚拟结果构成。"},
        simulated=True,
        facts=(Fact("summary.units", "50"), Fact("summary.adoptions", "84")),
        sections=(
            Section("summary", "heading.summary", (Paragraph({"en": "Hello.", "zh": "你好。"}),)),
            Section("description", "heading.description", (
                FigureItem("curve", {"en": "Cumulative adoption", "zh": "累计采纳"}, _curve),
                frame_table("glance", {"en": "At a glance", "zh": "概况"}, _table,
                            note={"en": "A note.", "zh": "注释。"}),
            )),
        ),
        source_file="test.toml", version="0.1.0",
    )
