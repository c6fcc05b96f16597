"""A synthetic benchmark corpus: real sentences recombined into distinct documents.

    python benchmarks/corpus.py OUTDIR --mb 10 [--source DIR ...] [--seed 0]

Sentences are taken from the seeds and the development corpus (``../shared/dev-corpus``; its
texts are read where they are, never copied into the repository; ``DEV_CORPUS``
sets another directory) and recombined, seeded, into
documents of a few thousand characters.  Each document draws its own random sample of
sentences, so no two are near-duplicates of each other and the build extracts every one.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
from pathlib import Path
from typing import List, Sequence

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = (REPO / "seeds", Path(os.environ.get("DEV_CORPUS") or REPO.parent / "shared" / "dev-corpus"))

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]")


def sentences(sources: Sequence[Path]) -> List[str]:
    """Distinct content sentences (at least 12 characters) of every ``*.txt`` under ``sources``."""
    seen, out = set(), []
    for root in sources:
        for path in sorted(Path(root).rglob("*.txt")):
            for m in _SENTENCE.finditer(path.read_text(encoding="utf-8-sig")):
                s = m.group(0).strip()
                if len(s) >= 12 and s not in seen:
                    seen.add(s)
                    out.append(s)
    if not out:
        raise SystemExit(f"no sentences found under {', '.join(map(str, sources))}")
    return out


def write_corpus(outdir: Path, megabytes: float, *, sources: Sequence[Path] = DEFAULT_SOURCES, seed: int = 0,
                 per_doc: int = 40, per_paragraph: int = 5) -> List[Path]:
    """Write documents of ``per_doc`` sentences until ``megabytes`` of UTF-8 are written."""
    pool = sentences(sources)
    if len(pool) < 3 * per_doc:
        raise SystemExit(f"only {len(pool)} distinct sentences under {', '.join(map(str, sources))}: documents "
                         "would be near-duplicates; point DEV_CORPUS at the development corpus")
    rng = random.Random(seed)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    budget, written, paths = int(megabytes * 1_000_000), 0, []
    while written < budget:
        picked = rng.sample(pool, min(per_doc, len(pool)))
        paras = ["".join(picked[i:i + per_paragraph]) for i in range(0, len(picked), per_paragraph)]
        data = ("\n\n".join(paras) + "\n").encode("utf-8")
        path = outdir / f"doc{len(paths):06d}.txt"
        path.write_bytes(data)
        paths.append(path)
        written += len(data)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--mb", type=float, default=10.0, help="megabytes of UTF-8 to write (default 10)")
    ap.add_argument("--source", type=Path, action="append", help="directories of *.txt to draw sentences from")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    paths = write_corpus(a.outdir, a.mb, sources=a.source or DEFAULT_SOURCES, seed=a.seed)
    print(f"{len(paths)} documents in {a.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
