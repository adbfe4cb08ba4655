"""A real browser opens the report offline: no console error and no network request.

Headless Chromium (Debian package ``chromium``) is driven through the DevTools
protocol over a pipe. The checker is itself tested on pages that are broken on
purpose, so a clean result means something.
"""

import struct

import pytest

from policydiffusion.report._browser import check_page, find_chromium
from policydiffusion.report.html import write_report

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="chromium is not installed (apt-get install -y chromium)")

CSP_META = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'\">")


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_opens_cleanly_in_chromium(dummy_doc, tmp_path, lang):
    html = write_report(dummy_doc, tmp_path, lang=lang).html
    shot = tmp_path / "shot.png"
    res = check_page(html, screenshot=shot, width=1280, height=2000)
    assert res.errors == () and res.requests == (), res
    assert res.title == ("测试报告" if lang == "zh" else "A test report")
    assert _png_size(shot) == (1280, 2000)


def test_checker_detects_external_request_and_script_errors(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>b</title></head><body>'
                    '<img src="http://example.invalid/x.png"><script>no_such_function();</script>'
                    '<script>console.error("deliberate")</script></body></html>')
    res = check_page(page)
    assert res.requests == ("http://example.invalid/x.png",)
    assert any("no_such_function" in e for e in res.exceptions)
    assert res.console_errors == ("deliberate",)
    assert not res.clean


def test_checker_sees_requests_blocked_by_the_policy(tmp_path):
    page = tmp_path / "blocked.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8">{CSP_META}<title>c</title>'
                    '</head><body><img src="https://example.invalid/y.png">'
                    '<link rel="stylesheet" href="https://example.invalid/s.css"></body></html>')
    res = check_page(page)
    assert any("Content Security Policy" in e for e in res.log_errors)
    assert not res.clean


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_real_study_report_opens_cleanly(tmp_path, lang):
    from policydiffusion.pipeline import run_study
    from policydiffusion.studyfile import example_path

    res = run_study(example_path("us_states_spid"), tmp_path, lang=lang,
                    overrides={"policies.focus": ["lott"], "describe.map_policies": ["lott"],
                               "network.n_edges": 40})
    shot = tmp_path / "report.png"
    check = check_page(res.report, screenshot=shot, width=1280, height=2000)
    assert check.errors == () and check.requests == (), check
    assert check.title == ("美国各州之间的政策扩散" if lang == "zh" else
                           "How policies spread among the US states")
    assert _png_size(shot) == (1280, 2000)


FONT_JS = ("(async () => { await document.fonts.ready; "
           "return [...document.fonts].filter(f => f.family.includes('PolicyDiffusion Sans SC'))"
           ".map(f => f.status).join(','); })()")


def test_chinese_report_embeds_its_font(dummy_doc, tmp_path):
    """Issue 16, item 14: the Chinese report carries a subset of the shipped CJK font, the
    page's policy allows it, and Chromium loads it (no system CJK font needed)."""
    html = write_report(dummy_doc, tmp_path, lang="zh").html
    text = html.read_text(encoding="utf-8")
    assert "font-src data:" in text and '@font-face { font-family: "PolicyDiffusion Sans SC"' in text
    assert len(text.encode()) < len(dummy_doc_font_bytes()) // 4  # a subset, not the whole font
    res = check_page(html, evaluate=(FONT_JS, "document.fonts.check('16px \"PolicyDiffusion Sans SC\"', '测试')"))
    assert res.errors == () and res.requests == (), res
    assert res.values == ("loaded", True)


def dummy_doc_font_bytes():
    from policydiffusion.report.figures._fonts import cjk_font_path

    return cjk_font_path().read_bytes()
