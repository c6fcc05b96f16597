"""The policy-kg ontology namespace.

GENERATED from ontology/kg.ttl by `python -m kg.ontology --write-namespace`; do not edit.
"""
from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["KG"]


class KG(DefinedNamespace):
    """Terms of the policy-kg ontology; an unknown attribute raises AttributeError."""

    _fail = True
    Actor: URIRef  # Actor (Class)
    ActorOrInstrument: URIRef  # Actor or instrument (Class)
    Campaign: URIRef  # Campaign (Class)
    City: URIRef  # City (Class)
    Country: URIRef  # Country (Class)
    County: URIRef  # County-level division (Class)
    Document: URIRef  # Source document (Class)
    EconomicZone: URIRef  # Economic zone (Class)
    EmergingIndustry: URIRef  # Emerging industry (Class)
    EnterpriseGroup: URIRef  # Enterprise group (Class)
    Entity: URIRef  # Entity (Class)
    Evidence: URIRef  # Evidence (Class)
    FinancialTool: URIRef  # Financial tool (Class)
    FiscalTool: URIRef  # Fiscal tool (Class)
    GovernmentBody: URIRef  # Government body (Class)
    Industry: URIRef  # Industry (Class)
    Instrument: URIRef  # Instrument (Class)
    Organization: URIRef  # Organization (Class)
    Person: URIRef  # Person (Class)
    Pilot: URIRef  # Pilot (Class)
    Plan: URIRef  # Plan (Class)
    Platform: URIRef  # Platform (Class)
    PolicyDocument: URIRef  # Policy document (Class)
    Programme: URIRef  # Programme (Class)
    Project: URIRef  # Project (Class)
    Province: URIRef  # Province-level division (Class)
    Region: URIRef  # Region (Class)
    RegionCluster: URIRef  # Region cluster (Class)
    Regulation: URIRef  # Regulation (Class)
    Sector: URIRef  # Sector (Class)
    Sentence: URIRef  # Sentence (Class)
    Statistic: URIRef  # Statistic (Class)
    System: URIRef  # System (Class)
    about: URIRef  # about (ObjectProperty)
    announces: URIRef  # announces (ObjectProperty)
    canonicalDocument: URIRef  # canonical document (ObjectProperty)
    collaboratesWith: URIRef  # collaborates with (ObjectProperty, SymmetricProperty)
    editor: URIRef  # editor (DatatypeProperty)
    encoding: URIRef  # encoding (DatatypeProperty)
    endOffset: URIRef  # end offset (DatatypeProperty)
    implements: URIRef  # implements (ObjectProperty)
    launches: URIRef  # launches (ObjectProperty)
    measure: URIRef  # measure (DatatypeProperty)
    mentionCount: URIRef  # mention count (DatatypeProperty)
    mentions: URIRef  # mentions (ObjectProperty)
    nearDuplicateOf: URIRef  # near-duplicate of (ObjectProperty, SymmetricProperty)
    officialOf: URIRef  # official of (ObjectProperty)
    partOfRegion: URIRef  # part of region (ObjectProperty)
    period: URIRef  # period (DatatypeProperty)
    prioritisesSector: URIRef  # prioritises sector (ObjectProperty)
    reporter: URIRef  # reporter (DatatypeProperty)
    rule: URIRef  # extraction rule (DatatypeProperty)
    sentence: URIRef  # sentence (ObjectProperty)
    sentenceIndex: URIRef  # sentence index (DatatypeProperty)
    sha256: URIRef  # SHA-256 (DatatypeProperty)
    similarity: URIRef  # similarity (DatatypeProperty)
    startOffset: URIRef  # start offset (DatatypeProperty)
    subUnitOf: URIRef  # sub-unit of (ObjectProperty)
    targetsRegion: URIRef  # targets region (ObjectProperty)
    text: URIRef  # text (DatatypeProperty)
    unit: URIRef  # unit (DatatypeProperty)
    value: URIRef  # value (DatatypeProperty)

    _NS = Namespace("https://w3id.org/policy-kg/ontology#")
