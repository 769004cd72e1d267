"""Mentoring Program Health, the entry point (`streamlit run dashboard.py`): the frame every page
runs in. Page config, who is asking (sign-in and roles, which may end the run on the sign-in or
"not authorised" page), the menu of the pages their role opens, the shared sidebar filters, then
the chosen page. What the pages share (the store, cached reads, widgets) is in pages/common.py."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import streamlit as st

from analysis import access, periods, queries
from analysis.access import ADMIN, VIEWER, Actor
from analysis.model import DEFAULT_SETTINGS
from pages import common, theme

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

# The sidebar's "Evidence from" choices. A copied link holds these words, so renaming one makes
# older links fall back to the default.
EVIDENCE_CHOICES = {
    "both": "Surveys and sessions",
    "surveys": "Surveys only",
    "sessions": "Sessions only",
}


def _admitted_actor() -> Actor:
    """Who is asking, or the end of this run on a page saying why they cannot come in."""
    auth = common.auth_section()
    if access.sign_in_configured(auth):
        if not st.user.is_logged_in:
            _only_page("Sign in", lambda: _sign_in(access.sign_in_providers(auth)))
        try:
            actor = access.signed_in_actor(st.user, access.load_roles())
        except access.RolesFileError as exc:
            refused, reason = Actor(str(st.user.get("email") or ""), None), str(exc)
            _only_page(
                "Not authorised",
                lambda: common.not_authorised(common.plain_markdown(reason), refused),
            )
        if actor.role is None:
            _only_page("Not authorised", lambda: common.not_authorised(_no_role(actor), actor))
        return actor
    found = access.unsigned_actor(_serving_mode(), _client_ip())
    if found is None:
        _only_page(
            "Not authorised",
            lambda: common.not_authorised(
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
        return common.plain_markdown(
            "Nobody has a role yet: the dashboard's roles file does not exist. Its administrator "
            "creates it from .streamlit/roles.example.toml (README, 'Sign-in')."
        )
    return (
        f"You are signed in as {_email_markdown(actor.email)}, and this address has no role on "
        "this dashboard."
    )


def _email_markdown(email: str) -> str:
    """An address shown as itself, as code (not turned into a mail link)."""
    return "`" + email.replace("`", "'") + "`"


def _who_and_where(actor: Actor) -> None:
    """Say who is signed in, or that this server serves this computer only; when it listens
    beyond this computer without sign-in, a warning on every page."""
    if access.sign_in_configured(common.auth_section()):
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


def _sidebar_filters() -> None:
    """The shared filters, drawn once per run; pages read them with common.current_filters().
    Each widget is bound to the URL, so a copied link reopens the same view."""
    options = common.read(queries.filter_options)
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
        common.copy_link(key="copy-link")
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


st.set_page_config(
    page_title="Mentoring Program Health", page_icon=":material/diversity_3:", layout="wide"
)
theme.apply()
actor = _admitted_actor()
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
# One open connection serves every query of this run (each takes a cursor); the file is released
# when no run of this process needs it, so the command line can load meanwhile.
with common.store().session():
    _sidebar_filters()
    common.run_page(navigation, actor)
