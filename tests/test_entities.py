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


# Measures named by what they do, and names that hold more than their head.
@pytest.mark.parametrize("text, key, cls", [
    # exempting a named tax is a tax relief, the lexicon's one when the clause names its payer
    ("对小规模纳税人免征增值税。", "增值税小规模纳税人减免增值税", "FiscalTool"),
    ("阶段性减半征收企业所得税。", "企业所得税减免", "FiscalTool"),
    # ...and each of coordinated taxes is relieved
    ("对困难企业减免房产税和城镇土地使用税。", "房产税减免", "FiscalTool"),
    ("对困难企业减免房产税和城镇土地使用税。", "城镇土地使用税减免", "FiscalTool"),
    # a 政策/措施/安排 named by what it cuts, back to the verb that governs it
    ("继续执行阶段性降低失业保险费率政策。", "阶段性降低失业保险费率政策", "FiscalTool"),
    ("银行对受困企业给予临时性延期还本付息安排。", "临时性延期还本付息安排", "FinancialTool"),
    # ...back to the 外 that closes a 除…外 exception
    ("实施除高耗能企业外工业用水价格阶段性下调政策。", "工业用水价格阶段性下调政策", "FiscalTool"),
    # ...and a known measure keeps its lexicon name
    ("延续车辆购置税减免政策。", "新能源汽车车辆购置税减免", "FiscalTool"),
    ("人民银行延长普惠小微企业贷款延期还本付息期限。", "普惠小微企业贷款延期还本付息", "FinancialTool"),
    # a compound fiscal or financial head alone after an amount is one allocation
    ("开发银行新增2000亿元专项贷款。", "专项贷款", "FinancialTool"),
    # 体系 with a specific qualifier; a pair of verbs inside a name is its activity
    ("加快构建城市充电基础设施体系。", "城市充电基础设施体系", "Project"),
    ("完善秸秆回收利用体系。", "秸秆回收利用体系", "System"),
    # a quoted name ending in a head of its own
    ("税务部门开展“便民办税春风行动”。", "便民办税春风行动", "Campaign"),
    # a numbered slogan the lexicon knows keeps its canonical name
    ("深化“一带一路”经贸合作。", "共建“一带一路”倡议", "Programme"),
])
def test_measure_patterns_find(pipeline, text, key, cls):
    found, _ = _found(pipeline, text)
    assert (key, cls) in found, found


@pytest.mark.parametrize("text, not_key", [
    # verbs whose object is a clause or a benefit start no name
    ("各地要确保试点平稳运行。", "确保试点"),
    ("个体工商户参照小微企业享受减免。", "小微企业享受减免"),
    ("符合条件的银行可以等额申请再贷款。", "等额申请再贷款"),
    # a measure noun with nothing saying what is cut
    ("落实各项减免政策。", "减免政策"),
    # only generic words before the head (科技, 创新)
    ("各省加强科技创新平台布局。", "科技创新平台"),
    # a compound head alone without an amount is a kind of tool
    ("银行加大专项贷款投放。", "专项贷款"),
    # 体系 after a short qualifier names a kind of system
    ("完善标准体系。", "标准体系"),
    ("推进国家治理体系现代化。", "国家治理体系"),
    # items of an enumeration closed by 等重点领域 are fields of work
    ("加强工业软件、数据安全体系等重点领域攻关。", "数据安全体系"),
    # a numbered phrase counting places or parts is no policy slogan
    ("形成“一核两翼”的空间格局。", "一核两翼"),
    # a first conjunct with a head of its own borrows none
    ("京沪高铁、沪宁城际运行平稳。", "京沪高铁城际"),
    # urging is no part of the urged body's name
    ("财政部鼓励地方银行加大投放。", "财政部鼓励地方银行"),
])
def test_measure_patterns_do_not_find(pipeline, text, not_key):
    found, _ = _found(pipeline, text)
    assert not_key not in {k for k, _ in found}, found


def _ontology_with_heads(tmp_path, edit):
    """A copy of the ontology whose instrument_heads.tsv is changed by ``edit``."""
    import shutil

    from tests.conftest import REPO

    root = tmp_path / "ontology"
    shutil.copytree(REPO / "ontology", root)
    heads = root / "patterns" / "instrument_heads.tsv"
    heads.write_text(edit(heads.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def test_head_specific_column_sets_how_much_a_name_needs(tmp_path):
    from kg.config import settings_from
    from kg.pipeline import Pipeline

    root = _ontology_with_heads(tmp_path, lambda t: t.replace("体系\tSystem\t4\n", "体系\tSystem\t2\n"))
    p = Pipeline(settings_from({"ontology_dir": root, "segmenter": "jieba"}))
    assert "标准体系" in {m.key for m in p.parse("完善标准体系。").mentions}


def test_bad_head_specific_names_file_and_line(tmp_path):
    from kg.errors import LexiconError
    from kg.lexicon import load_lexicon

    root = _ontology_with_heads(tmp_path, lambda t: t + "样板\tSystem\tmany\n")
    with pytest.raises(LexiconError) as err:
        load_lexicon(root)
    lines = (root / "patterns" / "instrument_heads.tsv").read_text(encoding="utf-8").splitlines()
    assert f"instrument_heads.tsv:{len(lines)}" in str(err.value) and "'many'" in str(err.value)


# -- the matching structures: their shortcuts give exactly the answers of a plain search -------

def _seed_norms():
    from kg.ingest import read_documents
    from tests.conftest import SEEDS

    return [s.norm for d in read_documents([SEEDS]) for s in d.sentences]


def test_trie_agrees_with_a_plain_search_of_the_keys(pipeline):
    from kg.entities import Trie

    keys = dict(pipeline.lexicon.surfaces)
    trie = Trie(keys)
    by_first = {}
    for k in keys:
        by_first.setdefault(k[0], []).append(k)
    checked = 0
    for norm in _seed_norms():
        for i in range(len(norm) + 2):
            found = sorted((i + len(k), keys[k]) for k in by_first.get(norm[i:i + 1], ()) if norm.startswith(k, i))
            assert trie.matches(norm, i) == found
            assert trie.longest(norm, i) == (found[-1] if found else None)
            checked += bool(found)
        each = trie.each_longest(norm)
        assert each == [(i, trie.longest(norm, i)) for i in range(len(norm)) if trie.longest(norm, i)]
        starts = set(trie.starts(norm, range(len(norm) + 1)))
        assert {i for i, _ in each} <= starts
        everywhere = range(len(norm) + 2)
        assert trie.each_matches(norm, everywhere) == [(i, trie.matches(norm, i)) for i in everywhere
                                                       if trie.matches(norm, i)]
    assert checked > 100  # the seeds name many lexicon entries


@pytest.mark.parametrize("text, start, expected", [
    ("国务院", 0, (3, "国务院")),
    ("国务院", 1, None),
    ("国务院", 3, None),  # at the end, where only the empty key would fit: it never matches
    ("", 0, None),
    ("国务院常务会议", 0, (7, "国务院常务会议")),
    ("国务院常务", 0, (3, "国务院")),  # a longer key cut short falls back to the shorter one
])
def test_trie_edges(text, start, expected):
    from kg.entities import Trie

    trie = Trie({"": "empty", "国务院": "国务院", "国务院常务会议": "国务院常务会议"})
    assert trie.longest(text, start) == expected
    assert trie.each_matches(text, [start]) == ([(start, trie.matches(text, start))] if expected else [])
    assert trie.each_longest(text) == [(i, trie.longest(text, i)) for i in range(len(text)) if trie.longest(text, i)]


def test_suffix_tables_agree_with_a_plain_search(pipeline):
    from kg.entities import _suffix_lookup_len, _suffix_table
    from kg.lexicon import MAX_ENDING

    def plain(table, text):
        for n in range(min(len(text), MAX_ENDING), 0, -1):
            if text[-n:] in table:
                return n, table[text[-n:]]
        return None

    lex = pipeline.lexicon
    words = [w for norm in _seed_norms() for w in (norm[max(0, i - MAX_ENDING):i] for i in range(len(norm) + 1))]
    for raw in (lex.instrument_heads, lex.actor_suffixes, lex.title_classes):
        table = _suffix_table(raw)
        hits = 0
        for w in words + list(raw) + ["", "制"]:
            assert _suffix_lookup_len(table, w) == plain(raw, w)
            hits += plain(raw, w) is not None
        assert hits >= len(raw)


def test_word_tags_and_verbs_are_those_of_the_general_dictionary():
    from kg.entities import _general_dictionary, verb_words, word_tag

    words = _general_dictionary()
    assert all(word_tag(w) == tag for w, (_, tag) in words.items())
    assert verb_words() == {w for w, (_, tag) in words.items() if tag == "v"}
    assert {"推动", "实施"} <= verb_words() and "政策" not in verb_words()
    assert word_tag("不是一个词语") == "" and word_tag("政策") == "n"


def test_bounds_are_the_word_edges_also_in_order(pipeline):
    from kg.entities import _bounds
    from kg.ingest import parse_text

    doc = parse_text("工业和信息化部推动“白名单”制度。\n\n副部长辛国斌表示， 加快5G发展。", "t")
    assert len(doc.sentences) == 2
    for s, toks in zip(doc.sentences, pipeline.segmenter.segment(doc.sentences)):
        b = _bounds(s, toks)
        edges = {0, len(s.norm)} | {t.start - s.start for t in toks} | {t.end - s.start for t in toks}
        assert b == edges and b.ordered == sorted(edges)


def test_new_token_is_a_token_in_every_way():
    import pickle
    from dataclasses import FrozenInstanceError

    from kg.segment import new_token
    from kg.types import Token

    fast, plain = new_token(3, 5, "国务"), Token(3, 5, "国务")
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert pickle.loads(pickle.dumps(fast)) == plain and type(fast) is Token
    with pytest.raises(FrozenInstanceError):
        fast.start = 0


# -- regions: county-level names, names several places share, zones and clusters by their head --

@pytest.mark.parametrize("text, key, cls", [
    # a county-level name held by one division matches anywhere
    ("浙江省杭州市萧山区推进数字化改革。", "萧山区", "County"),
    # a name several divisions share names the one whose parent (or province) the text names
    ("吉林省长春市出台新政，朝阳区率先落实。", "长春市朝阳区", "County"),
    ("吉林省出台新政，朝阳区率先落实。", "长春市朝阳区", "County"),  # the province is enough
    # ...and always with its parent in front
    ("阳泉市城区常住人口增加。", "阳泉市城区", "County"),
    # a place, qualifying words, then a zone or cluster head
    ("推进中国（广东）自由贸易试验区南沙片区建设。", "中国(广东)自由贸易试验区南沙片区", "EconomicZone"),
    ("支持武汉东湖新技术产业开发区发展。", "武汉东湖新技术产业开发区", "EconomicZone"),
    ("加快成都都市圈建设。", "成都都市圈", "RegionCluster"),
    ("规划建设杭州城市副中心。", "杭州城市副中心", "EconomicZone"),
    # a 新片区 named after its zone's older name is the lexicon's zone
    ("增设上海自由贸易试验区新片区。", "中国（上海）自由贸易试验区临港新片区", "EconomicZone"),
])
def test_region_rules_find(pipeline, text, key, cls):
    found, _ = _found(pipeline, text)
    assert (key, cls) in found, found


@pytest.mark.parametrize("text, cls", [
    ("朝阳区率先落实。", "County"),  # a shared name with no place to tell which
    ("四川省出台新政，朝阳区率先落实。", "County"),  # a place that holds no 朝阳区
    ("北京和长春的朝阳区都在落实。", "County"),  # both parents named: still no telling
    ("阳泉市加快发展，城区面貌一新。", "County"),  # 城区 is an ordinary word, never a county alone
    ("要提高县城综合承载能力。", "County"),  # 高县 is no word of this sentence
    ("安徽省马鞍山市要求省、市和县三级联动。", "County"),  # 和 is a conjunction here, not 和县
    ("各地自由贸易试验区建设加快。", "EconomicZone"),  # a kind of zone, not one
    ("我国自由贸易试验区建设取得成效。", "EconomicZone"),  # the country is no zone's place
    ("上海建设示范区。", "EconomicZone"),  # a verb stands between the place and the head
])
def test_region_rules_do_not_find(pipeline, text, cls):
    found, _ = _found(pipeline, text)
    assert cls not in {c for _, c in found}, found


def test_region_names_do_not_cut_ordinary_words(pipeline):
    # a county named after its province (天津市河北区) is no dictionary word: 河北区域 stays whole
    words = pipeline.segmenter.words("推动河北区域协同发展。")
    assert "区域" in words and "河北区" not in words


def test_zone_named_after_its_parent_zone_is_one_mention(pipeline):
    _, x = _found(pipeline, "高标准建设上海自贸试验区临港新片区。")
    assert [(m.key, m.text) for m in x.mentions] == [("中国（上海）自由贸易试验区临港新片区", "上海自贸试验区临港新片区")]


# -- sectors: words that name an industry, and sector words that name something else --------

@pytest.mark.parametrize("text, key, cls", [
    # a variety word before a sector names a sector of its own
    ("大力发展现代商贸，培育先进装备制造。", "现代商贸", "Industry"),
    ("大力发展现代商贸，培育先进装备制造。", "先进装备制造", "Industry"),
    # a quoted coinage + 产业/行业 where the phrase ends
    ("推动“专精特新”产业集聚。", "专精特新产业", "Industry"),
    # the statistics bureau's high-tech manufacturing classes and other lexicon names
    ("计算机及办公设备制造业增加值增长较快。", "计算机及办公设备制造业", "Industry"),
    ("稳定资本市场预期。", "资本市场", "Industry"),
    # a sector word qualifying what follows it still names the sector (consumption of cars)
    ("促进汽车消费。", "汽车", "Industry"),
])
def test_sector_rules_find(pipeline, text, key, cls):
    found, _ = _found(pipeline, text)
    assert (key, cls) in found, found


@pytest.mark.parametrize("text, not_key", [
    ("居民购买电动汽车的意愿增强。", "汽车"),  # the tail of an ordinary word: a kind of car
    ("倡导终身教育理念。", "教育"),
    ("新建一座物流中心。", "物流"),  # the first part of a facility's name
    ("扩建长途汽车站。", "汽车"),
    ("“十四五”产业规划出台。", "十四五产业"),  # a noun follows: 产业 is part of another name
])
def test_sector_rules_do_not_find(pipeline, text, not_key):
    found, _ = _found(pipeline, text)
    assert not_key not in {k for k, _ in found}, found


# -- precision on text the rules were not written against (ministry-style sentences of our own) --

@pytest.mark.parametrize("text, key, not_key", [
    # an existential (有, 均有, 设有) is no part of a name: the place before it is a place
    ("四川省、贵州省均有试点项目纳入支持范围。", "贵州省", "贵州省均有试点项目"),
    ("北京市朝阳区有新项目开工。", "北京市朝阳区", "北京市朝阳区有新项目"),
    ("在北京，朝阳区、海淀区均有试点医院通过验收。", "海淀区", "海淀区均有试点"),
    # nor a verb of joining, nor a preposition: the name starts after them
    ("多家医院已接入互联网医疗服务监管平台。", "互联网医疗服务监管平台", "医院已接入互联网医疗服务监管平台"),
    ("生态环境部有关负责人就排污许可制度答记者问", "排污许可制度", "负责人就排污许可制度"),
    # a sub-unit of a known body named by its suffix is the sub-unit, not the body
    ("农业农村部办公厅印发《关于做好农民培训工作的通知》。", "农业农村部办公厅", "农业农村部"),
    ("商务部外资司负责人介绍了有关情况。", "商务部外资司", "商务部"),
    # an adverb right before a noun qualifies it (长期护理), it governs nothing
    ("推动建立长期护理保险制度。", "长期护理保险制度", "护理保险制度"),
    # a named place list, not its shorter lexicon name inside it
    ("在京津冀及周边地区、汾渭平原开展攻坚行动。", "京津冀及周边地区", "京津冀"),
])
def test_names_stop_at_verbs_and_places(pipeline, text, key, not_key):
    found, _ = _found(pipeline, text)
    keys = {k for k, _ in found}
    assert key in keys and not_key not in keys, found


@pytest.mark.parametrize("text, not_key", [
    ("各省份均设有企业服务平台。", "企业服务平台"),  # 企业 is a group, a head after it names a kind
    ("浙江省已接入省级政务服务平台。", "省级政务服务平台"),
    ("深圳市设有创新平台。", "设有创新平台"),
    ("广东省已有新项目落地。", "已有新项目"),
])
def test_kinds_and_existentials_are_no_names(pipeline, text, not_key):
    found, _ = _found(pipeline, text)
    assert not any(not_key in k for k, _ in found), found


@pytest.mark.parametrize("text, surface, key", [
    # 北京市|场主体: the segmenter keeps 北京市 whole and cuts 市场; the place is 北京
    ("北京市场主体总量突破200万户。", "北京", "北京市"),
    ("上海市场监管部门开展专项行动。", "上海", "上海市"),
    ("杭州市长在会上作报告。", "杭州", "杭州市"),
])
def test_place_name_gives_back_the_word_it_glued(pipeline, text, surface, key):
    _, x = _found(pipeline, text)
    places = [(m.text, m.key) for m in x.mentions if m.key == key]
    assert places == [(surface, key)], [(m.text, m.key) for m in x.mentions]


@pytest.mark.parametrize("text, key, cls", [
    # 扣减 cuts a burden like 减免: a 政策 named by what it deducts is a fiscal measure
    ("将落实重点群体创业就业税收扣减政策。", "重点群体创业就业税收扣减政策", "FiscalTool"),
    # energy-intensive industries and frontier fields as national policy lists them
    ("火电、钢铁、水泥等重点行业已纳入管理。", "水泥", "Industry"),
    ("火电、钢铁、水泥等重点行业已纳入管理。", "火电", "Industry"),
    ("聚焦量子通信、脑科学等前沿领域。", "量子通信", "EmergingIndustry"),
    ("聚焦量子通信、脑科学等前沿领域。", "脑科学", "EmergingIndustry"),
    ("持续开展汾渭平原大气污染治理。", "汾渭平原", "RegionCluster"),
])
def test_measures_and_lexicon_additions_find(pipeline, text, key, cls):
    found, _ = _found(pipeline, text)
    assert (key, cls) in found, found


def test_jieba_names_also_stop_at_existentials(jieba_pipeline):
    keys = {m.key for m in jieba_pipeline.parse("四川省、贵州省均有试点项目纳入支持范围。").mentions}
    assert "贵州省" in keys and not any("均有" in k for k in keys), keys
