"""The ``kg`` command line: argument parsing only; the work is done by plain functions.

Exit status: 0 success; 1 the build finished but some inputs were skipped (their errors are
printed); 2 a usage or fatal error (one line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import os
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
    b.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors (no progress bar)")
    b.add_argument("--workers", type=int, metavar="N",
                   help="processes extracting documents (default from default.cfg: 0 = one per core)")
    b.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="extract on this Dask distributed cluster; merge and outputs stay here")
    b.add_argument("--force", action="store_true", help="extract every document again, ignoring OUTDIR/cache")
    b.add_argument("--store", type=Path, metavar="PATH", help="embedded triple store (default OUTDIR/store)")
    b.add_argument("--no-store", action="store_true", help="do not load the graph into the embedded store")
    b.add_argument("--validate", action="store_true", help="check the graph against ontology/shapes.ttl (SHACL)")
    b.set_defaults(func=_build)

    e = sub.add_parser("eval", help="score extraction against gold annotations")
    e.add_argument("gold", type=Path, metavar="GOLD_DIR", help="directory of gold *.json files")
    e.add_argument("--texts", type=Path, action="append", required=True, metavar="DIR",
                   help="directory holding the annotated texts (repeatable)")
    e.add_argument("--format", choices=("table", "json"), default="table")
    e.add_argument("--segmenter", choices=SEGMENTERS, help="word segmenter (default pkuseg)")
    e.add_argument("--collection", metavar="NAME", help='only the gold of this collection ("seeds", "dev-corpus")')
    e.add_argument("--brief", action="store_true", help="scores only, no list of misses")
    e.set_defaults(func=_eval)

    m = sub.add_parser("model", help="the pkuseg segmentation model")
    m.add_argument("action", choices=("install", "verify", "path"),
                   help="install: fetch with pip into the cache; verify: check its checksums; path: print its directory")
    m.add_argument("--force", action="store_true", help="reinstall even if present")
    m.set_defaults(func=_model)

    rp = sub.add_parser("report", help="write report.md, report.json and report.png of a build's graph")
    rp.add_argument("outdir", type=Path, metavar="OUTDIR", help="a kg build output directory (holds graph.ttl)")
    rp.add_argument("--top", type=int, default=10, metavar="N", help="entities listed per table (default 10)")
    rp.set_defaults(func=_report)

    q = sub.add_parser("query", help="run a SPARQL query on the store (or a named query of ontology/queries)")
    q.add_argument("target", nargs="?", metavar="STORE_OR_OUTDIR", help="store, kg build output directory or endpoint URL")
    q.add_argument("query", nargs="?", help="SPARQL query text")
    q.add_argument("-f", "--file", type=Path, metavar="FILE.rq", help="read the query from a file")
    q.add_argument("--name", help="a named query (see --list)")
    q.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="bind ?KEY to an RDF term: <iri>, an integer, text@lang or plain text (repeatable)")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table", help="result format (default table)")
    q.add_argument("--update", action="store_true", help="allow a SPARQL update (it changes the store)")
    q.add_argument("--allow-service", action="store_true", help="allow SERVICE calls to other servers")
    q.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    q.set_defaults(func=_query)

    r = sub.add_parser("remove", help="drop documents' named graphs from the store")
    r.add_argument("target", metavar="STORE_OR_OUTDIR")
    r.add_argument("docs", nargs="+", metavar="DOC", help="document id (file name without .txt) or graph IRI")
    r.set_defaults(func=_remove)

    e = sub.add_parser("export", help="export the store: Turtle, TriG, N-Quads, JSON-LD, GraphML, CSV")
    e.add_argument("target", metavar="STORE_OR_OUTDIR")
    e.add_argument("-o", "--output", type=Path, metavar="DIR", help="directory for the files (default OUTDIR/export)")
    e.add_argument("--format", action="append", dest="formats", metavar="FMT",
                   help="ttl, trig, nq, jsonld, graphml or csv (repeatable; default all)")
    e.set_defaults(func=_export)

    u = sub.add_parser("push", help="send every named graph to a SPARQL 1.1 Graph Store (HTTP PUT per graph)")
    u.add_argument("target", metavar="STORE_OR_OUTDIR")
    u.add_argument("--endpoint", required=True, metavar="URL", help="Graph Store HTTP Protocol endpoint")
    u.add_argument("--query-endpoint", metavar="URL", help="SPARQL query endpoint for the final count check "
                   "(default: guessed from the endpoint)")
    u.add_argument("--user", help="user name")
    u.add_argument("--password", help="password (or the KG_PUSH_PASSWORD environment variable)")
    u.add_argument("--auth", choices=("basic", "digest"), default="basic", help="HTTP authentication (default basic)")
    u.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per request (default 30)")
    u.add_argument("--retries", type=int, default=3, help="retries on 5xx and connection errors (default 3)")
    u.set_defaults(func=_push)
    return p


def _build(args: argparse.Namespace) -> int:
    from .pipeline import build

    settings = settings_from({"segmenter": args.segmenter, "pattern": args.pattern, "ontology_dir": args.ontology})
    if args.workers is not None and args.workers < 0:
        raise KGError(f"--workers must be >= 0 (0: one per core), got {args.workers}")
    result = build(args.paths, args.output, settings=settings, html=not args.no_html, store=args.store,
                   use_store=not args.no_store, workers=args.workers, scheduler=args.scheduler, force=args.force,
                   progress=not args.quiet and sys.stderr.isatty())
    if args.validate and result.documents:
        from .validate import validate_graph

        onto_dir = settings.ontology_dir
        shapes = onto_dir / "shapes.ttl"
        report = validate_graph(result.outputs["graph.ttl"], ontology=onto_dir / "kg.ttl",
                                **({"shapes": shapes} if shapes.is_file() else {}))
        print(report.summary(), file=sys.stdout if report.conforms else sys.stderr)
        if not report.conforms:
            return 2
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

    report = evaluate(args.gold, args.texts, pipeline=Pipeline(settings_from({"segmenter": args.segmenter})),
                      collection=args.collection)
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_table(report, details=not args.brief))
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import write_report

    if args.top < 1:
        raise KGError(f"--top must be at least 1, got {args.top}")
    files = write_report(args.outdir, top_n=args.top)
    for path in (files.markdown, files.json, files.chart):
        print(path)
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


def _query(args: argparse.Namespace) -> int:
    from .query import named_queries, run_query

    if args.list:
        for name, nq in named_queries().items():
            print(f"{name}: {nq.question}")
            for key, what in nq.params:
                print(f"    --param {key}=...  {what}")
        return 0
    if args.target is None:
        raise KGError("kg query: give STORE_OR_OUTDIR and a query (text, -f FILE.rq or --name NAME), or --list")
    text = args.query
    if args.file is not None:
        if text is not None:
            raise KGError("kg query: give the query as text or with -f, not both")
        try:
            text = args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise KGError(f"{args.file}: cannot read ({exc.strerror})") from exc
    result = run_query(args.target, text, name=args.name, params=args.param, update=args.update,
                       allow_service=args.allow_service)
    text = result.format(args.format)
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from .store import remove

    for line in remove(args.target, args.docs):
        print(line)
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import FORMATS, export
    from .store import store_path

    out = args.output or (store_path(args.target).parent / "export")
    for name, path in export(args.target, out, args.formats or FORMATS).items():
        print(f"{name}: {path}")
    return 0


def _push(args: argparse.Namespace) -> int:
    import os

    from .push import push

    password = args.password if args.password is not None else os.environ.get("KG_PUSH_PASSWORD")
    report = push(args.target, args.endpoint, user=args.user, password=password, auth=args.auth,
                  timeout=args.timeout, retries=args.retries, query_endpoint=args.query_endpoint)
    print(report.summary())
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
    except BrokenPipeError:
        # the reader went away (kg eval | head): not an error of ours, and nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
