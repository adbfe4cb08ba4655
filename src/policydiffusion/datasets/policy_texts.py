"""Policy texts for re-invention studies: Chinese civility regulations, US bills.

``china_civility_texts``: the 文明行为促进条例 (civilised-behaviour promotion
regulations) of 42 Chinese cities and provinces, 2015-2023, one row per regulation
with its adoption ``date`` from the statute's header. ``english_bill_texts``: stand
your ground / castle doctrine bills of 9 US states (2005-2011) and paid sick leave bills
(2014-2015), with ``year`` parsed from each record. Each folder's README gives the
provenance, licence and cleaning; ``tools/build_reinvention_texts.py`` rebuilds both.

Examples
--------
>>> from policydiffusion.datasets import load_dataset
>>> zh = load_dataset("china_civility_texts")
>>> len(zh), zh["date"].min(), zh["unit"].iloc[0]
(42, '2015-12-30', '杭州市')
>>> en = load_dataset("english_bill_texts")
>>> en.groupby("policy").size().to_dict()
{'paid_sick_leave': 22, 'stand_your_ground': 9}
"""

from __future__ import annotations

from policydiffusion.datasets import DatasetInfo, register_dataset

__all__: list[str] = []

register_dataset(DatasetInfo(
    "china_civility_texts", "table",
    "文明行为促进条例: texts of 42 city and provincial civilised-behaviour regulations, "
    "2015-2023 (policy, unit, province, level, date, passed, approved, revised, file_date, "
    "header, source_path, text)",
    "LawRefBook/Laws @2f4c5c23716267af9dbebbbbd6cbbf732b101981 (texts from flk.npc.gov.cn)",
    "none stated by the repository; statutes are outside copyright (PRC Copyright Law art. 5)",
    "china_civility_texts/texts.csv.gz"))
register_dataset(DatasetInfo(
    "english_bill_texts", "table",
    "US bill texts: stand your ground / castle doctrine (9 states, 2005-2011) and paid sick "
    "leave (22 bills, 2014-2015), page clutter stripped (policy, unit, state, year, record, "
    "url, text)",
    "dssg/policy_diffusion data/evaluation_set/labeled_bills.json "
    "@61d5885e809ab8d92db18d79f7a82b6461cf4343",
    "MIT (dssg/policy_diffusion); the bills are US state government documents",
    "english_bill_texts/texts.csv.gz"))
