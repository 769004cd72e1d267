"""The command line: python -m analysis ingest | summary | sample | classify | export | history |
remove | rescore. Exit 0 on success, 2 when a file or request is unusable, 3 when the database is busy.
Whoever runs it can open the database file, so it acts as an admin, named in the audit trail as
"command line (OS user)"."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from analysis.access import command_line_actor
from analysis.errors import MentoringError, StoreBusy
from analysis.store import Store, resolve_db_path

EXIT_UNUSABLE = 2
EXIT_BUSY = 3


def _store(args: argparse.Namespace) -> Store:
    return Store(resolve_db_path(args.db))


def _read_mapping_file(path: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MentoringError(f"Could not read the mapping file {path}: {exc}") from exc
    entries = document.get("mappings", [document]) if isinstance(document, dict) else document
    if not all(isinstance(e, dict) and "mapping" in e for e in entries):
        raise MentoringError(
            f"The mapping file {path} is not one the Upload page saves: each entry needs 'layout_key', "
            "'kind' and 'mapping'."
        )
    return entries


def cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest import load

    store = _store(args)
    new_database = not store.path.exists()
    entries = _read_mapping_file(args.mapping) if args.mapping else []
    failed, loaded_any = False, False
    for name in args.files:
        path = Path(name)
        try:
            mapping, kind = None, args.kind
            if entries:
                raw, kind = load.prepare(store, path, path.name, kind)
                match = [e for e in entries if e.get("layout_key") in (None, raw.layout_key)]
                if not match:
                    raise MentoringError(
                        f"{path.name}: the mapping file has no mapping for this file's layout "
                        f"({raw.layout_key}). Save one from the Upload page for this survey."
                    )
                mapping, kind = match[0]["mapping"], match[0].get("kind", kind)
            report = load.ingest_file(
                store,
                path,
                kind=kind,
                mapping=mapping,
                invited_count=args.invited,
                wave=args.wave,
                actor=command_line_actor(),
            )
        except StoreBusy as exc:
            print(f"{path.name}: {exc}", file=sys.stderr)
            return EXIT_BUSY
        except (MentoringError, OSError) as exc:
            message = str(exc)
            print(
                message if message.startswith(path.name) else f"{path.name}: {message}",
                file=sys.stderr,
            )
            failed = True
            continue
        loaded_any = True
        if args.json:
            print(json.dumps(report.to_json()))
        else:
            print(report.sentence())
            for note in report.notes:
                print(f"  note: {note}")
            for _, row in report.rejected.head(20).iterrows():
                print(f"  set aside: row {row['row_number']}: {row['reason']}")
            if len(report.rejected) > 20:
                print(f"  ... and {len(report.rejected) - 20} more (python -m analysis history)")
    if new_database and not loaded_any:
        # Nothing loaded into a database this command created: leave no empty file behind, so the
        # dashboard's first run still builds the sample.
        for leftover in (store.path, store.path.with_name(store.path.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return EXIT_UNUSABLE if failed else 0


def cmd_summary(args: argparse.Namespace) -> int:
    from analysis import views

    document = views.summary(_store(args))
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print(
            f"{document['mentor_count']} mentors, {document['session_count']} sessions, "
            f"{document['response_count']} survey responses"
        )
        for element, numbers in document["elements"].items():  # type: ignore[union-attr]
            print(
                f"  {element:<13} frequency {numbers['frequency_pct']}%  coverage "
                f"{numbers['coverage_pct']}% of {numbers['mentors_measured']} mentors  "
                f"(n={numbers['observation_count']})"
            )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from analysis import sample

    written = sample.generate(Path(args.out), mentors=args.mentors, seed=args.seed)
    for path in written:
        print(path)
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from analysis import elements

    texts = [line.rstrip("\n") for line in sys.stdin]
    for record in elements.classify_records(texts):
        print(json.dumps(record, ensure_ascii=False))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from analysis import audit, queries

    store = _store(args)
    if not args.audit:
        history = queries.ingest_history(store)
        print(history.to_string(index=False) if len(history) else "Nothing has been loaded yet.")
        print()
    limit = 1_000_000 if args.audit else 20
    trail = audit.trail(store, limit=limit)
    print(
        "Audit trail, newest first (UTC)" + ("" if args.audit else "; --audit for all of it") + ":"
    )
    if trail.empty:
        print("Nothing has been recorded yet.")
    for row in trail.itertuples(index=False):
        print(
            f"{row.happened_at:%Y-%m-%d %H:%M:%S}  {row.actor_email} ({row.actor_role})  "
            f"{row.action}: {row.detail}"
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from analysis.ingest import load

    removed = load.remove_batch(_store(args), args.batch_id, actor=command_line_actor())
    print(
        f"Removed batch {args.batch_id}: " + ", ".join(f"{n} {t}" for t, n in removed.items() if n)
    )
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from analysis import elements
    from analysis.ingest import load

    rubric = elements.load_rubric(Path(args.rubric) if args.rubric else None)
    count = load.rescore_text(_store(args), rubric, actor=command_line_actor())
    print(
        f"Re-scored {count} notes and comments with the rubric {elements.rubric_hash(rubric)[:12]}."
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from analysis import audit, snapshots

    store = _store(args)
    path = snapshots.export_to_file(
        store,
        fmt=args.format,
        charts=args.chart,
        out=Path(args.out),
        period=args.period,
        segments=args.segment,
        include_names=args.include_mentor_names,
    )
    scope = [f"period {args.period}"] if args.period else []
    scope += args.segment
    try:
        audit.record_export(
            store,
            command_line_actor(),
            f"{', '.join(args.chart)} as {args.format.upper()} to {path} "
            f"({', '.join(scope) or 'all data'}).",
            names=args.include_mentor_names,
        )
    except MentoringError:
        path.unlink(missing_ok=True)  # an export the trail does not show is not handed out
        raise
    print(f"Wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", help="DuckDB file (default: $MENTORING_DB or data/mentoring.duckdb)")
        return p

    ingest = with_db(sub.add_parser("ingest", help="load survey exports, session logs or a roster"))
    ingest.add_argument("files", nargs="+")
    ingest.add_argument("--json", action="store_true", help="one JSON object per file")
    ingest.add_argument("--mapping", help="a mapping file saved from the Upload page")
    ingest.add_argument("--kind", choices=["survey", "sessions", "roster"], help="skip detection")
    ingest.add_argument("--invited", type=int, help="how many people were invited (response rate)")
    ingest.add_argument("--wave", help="a label for this survey wave, e.g. 2026-Q2")
    ingest.set_defaults(func=cmd_ingest)

    summary = with_db(sub.add_parser("summary", help="the four elements across all mentors"))
    summary.add_argument("--json", action="store_true")
    summary.set_defaults(func=cmd_summary)

    sample = sub.add_parser("sample", help="write fictional sample exports")
    sample.add_argument("--out", required=True)
    sample.add_argument("--mentors", type=int, default=150)
    sample.add_argument("--seed", type=int, default=2026)
    sample.set_defaults(func=cmd_sample)

    classify = sub.add_parser("classify", help="detect the four elements in text, one per line")
    classify.set_defaults(func=cmd_classify)

    history = with_db(sub.add_parser("history", help="list every load and the audit trail"))
    history.add_argument("--audit", action="store_true", help="only the audit trail, all of it")
    history.set_defaults(func=cmd_history)

    remove = with_db(sub.add_parser("remove", help="undo a load"))
    remove.add_argument("batch_id", type=int)
    remove.set_defaults(func=cmd_remove)

    rescore = with_db(sub.add_parser("rescore", help="re-score stored text after a rubric edit"))
    rescore.add_argument("--rubric", help="rubric JSON (default: analysis/rubric.json)")
    rescore.set_defaults(func=cmd_rescore)

    export = with_db(sub.add_parser("export", help="write a chart or a leadership brief"))
    export.add_argument(
        "--format", required=True, choices=["png", "svg", "html", "pdf", "pptx", "csv"]
    )
    export.add_argument("--chart", action="append", required=True, help="chart name (repeatable)")
    export.add_argument("--out", required=True)
    export.add_argument("--period", help="START..END (ISO dates), or a year, or e.g. 2026-Q2")
    export.add_argument("--segment", action="append", default=[], help="e.g. department=Sales")
    export.add_argument("--include-mentor-names", action="store_true")
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except StoreBusy as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BUSY
    except MentoringError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
