"""Upload: drop exports, see what each file is, confirm the column mapping (including which
questions are worded negatively), read the validation report, load; the history of loads, each
removable; the people who could not be told apart; the audit trail. For admins only."""

import json
from dataclasses import fields, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import audit, export, queries
from analysis.access import ADMIN
from analysis.bootstrap import is_sample, remove_sample, sample_loads
from analysis.errors import MentoringError
from analysis.ingest import load, upkeep, worker
from analysis.ingest import mapping as mappings
from analysis.model import ELEMENT_LABELS, ELEMENTS
from pages import common

common.route_through_dashboard()
actor = common.require_role(ADMIN, "The Upload page")

KINDS = {"survey": "Survey export", "sessions": "Session log", "roster": "Participant roster"}
# What each field of a mapping is called on the page; fields not named here are not edited here.
LABELS = {
    "mentor_column": "Column naming the mentor",
    "mentor_match": "That column holds the mentor's",
    "role_column": "Column with the respondent's role",
    "fixed_role": "Who answered",
    "date_column": "Date column",
    "response_id_column": "Response ID column",
    "respondent_columns": "Respondent identity columns (hashed, never stored in clear)",
    "respondent_email_column": "Respondent's email column (matches mentees to the roster)",
    "comment_columns": "Free-text comment columns",
    "date": "Date column",
    "mentor": "Mentor name column",
    "mentor_email": "Mentor email column",
    "mentee": "Mentee column",
    "duration": "Duration column",
    "format": "Format column",
    "notes": "Notes / topics columns",
    "session_id": "Session ID column",
    "name": "Name column",
    "email": "Email column",
    "role": "Role column (mentor or mentee)",
    "department": "Department column",
    "location": "Location column",
    "cohort": "Cohort column",
    "started_on": "Pairing start date column",
}
CHOICES = {
    "mentor_match": ["name", "email"],
    "fixed_role": [None, "mentee", "mentor_self"],
}
CHOICE_LABELS = {None: "(from a column)", "mentee": "mentees", "mentor_self": "the mentor themself"}
NONE_LABEL = "(none)"

st.title("Upload")
store = common.store()


def _read_upload(upload, present: set[str]) -> load.Prepared:
    """Each upload is read once per session, from memory, in a worker process (never written to
    disk, and a hostile file cannot stall other viewers); what was read goes with the upload."""
    read = st.session_state.setdefault("read-uploads", {})
    for gone in set(read) - present:
        del read[gone]
    if upload.file_id not in read:
        data = upload.getvalue()
        try:
            with st.spinner(f"Reading {upload.name}..."):
                raw, detected = worker.read_upload(data, upload.name)
            read[upload.file_id] = (
                load.prepared_upload(raw, load.content_hash(data), detected),
                None,
            )
        except MentoringError as exc:
            read[upload.file_id] = (None, exc)
    prepared, refusal = read[upload.file_id]
    if refusal is not None:
        raise refusal
    return prepared


def _column_label(raw, key: str | None) -> str:
    if key is None:
        return NONE_LABEL
    for column in raw.columns:
        if column.key == key:
            text = column.text
            return text if len(text) < 90 else text[:87] + "..."
    return key


def _edit_items(raw, items: list[mappings.ItemMapping], key: str) -> list[mappings.ItemMapping]:
    """Which element each scale question measures, and whether it is worded negatively."""
    table = pd.DataFrame(
        {
            "column": [i.column for i in items],
            "question": [i.question for i in items],
            "element": [i.element for i in items],
            "reversed": [i.reversed for i in items],
        }
    )
    st.markdown(
        "**Which element each question measures** (leave empty for none). Tick **worded "
        'negatively** when agreeing means the mentor does the *opposite* (e.g. "My mentor checks '
        'every detail of my work"): its favourable answers are then the disagreeing ones.'
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=["column", "question"],
        column_config={
            "column": None,
            "question": st.column_config.TextColumn("Question", width="large"),
            "element": st.column_config.SelectboxColumn(
                "Element",
                options=list(ELEMENTS),
                format_func=lambda code: ELEMENT_LABELS.get(code, code),
                help="Empty when the question measures none of the four elements",
            ),
            "reversed": st.column_config.CheckboxColumn("Worded negatively"),
        },
        key=f"{key}-items",
    )
    scales = {i.column: i.scale for i in items}
    return [
        mappings.ItemMapping(
            column=row["column"],
            question=row["question"],
            element=row["element"] or None,
            reversed=bool(row["reversed"]) and bool(row["element"]),
            scale=scales[row["column"]],
        )
        for row in edited.to_dict("records")
    ]


def _edit_mapping(raw, mapping: mappings.Mapping, key: str) -> mappings.Mapping:
    """Every column role of the mapping, editable; returns the edited mapping."""
    keys = [c.key for c in raw.columns]
    changes: dict[str, object] = {}
    for field in fields(mapping):
        if field.name not in LABELS:
            continue
        value = getattr(mapping, field.name)
        widget_key = f"{key}-{field.name}"
        label = LABELS[field.name]
        if field.name in CHOICES:
            options = CHOICES[field.name]
            changes[field.name] = st.selectbox(
                label,
                options,
                index=options.index(value) if value in options else 0,
                key=widget_key,
                format_func=lambda v: CHOICE_LABELS.get(v, str(v)),
            )
        elif isinstance(value, list):
            changes[field.name] = st.multiselect(
                label,
                keys,
                default=[c for c in value if c in keys],
                key=widget_key,
                format_func=lambda k: _column_label(raw, k),
            )
        else:
            options = [None, *keys]
            changes[field.name] = st.selectbox(
                label,
                options,
                index=options.index(value) if value in options else 0,
                key=widget_key,
                format_func=lambda k: _column_label(raw, k),
            )
    if isinstance(mapping, mappings.SurveyMapping):
        picked = st.multiselect(
            "Segment columns (the respondent's team, tenure, ...)",
            keys,
            default=[c for c in mapping.segment_columns if c in keys],
            key=f"{key}-segment_columns",
            format_func=lambda k: _column_label(raw, k),
        )
        changes["segment_columns"] = {
            k: mapping.segment_columns.get(k, raw.column(k).header.lower()) for k in picked
        }
        changes["items"] = _edit_items(raw, mapping.items, key)
    return replace(mapping, **changes)


def _ask_file_facts(mapping: mappings.SurveyMapping, key: str) -> mappings.FileFacts:
    """What only this file can say: people invited, the closing date when there is no date
    column, and the wave's name. Never carried over to the next file of the same layout."""
    invited = st.number_input(
        "How many people were invited (for the response rate; 0 if unknown)",
        min_value=0,
        value=0,
        key=f"{key}-inv",
    )
    closed = None
    if not mapping.date_column:
        closed = st.date_input(
            "This export has no date for each response: when did the survey close?",
            value=None,
            key=f"{key}-closed",
        )
    wave = st.text_input("Wave label (optional, e.g. 2026-Q2)", key=f"{key}-wave")
    return mappings.FileFacts(survey_date=closed, wave=wave or None, invited_count=invited or None)


def _show_report(report, upload, key: str) -> None:
    (st.info if report.already_loaded or not report.rows_loaded else st.success)(report.sentence())
    for note in report.notes:
        st.caption(note)
    if len(report.unattributed):
        st.warning(
            "Some rows name a mentor who shares their name with another mentor and could not be "
            "told apart; they are held as unattributed and counted for no one:"
        )
        st.dataframe(
            report.unattributed[["reference", "candidates", "row_count"]],
            hide_index=True,
            column_config={
                "reference": "Name in the file",
                "candidates": "Could be",
                "row_count": "Rows",
            },
        )
    if len(report.rejected):
        count = report.rows_rejected
        st.markdown(
            f"**{count} {'row' if count == 1 else 'rows'} set aside**, with the reason for each:"
        )
        common.table(report.rejected)
        common.download_button(
            st,
            "Download the set-aside rows (CSV)",
            lambda rejected=report.rejected: export.safe_csv(rejected),
            f"{Path(upload.name).stem}-set-aside.csv",
            "text/csv",
            f"{key}-rej",
            f"The rows {upload.name} set aside",
        )


def _one_upload(upload, present: set[str]) -> None:
    key = f"up-{upload.file_id}"
    st.subheader(upload.name)
    try:
        prepared = _read_upload(upload, present)
    except MentoringError as exc:
        common.show_error(exc)
        st.caption("Nothing was loaded from this file.")
        return
    kinds = list(KINDS)
    kind = st.radio(
        "This file is a",
        kinds,
        index=kinds.index(prepared.kind),
        format_func=KINDS.get,
        horizontal=True,
        key=f"{key}-kind",
    )
    st.write(f"Detected format: {prepared.raw.format_label}. {len(prepared.raw.frame):,} rows.")
    try:
        prepared = load.as_kind(prepared, kind)
        suggestion = load.suggest(store, prepared)
    except MentoringError as exc:
        common.show_error(exc)
        return
    for note in suggestion.notes + prepared.raw.notes:
        st.caption(note)
    facts = mappings.FileFacts()
    with st.expander("Columns: confirm what each one holds", expanded=bool(suggestion.missing)):
        mapping = _edit_mapping(prepared.raw, suggestion.mapping, key)
        if isinstance(mapping, mappings.SurveyMapping):
            facts = _ask_file_facts(mapping, key)
        common.download_button(
            st,
            "Save this mapping for unattended loads (--mapping)",
            lambda layout=prepared.raw.layout_key, kind=kind, mapping=mapping: json.dumps(
                {"layout_key": layout, "kind": kind, "mapping": mappings.to_json(mapping)},
                indent=2,
            ).encode("utf-8"),
            f"{Path(upload.name).stem}-mapping.json",
            "application/json",
            f"{key}-save",
            f"The column mapping of {upload.name}",
        )
    missing = mappings.still_missing(mapping, facts)
    if missing:
        st.warning("Still to map: " + ", ".join(missing) + ".")
    hidden = set(getattr(mapping, "respondent_columns", []))
    preview = prepared.raw.frame.drop(columns=[c for c in prepared.raw.frame if c in hidden])
    preview = preview.head(8)
    preview.columns = [_column_label(prepared.raw, c) for c in preview.columns]
    with st.expander("Preview (respondent identity columns hidden)"):
        st.dataframe(preview, hide_index=True)
    if st.button("Load this file", type="primary", key=f"{key}-load", disabled=bool(missing)):
        bar = st.progress(0.0, text="Reading rows...")
        try:
            report = load.ingest(
                store,
                prepared,
                mapping,
                facts,
                progress=lambda done: bar.progress(min(1.0, float(done)), text="Reading rows..."),
                actor=actor,
            )
        except MentoringError as exc:
            bar.empty()
            common.show_error(exc)
            st.caption("The database was not changed.")
            return
        bar.progress(1.0, text="Done")
        _show_report(report, upload, key)


uploads = st.file_uploader(
    "Survey exports, session logs or a participant roster (CSV or Excel)",
    type=["csv", "tsv", "txt", "xlsx"],
    accept_multiple_files=True,
    key="uploads",
)
for upload in uploads or []:
    with st.container(border=True):
        _one_upload(upload, {u.file_id for u in uploads})

issues = common.read(queries.identity_issues)
ambiguous = issues[issues["kind"] == "ambiguous"]
if len(ambiguous):
    st.header("Rows held as unattributed")
    st.write(
        f"{int(ambiguous['row_count'].sum()):,} rows name a mentor by a name that several mentors "
        "share, and nothing in the data (the respondent's email and the roster's pairing, or the "
        "session log's mentor email) tells which one is meant. They are counted for no one. Add the "
        "mentor's email to those exports, or the respondents' emails and a roster that pairs them."
    )
    st.dataframe(
        ambiguous[["source", "batch_id", "reference", "candidates", "row_count"]],
        hide_index=True,
        column_config={
            "source": "From",
            "batch_id": "Load",
            "reference": "Name in the file",
            "candidates": "Could be",
            "row_count": "Rows",
        },
    )
others = issues[issues["kind"] != "ambiguous"]
if len(others):
    with st.expander(f"Mentors not in the roster, and roster disagreements ({len(others)})"):
        st.dataframe(
            others.assign(
                kind=others["kind"].map(
                    {"unrostered": "not in the roster", "roster_conflict": "rosters disagree"}
                )
            )[["kind", "source", "batch_id", "reference", "candidates", "row_count"]],
            hide_index=True,
            column_config={
                "kind": "What",
                "source": "From",
                "batch_id": "Load",
                "reference": "Mentor",
                "candidates": "Details",
                "row_count": "Rows",
            },
        )

st.header("History")
said = st.session_state.pop("upload-said", None)
if said:
    st.success(said, icon=":material/check_circle:")
refused = st.session_state.pop("upload-refused", None)
if refused:
    st.error(refused, icon=":material/error:")
history = common.read(queries.ingest_history)


# Writes run in the page's body, after this run's role check at the top, never in a widget
# callback: a callback runs before the page and would act for whoever the session was on the run
# before (an admin demoted since, or a viewer replaying an admin's button press).
def _undo(batch_id: int, what: str) -> None:
    """Undo a load, then show the page again with the result and the confirmation cleared."""
    try:
        removed = upkeep.remove_batch(store, batch_id, actor=actor)
        st.session_state["upload-said"] = f"Removed {what}: {upkeep.removed_in_words(removed)}."
    except MentoringError as exc:
        st.session_state["upload-refused"] = str(exc)
    del st.session_state["remove-confirm"]
    st.rerun()


def _remove_sample() -> None:
    try:
        st.session_state["upload-said"] = remove_sample(store, actor=actor).sentence()
    except MentoringError as exc:
        st.session_state["upload-refused"] = str(exc)
    del st.session_state["remove-sample-confirm"]
    st.rerun()


def _load_name(row: pd.Series) -> str:
    """ "load 7, july.csv (session log, loaded 26 Nov 2026 at 09:14 UTC)"."""
    return (
        f"load {row['batch_id']}, {row['file_name']} ({KINDS.get(row['kind'], row['kind']).lower()}"
        f", loaded {pd.Timestamp(row['loaded_at']):%d %b %Y at %H:%M} UTC)"
    )


if history.empty:
    st.write("Nothing has been loaded yet.")
else:
    common.table(
        history.assign(kind=history["kind"].map(KINDS).fillna(history["kind"])),
        loaded_at=st.column_config.DatetimeColumn("Loaded (UTC)", format="D MMM YYYY, HH:mm"),
    )
    loads = {int(row["batch_id"]): row for _, row in history.iterrows()}
    newest_first = sorted(loads, reverse=True)
    left, right = st.columns([2, 1])
    batch = left.selectbox(
        "Undo a load",
        newest_first,
        index=0,
        key="remove-batch",
        format_func=lambda b: (
            f"Load {b}{' (the latest)' if b == newest_first[0] else ''}: "
            f"{loads[b]['file_name']}, {pd.Timestamp(loads[b]['loaded_at']):%d %b %Y %H:%M} UTC"
        ),
    )
    confirm = right.checkbox("Yes, remove everything this load added", key="remove-confirm")
    if right.button("Remove", disabled=not confirm, key="remove-go") and confirm:
        _undo(int(batch), _load_name(loads[int(batch)]))
    rejected_batch = history.loc[history["rows_rejected"] > 0, "batch_id"].tolist()
    if rejected_batch:
        chosen = st.selectbox("Rows set aside by load", rejected_batch, key="rejected-batch")
        rows = common.read(queries.rejected_rows_of_batch, int(chosen))
        common.table(rows)
        common.download_button(
            st,
            "Download (CSV)",
            lambda: export.safe_csv(rows),
            f"load-{chosen}-set-aside.csv",
            "text/csv",
            "rej-dl",
            f"The rows set aside by load {chosen}",
        )

if is_sample(store):
    st.header("Sample data")
    of_sample = sample_loads(store)
    st.write(
        f"The database holds the bundled sample program: {len(of_sample)} loads "
        f"({', '.join(of_sample['file_name'])}) and its programme event. Remove it before loading "
        "your own exports; loads of your own files stay."
    )
    sure = st.checkbox(
        f"Yes, remove the sample's {len(of_sample)} loads and its programme event",
        key="remove-sample-confirm",
    )
    if st.button("Remove the sample data", key="remove-sample", disabled=not sure) and sure:
        _remove_sample()

st.header("Audit trail")
st.caption(
    "Who loaded, undid, re-scored, changed a column mapping, marked a program event or exported "
    'what, and when: the signed-in email, "local user" without sign-in, or "command line" '
    "(python -m analysis history shows it too). Newest first; lines are never removed."
)
trail = audit.trail(store, limit=500)
if trail.empty:
    st.write("Nothing has been recorded yet.")
else:
    st.dataframe(
        trail.drop(columns=["audit_id"]),
        hide_index=True,
        column_config={
            "happened_at": st.column_config.DatetimeColumn(
                "When (UTC)", format="D MMM YYYY, HH:mm:ss"
            ),
            "actor_email": "Who",
            "actor_role": "Role",
            "action": "Action",
            "detail": st.column_config.TextColumn("What", width="large"),
        },
        key="audit-trail",
    )
