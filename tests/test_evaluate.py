"""``kg eval``: the scoring rules on small hand-made gold, and the seed-quality regression guard."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.evaluate import evaluate, format_table, load_gold

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "tests" / "gold"
BASELINE = GOLD / "baseline.json"


def _write_gold(tmp_path: Path, text: str, entities, relations) -> Path:
    gold_dir, text_dir = tmp_path / "gold", tmp_path / "texts"
    gold_dir.mkdir()
    text_dir.mkdir()
    (text_dir / "doc.txt").write_text(text, encoding="utf-8")
    (gold_dir / "doc.json").write_text(json.dumps({
        "document": "doc.txt", "collection": "test", "entities": entities, "relations": relations,
        "statistics": []}, ensure_ascii=False), encoding="utf-8")
    return gold_dir


def test_scores_entities_by_alias_and_top_class_and_ignores_generic(pipeline, tmp_path):
    gold = _write_gold(tmp_path, "工信部会同相关部门落实“白名单”制度，聚焦长三角。", [
        {"name": "工业和信息化部", "class": "GovernmentBody", "aliases": ["工信部"], "core": True},
        {"name": "白名单制度", "class": "System", "aliases": ["白名单"], "core": True},
        {"name": "长江三角洲", "class": "RegionCluster", "aliases": ["长三角"], "core": True},
        {"name": "珠江三角洲", "class": "RegionCluster", "aliases": ["珠三角"], "core": True},
        {"name": "相关部门", "class": "GovernmentBody", "aliases": [], "core": False},
    ], [
        {"subject": "工业和信息化部", "predicate": "implements", "object": "白名单制度"},
        {"subject": "工业和信息化部", "predicate": "targetsRegion", "object": "长江三角洲"},
        {"subject": "工业和信息化部", "predicate": "targetsRegion", "object": "珠江三角洲"},
    ])
    report = evaluate(gold, [tmp_path / "texts"], pipeline=pipeline)
    ents = report.entity_scores()
    assert (ents["Actor"].tp, ents["Actor"].fp, ents["Actor"].fn) == (1, 0, 0)
    assert (ents["Region"].tp, ents["Region"].fn) == (1, 1)  # 珠三角 is not in the text
    rel = report.relation_scores()
    assert (rel.tp, rel.fp, rel.fn) == (2, 0, 1)
    assert report.documents[0].missed_relations == ["工业和信息化部 targetsRegion 珠江三角洲"]
    assert "entity Region" in format_table(report)


def test_a_prediction_no_gold_entity_matches_is_a_false_positive(pipeline, tmp_path):
    gold = _write_gold(tmp_path, "财政部设立科技创新再贷款。", [
        {"name": "财政部", "class": "GovernmentBody", "aliases": [], "core": True},
    ], [])
    report = evaluate(gold, [tmp_path / "texts"], pipeline=pipeline)
    assert report.entity_scores()["Instrument"].fp == 1
    assert report.relation_scores().fp == 1  # 财政部 launches 科技创新再贷款 is not in the gold


def test_bad_gold_names_the_file(tmp_path):
    from kg.ontology import class_tree

    (tmp_path / "bad.json").write_text(json.dumps({
        "document": "x.txt", "entities": [{"name": "甲", "class": "Ministry"}], "relations": []}), encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json.*'Ministry'"):
        load_gold(tmp_path, class_tree(REPO / "ontology"))


def test_seed_quality_does_not_drop(pipeline):
    """Regression guard: seed scores stay at or above tests/gold/baseline.json (the level reached)."""
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    report = evaluate(GOLD, [REPO / "seeds"], pipeline=pipeline)
    assert len(report.documents) == 2
    ents, rel = report.entity_scores(), report.relation_scores()
    for top, floor in baseline["seeds"]["entity_f1"].items():
        assert ents[top].f1 >= floor - 1e-9, f"{top} F1 {ents[top].f1:.3f} < {floor}\n{format_table(report)}"
    assert rel.recall >= baseline["seeds"]["relation_recall"] - 1e-9, format_table(report)
    assert rel.precision >= baseline["seeds"]["relation_precision"] - 1e-9, format_table(report)
