"""The HTML report is one self-contained file; both languages carry identical numbers."""

import re

from policydiffusion.report.html import CSP, write_report


def _numbers(html):
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    return [c for c in cells if re.fullmatch(r"-?[\d.,]+", c)]


def test_report_is_self_contained(dummy_doc, tmp_path):
    files = write_report(dummy_doc, tmp_path, lang="en")
    html = files.html.read_text()
    assert f'content="{CSP}"' in html
    assert "<script" not in html and "@import" not in html and "url(" not in html
    srcs = re.findall(r'src="([^"]*)"', html)
    assert srcs and all(s.startswith("data:image/") for s in srcs)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "SIMULATED DATA" in html
    assert {p.name for p in files.figures} == {"curve.png", "curve.svg"}
    assert {p.name for p in files.tables} == {"glance.csv", "glance.tex", "glance.md"}
    assert (tmp_path / "tables" / "glance.md").read_text().startswith("| Policy | Adopters |")


def test_chinese_report_translates_headings_and_keeps_numbers(dummy_doc, tmp_path):
    en = write_report(dummy_doc, tmp_path / "en", lang="en").html.read_text()
    zh = write_report(dummy_doc, tmp_path / "zh", lang="zh").html.read_text()
    assert '<html lang="zh-CN">' in zh
    for text in ("测试报告", "概要", "政策扩散的描述", "图 1", "表 1", "模拟数据", "采纳者数"):
        assert text in zh
    body = re.sub(r"<[^>]+>", " ", zh.split("<body", 1)[1])
    for text in ("Summary", "Policy", "Adopters", "Figure", "Table", "Contents"):
        assert text not in body
    assert _numbers(en) == _numbers(zh) == ["36", "0.123", "48", "-1.500"]
