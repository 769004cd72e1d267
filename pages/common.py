"""The only non-page Streamlit module: the store, cached views keyed on small values plus the
data version, the shared sidebar filters (kept in the URL), and the share/download widgets."""

from __future__ import annotations

import html
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analysis import export, snapshots, views
from analysis.bootstrap import build_sample_database, is_sample
from analysis.errors import MentoringError
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, Settings
from analysis.queries import Filters
from analysis.store import Store, resolve_db_path

SOURCE_LABELS = {
    "both": "Surveys and sessions",
    "surveys": "Surveys only",
    "sessions": "Sessions only",
}


_frame = threading.local()

PAGES = {
    "Program": [
        ("pages/overview.py", "Overview", ":material/dashboard:"),
        ("pages/elements.py", "Elements", ":material/stacked_bar_chart:"),
        ("pages/trends.py", "Trends", ":material/trending_up:"),
        ("pages/segments.py", "Segments", ":material/grid_view:"),
        ("pages/health.py", "Program health", ":material/monitor_heart:"),
    ],
    "Admin": [
        ("pages/mentors.py", "Mentors", ":material/person_search:"),
        ("pages/upload.py", "Upload", ":material/upload_file:"),
        ("pages/brief.py", "Leadership brief", ":material/slideshow:"),
    ],
    "About": [("pages/methodology.py", "Methodology", ":material/menu_book:")],
}


def run_app() -> None:
    """The frame every page runs in: page config, menu, shared filters, then the chosen page."""
    st.set_page_config(
        page_title="Mentoring Program Health", page_icon=":material/diversity_3:", layout="wide"
    )
    navigation = st.navigation(
        {
            section: [
                st.Page(path, title=title, icon=icon, default=path.endswith("overview.py"))
                for path, title, icon in entries
            ]
            for section, entries in PAGES.items()
        }
    )
    sidebar_filters()
    _frame.active = True
    try:
        navigation.run()
    finally:
        _frame.active = False


def route_through_dashboard() -> None:
    """Make sure this page runs inside the frame (menu, filters).

    Because our pages live in pages/, Streamlit serves the first request after a server start in
    its legacy folder mode, which runs a linked page (say /segments) on its own, without
    dashboard.py. Calling st.navigation ends that mode; so a page that finds itself outside the
    frame runs the frame itself (which runs the page again, inside it) and stops. Doing it in the
    same run, rather than rerunning, keeps a button press that arrived with the run."""
    if not getattr(_frame, "active", False):
        run_app()
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


def data_version() -> int:
    return store().data_version()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_view(
    name: str,
    db: str,
    version: int,
    filters: Filters,
    args: tuple[Any, ...],
    settings: Settings,
) -> Any:
    return getattr(views, name)(Store(db), filters, *args, settings=settings)


def view(name: str, filters: Filters, *args: Any, settings: Settings = DEFAULT_SETTINGS) -> Any:
    """A function of analysis.views, cached until the data changes."""
    db = store()
    return _cached_view(name, str(db.path), db.data_version(), filters, args, settings)


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_chart(
    name: str,
    db: str,
    version: int,
    filters: Filters,
    include_names: bool,
    settings: Settings,
) -> snapshots.Chart:
    return snapshots.build(name, Store(db), filters, settings, include_names)


def chart(
    name: str,
    filters: Filters,
    include_names: bool = False,
    settings: Settings = DEFAULT_SETTINGS,
) -> snapshots.Chart:
    db = store()
    return _cached_chart(name, str(db.path), db.data_version(), filters, include_names, settings)


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_options(db: str, version: int) -> dict[str, Any]:
    from analysis import queries

    return queries.filter_options(Store(db))


def data_range() -> tuple[date | None, date | None]:
    """The first and last day with any data, for naming an open period in dates."""
    db = store()
    options = _cached_options(str(db.path), db.data_version())
    return options["first_day"], options["last_day"]


def sample_banner() -> None:
    if is_sample(store()):
        st.info(
            "You are looking at **sample data**: a fictional program of 150 mentors. To see your own "
            "program, open **Upload** and drop your survey exports, session logs and roster there "
            "(or run `python -m analysis ingest FILE...`). The sample can be removed there in one click.",
            icon=":material/science:",
        )


def sidebar_filters() -> None:
    """Draw the shared filters once per run, in the frame; pages read them with current_filters().
    Each widget is bound to the URL, so a copied link reopens the same view."""
    db = store()
    options = _cached_options(str(db.path), db.data_version())
    with st.sidebar:
        st.header("Filters")
        first, last = options["first_day"], options["last_day"]
        if first and last:
            st.date_input(
                "Period",
                value=(first, last),
                min_value=first,
                max_value=last,
                key="period",
                bind="query-params",
            )
        st.multiselect(
            "Department",
            options["departments"],
            key="department",
            bind="query-params",
            placeholder="All departments",
        )
        st.multiselect(
            "Cohort",
            options["cohorts"],
            key="cohort",
            bind="query-params",
            placeholder="All cohorts",
        )
        st.multiselect(
            "Location",
            options["locations"],
            key="location",
            bind="query-params",
            placeholder="All locations",
        )
        st.radio(
            "Evidence from",
            list(SOURCE_LABELS),
            format_func=SOURCE_LABELS.get,
            key="source",
            bind="query-params",
        )
        st.caption(f"Groups of fewer than {DEFAULT_SETTINGS.anonymity_min} people are never shown.")


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


def with_roles(filters: Filters, roles: tuple[str, ...]) -> Filters:
    return replace(filters, roles=roles)


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
        st.dataframe(built.table, hide_index=True)
        st.caption(f"{filters.describe()}. n = {built.n:,} observations. {snapshots.footnote()}")
        slug = export.slugify(built.name)
        cols = st.columns(4)
        cols[0].download_button(
            "CSV",
            data=export.safe_csv(built.table),
            file_name=f"{slug}.csv",
            mime="text/csv",
            key=f"csv-{key}",
            on_click="ignore",
        )
        cols[1].download_button(
            "Interactive HTML",
            data=lambda: export.figure_html(built.figure, built.headline).encode("utf-8"),
            file_name=f"{slug}.html",
            mime="text/html",
            key=f"html-{key}",
            on_click="ignore",
        )
        if export.browser_available():
            cols[2].download_button(
                "PNG",
                data=lambda: export.figure_png(built.figure),
                file_name=f"{slug}.png",
                mime="image/png",
                key=f"png-{key}",
                on_click="ignore",
            )
            cols[3].download_button(
                "SVG",
                data=lambda: export.figure_svg(built.figure),
                file_name=f"{slug}.svg",
                mime="image/svg+xml",
                key=f"svg-{key}",
                on_click="ignore",
            )
        else:
            cols[2].caption("PNG and SVG need Chromium on the server (scripts/install-browser.sh).")


def evidence_table(snippets: pd.DataFrame) -> None:
    """Notes and comments as plain text cells (never HTML or markdown)."""
    if snippets.empty:
        st.write("No notes or comments match.")
        return
    shown = snippets.assign(
        source=snippets["source"].map(
            {
                "survey_item": "survey answer",
                "survey_comment": "survey comment",
                "session_note": "session note",
            }
        )
    )[["observed_on", "source", "evidence"]]
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "observed_on": st.column_config.DateColumn("Date", format="D MMM YYYY"),
            "source": "From",
            "evidence": st.column_config.TextColumn("What was written", width="large"),
        },
    )
