"""What the pages share (the frame itself is dashboard.py): who this run serves and the role
check at the top of a page, the store, read() (any analysis read function, cached on small values
plus the data version), the sidebar's filters as Filters, and the table, chart, copy-link and
download widgets (every download is audited)."""

from __future__ import annotations

import html
import re
import runpy
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analysis import access, audit, export, readiness, snapshots
from analysis.access import Actor
from analysis.bootstrap import build_sample_database, is_sample
from analysis.errors import MentoringError
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, EVIDENCE_LABELS, SOURCE_LABELS
from analysis.queries import Filters
from analysis.store import Store, resolve_db_path

P = ParamSpec("P")
R = TypeVar("R")

_frame = threading.local()


def run_page(page: StreamlitPage, actor: Actor) -> None:
    """Run the page the menu chose, for `actor` (the frame's last step): the page reads who it
    serves with current_actor(), and knows it runs inside the frame."""
    _frame.actor = actor
    _frame.active = True
    try:
        page.run()
    finally:
        _frame.active = False


def current_actor() -> Actor:
    """Who this run serves (set by the frame, from sign-in and the roles file, on every run)."""
    return _frame.actor


def require_role(role: str, what: str) -> Actor:
    """The server-side check at the top of a page (the menu hiding it is not relied on): anyone
    without `role` gets a plain "not authorised" page and the run stops."""
    actor = current_actor()
    if not access.allows(actor, role):
        not_authorised(
            plain_markdown(
                f"{what} is for the dashboard's {role}s, and you are signed in as a "
                f"{actor.role or 'person without a role'}."
            ),
            actor,
        )
        st.stop()
    return actor


def auth_section() -> Mapping[str, Any]:
    """The [auth] section of secrets.toml (empty when sign-in is not configured)."""
    if not st.secrets.load_if_toml_exists():
        return {}
    return st.secrets.get("auth") or {}


def not_authorised(reason_markdown: str, actor: Actor | None) -> None:
    st.title("Not authorised")
    st.markdown(reason_markdown)
    st.write(
        "The dashboard holds what mentees said about their mentors, so each person needs a role "
        "(admin or viewer). Ask the program's administrator to add your email address, or your "
        "organisation's domain, to the dashboard's roles file."
    )
    if actor is not None and access.sign_in_configured(auth_section()):
        if st.button("Sign out", key="sign-out-refused"):
            st.logout()


def plain_markdown(text: str) -> str:
    """Text shown as itself in markdown (a path's underscores are not emphasis)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~:])", r"\\\1", text)


def route_through_dashboard() -> None:
    """Make sure this page runs inside the frame (menu, filters).

    Because our pages live in pages/, Streamlit serves the first request after a server start in
    its legacy folder mode, which runs a linked page (say /segments) on its own, without
    dashboard.py. Calling st.navigation ends that mode; so a page that finds itself outside the
    frame runs the frame itself (which runs the page again, inside it) and stops. Doing it in the
    same run, rather than rerunning, keeps a button press that arrived with the run."""
    run = get_script_run_ctx()
    if run is not None and not getattr(_frame, "active", False):
        runpy.run_path(run.main_script_path)  # dashboard.py, or what `streamlit run` was given
        st.stop()


def _db_argument() -> str | None:
    """`streamlit run dashboard.py -- --db PATH` passes the path after the `--`."""
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--db" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--db="):
            return arg.split("=", 1)[1]
    return None


@st.cache_resource
def _store_for(path: str) -> Store:
    # A Store holds no open connection (each call opens and closes one), so sharing it between
    # sessions shares no mutable state; it only avoids re-resolving the path.
    return Store(path)


def store() -> Store:
    """The database, built from the bundled sample exports on first run."""
    path = resolve_db_path(_db_argument())
    if not path.exists():
        with st.spinner("First run: building the database from the bundled sample exports..."):
            build_sample_database(path)
    db = _store_for(str(path))
    moved = db.move_key_out()
    if moved:
        st.info(moved, icon=":material/key:")
    return db


def read(fn: Callable[Concatenate[Store, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn(store, *args, **kwargs)`: an analysis read function (store first) called on this
    dashboard's database, cached until the data changes. Pass small values (filters, settings, an
    id), never a DataFrame: the cache would only sample it."""
    name = f"{fn.__module__}.{getattr(fn, '__qualname__', '<unnamed>')}"
    if "<" in name:
        # the name keys the cache, so two different functions must never share one
        raise TypeError(f"read() takes a module-level function, not {name}")
    db = store()
    return _cached_read(fn, name, str(db.path), db.data_version(), args, kwargs)


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached_read(
    _fn: Callable[..., Any],
    name: str,
    db: str,
    version: int,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    # Streamlit skips `_fn` when hashing the arguments: `name` stands for it in the key.
    return _fn(Store(db), *args, **kwargs)


def footnote() -> str:
    """What every chart's numbers rest on, in the user's terms."""
    return (
        f"Groups behind fewer than {DEFAULT_SETTINGS.anonymity_min} people are not shown, nor "
        f"cells that would let them be worked out. {read(readiness.favourable).sentence()}"
    )


def cannot_answer(messages: list[str]) -> None:
    """Say, up front, why the data in view cannot answer this page's question: one plain sentence
    per cause, the real cause first."""
    for message in messages:
        st.info(message, icon=":material/info:")


def sample_banner() -> None:
    if is_sample(store()):
        st.info(
            "You are looking at **sample data**: a fictional program of 150 mentors. To see your own "
            "program, open **Upload** and drop your survey exports, session logs and roster there "
            "(or run `python -m analysis ingest FILE...`). The sample can be removed there in one click.",
            icon=":material/science:",
        )


# Copies the address bar (page, filters and chosen mentor are all in it). The clipboard API needs
# a secure origin (https or this computer); elsewhere the link is shown, selected, to copy by hand.
copy_link = st.components.v2.component(
    "mentoring_copy_link",
    html=(
        '<button type="button" class="copy-link">Copy link to this view</button>'
        '<p class="copied" role="status" aria-live="polite"></p>'
        '<input class="by-hand" type="text" readonly hidden aria-label="Link to this view">'
    ),
    css="""
.copy-link {
  font: inherit; font-size: 0.95rem; padding: 0.35rem 0.75rem; cursor: pointer;
  color: var(--st-text-color, #31333f); background: var(--st-background-color, #ffffff);
  border: 1px solid var(--st-border-color, #d5dae5); border-radius: 0.5rem;
}
.copy-link:hover, .copy-link:focus-visible { border-color: var(--st-primary-color, #ff4b4b); }
.copied { font-size: 0.875rem; margin: 0.35rem 0 0; color: var(--st-text-color, #31333f); }
.by-hand { width: 100%; font: inherit; font-size: 0.8rem; }
""",
    js="""
export default function ({ parentElement }) {
  const button = parentElement.querySelector(".copy-link");
  const said = parentElement.querySelector(".copied");
  const byHand = parentElement.querySelector(".by-hand");
  button.onclick = async () => {
    const link = window.location.href;
    byHand.hidden = true;
    try {
      await navigator.clipboard.writeText(link);
      said.textContent = "Link copied: paste it into an email or a chat.";
    } catch (error) {
      byHand.value = link;
      byHand.hidden = false;
      byHand.select();
      said.textContent = document.execCommand("copy")
        ? "Link copied: paste it into an email or a chat."
        : "Your browser did not allow copying: copy the link below (Ctrl+C or Cmd+C).";
    }
  };
}
""",
)


def current_filters() -> Filters:
    state = st.session_state
    period = state.get("period") or ()
    start: date | None = period[0] if len(period) > 0 else None
    end: date | None = period[1] if len(period) > 1 else None
    return Filters(
        start=start,
        end=end,
        departments=tuple(state.get("department") or ()),
        cohorts=tuple(state.get("cohort") or ()),
        locations=tuple(state.get("location") or ()),
        source=state.get("source") or "both",
    )


def show_error(exc: MentoringError) -> None:
    st.error(str(exc), icon=":material/error:")


LABEL_TO_ELEMENT = {label: element for element, label in ELEMENT_LABELS.items()}


def clicked_point(key: str) -> dict[str, Any] | None:
    """The point last clicked on the chart drawn with chart_block(..., key, on_click=...)."""
    state = st.session_state.get(f"fig-{key}")
    points = state.selection.points if state is not None else []
    return dict(points[0]) if points else None


def chart_block(
    built: snapshots.Chart,
    filters: Filters,
    key: str,
    on_click: Callable[[], None] | None = None,
) -> None:
    """The chart, then the numbers behind it and its downloads (CSV, HTML, PNG, SVG); or, when the
    filters leave nothing to draw, a plain sentence saying so instead of an empty chart. With
    `on_click`, clicking a bar or cell calls it (read the point with clicked_point(key))."""
    if not built.figure.data:
        # The builders put the reason in the empty figure's note; say it in words instead.
        notes = [html.unescape(str(a.text)) for a in built.figure.layout.annotations if a.text]
        reason = (notes[0] if notes else built.headline).rstrip(".")
        st.info(
            f"**{built.title}**: {reason}. Filters: {filters.describe()}. "
            "Widen the period, clear a filter, or load more data; groups behind fewer than "
            f"{DEFAULT_SETTINGS.anonymity_min} people are never shown.",
            icon=":material/filter_alt_off:",
        )
        return
    st.plotly_chart(
        built.figure,
        theme=None,
        config=export.plotly_config(built.name),
        key=f"fig-{key}",
        on_select=on_click or "ignore",
        selection_mode="points",
    )
    with st.expander("Numbers behind this chart, and downloads"):
        table(built.table)
        st.caption(f"{filters.describe()}. n = {built.n:,} observations. {footnote()}")
        slug = export.slugify(built.name)
        what = f"The chart '{built.title}' ({filters.describe()})"
        names = "mentor_name" in built.table.columns  # a chart built with names has them here
        cols = st.columns(4)
        download_button(
            cols[0],
            "CSV",
            lambda: export.safe_csv(built.table),
            f"{slug}.csv",
            "text/csv",
            f"csv-{key}",
            what,
            names,
        )
        download_button(
            cols[1],
            "Interactive HTML",
            lambda: export.figure_html(built.figure, built.headline).encode("utf-8"),
            f"{slug}.html",
            "text/html",
            f"html-{key}",
            what,
            names,
        )
        if export.browser_available():
            download_button(
                cols[2],
                "PNG",
                lambda: export.figure_png(built.figure),
                f"{slug}.png",
                "image/png",
                f"png-{key}",
                what,
                names,
            )
            download_button(
                cols[3],
                "SVG",
                lambda: export.figure_svg(built.figure),
                f"{slug}.svg",
                "image/svg+xml",
                f"svg-{key}",
                what,
                names,
            )
        else:
            cols[2].caption("PNG and SVG need Chromium on the server (scripts/install-browser.sh).")


# Every column a table of the dashboard may show, in words (the CSV downloads keep the names).
COLUMN_LABELS: dict[str, str] = {
    "label": "Element",
    "element": "Element",
    "source_label": "From",
    "source_kind": "From",
    "source": "From",
    "pct": "Share (%)",
    "frequency_pct": "Shows up in (%)",
    "coverage_pct": "Coverage (%)",
    "ci_low": "95% low",
    "ci_high": "95% high",
    "rate_pct": "Mentor's rate (%)",
    "target_pct": "Target (%)",
    "vs_target": "Against target",
    "change": "Since the last period",
    "compared": "Compared with",
    "raw_pct": "Raw rate (%)",
    "low_pct": "95% low",
    "high_pct": "95% high",
    "shown_count": "Shown in",
    "observation_count": "Observations",
    "mentors": "Mentors",
    "mentor_count": "Mentors",
    "concern_count": "Concerns",
    "reason": "Hidden because",
    "mentor": "Mentor",
    "mentor_name": "Mentor",
    **ELEMENT_LABELS,
    "label_a": "Element",
    "label_b": "Appears with",
    "both_count": "Texts with both",
    "a_count": "Texts with the first",
    "b_count": "Texts with the second",
    "text_count": "Texts read",
    "lift": "Lift",
    "gap_pts": "Gap (points)",
    "pairs": "Mentor-waves",
    "period_start": "Period from",
    "change_pts": "Change (points)",
    "change_low": "Change, 95% low",
    "change_high": "Change, 95% high",
    "p_value": "p",
    "q_value": "q (corrected)",
    "verdict": "Verdict",
    "wave": "Survey wave",
    "effect_pts": "Effect (points)",
    "p": "p",
    "q": "q (corrected)",
    "treated_mentors": "Treated mentors",
    "control_mentors": "Other mentors",
    "department": "Department",
    "cohort": "Cohort",
    "location": "Location",
    "started_on": "Pair started",
    "session_count": "Sessions",
    "first_session_on": "First session",
    "last_session_on": "Last session",
    "sessions_in_window": "Sessions, last 90 days",
    "days_since_last_session": "Days since the last session",
    "file_name": "File",
    "response_count": "Responses",
    "invited_count": "People invited",
    "response_rate_pct": "Response rate (%)",
    "batch_id": "Load",
    "kind": "What",
    "format_label": "Format",
    "rows_read": "Rows read",
    "rows_loaded": "Rows loaded",
    "rows_rejected": "Rows set aside",
    "duplicates_skipped": "Rows already loaded (skipped)",
    "loaded_at": "Loaded (UTC)",
    "row_number": "Row",
    "column_name": "Column",
    "column": "Column",
    "raw_value": "Value in the file",
}
# Codes kept for the CSV that a person reads better as their labels.
_VALUE_LABELS = {"element": ELEMENT_LABELS, "source_kind": SOURCE_LABELS}
# Codes shown beside their own label columns: hidden on screen.
_HIDDEN_BESIDE = {"element_a": "label_a", "element_b": "label_b"}


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column) or column.replace("_", " ").capitalize()


def table(frame: pd.DataFrame, **config: Any) -> None:
    """A table with every column named in words and codes shown as their labels; `config`
    overrides a column's st.column_config."""
    shown = frame.assign(
        **{
            column: frame[column].map(lambda v, labels=labels: labels.get(v, v))
            for column, labels in _VALUE_LABELS.items()
            if column in frame.columns
        }
    )
    column_config: dict[str, Any] = {
        column: None if _HIDDEN_BESIDE.get(column) in frame.columns else column_label(column)
        for column in frame.columns
    }
    st.dataframe(shown, hide_index=True, column_config=column_config | config)


def download_button(
    where: Any,
    label: str,
    build: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    what: str,
    names: bool = False,
) -> None:
    """A download built only when clicked, and recorded in the audit trail then, under the person
    this run serves (an export holding mentor names needs an admin; AccessDenied otherwise)."""
    db, actor = store(), current_actor()

    def recorded() -> bytes:
        data = build()
        audit.record_export(db, actor, f"{what}, as {file_name}.", names=names)
        return data

    where.download_button(
        label, data=recorded, file_name=file_name, mime=mime, key=key, on_click="ignore"
    )


def evidence_table(snippets: pd.DataFrame) -> None:
    """Notes and comments as plain text cells (never HTML or markdown)."""
    if snippets.empty:
        st.write("No notes or comments match.")
        return
    shown = snippets.assign(source=snippets["source"].map(EVIDENCE_LABELS))[
        ["observed_on", "source", "evidence"]
    ]
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "observed_on": st.column_config.DateColumn("Date", format="D MMM YYYY"),
            "source": "From",
            "evidence": st.column_config.TextColumn("What was written", width="large"),
        },
    )
