"""``kg eval``: precision, recall and F1 of entities and relations against gold annotations.

Gold files (``tests/gold/*.json``, see ``docs/annotation.md``) list a document's entities
(canonical name, aliases, class, core or generic) and its key relations.  Each document is
extracted on its own, then

- a predicted entity **matches** a gold entity when they share a name (canonical name or any
  alias, compared after quote/width normalisation) and the same top class;
- gold *core* entities are what recall counts; a prediction matching a *generic* gold mention
  (中小企业, 相关部门) is neither rewarded nor punished; any other prediction is a false positive;
- a gold relation **holds** when a direct triple with its predicate (or a sub-property:
  ``launches`` counts as ``implements``) links entities matching its two ends; a predicted
  relation of an annotated predicate is a false positive when it matches no gold relation and
  neither of its ends is generic.  Relations read off an entity's own name (an instrument
  named after its sector, a unit named after its parent) are not annotated (see the
  guidelines), so they are not judged either.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

from . import ingest
from .entities import resolve_entities
from .errors import InputError
from .lexicon import match_key
from .ontology import TOP_CLASSES, ClassTree
from .pipeline import Pipeline
from .types import Entity, Extraction

__all__ = ["GoldDocument", "Scores", "DocumentResult", "Report", "load_gold", "evaluate", "format_table"]

BASELINE_FILE = "baseline.json"  # the regression floor beside the gold files, not a document
ANNOTATED = ("officialOf", "implements", "prioritisesSector", "targetsRegion", "subUnitOf", "collaboratesWith")
# What a predicted predicate counts as in the gold (sub-properties are their super-property).
AS_GOLD = {"launches": "implements"}
SYMMETRIC = {"collaboratesWith"}
# Rules that read a relation off a name rather than a sentence: not annotated, not judged.
NAME_RULES = {"instrument-name", "name-prefix"}


@dataclass(frozen=True)
class GoldEntity:
    name: str
    cls: str
    aliases: Tuple[str, ...]
    core: bool

    def names(self) -> Set[str]:
        return {match_key(n) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class GoldRelation:
    subject: str
    predicate: str
    object: str


@dataclass(frozen=True)
class GoldDocument:
    path: Path  # the gold file
    document: str  # file name of the text
    collection: str
    entities: Tuple[GoldEntity, ...]
    relations: Tuple[GoldRelation, ...]


@dataclass
class Scores:
    """Counts and the measures derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Scores") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self) -> Dict[str, float]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class DocumentResult:
    document: str
    entities: Dict[str, Scores] = field(default_factory=dict)  # top class -> scores
    relations: Scores = field(default_factory=Scores)
    missed_entities: List[str] = field(default_factory=list)
    false_entities: List[str] = field(default_factory=list)
    missed_relations: List[str] = field(default_factory=list)
    false_relations: List[str] = field(default_factory=list)


@dataclass
class Report:
    documents: List[DocumentResult]
    missing_texts: List[str]

    def entity_scores(self) -> Dict[str, Scores]:
        out = {t: Scores() for t in TOP_CLASSES}
        for d in self.documents:
            for top, s in d.entities.items():
                out[top].add(s)
        overall = Scores()
        for s in out.values():
            overall.add(s)
        out["all"] = overall
        return out

    def relation_scores(self) -> Scores:
        out = Scores()
        for d in self.documents:
            out.add(d.relations)
        return out

    def as_dict(self) -> dict:
        return {
            "entities": {k: v.as_dict() for k, v in self.entity_scores().items()},
            "relations": self.relation_scores().as_dict(),
            "documents": [
                {"document": d.document,
                 "entities": {k: v.as_dict() for k, v in d.entities.items()},
                 "relations": d.relations.as_dict(),
                 "missed_entities": d.missed_entities, "false_entities": d.false_entities,
                 "missed_relations": d.missed_relations, "false_relations": d.false_relations}
                for d in self.documents],
            "missing_texts": self.missing_texts,
        }


# ---------------------------------------------------------------------- gold files
def load_gold(gold_dir: Path, tree: ClassTree) -> List[GoldDocument]:
    """Every ``*.json`` gold file in ``gold_dir``, validated (errors name the file)."""
    files = sorted(p for p in Path(gold_dir).glob("*.json") if p.name != BASELINE_FILE)
    if not files:
        raise InputError(f"{gold_dir}: no gold files (*.json)")
    return [_load_one(p, tree) for p in files]


def _load_one(path: Path, tree: ClassTree) -> GoldDocument:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable JSON gold file ({exc})") from exc
    try:
        entities = tuple(GoldEntity(e["name"], e["class"], tuple(e.get("aliases", ())), bool(e.get("core", True)))
                         for e in data["entities"])
        relations = tuple(GoldRelation(r["subject"], r["predicate"], r["object"]) for r in data.get("relations", ()))
        doc = GoldDocument(path, data["document"], data.get("collection", ""), entities, relations)
    except (KeyError, TypeError) as exc:
        raise InputError(f"{path}: missing or malformed field {exc}") from exc
    valid = set(tree.entity_classes())
    names = {e.name for e in entities if e.core}
    for e in entities:
        if e.cls not in valid:
            raise InputError(f"{path}: entity {e.name!r} has class {e.cls!r}, not one of {', '.join(sorted(valid))}")
    for r in relations:
        if r.predicate not in ANNOTATED:
            raise InputError(f"{path}: relation predicate {r.predicate!r} is not one of {', '.join(ANNOTATED)}")
        for end in (r.subject, r.object):
            if end not in names:
                raise InputError(f"{path}: relation end {end!r} is not a core entity of the file")
    return doc


# ---------------------------------------------------------------------- evaluation
def evaluate(gold_dir: Path, text_dirs: Sequence[Path], *, pipeline: Optional[Pipeline] = None,
             collection: Optional[str] = None) -> Report:
    """Extract every gold document found in ``text_dirs`` and score it against its gold
    (only the gold files of ``collection``, e.g. "seeds" or "dev-corpus", when given)."""
    pipeline = pipeline or Pipeline()
    results, missing = [], []
    for gold in load_gold(gold_dir, pipeline.tree):
        if collection is not None and gold.collection != collection:
            continue
        text_path = _find_text(gold.document, text_dirs)
        if text_path is None:
            missing.append(gold.document)
            continue
        (doc,) = ingest.read_documents([str(text_path)])
        x = pipeline.extract(doc)
        results.append(score_document(gold, x, pipeline))
    return Report(results, missing)


def _find_text(name: str, dirs: Sequence[Path]) -> Optional[Path]:
    for d in dirs:
        p = Path(d) / name
        if p.is_file():
            return p
    return None


def score_document(gold: GoldDocument, x: Extraction, pipeline: Pipeline) -> DocumentResult:
    tree = pipeline.tree
    predicted = resolve_entities(x.mentions, pipeline.lexicon)
    res = DocumentResult(gold.document, {t: Scores() for t in TOP_CLASSES})
    match = _matcher(gold, tree)
    matched_gold: Set[str] = set()
    pred_to_gold: Dict[str, GoldEntity] = {}
    for e in predicted:
        top = tree.top_class(e.cls)
        g = match(e, top)
        if g is None:
            res.entities[top].fp += 1
            res.false_entities.append(f"{e.key} ({e.cls})")
            continue
        pred_to_gold[e.key] = g
        if g.core and g.name not in matched_gold:
            matched_gold.add(g.name)
            res.entities[top].tp += 1
    for g in gold.entities:
        if g.core and g.name not in matched_gold:
            res.entities[tree.top_class(g.cls)].fn += 1
            res.missed_entities.append(f"{g.name} ({g.cls})")
    _score_relations(gold, x, pred_to_gold, res)
    return res


def _matcher(gold: GoldDocument, tree: ClassTree):
    by_name: Dict[Tuple[str, str], GoldEntity] = {}
    for g in gold.entities:
        top = tree.top_class(g.cls)
        for n in g.names():
            # a core entity wins a name shared with a generic mention
            if (n, top) not in by_name or (g.core and not by_name[(n, top)].core):
                by_name[(n, top)] = g

    def match(e: Entity, top: str) -> Optional[GoldEntity]:
        for n in sorted({match_key(e.key), *(match_key(l) for l in e.labels)}):
            if (n, top) in by_name:
                return by_name[(n, top)]
        return None

    return match


def _score_relations(gold: GoldDocument, x: Extraction, pred_to_gold: Mapping[str, GoldEntity],
                     res: DocumentResult) -> None:
    gold_set = {(r.subject, r.predicate, r.object) for r in gold.relations}
    found: Set[Tuple[str, str, str]] = set()
    false: Set[str] = set()
    for r in x.relations:
        predicate = AS_GOLD.get(r.predicate, r.predicate)
        if predicate not in ANNOTATED or r.rule in NAME_RULES:
            continue
        s, o = pred_to_gold.get(r.subject), pred_to_gold.get(r.object)
        if s is not None and o is not None:
            key = (s.name, predicate, o.name)
            if key in gold_set:
                found.add(key)
                continue
            if predicate in SYMMETRIC and (o.name, predicate, s.name) in gold_set:
                found.add((o.name, predicate, s.name))
                continue
        if (s is not None and not s.core) or (o is not None and not o.core):
            continue  # a relation to a generic mention: not judged
        false.add(f"{r.subject} {predicate} {r.object}")
    res.relations = Scores(tp=len(found), fp=len(false), fn=len(gold_set - found))
    res.missed_relations = sorted(" ".join(k) for k in gold_set - found)
    res.false_relations = sorted(false)


# ---------------------------------------------------------------------- output
def format_table(report: Report, *, details: bool = True) -> str:
    lines = [f"{'':<12}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]
    for name, s in report.entity_scores().items():
        lines.append(f"{'entity ' + name:<12}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
    s = report.relation_scores()
    lines.append(f"{'relations':<12}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
    lines.append(f"documents: {len(report.documents)} evaluated"
                 + (f", {len(report.missing_texts)} without text: {', '.join(report.missing_texts)}"
                    if report.missing_texts else ""))
    if details:
        for d in report.documents:
            items = [("missed entity", d.missed_entities), ("false entity", d.false_entities),
                     ("missed relation", d.missed_relations), ("false relation", d.false_relations)]
            if any(v for _, v in items):
                lines.append(f"\n{d.document}")
                for label, values in items:
                    for v in values:
                        lines.append(f"  {label:<16} {v}")
    return "\n".join(lines)
