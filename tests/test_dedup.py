"""Tests of kg.dedup: near-duplicate groups, canonical choice, determinism."""
from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kg.dedup
from kg.dedup import canonical_documents, find_duplicates
from kg.errors import ConfigError, InputError
from kg.ingest import parse_text, read_documents
from kg.types import DuplicateGroup

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

RELIEF = (
    "国务院常务会议今天召开，部署进一步加大助企纾困力度的政策措施。会议指出，中小微企业和个体工商户是"
    "稳就业的主力军，要落实好减税降费、缓缴社保费等政策，帮助市场主体渡过难关。\n"
    "会议要求，金融机构要加大普惠小微贷款支持力度，对受疫情影响较大的行业企业实施延期还本付息，"
    "合理让利实体经济。\n"
    "会议强调，各地区各部门要压实责任，加强督促检查，确保政策尽快落地见效，让企业有实实在在的获得感。"
)
VEHICLES = (
    "新能源汽车产业是全球汽车产业转型升级的重要方向。近年来，我国新能源汽车产销量连续多年位居全球第一，"
    "充电基础设施建设不断加快。\n"
    "有关部门表示，将延续和优化新能源汽车车辆购置税减免政策，推动公共领域车辆全面电动化，"
    "组织开展新能源汽车下乡活动。\n"
    "下一步，还将加强动力电池回收利用体系建设，完善高速公路服务区充电设施布局，更好满足群众出行需求。"
)
# About 10 % more text.
EXTRA = "\n会议还研究了其他事项，部署下一步工作。"


def doc(doc_id: str, text: str):
    return parse_text(text, doc_id)


@pytest.fixture(scope="module")
def seeds():
    return list(read_documents([SEEDS]))


def test_seeds_are_one_group(seeds):
    (group,) = find_duplicates(seeds)
    assert group.canonical == "000_b141859fa34bbaf2"
    assert group.duplicates == ("001_ee3f52ac81cc7dfa",)
    assert group.similarity > 0.9
    kept = canonical_documents(seeds, [group])
    assert [d.doc_id for d in kept] == ["000_b141859fa34bbaf2"]


def test_result_does_not_depend_on_order_or_run(seeds):
    first = find_duplicates(seeds)
    assert find_duplicates(seeds) == first
    assert find_duplicates(list(reversed(seeds))) == first


def test_unrelated_texts_are_not_grouped():
    assert find_duplicates([doc("a", RELIEF), doc("b", VEHICLES)]) == []


@pytest.mark.parametrize("threshold, grouped", [(0.8, True), (0.85, True), (0.95, False)])
def test_added_paragraph(threshold, grouped):
    docs = [doc("short", RELIEF), doc("long", RELIEF + EXTRA)]
    groups = find_duplicates(docs, threshold=threshold)
    assert bool(groups) is grouped
    if grouped:
        # The longer text has one paragraph more: the richer layout.
        assert groups == [DuplicateGroup("long", ("short",), groups[0].similarity)]
        assert 0.85 < groups[0].similarity < 0.95


def test_layout_and_metadata_do_not_count():
    run_on = "原标题：助企纾困→" + RELIEF.replace("\n", "") + "（记者 张三）责任编辑：李四"
    groups = find_duplicates([doc("b-run-on", run_on), doc("z-layout", RELIEF)])
    assert groups == [DuplicateGroup("z-layout", ("b-run-on",), 1.0)]


@pytest.mark.parametrize(
    "ids, expected",
    [
        (("a", "b", "c"), DuplicateGroup("a", ("b", "c"), 1.0)),
        (("c", "b", "a"), DuplicateGroup("a", ("b", "c"), 1.0)),
        (("x2", "x10", "x1"), DuplicateGroup("x1", ("x10", "x2"), 1.0)),
    ],
)
def test_ties_go_to_the_smallest_doc_id(ids, expected):
    assert find_duplicates([doc(i, RELIEF) for i in ids]) == [expected]


def test_richer_layout_wins_over_doc_id():
    docs = [doc("a", RELIEF.replace("\n", "")), doc("b", RELIEF)]
    assert find_duplicates(docs)[0].canonical == "b"
    # Same paragraphs: more sentences wins.
    split = RELIEF.replace("，要落实好", "。要落实好")
    assert find_duplicates([doc("a", RELIEF), doc("b", split)])[0].canonical == "b"


def test_group_similarity_is_the_smallest_pair():
    other = "\n会议决定，加快出台配套措施，保持经济运行在合理区间。"
    docs = [doc("base", RELIEF), doc("plus", RELIEF + EXTRA), doc("other", RELIEF + other)]
    (group,) = find_duplicates(docs)
    # plus and other tie on paragraphs and sentences: the smaller doc_id is canonical.
    assert (group.canonical, group.duplicates) == ("other", ("base", "plus"))
    pairs = [
        find_duplicates([docs[i], docs[j]], threshold=0.5)[0].similarity
        for i, j in ((0, 1), (0, 2), (1, 2))
    ]
    assert group.similarity == min(pairs) < max(pairs)


def test_several_groups_sorted_by_canonical():
    docs = [
        doc("v1", VEHICLES),
        doc("r1", RELIEF),
        doc("v2", VEHICLES.replace("\n", "")),
        doc("r2", RELIEF + EXTRA),
        doc("single", "今年一季度工业增加值同比增长6.5%，比上季度加快2.6个百分点。"),
    ]
    groups = find_duplicates(docs)
    assert [(g.canonical, g.duplicates) for g in groups] == [("r2", ("r1",)), ("v1", ("v2",))]
    assert [d.doc_id for d in canonical_documents(docs, groups)] == ["v1", "r2", "single"]


def test_documents_without_content_are_never_grouped():
    docs = [doc("a", ""), doc("b", "原标题：只有标题"), doc("c", " \n")]
    assert find_duplicates(docs) == []


def test_short_documents():
    # Shorter than one shingle, and shorter than the number of signature bins.
    groups = find_duplicates([doc("a", "稳增长。"), doc("b", "稳增长！")])
    assert groups == [DuplicateGroup("a", ("b",), 1.0)]
    assert find_duplicates([doc("a", "稳增长保就业。"), doc("b", "促消费扩内需。")]) == []


def test_duplicate_doc_ids_are_refused():
    with pytest.raises(InputError, match="'a'"):
        find_duplicates([doc("a", RELIEF), doc("a", VEHICLES)])


@pytest.mark.parametrize(
    "setting", [{"threshold": 0}, {"threshold": 1.5}, {"num_perm": 0}, {"shingle": 0}]
)
def test_invalid_settings(setting):
    with pytest.raises(ConfigError, match=next(iter(setting))):
        find_duplicates([doc("a", RELIEF)], **setting)


def test_signature_does_not_depend_on_python_hash_seed():
    code = (
        "from kg.dedup import _signature, _shingles;"
        "print(_signature(_shingles('国务院常务会议部署稳经济措施', 5), 16).tolist())"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1 and outputs.pop().startswith("[")


def test_shingle_hashes_are_one_per_distinct_shingle(seeds):
    """Equal shingles hash alike, distinct ones apart: the hash sets measure the shingle sets."""
    from kg.dedup import _content, _shingles

    for d in seeds:
        content = _content(d)
        grams = {content[i : i + 5] for i in range(len(content) - 4)}
        assert len(_shingles(content, 5)) == len(grams)
    assert list(_shingles("会议", 5)) == list(_shingles("会议", 5)) and len(_shingles("会议", 5)) == 1
    assert len(_shingles("", 5)) == 0
    # the same shingle in two documents has the same hash
    assert set(_shingles("国务院常务会议", 5).tolist()) & set(_shingles("今天国务院常务会", 5).tolist())


def test_docstring_examples_run():
    assert doctest.testmod(kg.dedup).failed == 0


def test_signature_is_the_minimum_hash_of_each_bin(seeds):
    """Each filled bin keeps the smallest value of the shingle hashes that fall in it."""
    from kg.dedup import _NO_VALUE, _content, _shingles, _signature

    for num_perm in (16, 128):
        for d in seeds:
            hashes = _shingles(_content(d), 5)
            bins = [int(_NO_VALUE)] * num_perm
            for h in hashes.tolist():
                value, b = divmod(h, num_perm)
                bins[b] = min(bins[b], value)
            signature = _signature(hashes, num_perm).tolist()
            assert all(s == v for s, v in zip(signature, bins) if v != _NO_VALUE)
            assert len(signature) == num_perm and _NO_VALUE not in signature  # empty bins borrowed
