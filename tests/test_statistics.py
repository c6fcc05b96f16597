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


# Figures in ministry-style sentences of our own: measure words, comparison bases, periods.
@pytest.mark.parametrize("text, expected", [
    # measure words of land, weight and counted things are units
    ("全国累计建成高标准农田10亿亩。", [("累计建成高标准农田", "10", "亿亩", None)]),
    ("全年集成电路产量4514亿块。", [("集成电路产量", "4514", "亿块", "全年")]),
    # a comparison base (比上年) is no measure: the verb continues the measure before it
    ("全年粮食产量70650万吨，比上年增加1109万吨，增长1.6%。",
     [("粮食产量", "70650", "万吨", "全年"), ("粮食产量增加", "1109", "万吨", "全年"),
      ("粮食产量增长", "1.6", "%", "全年")]),
    # periods as written: the end of a month, this year's quarters
    ("截至6月末，普惠小微贷款余额32.9万亿元。", [("普惠小微贷款余额", "32.9", "万亿元", "6月末")]),
    ("今年前三季度，交通固定资产投资2.8万亿元。", [("交通固定资产投资", "2.8", "万亿元", "今年前三季度")]),
    # what a counting measure word counts follows it
    ("覆盖13个粮食主产省份的产粮大县。", [("覆盖粮食主产省份", "13", "个", None)]),
])
def test_reads_statistics_of_written_sentences(pipeline, text, expected):
    got, _ = _stats(pipeline, text)
    assert got == expected


def test_amount_before_a_named_instrument_is_the_instrument_s(pipeline):
    _, x = _stats(pipeline, "人民银行设立5000亿元科技创新和技术改造再贷款。")
    (st,) = x.statistics
    assert (st.about, st.value, st.unit) == ("科技创新和技术改造再贷款", "5000", "亿元")
    assert st.measure.endswith("科技创新和技术改造再贷款")
