"""Statistics: figures with what they measure, value, unit and period; never entities."""
from __future__ import annotations

import pytest


def _stats(pipeline, text):
    x = pipeline.parse(text)
    return [(s.measure, s.value, s.unit, s.period) for s in x.statistics], x


@pytest.mark.parametrize("text, expected", [
    ("一季度，我国规模以上工业增加值同比增长6.5%，比2021年四季度加快2.6个百分点。",
     [("规模以上工业增加值同比增长", "6.5", "%", "一季度"),
      ("规模以上工业增加值加快", "2.6", "个百分点", "2021年四季度")]),
    ("11月份，高技术制造业增加值同比增长15.1%。", [("高技术制造业增加值同比增长", "15.1", "%", "11月份")]),
    ("增加再贷款再贴现额度5000亿元。", [("增加再贷款再贴现额度", "5000", "亿元", None)]),
    ("12月小微企业景气指数为100.4。", [("小微企业景气指数为", "100.4", "", "12月")]),
    ("1-11月，全国新能源汽车销量达到1,200万辆。", [("新能源汽车销量达到", "1200", "万辆", "1-11月")]),
])
def test_reads_statistics(pipeline, text, expected):
    got, _ = _stats(pipeline, text)
    assert got == expected


@pytest.mark.parametrize("text", [
    "2021年3月18日，商务部等六部门印发通知。",  # dates are no figures
    "商财发〔2021〕39号文件明确了要求。",  # document numbers neither
    "加快5G基站建设。",
])
def test_dates_codes_and_names_are_not_statistics(pipeline, text):
    got, _ = _stats(pipeline, text)
    assert got == []


def test_statistic_is_about_the_entity_it_measures(pipeline):
    _, x = _stats(pipeline, "11月份，集成电路产量同比增长12.5%。")
    (st,) = x.statistics
    assert st.about == "集成电路"
    assert not any(m.text.startswith("12.5") for m in x.mentions)


def test_statistics_in_the_graph(seed_build):
    from rdflib import Graph
    from kg.namespace import KG

    g = Graph().parse(seed_build.outputs["graph.ttl"])
    values = {(str(g.value(s, KG.measure)), str(g.value(s, KG.value)), str(g.value(s, KG.unit)))
              for s in g.subjects(predicate=KG.value)}
    assert ("规模以上工业增加值同比增长", "6.5", "%") in values
    for s in g.subjects(predicate=KG.value):
        assert g.value(s, KG.sentence) is not None
