"""Incremental extraction: each document's :class:`~kg.types.Extraction` kept under ``OUTDIR/cache``.

A document is extracted again only when its content or the pipeline changed.  The key of an
entry is the document (its id and the sha256 of its bytes) and the *pipeline version*
(:func:`pipeline_version`): policy-kg's version and the source of the modules that extract, the
segmenter and the spaCy version, the lexicon and pattern files (``Lexicon.version``) and the
ontology file.  Change any of them and every entry is simply not found (``--force`` ignores the
cache on purpose).

Entries are written atomically (:mod:`kg.io`), one file each, and checked on reading: a
truncated, garbled or foreign file counts as a miss and is recomputed, never as an error.
After a build, :meth:`ExtractionCache.prune` removes every entry the build did not use (of
documents since edited or removed, or of earlier pipeline versions), so the cache holds one
build's worth of entries however often the lexicon changes.
Entries are pickles, so the cache directory must be as trusted as the code (it lives in the
build's own output directory).

Beside the entries, ``build.state`` (:class:`BuildState`) records what the last build wrote:
the key of everything its outputs were made from (:func:`build_key`), the sha256 of
``graph.ttl`` and ``graph.html``, the store's bookkeeping digest and the network numbers, and
the near-duplicate groups with their own key (:func:`dedup_key`).  While a key holds, the
build uses what is recorded instead of computing it again (see :func:`kg.pipeline.build`).
"""
from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Set, Tuple

from .errors import OutputError
from .io import atomic_write_bytes
from .types import Document, Extraction

__all__ = ["ExtractionCache", "CacheStats", "pipeline_version", "BuildState", "build_key", "dedup_key",
           "read_state", "write_state", "file_sha256"]

MAGIC = b"policy-kg extraction 1\n"
# What :meth:`ExtractionCache.path` names; pruning removes nothing else.
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"[0-9a-f]{64}\.pickle")
# The modules whose code decides what an extraction holds (ingest too: the key is the raw bytes).
_EXTRACTION_MODULES = ("types", "ingest", "segment", "entities", "relations", "statistics", "lexicon",
                       "ontology", "pipeline")


def pipeline_version(pipeline) -> str:
    """A sha256 naming everything besides the document that decides its extraction.

    Cheap: it reads no model, only the lexicon's version (already parsed by the pipeline) and a
    few small files.
    """
    from importlib import metadata

    from . import __version__

    try:
        spacy_version = metadata.version("spacy")  # not `import spacy`: seconds, for a version string
    except metadata.PackageNotFoundError:  # pragma: no cover - spaCy is a hard dependency
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
    pruned: int = 0  # entries removed after the build: not of its documents or pipeline version


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
        self._used: Set[Path] = set()  # entries this build read or wrote: what prune() keeps

    def path(self, doc: Document) -> Path:
        key = hashlib.sha256(f"{self.version}\0{doc.doc_id}\0{doc.sha256}".encode()).hexdigest()
        return self.root / key[:2] / f"{key}.pickle"

    def get(self, doc: Document) -> Optional[Extraction]:
        """The cached extraction of ``doc``, or None (missing, corrupt or not this document's)."""
        path = self.path(doc)
        self._used.add(path)
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
        path = self.path(doc)
        self._used.add(path)
        try:
            # no fsync: an entry a crash leaves short fails its checksum and is computed again
            atomic_write_bytes(path, MAGIC + hashlib.sha256(payload).digest() + payload, fsync=False)
        except OutputError:
            self.stats.write_errors += 1
            return
        self.stats.written += 1

    def prune(self) -> int:
        """Remove every entry but those :meth:`get` or :meth:`put` used since this cache was made;
        how many were removed.

        Called at the end of a build, whose every document went through one of them.  Only files
        named as entries are removed (``build.state`` and anything else stay).  A file that cannot
        be removed is left for the next build: pruning never fails a build.
        """
        removed = 0
        for shard in _shards(self.root):
            for entry in shard.iterdir():
                if entry in self._used or not _ENTRY.fullmatch(entry.name):
                    continue
                try:
                    entry.unlink()
                except OSError:
                    continue
                removed += 1
            try:
                shard.rmdir()
            except OSError:  # not empty: the usual case
                pass
        self.stats.pruned += removed
        return removed


def _shards(root: Path) -> Sequence[Path]:
    try:
        return [p for p in root.iterdir() if p.is_dir() and _SHARD.fullmatch(p.name)]
    except OSError:  # no cache directory (nothing written yet)
        return []


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


# --------------------------------------------------------------------------- build state

STATE_MAGIC = b"policy-kg build state 1\n"
# Libraries whose version changes an output: the ontology's parse (rdflib), the store, the network
# numbers (networkx: Louvain) and the page (pyvis ships vis-network).
_OUTPUT_LIBRARIES = ("rdflib", "pyoxigraph", "networkx", "pyvis")


@dataclass(frozen=True)
class BuildState:
    """What the last build of an output directory wrote, and the key of what it was made from."""

    key: str  # see build_key
    triples: int  # distinct triples in graph.ttl
    graph_ttl: Optional[str]  # sha256 of graph.ttl as written
    graph_html: Optional[str]  # sha256 of graph.html, None if none was written
    store: Optional[Tuple[str, str, int]]  # (store path, bookkeeping digest after the sync, quads)
    analytics: object  # kg.analytics.Analytics of the graph
    dedup_key: str = ""  # see dedup_key
    groups: Tuple = ()  # the near-duplicate groups found for it


def build_key(pipeline, documents: Sequence[Document], groups: Sequence, *, base: str, max_evidence: int) -> str:
    """A sha256 naming everything the outputs of a build are made from.

    The pipeline version (:func:`pipeline_version`: lexicon, ontology, extraction code), the
    source of every policy-kg module (the graph, store, analytics and page code too), the
    versions of the libraries that shape an output, the settings that reach the outputs, and
    each document (id, bytes' sha256, file name, encoding) and near-duplicate group.  Equal keys
    mean equal ``graph.ttl``, store graphs, analytics and ``graph.html``.
    """
    from importlib import metadata

    h = hashlib.sha256(b"policy-kg build key 1\0")
    here = Path(__file__).resolve().parent
    parts = [pipeline_version(pipeline), base, str(max_evidence)]
    for lib in _OUTPUT_LIBRARIES:
        try:
            parts.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{lib} none")
    for part in parts:
        h.update(part.encode() + b"\0")
    for module in sorted(here.glob("*.py")) + [here / "default.cfg"]:
        h.update(module.name.encode() + b"\0" + module.read_bytes())
    for d in sorted(documents, key=lambda d: d.doc_id):
        h.update(f"{d.doc_id}\t{d.sha256}\t{Path(d.path).name}\t{d.encoding}\n".encode())
    for g in groups:
        h.update(f"{g.canonical}\t{','.join(g.duplicates)}\t{g.similarity!r}\n".encode())
    return h.hexdigest()


def dedup_key(documents: Sequence[Document], settings) -> str:
    """A sha256 naming what the near-duplicate groups are found from: the documents in order (id
    and bytes' sha256), the dedup settings and the code that reads and compares them."""
    h = hashlib.sha256(b"policy-kg dedup key 1\0")
    here = Path(__file__).resolve().parent
    for name in ("types", "ingest", "dedup"):
        h.update(name.encode() + b"\0" + (here / f"{name}.py").read_bytes())
    h.update(f"{settings.dedup_threshold!r}\0{settings.dedup_num_perm}\0{settings.dedup_shingle}\0".encode())
    for d in documents:
        h.update(f"{d.doc_id}\t{d.sha256}\n".encode())
    return h.hexdigest()


def read_state(path: Path) -> Optional[BuildState]:
    """The state recorded at ``path``, or None (missing, unreadable or from another version)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if not data.startswith(STATE_MAGIC):
        return None
    state = _decode(MAGIC + data[len(STATE_MAGIC):])
    return state if isinstance(state, BuildState) else None


def write_state(path: Path, state: BuildState) -> None:
    """Record ``state``; a failed write only costs the next build its shortcuts."""
    payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        atomic_write_bytes(path, STATE_MAGIC + hashlib.sha256(payload).digest() + payload)
    except OutputError:
        pass


def file_sha256(path: Path) -> Optional[str]:
    """sha256 of a file's bytes, or None if it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()
