"""The ontology file, the generated namespace module and the lexicon files agree."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal

from kg.errors import KGError, LexiconError
from kg.lexicon import load_lexicon
from kg.namespace import KG
from kg.ontology import NAMESPACE_MODULE, class_tree, load_ontology, render_namespace

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"


def test_namespace_module_matches_ontology():
    assert NAMESPACE_MODULE.read_text(encoding="utf-8") == render_namespace(load_ontology(ONTOLOGY)), \
        "run: python -m kg.ontology --write-namespace"


def test_unknown_term_is_an_error():
    with pytest.raises(AttributeError):
        KG.implement  # noqa: B018 - the misspelling is the point


@pytest.mark.parametrize("top", ["Actor", "Instrument", "Sector", "Region"])
def test_top_classes_labelled_in_english_and_chinese(top):
    g = load_ontology(ONTOLOGY)
    assert (KG[top], RDFS.label, Literal(top, lang="en")) in g
    assert any(l.language == "zh" for l in g.objects(KG[top], RDFS.label))


def test_every_class_and_property_has_labels_and_properties_domain_and_range():
    g = load_ontology(ONTOLOGY)
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in g.subjects(RDF.type, kind):
            langs = {l.language for l in g.objects(term, RDFS.label)}
            assert {"en", "zh"} <= langs, term
    for term in g.subjects(RDF.type, OWL.ObjectProperty):
        assert g.value(term, RDFS.domain) is not None and g.value(term, RDFS.range) is not None, term


def test_class_tree_top_classes():
    tree = class_tree(ONTOLOGY)
    assert tree.top_class("Pilot") == "Instrument"
    assert tree.top_class("Person") == "Actor"
    assert tree.top_class("RegionCluster") == "Region"
    # answered from memory the second time, the same; a class under no top class fails every time
    assert [tree.top_class(c) for c in ("Pilot", "Person", "Actor")] == ["Instrument", "Actor", "Actor"]
    for _ in range(2):
        with pytest.raises(KGError, match="Nowhere"):
            tree.top_class("Nowhere")


def test_every_term_used_in_the_seed_graph_is_declared(seed_build):
    g = Graph().parse(seed_build.outputs["graph.ttl"])
    onto = load_ontology(ONTOLOGY)
    declared = set(onto.subjects())
    used = {t for triple in g for t in triple if str(t).startswith(str(KG))}
    assert used <= declared, used - declared


def _copy_ontology(tmp_path: Path) -> Path:
    import shutil

    dst = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, dst)
    return dst


def test_lexicon_loads_broadly():
    lex = load_lexicon(ONTOLOGY)
    classes = {e.cls for e in lex.entries}
    assert {"GovernmentBody", "Province", "City", "RegionCluster", "Industry", "EmergingIndustry"} <= classes
    assert len(lex.entries) > 500
    assert lex.surfaces["工信部"] == "工业和信息化部"
    assert lex.surfaces["汽车产业"] == "汽车"  # derived sector form


@pytest.mark.parametrize("row, message", [
    ("测试部\tMinistry\t\t\t\n", "class 'Ministry'"),
    ("测试部\tGovernmentBody\t\t\t不存在的部\n", "parent '不存在的部'"),
    ("测试部\tGovernmentBody\t工信部\t\t\n", "'工信部' already names"),
])
def test_bad_lexicon_row_names_file_and_line(tmp_path, row, message):
    root = _copy_ontology(tmp_path)
    path = root / "lexicon" / "zz_user.tsv"
    path.write_text("# a user's additions\ncanonical\tclass\taliases\tcodes\tparent\n" + row, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_lexicon(root)
    assert "zz_user.tsv:3" in str(err.value) and message in str(err.value)


def test_user_lexicon_entry_is_recognised(tmp_path):
    from kg.config import settings_from
    from kg.pipeline import Pipeline

    root = _copy_ontology(tmp_path)
    (root / "lexicon" / "zz_user.tsv").write_text(
        "canonical\tclass\taliases\tcodes\tparent\n星火科技集团\tEnterpriseGroup\t星火集团\t\t\n", encoding="utf-8")
    p = Pipeline(settings_from({"ontology_dir": root, "segmenter": "jieba"}))
    keys = {m.key for m in p.parse("星火集团发布新产品。").mentions}
    assert "星火科技集团" in keys
