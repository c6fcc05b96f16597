"""Export the store's graph for other tools: RDF with named graphs, GraphML and CSV tables.

:func:`export` is the Python API behind ``kg export``.  Formats (``FORMATS``):

- ``ttl``: Turtle, the union of the data graphs, written like ``graph.ttl`` (the same bytes for the
  same graphs);
- ``trig``, ``nq``: TriG and N-Quads with one named graph per document (+ ontology, entities);
- ``jsonld``: JSON-LD, named graphs kept (``@graph`` per graph);
- ``graphml``: the entity network (nodes: entities with label, class, top class, mention count;
  edges: direct relations with the number of evidence records), for Gephi and networkx;
- ``csv``: ``entities.csv`` and ``relations.csv`` (one row per entity / per distinct fact), for pandas.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence

import pyoxigraph as ox
from rdflib import RDF, SKOS, Graph, URIRef

from .config import settings_from
from .errors import KGError
from .graph import write_turtle
from .io import atomic_write_bytes
from .namespace import KG
from .store import data_graphs, open_store, read_dataset, store_parts, store_path

__all__ = ["FORMATS", "export", "entity_table", "relation_table", "to_networkx"]

FORMATS = ("ttl", "trig", "nq", "jsonld", "graphml", "csv")
TOP_CLASSES = (KG.Actor, KG.Instrument, KG.Sector, KG.Region)
# Direct relations between entities: every object property whose domain and range are entity classes.
RELATIONS = (KG.implements, KG.launches, KG.prioritisesSector, KG.targetsRegion, KG.subUnitOf, KG.officialOf,
             KG.collaboratesWith, KG.announces, KG.partOfRegion, SKOS.broader)


def export(target: Path, outdir: Path, formats: Sequence[str] = FORMATS) -> Dict[str, Path]:
    """Write the graph of the store at ``target`` (a store or ``kg build`` output directory) to ``outdir``.

    Returns file name -> path.  Every file is written atomically.
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise KGError(f"unknown export format(s) {', '.join(bad)}; valid: {', '.join(FORMATS)}")
    outdir = Path(outdir)
    out: Dict[str, Path] = {}
    base = settings_from().base
    with open_store(store_path(Path(target)), read_only=True) as store:
        if "ttl" in formats:  # written graph by graph, like graph.ttl: the same graphs give the same bytes
            out["graph.ttl"] = write_turtle(outdir / "graph.ttl", store_parts(store, base), base=base).path
        graphs = read_dataset(store)
        dataset = ox.Dataset(q for q in store if q.graph_name in set(data_graphs(store)))
    union = Graph()
    for prefix, ns in _prefixes().items():
        union.bind(prefix, ns, override=True, replace=True)
    for g in graphs.values():
        union += g
    if "trig" in formats:
        out["graph.trig"] = atomic_write_bytes(outdir / "graph.trig", ox.serialize(
            _sorted(dataset), format=ox.RdfFormat.TRIG, prefixes=_prefixes()))
    if "nq" in formats:
        out["graph.nq"] = atomic_write_bytes(outdir / "graph.nq", ox.serialize(_sorted(dataset), format=ox.RdfFormat.N_QUADS))
    if "jsonld" in formats:
        out["graph.jsonld"] = atomic_write_bytes(outdir / "graph.jsonld", ox.serialize(
            _sorted(dataset), format=ox.RdfFormat.JSON_LD, prefixes=_prefixes()))
    if "graphml" in formats:
        import networkx as nx

        buf = io.BytesIO()
        nx.write_graphml(to_networkx(union), buf, encoding="utf-8")
        out["graph.graphml"] = atomic_write_bytes(outdir / "graph.graphml", buf.getvalue())
    if "csv" in formats:
        out["entities.csv"] = atomic_write_bytes(outdir / "entities.csv", _csv(entity_table(union)))
        out["relations.csv"] = atomic_write_bytes(outdir / "relations.csv", _csv(relation_table(union)))
    return out


def _prefixes() -> Dict[str, str]:
    return {"kg": str(KG), "kgr": "https://w3id.org/policy-kg/id/", "skos": str(SKOS), "rdf": str(RDF),
            "prov": "http://www.w3.org/ns/prov#", "org": "http://www.w3.org/ns/org#",
            "dcterms": "http://purl.org/dc/terms/"}


def _sorted(dataset: ox.Dataset) -> List[ox.Quad]:
    """Quads in a fixed order (graph, subject, predicate, object): same store, same bytes."""
    return sorted(dataset, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def entity_table(g: Graph) -> List[Dict[str, object]]:
    """One row per entity: iri, label, class, top_class, alt_labels (|-separated), codes, mention_count."""
    rows = []
    for top in TOP_CLASSES:
        for node in sorted(set(g.subjects(RDF.type, top))):
            classes = sorted(_local(c) for c in g.objects(node, RDF.type) if c not in TOP_CLASSES)
            count = g.value(node, KG.mentionCount)
            rows.append({
                "iri": str(node),
                "label": str(g.value(node, SKOS.prefLabel) or ""),
                "class": classes[0] if classes else _local(top),
                "top_class": _local(top),
                "alt_labels": "|".join(sorted(str(x) for x in g.objects(node, SKOS.altLabel))),
                "codes": "|".join(sorted(str(x) for x in g.objects(node, SKOS.notation))),
                "mention_count": int(count) if count is not None else 0,
            })
    return rows


def relation_table(g: Graph) -> List[Dict[str, object]]:
    """One row per distinct direct fact: subject, predicate, object (IRIs and labels), evidence count."""
    evidence = Counter((s, p, o) for e in g.subjects(RDF.type, KG.Evidence)
                       for s, p, o in [(g.value(e, RDF.subject), g.value(e, RDF.predicate), g.value(e, RDF.object))])
    rows = []
    for p in RELATIONS:
        for s, o in sorted(g.subject_objects(p)):
            rows.append({
                "subject_iri": str(s), "subject": str(g.value(s, SKOS.prefLabel) or ""),
                "predicate": _local(p), "predicate_iri": str(p),
                "object_iri": str(o), "object": str(g.value(o, SKOS.prefLabel) or ""),
                "evidence_count": evidence.get((s, p, o), 0),
            })
    return rows


def to_networkx(g: Graph):
    """The entity network as a networkx MultiDiGraph (node ids are IRIs; edge key = relation)."""
    import networkx as nx

    net = nx.MultiDiGraph()
    for row in entity_table(g):
        net.add_node(row["iri"], **{k: v for k, v in row.items() if k != "iri"})
    for row in relation_table(g):
        for end in ("subject_iri", "object_iri"):
            if row[end] not in net:
                net.add_node(row[end], label=row[end.split("_")[0]])
        net.add_edge(row["subject_iri"], row["object_iri"], key=row["predicate"], relation=row["predicate"],
                     evidence_count=row["evidence_count"])
    return net


def _csv(rows: Iterable[Dict[str, object]]) -> bytes:
    rows = list(rows)
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue().encode("utf-8")
