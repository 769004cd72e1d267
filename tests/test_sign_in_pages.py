"""Sign-in and roles on every page, through Streamlit's AppTest: the identity a real sign-in
would give (AppTest.user) and the secrets that switch sign-in on (AppTest.secrets) go through
the app's own gate, its roles file and its write checks. The real OIDC flow is in
tests/test_browser_sign_in.py."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from analysis import audit
from analysis.store import Store
from tests.conftest import ROOT

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "mentoring-dashboard",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = '[roles]\n"dana.lee@example.com" = "admin"\n"example.com" = "viewer"\n'
DANA, LEE, KIM = "Dana.Lee@example.com", "lee@example.com", "kim@elsewhere.net"
JULY = (
    "Session ID,Meeting Date,Mentor Name,Mentee Name,Duration (min),Meeting Type,Notes\n"
    "J-1,2026-07-01,Ana Moreno,Mentee One,30,Video,Left the client call entirely to her.\n"
)


@pytest.fixture
def roles_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("MENTORING_ROLES", str(path))
    return path


def menu_opening_admin_pages_to_viewers(tmp_path: Path) -> Path:
    """A copy of dashboard.py whose menu, by mistake, lists the admin pages for viewers too (beside
    the real pages, so it runs them)."""
    source = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    assert source.count(", ADMIN),") == 2, "the menu's admin pages are no longer where expected"
    app = tmp_path / "mistaken-menu"
    app.mkdir()
    (app / "pages").symlink_to(ROOT / "pages")
    (app / "dashboard.py").write_text(source.replace(", ADMIN),", ", VIEWER),"), encoding="utf-8")
    return app / "dashboard.py"


@pytest.fixture
def open_as(small_db: Path, roles_file: Path, monkeypatch: pytest.MonkeyPatch):
    """Open the dashboard with sign-in configured, as `email` (None: not signed in); `app`
    opens another copy of it."""
    monkeypatch.setenv("MENTORING_DB", str(small_db))
    st.cache_data.clear()
    st.cache_resource.clear()

    def run(
        email: str | None, page: str | None = None, app: Path = ROOT / "dashboard.py", **claims
    ) -> AppTest:
        at = AppTest.from_file(str(app), default_timeout=90)
        at.secrets["auth"] = AUTH
        at.user = (
            {"is_logged_in": True, "email": email, **claims} if email else {"is_logged_in": False}
        )
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return run


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _said(at: AppTest) -> str:
    """What the page says, as read (markdown escapes removed)."""
    parts = [m.value for m in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error)]
    parts += [m.value for m in at.sidebar.caption]
    return re.sub(r"\\(.)|`", r"\1", "\n".join(str(p) for p in parts))


def _lines(db: Path) -> list[tuple[str, str, str]]:
    trail = audit.trail(Store(db))
    return [(r.actor_email, r.actor_role, r.action) for r in trail.iloc[::-1].itertuples()]


def test_someone_not_signed_in_sees_only_the_sign_in_page(open_as):
    at = open_as(None)
    assert _titles(at) == ["Mentoring Program Health"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not at.sidebar.multiselect  # not even the filters' department names


def test_someone_signed_in_without_a_role_is_refused_and_can_sign_out(open_as):
    at = open_as(KIM)
    assert _titles(at) == ["Not authorised"]
    assert "has no role on this dashboard" in _said(at)
    assert "You are signed in as kim@elsewhere.net, and this address has no role" in _said(at)
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.metric and not at.dataframe and not at.sidebar.multiselect


def test_an_address_the_provider_has_not_verified_is_refused(open_as):
    at = open_as(DANA, email_verified=False)
    assert _titles(at) == ["Not authorised"]
    assert not at.metric


def test_a_roles_file_with_a_mistake_lets_nobody_in_and_says_why(open_as, roles_file: Path):
    roles_file.write_text('[roles]\n"dana.lee@example.com" = "owner"\n', encoding="utf-8")
    at = open_as(DANA)
    assert _titles(at) == ["Not authorised"]
    assert "has the role 'owner'" in _said(at)
    assert not at.metric


def test_without_a_roles_file_nobody_gets_in_and_the_page_says_what_is_missing(
    open_as, roles_file: Path
):
    roles_file.unlink()
    at = open_as(DANA)
    assert _titles(at) == ["Not authorised"]
    assert "the dashboard's roles file does not exist" in _said(at)
    assert not at.metric


def test_a_viewer_sees_the_figures_but_not_the_evidence_text(open_as):
    at = open_as(LEE)
    assert {m.label: m.value for m in at.metric}["Mentors"] == "6"
    assert at.get("plotly_chart")
    assert not [df for df in at.dataframe if "evidence" in df.value.columns]
    assert "shown to the dashboard's admins only" in _said(at)
    assert "Signed in as lee@example.com (viewer)." in _said(at)
    assert "Sign out" in [b.label for b in at.sidebar.button]


def test_an_admin_sees_the_evidence_text_on_the_overview(open_as):
    at = open_as(DANA)
    assert [df for df in at.dataframe if "evidence" in df.value.columns]
    assert "Signed in as Dana.Lee@example.com (admin)." in _said(at)


@pytest.mark.parametrize("page", ["upload", "mentors"])
def test_a_viewers_menu_has_no_admin_pages(open_as, page):
    at = open_as(LEE)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"pages/{page}.py")
    assert open_as(DANA, page)  # while an admin opens them


@pytest.mark.parametrize("page, refusal", [("upload", "The Upload page"), ("mentors", "Mentors")])
def test_an_admin_page_refuses_a_viewer_even_when_the_menu_lets_them_in(
    open_as, tmp_path: Path, page, refusal
):
    """The menu is not relied on: with a mistake that lists the page for viewers, the page
    itself still refuses."""
    at = open_as(LEE, page, app=menu_opening_admin_pages_to_viewers(tmp_path))
    assert _titles(at) == ["Not authorised"]
    assert f"{refusal}" in _said(at) and "for the dashboard's admins" in _said(at)
    assert not at.get("file_uploader")
    assert not [s for s in at.selectbox if s.key in {"mentor", "remove-batch"}]


def test_a_viewer_gets_no_mentor_names_no_event_form_and_no_rescore(open_as, small_db: Path):
    assert not [t for t in open_as(LEE, "health").toggle if t.key == "health-names"]
    assert not [t for t in open_as(LEE, "elements").toggle if t.key == "elements-names"]
    assert not [c for c in open_as(LEE, "brief").checkbox if c.key == "brief-names"]
    assert not open_as(LEE, "trends").get("form")
    with Store(small_db).write() as con:
        con.execute("UPDATE meta SET value = 'an-older-rubric' WHERE key = 'rubric_hash'")
    methodology = open_as(LEE, "methodology")
    assert not [b for b in methodology.button if b.key == "rescore"]
    segments = open_as(LEE, "segments")
    segments.get("button_group")[0].set_value("cohort").run()
    assert not [df for df in segments.dataframe if "evidence" in df.value.columns]
    # The same pages offer all of it to an admin.
    assert [t for t in open_as(DANA, "health").toggle if t.key == "health-names"]
    assert [b for b in open_as(DANA, "methodology").button if b.key == "rescore"]
    assert open_as(DANA, "trends").get("form")


def test_an_admins_load_and_undo_on_the_upload_page_are_recorded_under_their_email(
    open_as, small_db: Path
):
    at = open_as(DANA, "upload")
    trail = next(df.value for df in at.dataframe if "actor_email" in df.value.columns)
    assert list(trail["actor_email"]) == ["local user"] * 3  # the fixture's three loads
    at.file_uploader(key="uploads").upload("july.csv", JULY.encode(), "text/csv").run()
    next(b for b in at.button if b.label == "Load this file").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "1 of 1 rows loaded" in " ".join(s.value for s in at.success)
    assert _lines(small_db)[-1] == ("Dana.Lee@example.com", "admin", "load")

    fresh = open_as(DANA, "upload")
    assert fresh.selectbox(key="remove-batch").value == 4  # it opens on the latest load
    fresh.checkbox(key="remove-confirm").check().run()
    fresh.button(key="remove-go").click().run()
    assert not fresh.exception, [e.message for e in fresh.exception]
    assert _lines(small_db)[-1] == ("Dana.Lee@example.com", "admin", "undo")
    shown = next(df.value for df in fresh.dataframe if "actor_email" in df.value.columns)
    assert shown["action"].iloc[0] == "undo"  # newest first


def test_a_remove_press_replayed_in_a_viewers_session_changes_nothing(open_as, small_db: Path):
    """An admin's Upload page with the undo armed; the same session then runs as a viewer (as a
    replayed button press from a viewer's session would) and presses Remove."""
    at = open_as(DANA, "upload")
    at.checkbox(key="remove-confirm").check().run()
    batches = Store(small_db).scalar("SELECT count(*) FROM ingest_batches")
    lines = _lines(small_db)
    at.user = {"is_logged_in": True, "email": LEE}
    at.button(key="remove-go").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert Store(small_db).scalar("SELECT count(*) FROM ingest_batches") == batches
    assert _lines(small_db) == lines
    assert not at.get("file_uploader")  # and the viewer is shown the Overview, not Upload


def test_an_admin_demoted_in_the_roles_file_loses_the_undo_on_the_next_click(
    open_as, roles_file: Path, small_db: Path
):
    at = open_as(DANA, "upload")
    at.checkbox(key="remove-confirm").check().run()
    roles_file.write_text('[roles]\n"example.com" = "viewer"\n', encoding="utf-8")
    stamp = roles_file.stat().st_mtime_ns + 1_000_000_000
    os.utime(roles_file, ns=(stamp, stamp))
    batches = Store(small_db).scalar("SELECT count(*) FROM ingest_batches")
    at.button(key="remove-go").click().run()
    assert Store(small_db).scalar("SELECT count(*) FROM ingest_batches") == batches
    assert "Signed in as Dana.Lee@example.com (viewer)." in _said(at)


# -- Without sign-in ------------------------------------------------------------------------------


@pytest.fixture
def local(small_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MENTORING_DB", str(small_db))
    monkeypatch.delenv("MENTORING_ALLOW_REMOTE", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()

    def run(page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return run


@pytest.fixture
def listening_on(monkeypatch: pytest.MonkeyPatch):
    """Set the address the server (as far as the app can tell) is bound to."""
    before = streamlit_config.get_option("server.address")

    def bind(address: str | None) -> None:
        streamlit_config.set_option("server.address", address)

    yield bind
    streamlit_config.set_option("server.address", before)


def test_without_sign_in_the_local_user_is_admin_and_told_only_this_computer_is_served(local):
    assert streamlit_config.get_option("server.address") == "127.0.0.1"  # .streamlit/config.toml
    at = local("upload")
    assert at.get("file_uploader")  # the local user is admin
    said = _said(at)
    assert "Serving this computer only (127.0.0.1:" in said
    assert not at.warning


@pytest.mark.parametrize("page", [None, "methodology", "upload"])
def test_listening_beyond_this_computer_by_the_flag_warns_on_every_page(
    local, listening_on, monkeypatch, page
):
    listening_on("0.0.0.0")
    monkeypatch.setenv("MENTORING_ALLOW_REMOTE", "1")
    warning = local(page).warning[0].value
    assert warning.startswith("**Open to the network without sign-in.**")
    assert "0.0.0.0" in warning and "--allow-remote" in warning


def test_listening_beyond_this_computer_without_the_flag_refuses_other_computers(
    local, listening_on
):
    listening_on(None)  # `streamlit run` with no address listens on every interface
    warning = local().warning[0].value
    assert "every network interface" in warning
    assert "visitors from other computers are refused" in warning
