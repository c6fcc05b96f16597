"""Incremental extraction: each document's :class:`~kg.types.Extraction` kept under ``OUTDIR/cache``.

A document is extracted again only when its content or the pipeline changed.  The key of an
entry is the document (its id and the sha256 of its bytes) and the *pipeline version*
(:func:`pipeline_version`): policy-kg's version and the source of the modules that extract, the
segmenter and the spaCy version, the lexicon and pattern files (``Lexicon.version``) and the
ontology file.  Change any of them and every entry is simply not found (``--force`` ignores the
cache on purpose).

Entries are written atomically (:mod:`kg.io`), one file each, and checked on reading: a
truncated, garbled or foreign file counts as a miss and is recomputed, never as an error.
Entries are pickles, so the cache directory must be as trusted as the code (it lives in the
build's own output directory).
"""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import OutputError
from .io import atomic_write_bytes
from .types import Document, Extraction

__all__ = ["ExtractionCache", "CacheStats", "pipeline_version", "write_turtle"]

MAGIC = b"policy-kg extraction 1\n"
# The modules whose code decides what an extraction holds (ingest too: the key is the raw bytes).
_EXTRACTION_MODULES = ("types", "ingest", "segment", "entities", "relations", "statistics", "lexicon",
                       "ontology", "pipeline")


def pipeline_version(pipeline) -> str:
    """A sha256 naming everything besides the document that decides its extraction.

    Cheap: it reads no model, only the lexicon's version (already parsed by the pipeline) and a
    few small files.
    """
    from . import __version__

    try:
        import spacy

        spacy_version = spacy.__version__
    except ImportError:  # pragma: no cover - spaCy is a hard dependency
        spacy_version = "none"
    h = hashlib.sha256()
    for part in (__version__, pipeline.settings.segmenter, spacy_version, pipeline.lexicon.version):
        h.update(part.encode() + b"\0")
    here = Path(__file__).resolve().parent
    for name in _EXTRACTION_MODULES:
        h.update(name.encode() + b"\0" + (here / f"{name}.py").read_bytes())
    from .ontology import ONTOLOGY_FILE

    onto = Path(pipeline.settings.ontology_dir) / ONTOLOGY_FILE
    h.update(onto.read_bytes() if onto.is_file() else b"")
    return h.hexdigest()


@dataclass
class CacheStats:
    """What the cache did during one build."""

    hits: int = 0
    misses: int = 0
    corrupt: int = 0  # entries found but unreadable: recomputed
    written: int = 0
    write_errors: int = 0


class ExtractionCache:
    """Extractions of documents for one pipeline version, stored under ``root``.

    >>> import tempfile
    >>> from kg.types import Document, Extraction
    >>> d = Document("a", "a.txt", "文本", "文本", "utf-8", "0" * 64)
    >>> c = ExtractionCache(Path(tempfile.mkdtemp()), "v1")
    >>> c.get(d) is None
    True
    >>> c.put(d, Extraction("a", (), (), ()))
    >>> c.get(d)
    Extraction(doc_id='a', mentions=(), relations=(), attributions=(), statistics=())
    >>> ExtractionCache(c.root, "v2").get(d) is None
    True
    """

    def __init__(self, root: Path, version: str):
        self.root = Path(root)
        self.version = version
        self.stats = CacheStats()

    def path(self, doc: Document) -> Path:
        key = hashlib.sha256(f"{self.version}\0{doc.doc_id}\0{doc.sha256}".encode()).hexdigest()
        return self.root / key[:2] / f"{key}.pickle"

    def get(self, doc: Document) -> Optional[Extraction]:
        """The cached extraction of ``doc``, or None (missing, corrupt or not this document's)."""
        path = self.path(doc)
        try:
            data = path.read_bytes()
        except OSError:
            self.stats.misses += 1
            return None
        x = _decode(data)
        if not isinstance(x, Extraction) or x.doc_id != doc.doc_id:
            self.stats.corrupt += 1
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        return x

    def put(self, doc: Document, x: Extraction) -> None:
        """Store ``x`` for ``doc``; a write that fails is counted, not raised (the build goes on)."""
        payload = pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            atomic_write_bytes(self.path(doc), MAGIC + hashlib.sha256(payload).digest() + payload)
        except OutputError:
            self.stats.write_errors += 1
            return
        self.stats.written += 1


def _decode(data: bytes) -> Optional[object]:
    """The pickled object of an entry whose checksum holds, else None."""
    head = len(MAGIC) + 32
    if len(data) < head or not data.startswith(MAGIC):
        return None
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(MAGIC):head]:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a checksum collision with garbage: still only a miss
        return None


def write_turtle(path: Path, graph, parts, *, base: str, state: Optional[Path]) -> Path:
    """Write ``graph`` (the union of ``parts``) as Turtle to ``path``, unless it is already there.

    Serialising is the most expensive step of a build with few changes, and its bytes depend only
    on the named graphs' contents, the base IRI and rdflib.  ``state`` records what the file at
    ``path`` was written from (a key over those) and the sha256 of its bytes; when both still
    hold, the file is left as it is.  Without ``state`` it is always written.
    """
    import rdflib

    from .graph import to_turtle
    from .store import content_hash

    if state is None:
        return atomic_write_bytes(path, to_turtle(graph))
    h = hashlib.sha256(f"{rdflib.__version__}\0{base}\0".encode())
    for iri, part in parts.items():
        h.update(f"{iri}\0{content_hash(part)}\n".encode())
    key = h.hexdigest()
    try:
        recorded_key, recorded_sha = state.read_text(encoding="ascii").split()
        if recorded_key == key and hashlib.sha256(Path(path).read_bytes()).hexdigest() == recorded_sha:
            return Path(path)
    except (OSError, ValueError, UnicodeDecodeError):
        pass  # no state, or unreadable: write
    data = to_turtle(graph)
    target = atomic_write_bytes(path, data)
    try:
        atomic_write_bytes(state, f"{key} {hashlib.sha256(data).hexdigest()}\n".encode("ascii"))
    except OutputError:
        pass  # the next build writes graph.ttl again: slower, never wrong
    return target
