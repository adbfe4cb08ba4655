"""Issue 10, item 11: the shipped China study as a reviewer expects it."""

from pathlib import Path

from policydiffusion.studyfile import example_path, load_study_file

ROOT = Path(__file__).resolve().parents[2]


def test_the_packaged_copy_is_the_example():
    packaged = ROOT / "src" / "policydiffusion" / "examples" / "china_mobile_gov.toml"
    assert packaged.read_text() == (ROOT / "examples" / "china_mobile_gov.toml").read_text()
    assert example_path("china_mobile_gov").read_text() == packaged.read_text()


def test_conditional_design_with_full_dyadic_and_monadic_robustness_checks():
    sf = load_study_file(example_path("china_mobile_gov"))
    designs = {r.name: (r.design, r.conditional) for r in sf.risksets}
    used = {m.riskset for m in sf.models}
    assert ("dyadic", True) in designs.values() and ("dyadic", False) in designs.values()
    assert "monadic" in {d for d, _ in designs.values()}
    assert used == set(designs)  # every design has a model
    text = example_path("china_mobile_gov").read_text()
    assert ('Boehmke (2009, "Policy emulation or\n# policy convergence? Potential ambiguities in '
            'the dyadic event history approach to state\n# policy emulation", Journal of '
            'Politics 71(3))') in text


def test_performance_gap_split_says_signed_or_absolute_and_offers_both():
    sf = load_study_file(example_path("china_mobile_gov"))
    by = [h.by for h in sf.heterogeneity]
    assert "perf_gap" in by and "abs_perf_gap" in by
    kinds = {t.params["name"]: t.params.get("kind") for r in sf.risksets for t in r.terms
             if t.term == "attribute_difference"}
    assert kinds == {"perf_gap": "signed", "abs_perf_gap": "abs"}
    labels = sf.report.labels
    assert "signed" in labels["perf_gap"]["en"] and "有符号" in labels["perf_gap"]["zh"]
    assert "absolute" in labels["abs_perf_gap"]["en"] and "绝对值" in labels["abs_perf_gap"]["zh"]
