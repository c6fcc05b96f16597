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
    # officials of several bodies answering questions are no joint act
    ("国家发展改革委、财政部有关负责人回答了记者提问。", ("国家发展和改革委员会", "collaboratesWith", "财政部")),
])
def test_discourse_patterns_do_not_assert(pipeline, text, absent):
    facts, _ = _facts(pipeline, text)
    assert absent not in facts, facts


def test_locative_frame_places_the_sentence_s_instruments(pipeline):
    facts, _ = _facts(pipeline, "在天津，智慧小二金融服务平台可以发放信用贷款。")
    assert ("智慧小二金融服务平台", "targetsRegion", "天津市") in facts
