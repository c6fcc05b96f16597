"""Lexicons and pattern word lists: the data files in ``ontology/`` that users extend.

Every file is UTF-8, tab-separated, with a header line and ``#`` comments.  Loading validates
each row and raises :class:`~kg.errors.LexiconError` naming ``file:line``, the bad value and
what would be valid.  See the README for how to add entries.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Mapping, Sequence, Set, Tuple

from .errors import LexiconError
from .ingest import normalise  # the one definition of width/space normalisation
from .ontology import ClassTree, class_tree
from .types import LexiconEntry

__all__ = ["Lexicon", "load_lexicon", "match_key"]

LEXICON_HEADER = ("canonical", "class", "aliases", "codes", "parent")
WORD_ROLES = ("launch", "implement", "means", "focus", "encourage", "collaborate", "speech", "marker", "modifier",
              "stop", "generic", "exempt", "relief", "tax", "facility", "variety", "scope")
# "honorific": a word after a name that marks a person (习近平同志) but is no post.
POST_RANKS = ("leader", "deputy", "official", "spokesperson", "executive", "honorific")
# Everyday forms of a sector name: 汽车 is also written 汽车产业, 汽车行业, 汽车业.
SECTOR_FORMS = ("产业", "行业", "业")
QUOTES = "“”‘’「」『』\"'"
# An alias written ~NAME is contextual: a name several places share (朝阳区) or that is risky to
# match anywhere; it names the entry only in a document that also names the entry's parent or
# grandparent, and it is not given to the segmenter (see docs/annotation.md, "Region names").
CONTEXTUAL = "~"
MAX_ENDING = 8  # characters of the longest head or suffix a pattern file may list
MIN_SPECIFIC = 2  # characters of non-generic words an instrument's name needs before its head


def match_key(name: str) -> str:
    """The form of a name used to compare names: no quotes, no spaces, half-width.

    >>> match_key("“白名单” 制度")
    '白名单制度'
    """
    return "".join(c for c in normalise(name) if c not in QUOTES and not c.isspace())


@dataclass(frozen=True)
class Lexicon:
    """All lexicon entries and pattern word lists, indexed for matching."""

    entries: Tuple[LexiconEntry, ...]
    surfaces: Mapping[str, str]  # match_key(surface form) -> canonical
    contextual: Mapping[str, Tuple[str, ...]]  # match_key(~alias) -> the canonicals it may name
    by_canonical: Mapping[str, LexiconEntry]
    instrument_heads: Mapping[str, str]  # head -> class
    head_specific: Mapping[str, int]  # head -> specific characters its name needs, where not MIN_SPECIFIC
    title_classes: Mapping[str, str]  # 《title》 ending -> class
    region_heads: Mapping[str, str]  # zone or cluster head (…新区, …都市圈) -> Region class
    actor_suffixes: Mapping[str, str]  # organisation-name ending -> class
    words: Mapping[str, FrozenSet[str]]  # word -> roles
    posts: Mapping[str, str]  # title of a post -> rank
    post_orgs: Mapping[str, str]  # title -> the organisation it implies (总书记 -> 中共中央), if any
    surnames: FrozenSet[str]
    version: str  # sha256 over every file read: changes whenever the data changes

    def roles(self, word: str) -> FrozenSet[str]:
        return self.words.get(word, frozenset())

    def words_with(self, role: str) -> Tuple[str, ...]:
        """Words having ``role``, longest first (so the longest match is tried first)."""
        return tuple(sorted((w for w, r in self.words.items() if role in r), key=lambda w: (-len(w), w)))

    def user_dictionary(self) -> List[str]:
        """Words the segmenter must keep whole: every surface form and post title."""
        forms = {s for e in self.entries for s in (e.canonical, *e.aliases)}
        forms.update(self.posts)
        return sorted(f for f in forms if len(f) >= 2)


def load_lexicon(ontology_dir: Path) -> Lexicon:
    """Load ``lexicon/*.tsv``, ``lexicon/posts.tsv``, ``lexicon/surnames.txt`` and ``patterns/``."""
    root = Path(ontology_dir)
    tree = class_tree(root)
    digest = hashlib.sha256()
    lex_dir, pat_dir = root / "lexicon", root / "patterns"
    entry_files = sorted(p for p in lex_dir.glob("*.tsv") if p.name != "posts.tsv")
    if not entry_files:
        raise LexiconError(f"{lex_dir}: no lexicon files (*.tsv) found")
    entries: List[LexiconEntry] = []
    contextual: List[Tuple[str, LexiconEntry]] = []
    for path in entry_files:
        entries.extend(_read_entries(path, tree, digest, contextual))
    surfaces, by_canonical = _index(entries, tree)
    posts, post_orgs = _read_posts(lex_dir / "posts.tsv", by_canonical, digest)
    classes = set(tree.entity_classes())
    heads, head_specific = _read_heads(pat_dir / "instrument_heads.tsv", classes, digest)
    return Lexicon(
        entries=tuple(entries),
        surfaces=surfaces,
        contextual=_index_contextual(contextual, surfaces),
        by_canonical=by_canonical,
        instrument_heads=heads,
        head_specific=head_specific,
        title_classes=_read_endings(pat_dir / "title_classes.tsv", ("suffix", "class"), classes, digest),
        region_heads=_read_endings(pat_dir / "region_heads.tsv", ("head", "class"),
                                   [c for c in classes if tree.top_class(c) == "Region"], digest),
        actor_suffixes=_read_endings(pat_dir / "actor_suffixes.tsv", ("suffix", "class"), classes, digest),
        words=_read_words(pat_dir / "words.tsv", digest),
        posts=posts,
        post_orgs=post_orgs,
        surnames=_read_surnames(lex_dir / "surnames.txt", digest),
        version=digest.hexdigest(),
    )


def _rows(path: Path, header: Sequence[str], digest) -> Iterator[Tuple[int, List[str]]]:
    """(line number, fields) of each data row; checks the header and the field count."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read ({exc.strerror})") from exc
    digest.update(path.name.encode() + b"\0" + data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path}: byte {exc.start} is not UTF-8") from exc
    seen_header = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if not seen_header:
            if tuple(fields) != tuple(header):
                raise LexiconError(f"{path}:{lineno}: header must be {'<TAB>'.join(header)!r}, got {line!r}")
            seen_header = True
            continue
        fields += [""] * (len(header) - len(fields))
        if len(fields) != len(header):
            raise LexiconError(f"{path}:{lineno}: expected {len(header)} tab-separated fields "
                               f"({', '.join(header)}), got {len(fields)}: {line!r}")
        if not fields[0]:
            raise LexiconError(f"{path}:{lineno}: empty {header[0]}")
        yield lineno, fields
    if not seen_header:
        raise LexiconError(f"{path}: no header line {'<TAB>'.join(header)!r}")


def _split(field: str) -> Tuple[str, ...]:
    return tuple(x.strip() for x in field.split("|") if x.strip())


def _read_entries(path: Path, tree: ClassTree, digest,
                  contextual: List[Tuple[str, LexiconEntry]]) -> Iterator[LexiconEntry]:
    """The entries of one file; its ~contextual aliases are appended to ``contextual``."""
    valid = tree.entity_classes()
    for lineno, (canonical, cls, aliases, codes, parent) in _rows(path, LEXICON_HEADER, digest):
        if cls not in valid:
            raise LexiconError(f"{path}:{lineno}: class {cls!r} of {canonical!r} is not one of {', '.join(valid)}")
        forms = _split(aliases)
        plain = tuple(a for a in forms if not a.startswith(CONTEXTUAL))
        context = [a[len(CONTEXTUAL):].strip() for a in forms if a.startswith(CONTEXTUAL)]
        if context and not parent:
            raise LexiconError(f"{path}:{lineno}: {canonical!r} has a contextual alias "
                               f"({CONTEXTUAL}{context[0]}) but no parent for the context to name")
        if any(not c for c in context):
            raise LexiconError(f"{path}:{lineno}: empty contextual alias {CONTEXTUAL!r} of {canonical!r}")
        entry = LexiconEntry(canonical=canonical, cls=cls, aliases=plain, codes=_split(codes),
                             parent=parent or None, source=f"{path.name}:{lineno}")
        contextual.extend((c, entry) for c in context)
        yield entry


def _index_contextual(pairs: Sequence[Tuple[str, LexiconEntry]], surfaces: Mapping[str, str]) -> Dict[str, Tuple[str, ...]]:
    """match_key(contextual alias) -> the canonicals sharing it; none may be a plain surface form."""
    out: Dict[str, set] = {}
    for form, e in pairs:
        key = match_key(form)
        if key in surfaces:
            raise LexiconError(f"{e.source}: contextual alias {CONTEXTUAL}{form} of {e.canonical!r} is already "
                               f"a name of {surfaces[key]!r}; a name that names one entity needs no context")
        out.setdefault(key, set()).add(e.canonical)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _index(entries: Sequence[LexiconEntry], tree: ClassTree) -> Tuple[Dict[str, str], Dict[str, LexiconEntry]]:
    """Map every surface form to its canonical name; a form claimed twice is an error."""
    by_canonical: Dict[str, LexiconEntry] = {}
    for e in entries:
        if e.canonical in by_canonical:
            raise LexiconError(f"{e.source}: {e.canonical!r} is already defined at {by_canonical[e.canonical].source}")
        by_canonical[e.canonical] = e
    surfaces: Dict[str, str] = {}
    owner: Dict[str, LexiconEntry] = {}
    for e in entries:
        if e.parent and e.parent not in by_canonical:
            raise LexiconError(f"{e.source}: parent {e.parent!r} of {e.canonical!r} is not a canonical name in any lexicon")
        for form in (e.canonical, *e.aliases):
            key = match_key(form)
            if key in surfaces and surfaces[key] != e.canonical:
                raise LexiconError(f"{e.source}: {form!r} already names {surfaces[key]!r} ({owner[key].source}); "
                                   "one surface form must name one entity")
            surfaces[key] = e.canonical
            owner[key] = e
    # Derived sector forms never override an explicit one.
    for e in entries:
        if tree.top_class(e.cls) != "Sector":
            continue
        for form in (e.canonical, *e.aliases):
            for suffix in SECTOR_FORMS:
                if not form.endswith(suffix):
                    surfaces.setdefault(match_key(form + suffix), e.canonical)
    return surfaces, by_canonical


def _read_pairs(path: Path, header: Tuple[str, str], valid: Iterable[str], digest) -> Dict[str, str]:
    valid = set(valid)
    out: Dict[str, str] = {}
    for lineno, (key, value) in _rows(path, header, digest):
        _check_pair(path, lineno, header, key, value, valid, out)
        out[key] = value
    return out


def _check_pair(path: Path, lineno: int, header: Tuple[str, str], key: str, value: str, valid: Set[str],
                seen: Mapping[str, object]) -> None:
    """A row's value must be one of ``valid`` and its key new."""
    if value not in valid:
        raise LexiconError(f"{path}:{lineno}: {header[1]} {value!r} of {key!r} is not one of {', '.join(sorted(valid))}")
    if key in seen:
        raise LexiconError(f"{path}:{lineno}: {key!r} is listed twice")


def _check_ending(path: Path, what: str, ending: str) -> None:
    if len(ending) > MAX_ENDING:
        raise LexiconError(f"{path}: {what} {ending!r} is longer than {MAX_ENDING} characters")


def _read_posts(path: Path, by_canonical: Mapping[str, LexiconEntry], digest) -> Tuple[Dict[str, str], Dict[str, str]]:
    """Post titles with their rank, and the organisation a title alone implies (总书记)."""
    ranks: Dict[str, str] = {}
    orgs: Dict[str, str] = {}
    for lineno, (title, rank, org) in _rows(path, ("title", "rank", "organisation"), digest):
        if rank not in POST_RANKS:
            raise LexiconError(f"{path}:{lineno}: rank {rank!r} of {title!r} is not one of {', '.join(POST_RANKS)}")
        if title in ranks:
            raise LexiconError(f"{path}:{lineno}: {title!r} is listed twice")
        if org and org not in by_canonical:
            raise LexiconError(f"{path}:{lineno}: organisation {org!r} of {title!r} is not a canonical name in any lexicon")
        ranks[title] = rank
        if org:
            orgs[title] = org
    return ranks, orgs


def _read_endings(path: Path, header: Tuple[str, str], valid: Iterable[str], digest) -> Dict[str, str]:
    """Name endings (heads, suffixes) -> class; the matcher looks back at most MAX_ENDING characters."""
    table = _read_pairs(path, header, valid, digest)
    for ending in table:
        _check_ending(path, header[0], ending)
    return table


def _read_heads(path: Path, valid: Iterable[str], digest) -> Tuple[Dict[str, str], Dict[str, int]]:
    """Instrument heads -> class, and the heads whose names need more specific words than
    MIN_SPECIFIC (an optional third column: 体系 names only with a longer qualifier)."""
    valid = set(valid)
    classes: Dict[str, str] = {}
    specific: Dict[str, int] = {}
    for lineno, (head, cls, minimum) in _rows(path, ("head", "class", "specific"), digest):
        _check_pair(path, lineno, ("head", "class"), head, cls, valid, classes)
        _check_ending(path, "head", head)
        if minimum and not (minimum.isdigit() and MIN_SPECIFIC <= int(minimum) <= MAX_ENDING):
            raise LexiconError(f"{path}:{lineno}: specific {minimum!r} of {head!r} is not a whole number "
                               f"from {MIN_SPECIFIC} to {MAX_ENDING}")
        classes[head] = cls
        if minimum:
            specific[head] = int(minimum)
    return classes, specific


def _read_words(path: Path, digest) -> Dict[str, FrozenSet[str]]:
    roles: Dict[str, set] = {}
    for lineno, (word, role) in _rows(path, ("word", "role"), digest):
        if role not in WORD_ROLES:
            raise LexiconError(f"{path}:{lineno}: role {role!r} of {word!r} is not one of {', '.join(WORD_ROLES)}")
        roles.setdefault(word, set()).add(role)
    return {w: frozenset(r) for w, r in roles.items()}


def _read_surnames(path: Path, digest) -> FrozenSet[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read ({exc.strerror})") from exc
    digest.update(path.name.encode() + b"\0" + data)
    names = set()
    for lineno, line in enumerate(data.decode("utf-8-sig").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not 1 <= len(line) <= 2 or not all("\u4e00" <= c <= "\u9fff" for c in line):
            raise LexiconError(f"{path}:{lineno}: {line!r} is not a one- or two-character Chinese surname")
        names.add(line)
    return frozenset(names)
