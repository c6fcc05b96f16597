"""Relation extraction: (text, expected facts) tables, sentences written for the tests."""
from __future__ import annotations

import pytest


def _facts(pipeline, text):
    x = pipeline.parse(text)
    return {(r.subject, r.predicate, r.object) for r in x.relations}, x


@pytest.mark.parametrize("text, expected", [
    # person → post → organisation
    ("来看对工业和信息化部副部长辛国斌的专访。",
     {("辛国斌", "officialOf", "工业和信息化部")}),
    ("商务部党组书记、部长王文涛出席会议。",
     {("王文涛", "officialOf", "商务部")}),
    # actor → instrument, launch versus implement
    ("工信部将落实“白名单”制度。", {("工业和信息化部", "implements", "白名单制度")}),
    ("财政部设立科技创新再贷款。", {("财政部", "launches", "科技创新再贷款")}),
    # sector enumeration expanded, attached to the instrument used in the sentence
    ("商务部发挥跨境电商公共服务平台作用，优先支持纺织、家具、医药等重点行业。",
     {("商务部", "implements", "跨境电商公共服务平台"),
      ("跨境电商公共服务平台", "prioritisesSector", "纺织"),
      ("跨境电商公共服务平台", "prioritisesSector", "家具"),
      ("跨境电商公共服务平台", "prioritisesSector", "医药")}),
    # regions after a focus verb, attached to the actor when no instrument is used
    ("国家发展改革委聚焦京津冀、粤港澳大湾区等重点区域。",
     {("国家发展和改革委员会", "targetsRegion", "京津冀"),
      ("国家发展和改革委员会", "targetsRegion", "粤港澳大湾区")}),
    # collaboration
    ("工信部会同财政部、商务部开展专项督查。",
     {("工业和信息化部", "collaboratesWith", "财政部"), ("工业和信息化部", "collaboratesWith", "商务部")}),
    # sub-unit → parent from the name
    ("国务院促进中小企业发展工作领导小组召开会议。",
     {("国务院促进中小企业发展工作领导小组", "subUnitOf", "国务院")}),
])
def test_extracts(pipeline, text, expected):
    facts, _ = _facts(pipeline, text)
    assert expected <= facts, facts - expected


def test_subject_carried_over_omitted_subject(pipeline):
    facts, _ = _facts(pipeline, "商务部将推动外贸稳定增长。会同相关部门启动跨境电商零售进口试点。")
    assert ("商务部", "launches", "跨境电商零售进口试点") in facts


def test_subject_carried_across_enumerated_items(pipeline):
    text = "人民银行当前正从两方面发力：\n\n一是设立科技创新再贷款。\n\n二是聚焦长三角、珠三角等地区。"
    facts, _ = _facts(pipeline, text)
    assert {("中国人民银行", "launches", "科技创新再贷款"),
            ("中国人民银行", "targetsRegion", "长江三角洲"),
            ("中国人民银行", "targetsRegion", "珠江三角洲")} <= facts


def test_subject_not_carried_into_an_unmarked_paragraph(pipeline):
    facts, _ = _facts(pipeline, "商务部将推动外贸发展。\n\n启动跨境电商零售进口试点。")
    assert not any(p == "launches" for _, p, _ in facts), facts


def test_speaker_acts_for_their_organisation_and_announces(pipeline):
    text = "来看对工业和信息化部副部长辛国斌的专访。\n\n辛国斌表示，下一步，组织新一轮新能源汽车下乡活动。"
    facts, x = _facts(pipeline, text)
    assert ("工业和信息化部", "launches", "新能源汽车下乡活动") in facts
    assert ("辛国斌", "announces", "新能源汽车下乡活动") in facts
    assert {a.speaker for a in x.attributions} == {"辛国斌"}


def test_no_fact_without_a_verb(pipeline):
    facts, _ = _facts(pipeline, "汽车是国民经济重要支柱产业。")
    assert facts == set()


def test_evidence_points_at_the_sentence(pipeline):
    text = "前言。工信部将落实“白名单”制度。"
    _, x = _facts(pipeline, text)
    (r,) = [r for r in x.relations if r.predicate == "implements"]
    assert r.evidence.text == "工信部将落实“白名单”制度。"
    assert text[r.evidence.start:r.evidence.end].endswith("“白名单”制度")


@pytest.mark.parametrize("text, expected", [
    # joint subjects act together and each acts
    ("中共中央、国务院印发了《长江三角洲区域一体化发展规划纲要》。",
     {("中国共产党中央委员会", "launches", "长江三角洲区域一体化发展规划纲要"),
      ("国务院", "launches", "长江三角洲区域一体化发展规划纲要"),
      ("中国共产党中央委员会", "collaboratesWith", "国务院")}),
    # a subject after a modifier ending in 的
    ("以习近平同志为核心的党中央着力推动京津冀协同发展。",
     {("中国共产党中央委员会", "implements", "京津冀协同发展")}),
    # what a meeting decides, its body decides
    ("国务院总理李克强主持召开国务院常务会议。\n\n会议确定，增加再贷款再贴现额度。",
     {("国务院", "implements", "再贷款"), ("国务院", "implements", "再贴现")}),
    # a headline states facts
    ("商务部等六部门：进一步扩大跨境电商零售进口试点\n\n有关负责人介绍了情况。",
     {("商务部", "implements", "跨境电商零售进口试点")}),
    # 将 + object + verb
    ("商务部将跨境电商零售进口试点扩大至海南省。",
     {("商务部", "implements", "跨境电商零售进口试点"), ("跨境电商零售进口试点", "targetsRegion", "海南省")}),
    # sectors listed before an instrument are what it covers
    ("商务部推动汽车、家电等消费品以旧换新。",
     {("消费品以旧换新", "prioritisesSector", "汽车"), ("消费品以旧换新", "prioritisesSector", "家电")}),
    # a document just issued owns what the sentence goes on to say
    ("国家发展改革委印发《关于振作工业经济运行的实施方案》，支持制造业发展。",
     {("关于振作工业经济运行的实施方案", "prioritisesSector", "制造业")}),
    # a title that alone names its body
    ("习近平总书记强调，要推动高质量发展。", {("习近平", "officialOf", "中国共产党中央委员会")}),
])
def test_discourse_patterns(pipeline, text, expected):
    facts, _ = _facts(pipeline, text)
    assert expected <= facts, expected - facts


@pytest.mark.parametrize("text, absent", [
    # urging others is not doing it yourself
    ("国务院鼓励地方安排中小企业纾困专项资金。", ("国务院", "implements", "中小企业纾困专项资金")),
    # the urged stay the subject of the clauses that follow the urging
    ("财政部鼓励地方银行加大投放，给予小微企业贷款延期还本付息安排。",
     ("财政部", "implements", "小微企业贷款延期还本付息安排")),
    # officials of several bodies answering questions are no joint act
    ("国家发展改革委、财政部有关负责人回答了记者提问。", ("国家发展和改革委员会", "collaboratesWith", "财政部")),
])
def test_discourse_patterns_do_not_assert(pipeline, text, absent):
    facts, _ = _facts(pipeline, text)
    assert absent not in facts, facts


def test_urging_ends_with_the_item(pipeline):
    facts, _ = _facts(pipeline, "财政部鼓励地方银行加大投放；设立中小企业纾困专项资金。")
    assert ("财政部", "launches", "中小企业纾困专项资金") in facts, facts


def test_locative_frame_places_the_sentence_s_instruments(pipeline):
    facts, _ = _facts(pipeline, "在天津，智慧小二金融服务平台可以发放信用贷款。")
    assert ("智慧小二金融服务平台", "targetsRegion", "天津市") in facts


def test_place_as_subject_interrupts_the_carried_actor(pipeline):
    text = "工业和信息化部将加强统筹。河北雄安新区建设进展顺利，重点支持保定市发展。同时，支持广东省扩大开放。"
    facts, _ = _facts(pipeline, text)
    assert ("工业和信息化部", "targetsRegion", "保定市") not in facts  # the zone's act, and it is no actor
    assert ("工业和信息化部", "targetsRegion", "广东省") in facts  # the actor carries on after it


# -- precision on text the rules were not written against (ministry-style sentences of our own) --

def test_speaker_named_by_a_speech_verb_speaks_for_the_paragraph_only(pipeline):
    text = ("商务部新闻发言人张立群介绍情况。张立群说，商务部将组织开展“消费提振年”系列活动。\n\n"
            "上海市场监管部门开展“铁拳”行动。")
    facts, x = _facts(pipeline, text)
    assert {("商务部", "launches", "消费提振年系列活动"), ("张立群", "announces", "消费提振年系列活动")} <= facts
    assert not any(o == "铁拳行动" for _, _, o in facts), facts
    assert {a.sentence for a in x.attributions} == {1}


def test_speaker_turn_opened_by_a_colon_lasts_over_paragraphs(pipeline):
    text = "商务部部长王文涛接受采访。\n\n王文涛：今年要稳外贸。\n\n商务部将组织开展“消费提振年”系列活动。"
    facts, _ = _facts(pipeline, text)
    assert ("王文涛", "announces", "消费提振年系列活动") in facts, facts


@pytest.mark.parametrize("text, absent", [
    # a scope word (覆盖, 包括) says what an instrument reaches, never what the carried actor targets
    ("国家卫生健康委主任王建平介绍，医共体建设试点已覆盖浙江省、山西省等省份。",
     ("国家卫生健康委员会", "targetsRegion", "浙江省")),
    ("科技部副部长陈家昌介绍，国家技术创新中心布局已覆盖长三角、粤港澳大湾区。",
     ("科学技术部", "targetsRegion", "粤港澳大湾区")),
    # a cue word inside a name is no cue: 发展 in 国家发展改革委, and a topic (就…) is not implemented
    ("国家发展改革委有关负责人就《关于恢复和扩大消费的措施》答记者问",
     ("国家发展和改革委员会", "implements", "关于恢复和扩大消费的措施")),
    # a place list in another clause does not locate the instrument
    ("会议决定，在上海、深圳等城市先行试点基础上，将个人养老金制度推开至全国。",
     ("个人养老金制度", "targetsRegion", "上海市")),
])
def test_written_sentences_do_not_assert(pipeline, text, absent):
    facts, _ = _facts(pipeline, text)
    assert absent not in facts, facts


@pytest.mark.parametrize("text, expected", [
    # 在 and a list of places right before the verb: the instrument applies there
    ("农业农村部在黑龙江省、吉林省等地率先开展黑土地保护利用试点。",
     {("农业农村部", "launches", "黑土地保护利用试点"),
      ("黑土地保护利用试点", "targetsRegion", "黑龙江省"), ("黑土地保护利用试点", "targetsRegion", "吉林省")}),
    # 甲联合乙、丙发布《…》: every body issues the document
    ("中国人民银行联合国家外汇管理局、国家金融监督管理总局发布《关于优化跨境人民币业务的通知》。",
     {("中国人民银行", "launches", "关于优化跨境人民币业务的通知"),
      ("国家外汇管理局", "launches", "关于优化跨境人民币业务的通知"),
      ("国家金融监督管理总局", "launches", "关于优化跨境人民币业务的通知"),
      ("中国人民银行", "collaboratesWith", "国家外汇管理局")}),
    # a sub-unit issues, not its parent
    ("农业农村部办公厅印发《关于做好农民培训工作的通知》。",
     {("农业农村部办公厅", "launches", "关于做好农民培训工作的通知"), ("农业农村部办公厅", "subUnitOf", "农业农村部")}),
    # sectors listed before an instrument and closed by a noun of goods are what it covers
    ("商务部推动家电、家居产品以旧换新。",
     {("消费品以旧换新", "prioritisesSector", "家电"), ("消费品以旧换新", "prioritisesSector", "家居")}),
    # a tax relief's mention opens with its verb
    ("财政部、税务总局发布公告，对小规模纳税人免征增值税。",
     {("财政部", "implements", "增值税小规模纳税人减免增值税"),
      ("国家税务总局", "implements", "增值税小规模纳税人减免增值税")}),
    # a meeting convened by an official is the official's body speaking
    ("交通运输部部长李国华主持召开部务会议。\n\n会议强调，要稳步推进长江干线航道整治工程。",
     {("交通运输部", "implements", "长江干线航道整治工程")}),
    # in a 答记者问 text the answering body acts in the answers
    ("生态环境部有关负责人就排污许可制度答记者问\n问：下一步有何考虑？\n答：我们将推动全国碳排放权交易市场扩大覆盖范围。",
     {("生态环境部", "implements", "全国碳排放权交易市场")}),
])
def test_written_sentences(pipeline, text, expected):
    facts, _ = _facts(pipeline, text)
    assert expected <= facts, expected - facts


def test_sub_unit_takes_the_act_from_its_parent(pipeline):
    facts, _ = _facts(pipeline, "农业农村部办公厅印发《关于做好农民培训工作的通知》。")
    assert ("农业农村部", "launches", "关于做好农民培训工作的通知") not in facts, facts


def _last_word_by_scan(text, words):
    """The plain reading of "the word that ends last, the first given on a tie": one rfind per word."""
    best = None
    for w in words:
        i = text.rfind(w)
        if i >= 0 and (best is None or i + len(w) > best[0] + len(best[1])):
            best = (i, w)
    return best


def test_last_word_is_the_word_ending_last():
    import random

    from kg.relations import _LastWord

    # three characters, so that words overlap, nest and end together often
    rng = random.Random(7)
    alphabet = "推进快"
    for _ in range(2000):
        words = list(dict.fromkeys("".join(rng.choices(alphabet, k=rng.randint(1, 4))) for _ in range(rng.randint(1, 6))))
        text = "".join(rng.choices(alphabet + ",", k=rng.randint(0, 20)))
        assert _LastWord(words).last_in(text) == _last_word_by_scan(text, words), (words, text)
    assert _LastWord([]).last_in("推进") is None
