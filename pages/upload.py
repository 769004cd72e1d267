"""Upload (admins only): drop exports, see what each file is, confirm the column mapping, read the
validation report, load; the history of loads, each removable; the audit trail."""

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import audit, export
from analysis.access import ADMIN
from analysis.bootstrap import is_sample
from analysis.errors import MentoringError
from analysis.ingest import load
from analysis.model import ELEMENTS
from pages import common

common.route_through_dashboard()
actor = common.require_role(ADMIN, "The Upload page")

KINDS = {"survey": "Survey export", "sessions": "Session log", "roster": "Participant roster"}
ROLE_LABELS = {
    "mentor_column": "Column naming the mentor",
    "mentor_match": "That column holds the mentor's",
    "role_column": "Column with the respondent's role",
    "fixed_role": "Who answered",
    "date_column": "Date column",
    "response_id_column": "Response ID column",
    "respondent_columns": "Respondent identity columns (hashed, never stored in clear)",
    "comment_columns": "Free-text comment columns",
    "date": "Date column",
    "mentor": "Mentor name column",
    "mentor_email": "Mentor email column",
    "mentee": "Mentee column",
    "duration": "Duration column",
    "format": "Format column",
    "notes": "Notes / topics columns",
    "session_id": "Session ID column",
}
CHOICES = {"mentor_match": ["name", "email"], "fixed_role": [None, "mentee", "mentor_self"]}
NONE_LABEL = "(none)"

st.title("Upload")
store = common.store()


def _saved_upload(upload) -> Path:
    """DuckDB and the readers read files, not browser buffers: keep each upload on disk once."""
    folder = Path(tempfile.gettempdir()) / "mentoring-uploads"
    folder.mkdir(exist_ok=True)
    path = folder / f"{upload.file_id}{Path(upload.name).suffix.lower()}"
    if not path.exists():
        path.write_bytes(upload.getvalue())
    return path


def _column_label(raw, key: str | None) -> str:
    if key is None:
        return NONE_LABEL
    for column in raw.columns:
        if column.key == key:
            text = column.header + (f" [{column.sub}]" if column.sub else "")
            return text if len(text) < 90 else text[:87] + "..."
    return key


def _edit_mapping(raw, mapping: dict, key: str) -> dict:
    """Every role the reader suggested, editable: a column, a list of columns, or item elements."""
    keys = [c.key for c in raw.columns]
    edited = dict(mapping)
    for role, value in mapping.items():
        label = ROLE_LABELS.get(role, role.replace("_", " ").capitalize())
        widget_key = f"{key}-{role}"
        if (role == "items" and isinstance(value, dict)) or role in load.PER_FILE_KEYS:
            continue  # items get their own table; per-file answers are asked below
        if role in CHOICES:
            options = CHOICES[role]
            edited[role] = st.selectbox(
                label,
                options,
                index=options.index(value) if value in options else 0,
                key=widget_key,
                format_func=lambda v: NONE_LABEL if v is None else str(v),
            )
        elif role.endswith("_columns") and isinstance(value, list | dict):
            chosen = list(value) if isinstance(value, dict) else value
            picked = st.multiselect(
                label,
                keys,
                default=[c for c in chosen if c in keys],
                key=widget_key,
                format_func=lambda k: _column_label(raw, k),
            )
            edited[role] = (
                {k: value.get(k, k) for k in picked} if isinstance(value, dict) else picked
            )
        elif isinstance(value, list):
            edited[role] = st.multiselect(
                label,
                keys,
                default=[c for c in value if c in keys],
                key=widget_key,
                format_func=lambda k: _column_label(raw, k),
            )
        elif value is None or value in keys:
            options = [None, *keys]
            edited[role] = st.selectbox(
                label,
                options,
                index=options.index(value),
                key=widget_key,
                format_func=lambda k: _column_label(raw, k),
            )
    if isinstance(mapping.get("items"), dict):
        items = mapping["items"]
        table = pd.DataFrame(
            {
                "column": list(items),
                "question": [_column_label(raw, k) for k in items],
                "element": [
                    (v or {}).get("element") if isinstance(v, dict) else v for v in items.values()
                ],
                "scale": [
                    (v or {}).get("scale") if isinstance(v, dict) else None for v in items.values()
                ],
            }
        )
        st.markdown("**Which element each question measures** (leave empty for none)")
        result = st.data_editor(
            table,
            hide_index=True,
            disabled=["column", "question", "scale"],
            column_config={
                "column": None,
                "element": st.column_config.SelectboxColumn("Element", options=list(ELEMENTS)),
                "question": st.column_config.TextColumn("Question", width="large"),
            },
            key=f"{key}-items",
        )
        edited["items"] = {
            row["column"]: (
                {**items[row["column"]], "element": row["element"] or None}
                if isinstance(items[row["column"]], dict)
                else row["element"] or None
            )
            for _, row in result.iterrows()
        }
    return edited


uploads = st.file_uploader(
    "Survey exports, session logs or a participant roster (CSV or Excel)",
    type=["csv", "tsv", "txt", "xlsx"],
    accept_multiple_files=True,
    key="uploads",
)
for upload in uploads or []:
    key = f"up-{upload.file_id}"
    with st.container(border=True):
        st.subheader(upload.name)
        path = _saved_upload(upload)
        try:
            raw, detected = load.prepare(store, path, upload.name)
        except MentoringError as exc:
            common.show_error(exc)
            st.caption("Nothing was loaded from this file.")
            continue
        kinds = list(KINDS)
        kind = st.radio(
            "This file is a",
            kinds,
            index=kinds.index(detected),
            format_func=KINDS.get,
            horizontal=True,
            key=f"{key}-kind",
        )
        st.write(f"Detected format: {raw.format_label}. {len(raw.frame):,} rows.")
        try:
            if kind != detected:
                load.prepare(store, path, upload.name, kind)
            mapping, missing, notes = load.suggest(store, raw, kind)
        except MentoringError as exc:
            common.show_error(exc)
            continue
        for note in notes + list(getattr(raw, "notes", []) or []):
            st.caption(note)
        with st.expander("Columns: confirm what each one holds", expanded=bool(missing)):
            mapping = _edit_mapping(raw, mapping, key)
            if kind == "survey":
                invited = st.number_input(
                    "How many people were invited (for the response rate; 0 if unknown)",
                    min_value=0,
                    value=int(mapping.get("invited_count") or 0),
                    key=f"{key}-inv",
                )
                mapping["invited_count"] = int(invited) or None
                if not mapping.get("date_column"):
                    closed = st.date_input(
                        "This export has no date for each response: when did the survey close?",
                        value=None,
                        key=f"{key}-closed",
                    )
                    mapping["survey_date"] = closed.isoformat() if closed else None
                mapping["wave"] = (
                    st.text_input(
                        "Wave label (optional, e.g. 2026-Q2)",
                        value=mapping.get("wave") or "",
                        key=f"{key}-wave",
                    )
                    or None
                )
            common.download_button(
                st,
                "Save this mapping for unattended loads (--mapping)",
                lambda raw=raw, kind=kind, mapping=mapping: json.dumps(
                    {"layout_key": raw.layout_key, "kind": kind, "mapping": mapping}, indent=2
                ).encode("utf-8"),
                f"{Path(upload.name).stem}-mapping.json",
                "application/json",
                f"{key}-save",
                f"The column mapping of {upload.name}",
            )
        missing = load.still_missing(kind, mapping)
        if missing:
            st.warning("Still to map: " + ", ".join(missing) + ".")
        hidden = set(mapping.get("respondent_columns") or [])
        preview = raw.frame.drop(columns=[c for c in raw.frame.columns if c in hidden]).head(8)
        preview.columns = [
            _column_label(raw, c) if c in {x.key for x in raw.columns} else c
            for c in preview.columns
        ]
        with st.expander("Preview (respondent identity columns hidden)"):
            st.dataframe(preview, hide_index=True)
        if st.button("Load this file", type="primary", key=f"{key}-load", disabled=bool(missing)):
            bar = st.progress(0.0, text="Reading rows...")
            try:
                report = load.ingest_file(
                    store,
                    path,
                    file_name=upload.name,
                    kind=kind,
                    mapping=mapping,
                    progress=lambda done, bar=bar: bar.progress(
                        min(1.0, float(done)), text="Reading rows..."
                    ),
                    actor=actor,
                )
            except MentoringError as exc:
                bar.empty()
                common.show_error(exc)
                st.caption("The database was not changed.")
                continue
            bar.progress(1.0, text="Done")
            (st.info if report.already_loaded or not report.rows_loaded else st.success)(
                report.sentence()
            )
            for note in report.notes:
                st.caption(note)
            if len(report.rejected):
                count = report.rows_rejected
                st.markdown(
                    f"**{count} {'row' if count == 1 else 'rows'} set aside**, "
                    "with the reason for each:"
                )
                st.dataframe(report.rejected, hide_index=True)
                common.download_button(
                    st,
                    "Download the set-aside rows (CSV)",
                    lambda rejected=report.rejected: export.safe_csv(rejected),
                    f"{Path(upload.name).stem}-set-aside.csv",
                    "text/csv",
                    f"{key}-rej",
                    f"The rows set aside from {upload.name}",
                )

st.header("History")
history = common.view("history", common.current_filters())
if history.empty:
    st.write("Nothing has been loaded yet.")
else:
    st.dataframe(
        history,
        hide_index=True,
        column_config={
            "loaded_at": st.column_config.DatetimeColumn("Loaded (UTC)", format="D MMM YYYY, HH:mm")
        },
    )
    left, right = st.columns([2, 1])
    batch = left.selectbox(
        "Undo a load",
        history["batch_id"].tolist(),
        key="remove-batch",
        format_func=lambda b: f"{b}: {history.set_index('batch_id').at[b, 'file_name']}",
    )
    confirm = right.checkbox("Yes, remove everything this load added", key="remove-confirm")
    if right.button("Remove", disabled=not confirm, key="remove-go"):
        try:
            removed = load.remove_batch(store, int(batch), actor=actor)
            st.success(
                f"Removed load {batch}: "
                + ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in removed.items() if n)
            )
            st.rerun()
        except MentoringError as exc:
            common.show_error(exc)
    rejected_batch = history.loc[history["rows_rejected"] > 0, "batch_id"].tolist()
    if rejected_batch:
        chosen = st.selectbox("Rows set aside by load", rejected_batch, key="rejected-batch")
        rows = common.view("rejected_rows", common.current_filters(), int(chosen))
        st.dataframe(rows, hide_index=True)
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
    st.write(
        "The database holds the bundled sample program. Remove it before loading your own exports."
    )
    if st.button("Remove the sample data", key="remove-sample"):
        for batch_id in history["batch_id"].tolist():
            load.remove_batch(store, int(batch_id), actor=actor)
        load.clear_sample_flag(store, actor=actor)
        st.rerun()

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
