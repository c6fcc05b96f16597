"""Checks of a built graph: SHACL shapes (pyshacl), an OWL RL closure (owlrl), declared terms.

:func:`validate_graph` is what ``kg build --validate`` runs.  ``ontology/shapes.ttl`` says what
every graph must satisfy: each entity has one top class and one ``@zh`` prefLabel, each
relation's ends have the classes of the property's domain and range, each evidence record points
to a document and to offsets inside a sentence of that document.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Set, Tuple, Union

from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS, DefinedNamespace

from .errors import ValidationError

__all__ = ["ValidationReport", "validate_graph", "owl_rl_problems", "undeclared_terms", "SHAPES"]

SHAPES = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"
ONTOLOGY = SHAPES.with_name("kg.ttl")
SH = Namespace("http://www.w3.org/ns/shacl#")
_OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")  # where owlrl writes inconsistencies
# Vocabularies whose terms the graph may use: rdflib's closed namespaces (a typo is not "declared").
_VOCABULARIES: Tuple[type, ...] = (SKOS, ORG, PROV, DCTERMS, RDF, RDFS, OWL)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of the SHACL shapes: whether the graph conforms and one line per violation."""

    conforms: bool
    violations: Tuple[str, ...]

    def summary(self, limit: int = 20) -> str:
        if self.conforms:
            return "validation: the graph conforms to ontology/shapes.ttl"
        lines = [f"validation: {len(self.violations)} violation(s) of ontology/shapes.ttl"]
        lines += ["  " + v for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"  ... and {len(self.violations) - limit} more")
        return "\n".join(lines)


def _graph(data: Union[Graph, Path, str]) -> Graph:
    return data if isinstance(data, Graph) else Graph().parse(str(data), format="turtle")


def validate_graph(data: Union[Graph, Path, str], shapes: Union[Graph, Path, str] = SHAPES,
                   ontology: Union[Graph, Path, str] = ONTOLOGY) -> ValidationReport:
    """Run the SHACL shapes on a graph, with the ontology added (sh:class follows its subclasses)."""
    try:
        import pyshacl
    except ImportError as exc:  # optional heavy dependency
        raise ValidationError("kg build --validate needs pyshacl: pip install 'policy-kg[validate]' "
                              "(or pip install pyshacl)") from exc
    g = Graph()
    g += _graph(data)
    g += _graph(ontology)
    conforms, report, _ = pyshacl.validate(g, shacl_graph=_graph(shapes), inference="none",
                                           advanced=True, allow_warnings=False)
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        msg = report.value(result, SH.resultMessage)
        lines.append(f"{focus}" + (f" {path}" if path is not None else "") + f": {msg}")
    return ValidationReport(bool(conforms), tuple(sorted(lines)))


def owl_rl_problems(g: Graph) -> List[str]:
    """Inconsistencies an OWL 2 RL closure (owlrl) finds in ``g``: empty when consistent.

    The closure is computed on a copy; ``owl:Nothing`` members are reported too.
    """
    try:
        import owlrl
    except ImportError as exc:  # optional heavy dependency
        raise ValidationError("the OWL RL check needs owlrl: pip install 'policy-kg[validate]'") from exc

    closed = Graph()
    closed += g
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    problems = sorted(str(m) for m in closed.objects(None, _OWLRL_ERROR))
    problems += sorted(f"{s} is an owl:Nothing" for s in closed.subjects(RDF.type, OWL.Nothing))
    return problems


def undeclared_terms(data: Graph, ontology: Graph) -> Set[URIRef]:
    """Predicates and classes of ``data`` declared neither in the ontology nor in a known vocabulary."""
    declared = set(ontology.subjects(RDF.type, None))
    used = set(data.predicates()) | set(data.objects(None, RDF.type))
    out = set()
    for term in used:
        if term in declared:
            continue
        ns = next((v for v in _VOCABULARIES if str(term).startswith(str(v._NS))), None)
        if ns is None or not _in(ns, term):
            out.add(term)
    return out


def _in(ns: type, term: URIRef) -> bool:
    name = str(term)[len(str(ns._NS)):]
    try:
        return issubclass(ns, DefinedNamespace) and ns[name] == term
    except (AttributeError, KeyError):
        return False
