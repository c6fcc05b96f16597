"""The ``kg`` command line: argument parsing only; the work is done by plain functions.

Exit status: 0 success; 1 the build finished but some inputs were skipped (their errors are
printed); 2 a usage or fatal error (one line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from . import __version__
from .config import SEGMENTERS, settings_from
from .errors import KGError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Build a knowledge graph from Chinese policy text.")
    p.add_argument("--version", action="version", version=f"policy-kg {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph of text files and directories")
    b.add_argument("paths", nargs="+", metavar="PATH", help="text files or directories (searched recursively)")
    b.add_argument("-o", "--output", required=True, type=Path, metavar="OUTDIR",
                   help="output directory for graph.ttl and graph.html")
    b.add_argument("--segmenter", choices=SEGMENTERS, help="word segmenter (default from default.cfg: pkuseg)")
    b.add_argument("--pattern", help="file pattern inside directories (default *.txt)")
    b.add_argument("--ontology", type=Path, metavar="DIR", help="ontology, lexicon and pattern directory")
    b.add_argument("--no-html", action="store_true", help="do not write graph.html")
    b.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    b.set_defaults(func=_build)

    e = sub.add_parser("eval", help="score extraction against gold annotations")
    e.add_argument("gold", type=Path, metavar="GOLD_DIR", help="directory of gold *.json files")
    e.add_argument("--texts", type=Path, action="append", required=True, metavar="DIR",
                   help="directory holding the annotated texts (repeatable)")
    e.add_argument("--format", choices=("table", "json"), default="table")
    e.add_argument("--segmenter", choices=SEGMENTERS, help="word segmenter (default pkuseg)")
    e.add_argument("--brief", action="store_true", help="scores only, no list of misses")
    e.set_defaults(func=_eval)

    m = sub.add_parser("model", help="the pkuseg segmentation model")
    m.add_argument("action", choices=("install", "verify", "path"),
                   help="install: fetch with pip into the cache; verify: check its checksums; path: print its directory")
    m.add_argument("--force", action="store_true", help="reinstall even if present")
    m.set_defaults(func=_model)
    return p


def _build(args: argparse.Namespace) -> int:
    from .pipeline import build

    settings = settings_from({"segmenter": args.segmenter, "pattern": args.pattern, "ontology_dir": args.ontology})
    result = build(args.paths, args.output, settings=settings, html=not args.no_html)
    if not result.documents:
        for err in result.errors:
            print(f"kg: {err}", file=sys.stderr)
        print("kg: no document could be read; nothing built", file=sys.stderr)
        return 2
    if not args.quiet:
        print(result.summary())
    else:
        for err in result.errors:
            print(f"kg: skipped: {err}", file=sys.stderr)
    return 1 if result.errors else 0


def _eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate, format_table
    from .pipeline import Pipeline

    report = evaluate(args.gold, args.texts, pipeline=Pipeline(settings_from({"segmenter": args.segmenter})))
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_table(report, details=not args.brief))
    return 0


def _model(args: argparse.Namespace) -> int:
    from . import model

    if args.action == "install":
        print(model.install_model(force=args.force))
    elif args.action == "verify":
        print(model.verify_model())
    else:
        print(model.locate_model())
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except KGError as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
