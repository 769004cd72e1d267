"""The real sign-in, in headless Debian Chromium: a local OpenID Connect provider
(oidc-provider-mock) started here, the dashboard started with a secrets.toml pointing at it (in
a temporary folder, never the repository), and Streamlit's own st.login flow through Authlib.
An admin, a viewer and someone without a role each sign in by typing their address into the
provider's form, as they would into Microsoft's, Google's or Okta's."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis import audit
from analysis.store import Store
from tests.conftest import ROOT, build_small

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ROLES = '[roles]\n"dana.lee@example.com" = "admin"\n"example.com" = "viewer"\n'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian chromium is not installed (scripts/install-browser.sh)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[str]:
    """oidc-provider-mock on a free loopback port: any client id and secret are accepted, and
    whoever types an address into its form signs in with that address as their email."""
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=30)


@contextmanager
def _signed_in_dashboard(folder: Path, identity_provider: str) -> Iterator[tuple[str, Path]]:
    """`streamlit run dashboard.py` with sign-in configured in a secrets.toml of its own, the
    roles file above, and a fresh copy of the hand-checkable program. Yields (URL, database)."""
    port = _free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-the-browser-tests-only"\n'
        'client_id = "mentoring-dashboard"\n'
        'client_secret = "a-client-secret-for-the-browser-tests-only"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    roles = folder / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    db = folder / "program.duckdb"
    build_small(db)
    env = dict(os.environ, MENTORING_DB=str(db), MENTORING_ROLES=str(roles))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--secrets.files",
            str(secrets),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seen = []
        for line in server.stdout:
            seen.append(line)
            if "URL:" in line:
                break
        else:
            pytest.fail("the dashboard did not start:\n" + "".join(seen))
        # Keep reading its output (so a chatty server never blocks on a full pipe), to show it
        # when a test fails.
        threading.Thread(target=lambda: seen.extend(server.stdout), daemon=True).start()
        try:
            yield f"http://127.0.0.1:{port}", db
        except BaseException:
            print("The dashboard said:\n" + "".join(seen))
            raise
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def dashboard(tmp_path: Path, identity_provider: str) -> Iterator[tuple[str, Path]]:
    with _signed_in_dashboard(tmp_path, identity_provider) as started:
        yield started


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser (no cookies) that reaches this computer only: the provider's page asks for
    a stylesheet from the internet, which is refused rather than fetched."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    yield context.new_page()
    context.close()


def _sign_in(page, base: str, identity_provider: str, email: str) -> None:
    """Open the dashboard, press Sign in, and sign in as `email` at the identity provider."""
    from playwright.sync_api import expect

    page.goto(base)
    sign_in = page.get_by_role("button", name="Sign in")
    expect(sign_in).to_be_visible(timeout=120_000)
    sign_in.click()
    page.wait_for_url(re.compile(re.escape(identity_provider) + r"/oauth2/authorize"))
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(re.compile(re.escape(base) + r"/?$"), timeout=60_000)


def _trail(db: Path) -> list[tuple[str, str, str]]:
    rows = audit.trail(Store(db))
    return [(r.actor_email, r.actor_role, r.action) for r in rows.iloc[::-1].itertuples()]


def _download_overview_csv(page, tmp_path: Path) -> Path:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
    page.get_by_text("Numbers behind this chart, and downloads").first.click()
    button = page.get_by_test_id("stDownloadButton").get_by_role("button", name="CSV", exact=True)
    button = button.first
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        button.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def test_an_admin_signs_in_undoes_a_load_and_both_are_in_the_audit_trail(
    dashboard, identity_provider: str, page, tmp_path: Path
):
    from playwright.sync_api import expect

    base, db = dashboard
    _sign_in(page, base, identity_provider, "dana.lee@example.com")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Signed in as dana.lee@example.com (admin).")).to_be_visible(
        timeout=120_000
    )
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=120_000)
    expect(page.get_by_role("heading", name="See the evidence behind a figure")).to_be_visible()

    csv = _download_overview_csv(page, tmp_path)
    assert csv.name == "element-overview.csv"
    assert "Trust & confidence" in csv.read_text(encoding="utf-8")
    assert _trail(db)[-1] == ("dana.lee@example.com", "admin", "export")

    sidebar.get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", name="Upload").first).to_be_visible(timeout=120_000)
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    undo = page.get_by_role("combobox", name="Undo a load")
    # it opens on the newest load
    expect(undo).to_have_value(re.compile(r"^Load 3 \(the latest\): mentee-feedback\.csv"))
    page.get_by_text("Yes, remove everything this load added").click()
    page.get_by_role("button", name="Remove", exact=True).click()
    expect(undo).to_have_value(re.compile(r"^Load 2 \(the latest\): sessions\.csv"), timeout=60_000)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Removed load 3")
    assert Store(db).scalar("SELECT count(*) FROM ingest_batches") == 2
    assert _trail(db)[-1] == ("dana.lee@example.com", "admin", "undo")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_role("heading", name="Audit trail").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-trail.png"))


def test_a_viewer_signs_in_sees_figures_and_cannot_reach_upload_even_by_its_address(
    dashboard, identity_provider: str, page, tmp_path: Path
):
    from playwright.sync_api import expect

    base, db = dashboard
    # Signed out, the Upload page's address shows the sign-in page and nothing else.
    page.goto(f"{base}/upload")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sign-in.png"), full_page=True)

    _sign_in(page, base, identity_provider, "lee@example.com")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Signed in as lee@example.com (viewer).")).to_be_visible(
        timeout=120_000
    )
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=120_000)
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("shown to the dashboard's admins only")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Overview")).to_be_visible()
    expect(nav.get_by_role("link", name="Upload")).to_have_count(0)
    expect(nav.get_by_role("link", name="Mentors")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "viewer-overview.png"), full_page=True)

    _download_overview_csv(page, tmp_path)
    assert _trail(db)[-1] == ("lee@example.com", "viewer", "export")

    batches = Store(db).scalar("SELECT count(*) FROM ingest_batches")
    for typed in ("upload", "mentors"):
        page.goto(f"{base}/{typed}")
        expect(page.get_by_role("heading", name="Mentoring program health")).to_be_visible(
            timeout=120_000
        )
        expect(page.get_by_role("heading", name="Upload")).to_have_count(0)
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
        expect(page.get_by_role("button", name="Remove", exact=True)).to_have_count(0)
        expect(page.get_by_role("combobox", name="Mentor", exact=True)).to_have_count(0)
    assert Store(db).scalar("SELECT count(*) FROM ingest_batches") == batches
    assert [who for who, _, action in _trail(db) if action != "export"] == ["local user"] * 3


def test_someone_without_a_role_is_refused_and_can_sign_out(
    dashboard, identity_provider: str, page
):
    from playwright.sync_api import expect

    base, db = dashboard
    _sign_in(page, base, identity_provider, "kim@elsewhere.net")
    expect(page.get_by_role("heading", name="Not authorised")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("You are signed in as kim@elsewhere.net")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "not-authorised.png"), full_page=True)

    page.goto(f"{base}/upload")
    expect(page.get_by_role("heading", name="Not authorised")).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    # The provider asks to confirm the end of the session, then sends the browser back.
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=120_000)
    assert [who for who, _, _ in _trail(db)] == ["local user"] * 3  # refused, nothing done
