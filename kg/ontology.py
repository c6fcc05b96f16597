"""The ontology in ``ontology/kg.ttl``: loading it, its class tree, and the namespace module.

``kg/namespace.py`` is generated from the ontology so that code names terms as Python
attributes (``KG.implements``) and a misspelt term fails at import time instead of minting a
new IRI.  Regenerate it after editing the ontology::

    python -m kg.ontology --write-namespace
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Dict, Mapping, Tuple

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from .errors import KGError

__all__ = ["ONTOLOGY_IRI", "NAMESPACE_IRI", "TOP_CLASSES", "ClassTree", "load_ontology",
           "class_tree", "render_namespace"]

NAMESPACE_IRI = "https://w3id.org/policy-kg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/policy-kg/ontology"
TOP_CLASSES = ("Actor", "Instrument", "Sector", "Region")
ONTOLOGY_FILE = "kg.ttl"
NAMESPACE_MODULE = Path(__file__).with_name("namespace.py")


@dataclass(frozen=True)
class ClassTree:
    """The ``kg:`` classes under the four top classes, by local name."""

    parents: Mapping[str, Tuple[str, ...]]  # local name -> direct kg: superclasses

    def top_class(self, cls: str) -> str:
        """The top class ("Actor", "Instrument", "Sector" or "Region") above ``cls``.

        >>> tree = ClassTree({"Actor": (), "Person": ("Actor",)})
        >>> tree.top_class("Person")
        'Actor'
        """
        # Asked for every candidate name of every sentence: each class's walk is done once.
        tops = self._tops
        top = tops.get(cls)
        if top is None:
            top = tops[cls] = self._walk_up(cls)
        return top

    @cached_property
    def _tops(self) -> Dict[str, str]:
        return {}

    def _walk_up(self, cls: str) -> str:
        seen = set()
        todo = [cls]
        while todo:
            c = todo.pop()
            if c in TOP_CLASSES:
                return c
            if c in seen or c not in self.parents:
                continue
            seen.add(c)
            todo.extend(self.parents[c])
        raise KGError(f"class {cls!r} is not under any of {', '.join(TOP_CLASSES)}")

    def entity_classes(self) -> Tuple[str, ...]:
        """Every class an entity may have: the top classes and all classes below them."""
        out = []
        for c in sorted(self.parents):
            try:
                self.top_class(c)
            except KGError:
                continue
            out.append(c)
        return tuple(out)


def load_ontology(ontology_dir: Path) -> Graph:
    """Parse ``kg.ttl`` from ``ontology_dir``; a syntax error names the file and line."""
    path = Path(ontology_dir) / ONTOLOGY_FILE
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise KGError(f"{path}: ontology file not found (set --ontology or [paths] ontology_dir)") from exc
    except Exception as exc:  # rdflib raises several parser exception types
        raise KGError(f"{path}: cannot parse ontology: {exc}") from exc
    return g


@lru_cache(maxsize=8)
def _class_tree_cached(path: str) -> ClassTree:
    return _class_tree_of(load_ontology(Path(path)))


def class_tree(ontology_dir: Path) -> ClassTree:
    """The class tree of the ontology in ``ontology_dir`` (parsed once per process)."""
    return _class_tree_cached(str(Path(ontology_dir).resolve()))


def _class_tree_of(g: Graph) -> ClassTree:
    parents: Dict[str, list] = {}
    for cls in g.subjects(RDF.type, OWL.Class):
        name = _local(cls)
        if name is None:
            continue
        parents.setdefault(name, [])
        for sup in g.objects(cls, RDFS.subClassOf):
            sup_name = _local(sup)
            if sup_name is not None:
                parents[name].append(sup_name)
    return ClassTree({k: tuple(sorted(v)) for k, v in parents.items()})


def _local(term) -> str | None:
    if isinstance(term, URIRef) and str(term).startswith(NAMESPACE_IRI):
        return str(term)[len(NAMESPACE_IRI):]
    return None


def _terms(g: Graph) -> Dict[str, str]:
    """Local name -> first English label (or the kind of term) of every kg: term."""
    out = {}
    for s in set(g.subjects()):
        name = _local(s)
        if name is None:
            continue
        labels = sorted(str(o) for o in g.objects(s, RDFS.label) if getattr(o, "language", None) == "en")
        kinds = sorted(_kind(o) for o in g.objects(s, RDF.type))
        out[name] = (labels[0] if labels else name) + (f" ({', '.join(kinds)})" if kinds else "")
    return out


def _kind(t) -> str:
    return str(t).rsplit("#", 1)[-1]


def render_namespace(g: Graph) -> str:
    """The source of ``kg/namespace.py`` for the ontology ``g`` (deterministic)."""
    lines = [
        '"""The policy-kg ontology namespace.',
        "",
        "GENERATED from ontology/kg.ttl by `python -m kg.ontology --write-namespace`; do not edit.",
        '"""',
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "from rdflib.term import URIRef",
        "",
        '__all__ = ["KG"]',
        "",
        "",
        "class KG(DefinedNamespace):",
        '    """Terms of the policy-kg ontology; an unknown attribute raises AttributeError."""',
        "",
        "    _fail = True",
    ]
    for name, comment in sorted(_terms(g).items()):
        lines.append(f"    {name}: URIRef  # {comment}")
    lines += ["", f'    _NS = Namespace("{NAMESPACE_IRI}")', ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.ontology", description=__doc__.split("\n")[0])
    parser.add_argument("--ontology", type=Path, default=Path(__file__).resolve().parent.parent / "ontology")
    parser.add_argument("--write-namespace", action="store_true", help="regenerate kg/namespace.py")
    args = parser.parse_args(argv)
    source = render_namespace(load_ontology(args.ontology))
    if args.write_namespace:
        NAMESPACE_MODULE.write_text(source, encoding="utf-8")
        print(f"wrote {NAMESPACE_MODULE}")
        return 0
    current = NAMESPACE_MODULE.read_text(encoding="utf-8") if NAMESPACE_MODULE.exists() else ""
    if current != source:
        print("kg/namespace.py is out of date: run python -m kg.ontology --write-namespace")
        return 1
    print("kg/namespace.py matches the ontology")
    return 0


if __name__ == "__main__":
    sys.exit(main())
