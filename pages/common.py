"""The only non-page Streamlit module: who is asking (sign-in, roles) and the pages they may
open, the store, cached views keyed on small values plus the data version, the shared sidebar
filters (kept in the URL), and the share/download widgets (every download is audited)."""

from __future__ import annotations

import html
import os
import re
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from analysis import access, audit, export, periods, queries, readiness, snapshots
from analysis.access import ADMIN, VIEWER, Actor
from analysis.bootstrap import build_sample_database, is_sample
from analysis.errors import MentoringError
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, EVIDENCE_LABELS, SOURCE_LABELS
from analysis.queries import Filters
from analysis.store import Store, resolve_db_path
from pages import theme

EVIDENCE_CHOICES = {
    "both": "Surveys and sessions",
    "surveys": "Surveys only",
    "sessions": "Sessions only",
}


P = ParamSpec("P")
R = TypeVar("R")

_frame = threading.local()

# Each page with the role it needs. Viewers see aggregates and exports; mentor names and the
# evidence text behind the figures are for admins (each page checks again; see require_role).
PAGES = {
    "Program": [
        ("pages/overview.py", "Overview", ":material/dashboard:", VIEWER),
        ("pages/elements.py", "Elements", ":material/stacked_bar_chart:", VIEWER),
        ("pages/trends.py", "Trends", ":material/trending_up:", VIEWER),
        ("pages/segments.py", "Segments", ":material/grid_view:", VIEWER),
        ("pages/health.py", "Program health", ":material/monitor_heart:", VIEWER),
        ("pages/brief.py", "Leadership brief", ":material/slideshow:", VIEWER),
    ],
    "Admin": [
        ("pages/mentors.py", "Mentors", ":material/person_search:", ADMIN),
        ("pages/upload.py", "Upload", ":material/upload_file:", ADMIN),
    ],
    "About": [("pages/methodology.py", "Methodology", ":material/menu_book:", VIEWER)],
}


def run_app() -> None:
    """The frame every page runs in: page config, who is asking (sign-in and roles, which may end
    the run on the sign-in or "not authorised" page), the menu of the pages their role opens,
    shared filters, then the chosen page."""
    st.set_page_config(
        page_title="Mentoring Program Health", page_icon=":material/diversity_3:", layout="wide"
    )
    theme.apply()
    actor = _admitted_actor()
    _frame.actor = actor
    navigation = st.navigation(
        {
            section: allowed
            for section, entries in PAGES.items()
            if (
                allowed := [
                    st.Page(path, title=title, icon=icon, default=path.endswith("overview.py"))
                    for path, title, icon, role in entries
                    if access.allows(actor, role)
                ]
            )
        }
    )
    _who_and_where(actor)
    # One open connection serves every query of this run (each takes a cursor); the file is
    # released when no run of this process needs it, so the command line can load meanwhile.
    with store().session():
        sidebar_filters()
        _frame.active = True
        try:
            navigation.run()
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
        _not_authorised(
            _plain_markdown(
                f"{what} is for the dashboard's {role}s, and you are signed in as a "
                f"{actor.role or 'person without a role'}."
            ),
            actor,
        )
        st.stop()
    return actor


def _auth_section() -> Mapping[str, Any]:
    """The [auth] section of secrets.toml (empty when sign-in is not configured)."""
    if not st.secrets.load_if_toml_exists():
        return {}
    return st.secrets.get("auth") or {}


def _admitted_actor() -> Actor:
    """Who is asking, or the end of this run on a page saying why they cannot come in."""
    auth = _auth_section()
    if access.sign_in_configured(auth):
        if not st.user.is_logged_in:
            _only_page("Sign in", lambda: _sign_in(access.sign_in_providers(auth)))
        try:
            actor = access.signed_in_actor(st.user, access.load_roles())
        except access.RolesFileError as exc:
            refused, reason = Actor(str(st.user.get("email") or ""), None), str(exc)
            _only_page("Not authorised", lambda: _not_authorised(_plain_markdown(reason), refused))
        if actor.role is None:
            _only_page("Not authorised", lambda: _not_authorised(_no_role(actor), actor))
        return actor
    found = access.unsigned_actor(_serving_mode(), _client_ip())
    if found is None:
        _only_page(
            "Not authorised",
            lambda: _not_authorised(
                "No sign-in is configured for this dashboard, so it serves only the computer it "
                "runs on.",
                None,
            ),
        )
    return found


def _client_ip() -> str | None:
    """The visitor's address; None for this computer. (AppTest's stand-in runtime answers with
    a mock object, which is no address.)"""
    ip = st.context.ip_address
    return ip if isinstance(ip, str) else None


def _serving_mode() -> str:
    return access.serving_mode(
        sign_in=False,
        address=st.get_option("server.address"),
        allow_remote=access.allow_remote_flag(os.environ),
    )


def _only_page(title: str, render: Callable[[], None]) -> None:
    """Show one page and nothing else (no menu, no filters), at whichever page's address was
    asked for (so a link to /upload shows it too, rather than a "page not found" box)."""
    paths = [path for entries in PAGES.values() for path, *_ in entries]
    pages = [
        st.Page(render, title=title, url_path=Path(path).stem, default=path.endswith("overview.py"))
        for path in paths
    ]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _sign_in(providers: list[str | None]) -> None:
    st.title("Mentoring Program Health")
    st.write(
        "This dashboard holds what mentees said about their mentors, so it is open only to the "
        "people its administrator has named. Sign in with your work account to continue."
    )
    if not providers:
        st.error(
            "Sign-in is switched on in secrets.toml, but no identity provider is configured "
            "there (client_id, client_secret, server_metadata_url). See the README, 'Sign-in'.",
            icon=":material/error:",
        )
    for provider in providers:
        label = "Sign in" if provider is None else f"Sign in with {provider.capitalize()}"
        if st.button(label, type="primary", key=f"sign-in-{provider or 'default'}"):
            if provider is None:
                st.login()
            else:
                st.login(provider)


def _no_role(actor: Actor) -> str:
    if actor.email == "(no email address)":
        return "Your identity provider did not send an email address, so no role can be found."
    if not access.roles_path().exists():
        return _plain_markdown(
            "Nobody has a role yet: the dashboard's roles file does not exist. Its administrator "
            "creates it from .streamlit/roles.example.toml (README, 'Sign-in')."
        )
    return (
        f"You are signed in as {_email_markdown(actor.email)}, and this address has no role on "
        "this dashboard."
    )


def _not_authorised(reason_markdown: str, actor: Actor | None) -> None:
    st.title("Not authorised")
    st.markdown(reason_markdown)
    st.write(
        "The dashboard holds what mentees said about their mentors, so each person needs a role "
        "(admin or viewer). Ask the program's administrator to add your email address, or your "
        "organisation's domain, to the dashboard's roles file."
    )
    if actor is not None and access.sign_in_configured(_auth_section()):
        if st.button("Sign out", key="sign-out-refused"):
            st.logout()


def _plain_markdown(text: str) -> str:
    """Text shown as itself in markdown (a path's underscores are not emphasis)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~:])", r"\\\1", text)


def _email_markdown(email: str) -> str:
    """An address shown as itself, as code (not turned into a mail link)."""
    return "`" + email.replace("`", "'") + "`"


def _who_and_where(actor: Actor) -> None:
    """Say who is signed in, or that this server serves this computer only; when it listens
    beyond this computer without sign-in, a warning on every page."""
    if access.sign_in_configured(_auth_section()):
        st.sidebar.caption(f"Signed in as {_email_markdown(actor.email)} ({actor.role}).")
        if st.sidebar.button("Sign out", key="sign-out"):
            st.logout()
        return
    address = st.get_option("server.address") or "every network interface"
    port = st.get_option("server.port")
    mode = _serving_mode()
    if mode == access.LOCAL:
        st.sidebar.caption(
            f"Serving this computer only ({address}:{port}). No sign-in is configured, so you "
            "have full admin rights; to share the dashboard, configure sign-in (README, "
            "'Sign-in')."
        )
    elif mode == access.OPEN:
        st.warning(
            f"**Open to the network without sign-in.** This dashboard listens on {address}, port "
            f"{port}, and anyone who can reach it can read every mentor's scorecard and the "
            "evidence behind it, and can upload and undo loads. Configure sign-in (README, "
            "'Sign-in'), or restart without --allow-remote.",
            icon=":material/warning:",
        )
    else:
        st.warning(
            f"This server listens on {address}, beyond this computer, but no sign-in is "
            "configured: visitors from other computers are refused. Start it with "
            "./scripts/run.sh to listen on this computer only.",
            icon=":material/warning:",
        )


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


def sidebar_filters() -> None:
    """Draw the shared filters once per run, in the frame; pages read them with current_filters().
    Each widget is bound to the URL, so a copied link reopens the same view."""
    options = read(queries.filter_options)
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
            _period_presets(first, last)
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
            list(EVIDENCE_CHOICES),
            format_func=EVIDENCE_CHOICES.get,
            key="source",
            bind="query-params",
        )
        st.caption(f"Groups of fewer than {DEFAULT_SETTINGS.anonymity_min} people are never shown.")
        _copy_link(key="copy-link")
        st.caption("The link opens this page with these filters (and the chosen mentor).")


def _period_presets(first: date, last: date) -> None:
    """Quick periods under the period filter. A choice sets the period (which the URL keeps), and
    the highlighted choice always names the period in force, so a link shows it too."""
    named = periods.presets(first, last)
    period = tuple(st.session_state.get("period") or ())
    kept = st.session_state.get("period-preset")
    if kept not in named or periods.matching(period, {kept: named[kept]}) is None:
        st.session_state["period-preset"] = periods.matching(period, named)

    def apply() -> None:
        chosen = st.session_state.get("period-preset")
        if chosen in named:
            st.session_state["period"] = named[chosen]

    st.pills(
        "Quick periods",
        list(named),
        key="period-preset",
        on_change=apply,
        label_visibility="collapsed",
    )
    st.caption(f"Counted back from the latest data ({last:%d %b %Y}), not from today.")


# Copies the address bar (page, filters and chosen mentor are all in it). The clipboard API needs
# a secure origin (https or this computer); elsewhere the link is shown, selected, to copy by hand.
_copy_link = st.components.v2.component(
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
