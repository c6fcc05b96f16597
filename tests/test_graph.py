"""The seed graph: the facts the core issue asks for, parsers that accept it, and the golden file."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.graph import slug
from kg.namespace import KG

GOLDEN = Path(__file__).resolve().parent / "golden" / "seeds.ttl"
MIIT = "工业和信息化部"


@pytest.fixture(scope="module")
def g(seed_build):
    return Graph().parse(seed_build.outputs["graph.ttl"], format="turtle")


def _node(g, label):
    """The one entity whose prefLabel or altLabel is ``label``."""
    nodes = {s for p in (SKOS.prefLabel, SKOS.altLabel) for s in g.subjects(p, Literal(label, lang="zh"))}
    assert len(nodes) == 1, f"{label}: {nodes}"
    return nodes.pop()


def _evidence(g, s, p, o):
    q = """SELECT ?text WHERE { ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:sentence ?sent .
                                ?sent kg:text ?text }"""
    return [str(r.text) for r in g.query(q, initNs={"kg": KG, "rdf": RDF}, initBindings={"s": s, "p": p, "o": o})]


def test_one_node_for_miit_with_both_labels(g):
    node = _node(g, "工信部")
    assert node == _node(g, MIIT)
    assert (node, RDF.type, KG.GovernmentBody) in g and (node, RDF.type, KG.Actor) in g


def test_xin_guobin_holds_the_post_of_vice_minister_at_miit(g):
    xin, miit = _node(g, "辛国斌"), _node(g, MIIT)
    assert (xin, RDF.type, KG.Person) in g
    assert (xin, KG.officialOf, miit) in g
    q = """SELECT ?title WHERE { ?p org:holds ?post . ?post org:postIn ?o ; org:role/skos:prefLabel ?title }"""
    rows = g.query(q, initNs={"org": "http://www.w3.org/ns/org#", "skos": SKOS}, initBindings={"p": xin, "o": miit})
    assert [str(r.title) for r in rows] == ["副部长"]


@pytest.mark.parametrize("label, cls", [
    ("白名单", KG.System),
    ("产业链供应链协调平台", KG.Platform),
    ("汽车产业链供应链畅通协调平台", KG.Platform),
    ("中小企助查App", KG.Platform),
    ("新能源汽车下乡活动", KG.Campaign),
    ("公共领域车辆全面电动化城市试点", KG.Pilot),
    ("新能源汽车产业发展规划(2021—2035年)", KG.Plan),
])
def test_instruments(g, label, cls):
    node = _node(g, label)
    assert (node, RDF.type, cls) in g and (node, RDF.type, KG.Instrument) in g


@pytest.mark.parametrize("label, top", [
    ("集成电路", KG.Sector), ("汽车", KG.Sector), ("装备制造", KG.Sector), ("医药", KG.Sector),
    ("新能源汽车", KG.Sector), ("5G", KG.Sector), ("长三角", KG.Region), ("珠三角", KG.Region),
])
def test_sectors_and_regions(g, label, top):
    assert (_node(g, label), RDF.type, top) in g


def test_miit_implements_the_white_list_with_evidence(g):
    miit, wl = _node(g, MIIT), _node(g, "白名单")
    assert {(miit, KG.implements, wl), (miit, KG.launches, wl)} & set(g.triples((miit, None, wl)))
    texts = _evidence(g, miit, KG.implements, wl) + _evidence(g, miit, KG.launches, wl)
    assert any("“白名单”制度" in t for t in texts), texts


@pytest.mark.parametrize("sector", ["集成电路", "汽车", "装备制造", "医药"])
def test_coordination_platform_prioritises_each_sector(g, sector):
    platform, s = _node(g, "产业链供应链协调平台"), _node(g, sector)
    assert (platform, KG.prioritisesSector, s) in g
    assert any("集成电路、汽车、装备制造、医药等重点行业" in t for t in _evidence(g, platform, KG.prioritisesSector, s))


@pytest.mark.parametrize("region", ["长三角", "珠三角"])
def test_links_to_regions_with_evidence(g, region):
    r = _node(g, region)
    links = list(g.subject_predicates(r))
    assert (_node(g, MIIT), KG.targetsRegion) in links
    assert all(_evidence(g, s, p, r) for s, p in links if p == KG.targetsRegion)


def test_every_relation_has_evidence(g):
    preds = [KG.implements, KG.launches, KG.prioritisesSector, KG.targetsRegion, KG.officialOf,
             KG.collaboratesWith, KG.announces]
    triples = [(s, p, o) for p in preds for s, o in g.subject_objects(p)]
    assert len(triples) > 10
    for s, p, o in triples:
        assert _evidence(g, s, p, o), (s, p, o)


def test_nothing_from_reporter_or_editor_lines_is_an_entity(g, seed_build):
    labels = {str(o) for o in g.objects(None, SKOS.prefLabel)} | {str(o) for o in g.objects(None, SKOS.altLabel)}
    for name in ("张勤", "王琰", "钟敏", "郭茜", "邓健", "总台央视记者", "责任编辑"):
        assert not any(name in label for label in labels), name
    doc = _doc_node(g, "001_ee3f52ac81cc7dfa")
    assert Literal("邓健") in set(g.objects(doc, KG.editor))
    assert Literal("张勤") in set(g.objects(doc, KG.reporter))


def _doc_node(g, doc_id):
    (node,) = [s for s in g.subjects(RDF.type, KG.Document) if str(s).endswith("/doc/" + slug(doc_id))]
    return node


def test_near_duplicate_seeds_are_recorded_and_counted_once(g, seed_build):
    a, b = _doc_node(g, "000_b141859fa34bbaf2"), _doc_node(g, "001_ee3f52ac81cc7dfa")
    assert (b, KG.nearDuplicateOf, a) in g and (b, KG.canonicalDocument, a) in g
    assert len(seed_build.extractions) == 1
    # every evidence comes from the canonical document only
    sources = set(g.objects(None, KG.sentence))
    assert sources and all(str(s).startswith(str(a) + "/") for s in sources)
    # the count of 工信部 is that of the canonical article alone, not doubled by its duplicate
    text = (Path(__file__).resolve().parent.parent / "seeds" / "000_b141859fa34bbaf2.txt").read_text("utf-8")
    assert int(g.value(_node(g, MIIT), KG.mentionCount)) == text.count("工信部") + text.count(MIIT)


def test_parses_with_pyoxigraph(seed_build, g):
    import pyoxigraph

    store = pyoxigraph.Store()
    with open(seed_build.outputs["graph.ttl"], "rb") as fh:
        store.load(fh, pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(g)


def test_parses_with_rapper(seed_build, g):
    rapper = shutil.which("rapper")
    assert rapper, "rapper (Debian raptor2-utils) is required: make test installs it"
    out = subprocess.run([rapper, "-i", "turtle", "-o", "ntriples", str(seed_build.outputs["graph.ttl"])],
                         capture_output=True, text=True, check=True)
    assert len(Graph().parse(data=out.stdout, format="nt")) == len(g)


def test_output_is_deterministic(pipeline, seed_build, tmp_path):
    from kg.pipeline import build

    # the files named one by one, in reverse order: same ids, same graph, same bytes
    seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"), reverse=True)
    again = build([str(p) for p in seeds], tmp_path, pipeline=pipeline)
    assert again.outputs["graph.ttl"].read_bytes() == seed_build.outputs["graph.ttl"].read_bytes()
    assert again.outputs["graph.html"].read_bytes() == seed_build.outputs["graph.html"].read_bytes()


def test_matches_golden_graph(g):
    """The seed graph equals tests/golden/seeds.ttl (regenerate: python -m tests.regen_golden)."""
    golden = Graph().parse(GOLDEN, format="turtle")
    if not isomorphic(g, golden):
        _, only_new, only_golden = graph_diff(to_isomorphic(g), to_isomorphic(golden))
        pytest.fail(f"graph differs from golden: {len(only_new)} new triples, e.g. "
                    f"{sorted(only_new)[:5]}; {len(only_golden)} missing, e.g. {sorted(only_golden)[:5]}")


# --------------------------------------------------------------------------- named graphs, streamed


@pytest.fixture(scope="module")
def shared_fact_build(jieba_pipeline, tmp_path_factory):
    """Two different documents that read the same fact, and a lexicon parent (工信部 ⊑ 国务院)."""
    src = tmp_path_factory.mktemp("shared-fact")
    (src / "a.txt").write_text("工信部将落实“白名单”制度，支持集成电路产业发展。长三角地区加快新能源汽车推广。\n",
                               encoding="utf-8")
    (src / "b.txt").write_text("国家发展改革委推进珠三角一体化。工信部将落实“白名单”制度，保障重点企业复工。\n",
                               encoding="utf-8")
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("shared-fact-out")
    return build([str(src)], out, pipeline=jieba_pipeline)


def _records(result):
    return {"documents": result.documents, "groups": result.groups, "extractions": result.extractions,
            "entities": result.entities}


def test_parts_are_sorted_distinct_and_in_graph_ttl_order(seed_build, pipeline):
    from kg.graph import build_parts, part_iris

    parts = list(build_parts(**_records(seed_build), lexicon=pipeline.lexicon, tree=pipeline.tree,
                             ontology=pipeline.ontology, base=pipeline.settings.base))
    assert [p.iri for p in parts] == part_iris(seed_build.documents, pipeline.settings.base)
    for part in parts:
        assert list(part.triples) == sorted(set(part.triples)) and len(part) > 0
    union = Graph()
    for part in parts:
        union += part.to_rdflib()
    assert isomorphic(union, Graph().parse(seed_build.outputs["graph.ttl"], format="turtle"))


def test_build_graph_and_partition_give_the_same_triples_as_graph_ttl(seed_build, pipeline):
    from kg.graph import build_graph, build_partition

    kw = dict(_records(seed_build), lexicon=pipeline.lexicon, tree=pipeline.tree,
              ontology=pipeline.ontology, base=pipeline.settings.base)
    ttl = Graph().parse(seed_build.outputs["graph.ttl"], format="turtle")
    assert isomorphic(build_graph(**kw), ttl)
    union = Graph()
    for g in build_partition(**kw).values():
        union += g
    assert isomorphic(union, ttl)


def test_a_fact_read_twice_is_written_once(shared_fact_build):
    ttl = shared_fact_build.outputs["graph.ttl"]
    g = Graph().parse(ttl, format="turtle")
    implements = [(s, o) for s, o in g.subject_objects(KG.implements)]
    assert implements, "the fixture's documents should both read 工信部 implements 白名单制度"
    # the fact is in both document graphs of the store, and once in graph.ttl
    from kg.store import open_store, read_dataset

    with open_store(ttl.parent / "store", read_only=True) as store:
        graphs = read_dataset(store)
    holding = [iri for iri, part in graphs.items() if (implements[0][0], KG.implements, implements[0][1]) in part]
    assert len(holding) == 2
    out = subprocess.run([shutil.which("rapper"), "-q", "-i", "turtle", "-o", "ntriples", str(ttl)],
                         capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert len(lines) == len(set(lines)) == shared_fact_build.triples == len(g)


def test_hostile_document_text_survives_the_round_trip(jieba_pipeline, tmp_path):
    from kg.pipeline import build

    text = '工信部将落实“白名单”制度\\"""，支持集成电路产业发展\t😀。\n'
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a b%.txt").write_text(text, encoding="utf-8")
    r = build([str(tmp_path / "in")], tmp_path / "out", pipeline=jieba_pipeline, html=False)
    g = Graph().parse(r.outputs["graph.ttl"], format="turtle")
    texts = {str(o) for o in g.objects(None, KG.text)}
    assert '工信部将落实“白名单”制度\\"""，支持集成电路产业发展\t😀。' in texts
    import pyoxigraph

    assert len(list(pyoxigraph.parse(path=str(r.outputs["graph.ttl"]), format=pyoxigraph.RdfFormat.TURTLE))) == len(g)
