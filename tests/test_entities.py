"""Entity recognition: (text, expected) tables, most sentences written for the tests."""
from __future__ import annotations

import pytest


def _found(pipeline, text):
    x = pipeline.parse(text)
    return {(m.key, m.cls) for m in x.mentions}, x


@pytest.mark.parametrize("text, key, cls", [
    # lexicon, with aliases resolved to the canonical name
    ("工信部将加快推进相关工作。", "工业和信息化部", "GovernmentBody"),
    ("国家发展改革委印发通知。", "国家发展和改革委员会", "GovernmentBody"),
    ("聚焦长三角地区的协同发展。", "长江三角洲", "RegionCluster"),
    ("广东省出台若干措施。", "广东省", "Province"),
    ("支持集成电路产业发展。", "集成电路", "EmergingIndustry"),
    # 《…》 titles, the class from their ending
    ("深入实施《新能源汽车产业发展规划（2021—2035年）》。", "新能源汽车产业发展规划(2021—2035年)", "Plan"),
    ("认真贯彻《中华人民共和国中小企业促进法》。", "中华人民共和国中小企业促进法", "Regulation"),
    ("国务院印发《关于进一步优化营商环境的意见》。", "关于进一步优化营商环境的意见", "PolicyDocument"),
    # quoted names with an instrument head
    ("完善“中小企助查”App等服务。", "中小企助查App", "Platform"),
    ("落实企业“白名单”制度。", "白名单制度", "System"),
    # names ending in an instrument head, run back to the verb
    ("用好汽车产业链供应链畅通协调平台。", "汽车产业链供应链畅通协调平台", "Platform"),
    ("组织新一轮新能源汽车下乡活动。", "新能源汽车下乡活动", "Campaign"),
    ("启动公共领域车辆全面电动化城市试点。", "公共领域车辆全面电动化城市试点", "Pilot"),
    ("开展跨境电商综合试验区建设工作。", "跨境电商综合试验区", "EconomicZone"),
    ("设立科技创新再贷款，支持企业研发。", "科技创新再贷款", "FinancialTool"),
    # organisation suffixes
    ("工信部将会同国务院促进中小企业发展工作领导小组成员单位。", "国务院促进中小企业发展工作领导小组", "Organization"),
    ("中国第一汽车集团有限公司发布新车型。", "中国第一汽车集团有限公司", "EnterpriseGroup"),
    # people: after a post title, opening a speaker turn
    ("来看对工业和信息化部副部长辛国斌的专访。", "辛国斌", "Person"),
    ("商务部部长王文涛出席会议。", "王文涛", "Person"),
    ("李明表示，将进一步扩大开放。", "李明", "Person"),
    ("张晓燕：我们会继续努力。", "张晓燕", "Person"),
])
def test_finds_entity(pipeline, text, key, cls):
    found, _ = _found(pipeline, text)
    assert (key, cls) in found, found


@pytest.mark.parametrize("text, not_key", [
    ("完善“中小企助查”App等政策服务数字化平台。", "政策服务数字化平台"),  # X等平台: a category
    ("加快实施重大工程和项目。", "重大工程"),  # only generic words before the head
    ("组织各级中小企业公共服务平台进企业。", "各级中小企业公共服务平台"),  # 各级 is no part of the name
    ("做好四方面“全力以赴”。", "全力以赴"),  # a quoted slogan is no entity
    ("这是当务之急，也是重中之重。", "当务之急"),
])
def test_does_not_find(pipeline, text, not_key):
    found, _ = _found(pipeline, text)
    assert not_key not in {k for k, _ in found}, found


def test_alias_of_quoted_instrument_resolves_to_one_entity(pipeline):
    found, x = _found(pipeline, "工信部将落实“白名单”制度。设立重点保障企业的白名单，推进“白名单”区域互认。")
    keys = [m.key for m in x.mentions if "白名单" in m.text]
    assert keys == ["白名单制度"] * 3, [(m.text, m.key) for m in x.mentions]


def test_person_name_found_again_without_title(pipeline):
    _, x = _found(pipeline, "工业和信息化部副部长辛国斌接受专访。辛国斌表示，要稳定产业链。")
    assert [m.text for m in x.mentions if m.cls == "Person"] == ["辛国斌", "辛国斌"]


def test_longest_name_wins_over_nested_sector(pipeline):
    _, x = _found(pipeline, "用好汽车产业链供应链畅通协调平台。")
    assert [m.key for m in x.mentions] == ["汽车产业链供应链畅通协调平台"]


def test_mention_offsets_point_into_the_original_text(pipeline):
    text = "国务院常务会议指出，支持 集成电路、人工智能产业发展。"
    _, x = _found(pipeline, text)
    assert x.mentions
    for m in x.mentions:
        assert text[m.start:m.end] == m.text


def test_full_width_forms_match(pipeline):
    _, x = _found(pipeline, "加快５Ｇ基站建设。")
    assert ("5G", "５Ｇ") in {(m.key, m.text) for m in x.mentions}


def test_jieba_segmenter_finds_the_same_core_entities(jieba_pipeline):
    x = jieba_pipeline.parse("工信部将落实“白名单”制度，优先保障集成电路、汽车等重点行业，聚焦长三角、珠三角。")
    keys = {m.key for m in x.mentions}
    assert {"工业和信息化部", "白名单制度", "集成电路", "汽车", "长江三角洲", "珠江三角洲"} <= keys


@pytest.mark.parametrize("text, person", [
    ("国家发展改革委主任郑栅洁介绍，今年将扩大有效投资。", "郑栅洁"),
    ("潘功胜说，货币政策将保持稳健。", "潘功胜"),
    ("何立峰强调，要稳住外贸外资基本盘。", "何立峰"),
])
def test_unknown_person_found_from_context(pipeline, text, person):
    found, _ = _found(pipeline, text)
    assert (person, "Person") in found, found


@pytest.mark.parametrize("text", [
    "权威表示，经济运行总体平稳。",  # 权 is a surname, 权威 a word
    "同时表示，将加大支持力度。",
    "高效统筹疫情防控和经济社会发展。",
])
def test_words_are_not_taken_for_names(pipeline, text):
    found, _ = _found(pipeline, text)
    assert not any(cls == "Person" for _, cls in found), found


def test_traditional_chinese_matches_but_keeps_original_labels(pipeline):
    text = "國務院辦公廳印發通知。工業和信息化部將落實產業鏈供應鏈「白名單」制度，優先保障集成電路、汽車等重點行業。"
    found, x = _found(pipeline, text)
    assert {("国务院办公厅", "GovernmentBody"), ("工业和信息化部", "GovernmentBody"),
            ("白名单制度", "System"), ("集成电路", "EmergingIndustry"), ("汽车", "Industry")} <= found
    assert {m.text for m in x.mentions} >= {"國務院辦公廳", "工業和信息化部", "「白名單」制度", "集成電路", "汽車"}
    facts = {(r.subject, r.predicate, r.object) for r in x.relations}
    assert ("工业和信息化部", "implements", "白名单制度") in facts
    assert all(r.evidence.text.startswith("工業和信息化部") for r in x.relations)


# Each rule below is general Chinese policy-text structure; each has a sentence of its own.
@pytest.mark.parametrize("text, key, cls", [
    # a short back-reference names the full title given earlier
    ("国务院印发《长江三角洲区域一体化发展规划纲要》。《规划纲要》提出了目标。", "长江三角洲区域一体化发展规划纲要", "Plan"),
    # a shared head in coordination: 支农、支小再贷款 is two instruments
    ("下调支农、支小再贷款利率。", "支农再贷款", "FinancialTool"),
    ("规模以上高技术和装备制造业增加值增长。", "高技术制造业", "Industry"),
    # numbered policy slogans in quotes
    ("强化“六稳”举措。", "六稳", "Programme"),
    # a person named before a title or honorific
    ("以习近平同志为核心的党中央作出部署。", "习近平", "Person"),
    ("李强总理主持会议。", "李强", "Person"),
    # a verb right before the head is the name's own activity
    ("加大稳岗和就业补助。", "就业补助", "FiscalTool"),
    # a known name after a verb is the whole name
    ("建设中关村国家自主创新示范区。", "中关村国家自主创新示范区", "EconomicZone"),
])
def test_general_patterns_find(pipeline, text, key, cls):
    found, _ = _found(pipeline, text)
    assert (key, cls) in found, found


@pytest.mark.parametrize("text, not_key", [
    ("观看《新闻联播》节目。", "新闻联播"),  # a 《》 title that is no policy document
    ("鼓励商业银行加大信贷投放。", "鼓励商业银行"),  # a governing verb is no part of a name
    ("用于中小银行支持企业。", "用于中小银行"),
    ("组织开展高质量充电基础设施建设。", "高质量充电基础设施"),  # a modifier is no part of a name
    ("两头挤压加剧。", "两头挤压"),
    ("支持出租方减免个体工商户租金。", "出租方减免"),  # a head word used as the clause's verb
])
def test_general_patterns_do_not_find(pipeline, text, not_key):
    found, _ = _found(pipeline, text)
    assert not_key not in {k for k, _ in found}, found
