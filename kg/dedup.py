"""Stage 2: find near-duplicate documents, so that a fact read twice is counted once.

The same article often arrives in several layouts (paragraphs on their own lines, or one long
line with a ``原标题:`` prefix and the reporters at the end). Two documents are near-duplicates
when the Jaccard similarity of their sets of character shingles is at least a threshold; the
shingles are taken from the content only (the sentences' normalised text, metadata excluded),
with whitespace and punctuation removed so that layout does not count.

Finding the pairs without comparing all of them:

1. each document gets a MinHash signature of ``num_perm`` values. It is *one-permutation*
   MinHash: every shingle is hashed once to 64 bits, the hash picks one of ``num_perm`` bins and
   each bin keeps its smallest value; empty bins borrow a filled bin's value along a fixed
   probe sequence ("optimal densification", Shrivastava 2017). Each signature position then
   agrees between two documents with probability equal to their Jaccard similarity, at the
   cost of one hash per shingle instead of ``num_perm``. The shingle hash chains the
   splitmix64 mixer over the shingle's code points from a seed derived from a fixed key, so it
   never depends on Python's salted ``hash()``; it runs on whole numpy arrays (all the
   shingles of a document at once), so hashing costs tens of nanoseconds per character rather
   than the microseconds of a hash call per shingle;
2. LSH banding: the signature is cut into ``b`` bands of ``r`` values, chosen so that a pair at
   the threshold shares at least one band with probability >= 99 %; documents sharing a band
   become candidate pairs;
3. the Jaccard similarity of each candidate pair is computed exactly from the sets of shingle
   hashes (two distinct shingles share a 64-bit hash with negligible probability), and the
   groups are the connected components of the pairs at or above the threshold.

Cost for ``N`` documents of ``L`` characters: ``O(N * L)`` to hash the shingles (vectorised:
the whole search takes 1.4 s for the 3.4 million characters of the 10 MB benchmark corpus), ``O(N * b)`` for the bands, ``O(C * L)`` for the ``C``
candidate pairs and ``O(g^2 * L)`` for a group of ``g`` documents (its smallest pairwise
similarity). Memory is ``O(N * num_perm)`` for the signatures (8 bytes a value) and ``O(L)``
for the shingles of the documents being compared.
"""
from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache
from typing import Dict, Iterable, List, Sequence, Set, Tuple

import numpy as np

from .errors import ConfigError, InputError
from .types import Document, DuplicateGroup

__all__ = ["find_duplicates", "canonical_documents"]

# Fixed key of every hash: signatures are the same in every run and on every machine.
_HASH_KEY = b"policy-kg/dedup/2"
_HASHER = hashlib.blake2b(digest_size=8, key=_HASH_KEY)
# Probability that LSH banding proposes a pair whose similarity is exactly the threshold.
_MIN_RECALL = 0.99
# An empty bin: above every bin value (a 64-bit hash divided by num_perm >= 2).
_NO_VALUE = np.iinfo(np.uint64).max
# splitmix64's increment and finaliser multipliers (Steele, Lea and Flood 2014).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(int.from_bytes(_HASHER.digest(), "big"))
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def find_duplicates(
    docs: Iterable[Document],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    shingle: int = 5,
) -> List[DuplicateGroup]:
    """Group the near-duplicate documents of ``docs``.

    Two documents are near-duplicates when the Jaccard similarity of their content shingles
    (``shingle`` characters, whitespace and punctuation removed) is at least ``threshold``;
    a group is a connected component of such pairs. Its canonical member is the document with
    the richest layout (most paragraphs, then most sentences, then the smallest doc_id);
    ``similarity`` is the smallest exact Jaccard similarity of two members, to 4 places.
    Groups come sorted by canonical doc_id, whatever the order of ``docs``. Documents without
    content are never grouped.

    >>> from kg.ingest import parse_text
    >>> a = parse_text("国务院常务会议部署稳经济措施。\\n会议要求加大助企纾困力度。", "a")
    >>> b = parse_text("国务院常务会议部署稳经济措施。会议要求加大助企纾困力度。", "b")
    >>> find_duplicates([b, a])
    [DuplicateGroup(canonical='a', duplicates=('b',), similarity=1.0)]
    """
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"dedup threshold {threshold!r} is invalid; use a number in (0, 1]")
    if num_perm < 1:
        raise ConfigError(f"dedup num_perm {num_perm!r} is invalid; use an integer >= 1")
    if shingle < 1:
        raise ConfigError(f"dedup shingle {shingle!r} is invalid; use an integer >= 1")
    docs = list(docs)
    _check_unique(docs)
    contents = [_content(doc) for doc in docs]

    @lru_cache(maxsize=256)  # rebuilt on demand: keeping every set would cost O(N * L) memory
    def shingles_of(i: int) -> np.ndarray:
        return _shingles(contents[i], shingle)

    signatures = {i: _signature(shingles_of(i), num_perm) for i, c in enumerate(contents) if c}
    similar = [
        (i, j)
        for i, j in _candidate_pairs(signatures, *_banding(num_perm, threshold))
        if _jaccard(shingles_of(i), shingles_of(j)) >= threshold
    ]
    groups = []
    for members in _components(len(docs), similar):
        similarity = min(
            _jaccard(shingles_of(i), shingles_of(j))
            for x, i in enumerate(members)
            for j in members[x + 1 :]
        )
        ranked = sorted((docs[i] for i in members), key=_richness)
        groups.append(
            DuplicateGroup(
                canonical=ranked[0].doc_id,
                duplicates=tuple(sorted(doc.doc_id for doc in ranked[1:])),
                similarity=round(similarity, 4),
            )
        )
    return sorted(groups, key=lambda g: g.canonical)


def _candidate_pairs(
    signatures: Dict[int, np.ndarray], bands: int, rows: int
) -> List[Tuple[int, int]]:
    """Sorted pairs ``(i, j)``, ``i < j``, whose signatures agree on at least one whole band."""
    buckets: Dict[Tuple[int, bytes], List[int]] = {}
    for i, signature in signatures.items():
        raw, width = signature.tobytes(), rows * signature.itemsize
        for band in range(bands):
            buckets.setdefault((band, raw[band * width : (band + 1) * width]), []).append(i)
    pairs: Set[Tuple[int, int]] = set()
    for members in buckets.values():
        for x, i in enumerate(members):
            pairs.update((i, j) for j in members[x + 1 :])
    return sorted(pairs)


def _components(size: int, pairs: Iterable[Tuple[int, int]]) -> List[List[int]]:
    """Connected components with two or more of the nodes ``0 .. size-1`` (union-find)."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(i)] = root(j)
    components: Dict[int, List[int]] = {}
    for i in range(size):
        components.setdefault(root(i), []).append(i)
    return [members for members in components.values() if len(members) > 1]


def canonical_documents(
    docs: Sequence[Document], groups: Iterable[DuplicateGroup]
) -> List[Document]:
    """The documents whose facts are counted: all but the non-canonical group members, in order.

    >>> from kg.ingest import parse_text
    >>> docs = [parse_text("甲。", "a"), parse_text("乙。", "b"), parse_text("丙。", "c")]
    >>> groups = [DuplicateGroup(canonical="c", duplicates=("a",), similarity=0.9)]
    >>> [doc.doc_id for doc in canonical_documents(docs, groups)]
    ['b', 'c']
    """
    dropped = {doc_id for group in groups for doc_id in group.duplicates}
    return [doc for doc in docs if doc.doc_id not in dropped]


def _check_unique(docs: Sequence[Document]) -> None:
    seen: Dict[str, str] = {}
    for doc in docs:
        if doc.doc_id in seen:
            raise InputError(
                f"{doc.path or doc.doc_id}: doc_id {doc.doc_id!r} is also used by "
                f"{seen[doc.doc_id]}; every document needs its own doc_id"
            )
        seen[doc.doc_id] = doc.path or doc.doc_id


def _richness(doc: Document) -> Tuple[int, int, str]:
    """Sort key putting the richest layout first: most paragraphs, most sentences, doc_id."""
    paragraphs = len({s.paragraph for s in doc.sentences})
    return (-paragraphs, -len(doc.sentences), doc.doc_id)


class _DropTable(dict):
    """``str.translate`` table removing whitespace, punctuation and control characters."""

    def __missing__(self, cp: int):
        out = None if unicodedata.category(chr(cp))[0] in "ZPC" else chr(cp).lower()
        self[cp] = out
        return out


_DROP = _DropTable()


def _content(doc: Document) -> str:
    """The text compared: the sentences' normalised text without spaces and punctuation."""
    return "".join(s.norm for s in doc.sentences).translate(_DROP)


def _shingles(content: str, size: int) -> np.ndarray:
    """The distinct 64-bit hashes of the ``size``-character shingles of ``content``, sorted.

    A content of ``size`` characters or fewer is one shingle; an empty one has none.
    """
    points = np.frombuffer(content.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if not len(points):
        return np.empty(0, dtype=np.uint64)
    width = min(size, len(points))
    count = len(points) - width + 1
    hashes = np.full(count, _SEED, dtype=np.uint64)
    for k in range(width):  # chain the mixer over the shingle's k-th code point, all shingles at once
        hashes = _mix(hashes * _GOLDEN + points[k : k + count])
    return np.unique(hashes)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, element-wise (uint64 arithmetic wraps, as the mixer intends)."""
    h = (h ^ (h >> _S30)) * _MIX1
    h = (h ^ (h >> _S27)) * _MIX2
    return h ^ (h >> _S31)


def _hash64(data: bytes) -> int:
    """64-bit blake2b of ``data`` under the fixed key (a copy of a keyed hasher is cheaper)."""
    hasher = _HASHER.copy()
    hasher.update(data)
    return int.from_bytes(hasher.digest(), "big")


def _signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """One-permutation MinHash with optimal densification (see the module docstring).

    ``hashes`` are sorted (as :func:`_shingles` gives them), so the first hash falling in a
    bin has that bin's smallest value.
    """
    perm = np.uint64(num_perm)
    filled, first = np.unique(hashes % perm, return_index=True)
    bins = np.full(num_perm, _NO_VALUE, dtype=np.uint64)
    bins[filled.astype(np.intp)] = hashes[first] // perm
    if 0 < len(filled) < num_perm:
        original = bins.copy()
        for b in np.flatnonzero(original == _NO_VALUE).tolist():
            attempt = 0
            while bins[b] == _NO_VALUE:
                bins[b] = original[_probe(num_perm, b, attempt)]
                attempt += 1
    return bins


@lru_cache(maxsize=None)
def _probe(num_perm: int, b: int, attempt: int) -> int:
    """The bin an empty bin ``b`` reads on its ``attempt``-th try; the same in every document."""
    return _hash64(f"{num_perm}/{b}/{attempt}".encode("ascii")) % num_perm


def _banding(num_perm: int, threshold: float) -> Tuple[int, int]:
    """``(bands, rows)``: the most rows per band that still find a pair at the threshold."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= _MIN_RECALL:
            best = (bands, rows)
    return best


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sets of shingle hashes (sorted, distinct)."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)
