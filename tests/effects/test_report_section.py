from policydiffusion.report.document import ReportDocument
from policydiffusion.report.effects_section import effects_section
from policydiffusion.report.html import render_html


def test_section_renders_china_estimates_in_both_languages(china_fit):
    doc = ReportDocument(title={"en": "China", "zh": "中国"}, sections=(effects_section(china_fit),))
    en = render_html(doc, lang="en")
    zh = render_html(doc, lang="zh")
    assert "Policy effects" in en and "政策效果" in zh
    # The published week-2 emergency declaration estimate, drawn from the fit.
    assert "-0.1732" in en and "-0.1732" in zh
    assert en.count("data:image") >= 1
