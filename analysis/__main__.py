"""The command line: python -m analysis ingest | summary | sample | classify | export | history |
remove | rescore | impact | coach. Exit 0 on success, 2 when a file or request is unusable (or
the database named does not exist), 3 when the database is busy. Whoever runs it can open the
database file, so it acts as an admin, named in the audit trail as "command line (OS user)"."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.access import command_line_actor
from analysis.errors import MentoringError, StoreBusy
from analysis.store import Store, resolve_db_path

if TYPE_CHECKING:
    from analysis.queries import Filters

EXIT_UNUSABLE = 2
EXIT_BUSY = 3


def _store(args: argparse.Namespace) -> Store:
    """The database a command reads or changes: it must exist (nothing is created for a read).
    A database from before the key moved out of it moves it out now, and says so."""
    store = Store(resolve_db_path(args.db), create=False)
    if store.exists:
        moved = store.move_key_out()
        if moved:
            print(moved, file=sys.stderr)
    return store


def _read_mapping_file(path: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MentoringError(f"Could not read the mapping file {path}: {exc}") from exc
    entries: list[dict[str, Any]] = (
        document.get("mappings", [document]) if isinstance(document, dict) else document
    )
    if not all(isinstance(e, dict) and "mapping" in e for e in entries):
        raise MentoringError(
            f"The mapping file {path} is not one the Upload page saves: each entry needs 'layout_key', "
            "'kind' and 'mapping'."
        )
    return entries


def _given_mapping(
    entries: list[dict[str, Any]], prepared: Any, facts: Any
) -> tuple[Any, Any, Any]:
    """The --mapping file's entry for this file's layout, as (prepared, mapping, facts)."""
    from dataclasses import replace

    from analysis.ingest import load
    from analysis.ingest import mapping as mappings

    match = [e for e in entries if e.get("layout_key") in (None, prepared.raw.layout_key)]
    if not match:
        raise MentoringError(
            f"{prepared.name}: the mapping file has no mapping for this file's layout "
            f"({prepared.raw.layout_key}). Save one from the Upload page for this survey."
        )
    kind = match[0].get("kind", prepared.kind)
    prepared = load.as_kind(prepared, kind)
    mapping, given = mappings.from_json(kind, match[0]["mapping"], prepared.raw)
    # What the command line says about this file wins over what the mapping file carried.
    merged = replace(
        given,
        **{k: v for k, v in vars(facts).items() if v is not None},
    )
    return prepared, mapping, merged


def cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest import load
    from analysis.ingest.mapping import FileFacts

    path_of_db = resolve_db_path(args.db)
    store = None if args.dry_run and not path_of_db.exists() else Store(path_of_db)
    new_database = not path_of_db.exists()
    new_key = store is not None and not store.key_file.exists()
    if store is not None and store.exists:
        moved = store.move_key_out()
        if moved:
            print(moved, file=sys.stderr)
    entries = _read_mapping_file(args.mapping) if args.mapping else []
    facts = FileFacts(invited_count=args.invited, wave=args.wave)
    failed, loaded_any = False, False
    for name in args.files:
        path = Path(name)
        try:
            prepared = load.prepare(path, path.name, args.kind)
            mapping, file_facts = None, facts
            if entries:
                prepared, mapping, file_facts = _given_mapping(entries, prepared, facts)
            report = load.ingest(
                store,
                prepared,
                mapping,
                file_facts,
                dry_run=args.dry_run,
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
        loaded_any = loaded_any or not args.dry_run
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
    if store is not None and new_database and not loaded_any:
        # Nothing loaded into a database this command created: leave no empty file behind, so the
        # dashboard's first run still builds the sample.
        for leftover in (store.path, store.path.with_name(store.path.name + ".wal")):
            leftover.unlink(missing_ok=True)
        if new_key:
            store.key_file.unlink(missing_ok=True)
    return EXIT_UNUSABLE if failed else 0


def _filters(args: argparse.Namespace) -> Filters:
    """--period and repeatable --segment K=V (values within a key are OR-ed, as in the sidebar)."""
    from dataclasses import replace

    from analysis import snapshots
    from analysis.queries import Filters

    start, end = snapshots.parse_period(args.period)
    return replace(Filters(start=start, end=end), **snapshots.parse_segments(args.segment))


def cmd_summary(args: argparse.Namespace) -> int:
    from analysis import views

    document = views.summary(_store(args), filters=_filters(args))
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print(
            f"{document['mentor_count']} mentors, {document['session_count']} sessions, "
            f"{document['response_count']} survey responses ({document['filters']})"
        )
        for element, numbers in document["elements"].items():
            if numbers["suppressed"]:
                print(f"  {element:<13} hidden: behind too few people")
                continue
            parts = [
                f"{source.replace('_', ' ')}s {figures['pct']}% [{figures['ci_low']}-"
                f"{figures['ci_high']}] (n={figures['n']}, {figures['mentors']} mentors)"
                for source, figures in numbers["by_source"].items()
                if figures["pct"] is not None
            ]
            print(f"  {element:<13} " + "; ".join(parts))
        for element, gap in document["perception_gap"].items():
            if gap["gap_pts"] is not None:
                print(
                    f"  self minus mentees, {element}: {gap['gap_pts']:+} points "
                    f"[{gap['ci_low']}, {gap['ci_high']}] over {gap['pairs']} mentor-waves"
                )
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    from datetime import date

    from analysis import snapshots, views
    from analysis.model import Treated

    try:
        event = date.fromisoformat(args.event_date)
    except ValueError as exc:
        raise MentoringError(
            f"The event date '{args.event_date}' is not a date like 2026-03-02."
        ) from exc
    chosen = snapshots.parse_segments(args.treated)
    treated = Treated(
        departments=chosen["departments"],
        cohorts=chosen["cohorts"],
        locations=chosen["locations"],
        emails=tuple(args.treated_email),
    )
    if treated == Treated():
        raise MentoringError("Say who the event applied to: --treated cohort=NAME (repeatable).")
    result = views.impact(_store(args), _filters(args), event, treated, args.source)
    effects = result.effects.set_index("element")
    document = {
        element: {
            "effect_pts": _rounded(effects.at[element, "effect_pts"]),
            "ci_low": _rounded(effects.at[element, "ci_low"]),
            "ci_high": _rounded(effects.at[element, "ci_high"]),
            "p": _rounded(effects.at[element, "p"], 4),
            "q": _rounded(effects.at[element, "q"], 4),
            "treated_mentors": int(effects.at[element, "treated_mentors"]),
            "control_mentors": int(effects.at[element, "control_mentors"]),
        }
        for element in effects.index
    }
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print(
            f"Event {event} for {treated.describe()}, {args.source.replace('_', ' ')}s, "
            f"difference-in-differences with mentor-clustered 95% intervals:"
        )
        for element, row in document.items():
            if row["effect_pts"] is None:
                print(f"  {element:<13} not enough mentors before and after in both groups")
                continue
            print(
                f"  {element:<13} {row['effect_pts']:+.1f} points [{row['ci_low']:+.1f}, "
                f"{row['ci_high']:+.1f}]  p {row['p']}  q {row['q']}  "
                f"({row['treated_mentors']} treated, {row['control_mentors']} other mentors)"
            )
    return 0


def _rounded(value: Any, digits: int = 1) -> float | None:
    import math

    return (
        None
        if value is None or (isinstance(value, float) and math.isnan(value))
        else round(float(value), digits)
    )


def cmd_coach(args: argparse.Namespace) -> int:
    from analysis import views

    flagged = views.coaching(_store(args), _filters(args))
    rows = [
        {
            "mentor": row.mentor_name,
            "element": row.element,
            "source": row.source_kind,
            "rate_pct": _rounded(row.rate_pct),
            "benchmark_pct": _rounded(row.benchmark_pct),
            "q_value": _rounded(row.q_value, 4),
        }
        for row in flagged.itertuples()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        tests = flagged.attrs.get("tests_run", 0)
        print(
            f"{len(rows)} of {tests} mentor-element comparisons are below their like-for-like "
            "benchmark beyond chance (Benjamini-Hochberg, 5% false discovery rate):"
        )
        for row in rows:
            print(
                f"  {row['mentor']}: {row['element']} ({row['source'].replace('_', ' ')}s) "
                f"{row['rate_pct']}% vs {row['benchmark_pct']}%, q {row['q_value']}"
            )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from analysis import sample

    written = sample.generate(
        Path(args.out),
        mentors=args.mentors,
        seed=args.seed,
        mentor_differences=not args.no_mentor_differences,
        truth=args.truth,
    )
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
    from analysis.ingest import upkeep

    removed = upkeep.remove_batch(_store(args), args.batch_id, actor=command_line_actor())
    print(
        f"Removed batch {args.batch_id}: " + ", ".join(f"{n} {t}" for t, n in removed.items() if n)
    )
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from analysis import elements
    from analysis.ingest import upkeep

    rubric = elements.load_rubric(Path(args.rubric) if args.rubric else None)
    count = upkeep.rescore_text(_store(args), rubric, actor=command_line_actor())
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
    ingest.add_argument(
        "--dry-run",
        action="store_true",
        help="detect, map and validate only: load nothing, create no file",
    )
    ingest.set_defaults(func=cmd_ingest)

    def with_filters(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--period", help="START..END (ISO dates), or a year, or e.g. 2026-Q2")
        p.add_argument(
            "--segment", action="append", default=[], help="e.g. department=Sales (repeatable)"
        )
        return p

    summary = with_filters(
        with_db(sub.add_parser("summary", help="the four elements, each source as itself"))
    )
    summary.add_argument("--json", action="store_true")
    summary.set_defaults(func=cmd_summary)

    impact = with_filters(
        with_db(sub.add_parser("impact", help="did a programme event (a training) change things?"))
    )
    impact.add_argument("--event-date", required=True, help="the day of the event, e.g. 2026-03-02")
    impact.add_argument(
        "--treated", action="append", default=[], help="who it applied to, e.g. cohort=NAME"
    )
    impact.add_argument(
        "--treated-email", action="append", default=[], help="a mentor it applied to, by email"
    )
    impact.add_argument(
        "--source", choices=["session_note", "mentee_rating"], default="session_note"
    )
    impact.add_argument("--json", action="store_true")
    impact.set_defaults(func=cmd_impact)

    coach = with_filters(
        with_db(sub.add_parser("coach", help="who to coach on what, beyond chance (names)"))
    )
    coach.add_argument("--json", action="store_true")
    coach.set_defaults(func=cmd_coach)

    sample = sub.add_parser("sample", help="write fictional sample exports")
    sample.add_argument("--out", required=True)
    sample.add_argument("--mentors", type=int, default=150)
    sample.add_argument("--seed", type=int, default=2026)
    sample.add_argument(
        "--no-mentor-differences",
        action="store_true",
        help="a null programme: every mentor the same (no training effect); same shape",
    )
    sample.add_argument(
        "--truth",
        action="store_true",
        help="also write truth.csv, the rates the sample is built with",
    )
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
