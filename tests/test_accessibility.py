"""WCAG 2 A/AA in the browser: axe-core (installed by scripts/install-axe.sh) runs on every page of
the real dashboard in headless Debian Chromium, with every expander and tab opened, and fails on
what the project controls: its theme (.streamlit/config.toml), its pages and its charts. Chart
text is SVG, which axe cannot judge, so it is measured here against the pixels drawn behind it."""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import test_browser, test_browser_sign_in
from tests.conftest import ROOT, copy_database
from tests.test_browser import CHROMIUM, _open, _server
from tests.test_browser_sign_in import _sign_in, _signed_in_dashboard

# The browser tests' own fixtures: one Chromium, one local identity provider.
browser = test_browser.browser
identity_provider = test_browser_sign_in.identity_provider

AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Streamlit's own markup that no theme option or page code reaches: (rules, selector, reason).
# A violation of one of these rules inside the selector is printed as excused; nothing else is.
OUTSIDE_OUR_REACH = [
    (
        ["list", "listitem"],
        "[data-testid='stSidebarNavItems']",
        "Streamlit's page menu puts each section heading (a div) straight inside the <ul> of "
        "its links; st.navigation has no option for the markup.",
    ),
    (
        ["target-size"],
        "[data-testid='stDateInput']",
        "Streamlit's date field draws day, month and year as separate spin buttons under 24px "
        "wide (WCAG 2.2's target size); the field's calendar, a full-size target, sets the same "
        "dates, and no option sizes them.",
    ),
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian chromium is not installed (scripts/install-browser.sh)",
    ),
]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE.relative_to(ROOT)} (scripts/install-axe.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing install step must not pass as a skip
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dashboard(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on a copy of the bundled sample."""
    with _server(
        copy_database(sample_db, tmp_path_factory.mktemp("a11y") / "sample.duckdb")
    ) as base:
        yield base


def _settled(page) -> None:
    """Wait until the script run has finished, every chart is drawn and nothing is fading in."""
    from playwright.sync_api import expect

    app = page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")
    expect(app).to_have_count(1, timeout=120_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    # Lazily loaded elements (charts among them) stand as skeletons until their code arrives.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=60_000)
    for chart in page.get_by_test_id("stPlotlyChart").all():
        expect(chart.locator(".main-svg").first).to_be_attached(timeout=60_000)
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=60_000)


def _open_expanders(page) -> None:
    """Open every closed expander, so what a reader finds inside is audited too."""
    closed = page.locator("[data-testid='stExpander'] details:not([open]) > summary")
    for _ in range(closed.count()):
        closed.first.click()
    _settled(page)


_AXE_RUN = """
async ([tags, outside]) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return results.violations.flatMap((rule) => rule.nodes.map((node) => {
    const element = document.querySelector(node.target[0]);
    const reach = outside.findIndex(([rules, selector]) =>
      rules.includes(rule.id) && element && element.closest(selector));
    const data = (node.any[0] || node.all[0] || node.none[0] || {}).data || {};
    const contrast = data.contrastRatio
      ? `${data.fgColor} on ${data.bgColor}: ${data.contrastRatio}:1 (needs ${data.expectedContrastRatio})`
      : '';
    return {
      rule: rule.id,
      where: node.target.join(' ').replace(/\\.st-emotion-cache-\\w+/g, ''),
      text: element ? (element.textContent || '').trim().slice(0, 70) : '',
      contrast,
      excused: reach >= 0 ? reach : null,
    };
  }));
}
"""

# Each drawn chart text with its fill, opacity, size and box within the chart (hover labels aside).
_CHART_TEXTS = """
(chart) => {
  const box = chart.getBoundingClientRect();
  return Array.from(chart.querySelectorAll('svg text, svg tspan'))
    .filter((t) => !t.querySelector('tspan') && t.textContent.trim() && !t.closest('.hoverlayer'))
    .map((t) => {
      const r = t.getBoundingClientRect();
      const s = getComputedStyle(t);
      return {
        text: t.textContent.trim().slice(0, 70), fill: s.fill,
        opacity: Number(s.fillOpacity) * Number(s.opacity),
        px: parseFloat(s.fontSize), bold: Number(s.fontWeight) >= 700,
        x: r.left - box.left, y: r.top - box.top, w: r.width, h: r.height,
      };
    })
    .filter((t) => t.w > 0 && t.h > 0);
}
"""


# Each switched-off toggle's track and the background it sits on (axe does not judge non-text
# contrast; pages/theme.py colours the track, and this notices if Streamlit's markup moves on).
_OFF_TOGGLES = """
() => Array.from(document.querySelectorAll("[data-testid='stCheckbox'] input[role='switch']"))
  .filter((input) => !input.checked)
  .map((input) => {
    const track = input.closest('label').querySelector(':scope > span + div');
    let under = input.closest('label');
    while (under && getComputedStyle(under).backgroundColor === 'rgba(0, 0, 0, 0)') {
      under = under.parentElement;
    }
    return {
      label: input.getAttribute('aria-label'),
      track: track ? getComputedStyle(track).backgroundColor : null,
      under: under ? getComputedStyle(under).backgroundColor : 'rgb(255, 255, 255)',
    };
  });
"""


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgba(css: str) -> tuple[tuple[int, ...], float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return tuple(int(v) for v in values[:3]), (values[3] if len(values) > 3 else 1.0)


def _chart_text_findings(page) -> list[dict]:
    """Chart text under 4.5:1 (3:1 when large) against the colour drawn most behind it."""
    from PIL import Image

    found = []
    for chart in page.get_by_test_id("stPlotlyChart").all():
        chart.scroll_into_view_if_needed()
        texts = chart.evaluate(_CHART_TEXTS)
        drawn = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
        for t in texts:
            box = (int(t["x"]), int(t["y"]), int(t["x"] + t["w"]) + 1, int(t["y"] + t["h"]) + 1)
            behind = Counter(drawn.crop(box).get_flattened_data()).most_common(1)[0][0]
            fill, _ = _rgba(t["fill"])
            seen = tuple(
                round(t["opacity"] * f + (1 - t["opacity"]) * b)
                for f, b in zip(fill, behind, strict=True)
            )
            large = t["px"] >= 24 or (t["bold"] and t["px"] >= 18.66)
            ratio, needed = _contrast(seen, behind), 3.0 if large else 4.5
            if ratio < needed:
                found.append(
                    {
                        "rule": "chart-text-contrast",
                        "where": "a Plotly chart",
                        "text": t["text"],
                        "contrast": f"rgb{seen} on rgb{behind}: {ratio:.2f}:1 (needs {needed}:1)",
                        "excused": None,
                    }
                )
    return found


def _off_toggle_findings(page) -> list[dict]:
    """A switched-off toggle's track under 3:1 against what it sits on (WCAG 1.4.11)."""
    found = []
    for toggle in page.evaluate(_OFF_TOGGLES):
        under, _ = _rgba(toggle["under"])
        ratio = 0.0
        if toggle["track"] is not None:
            track, alpha = _rgba(toggle["track"])
            seen = tuple(
                round(alpha * t + (1 - alpha) * u) for t, u in zip(track, under, strict=True)
            )
            ratio = _contrast(seen, under)
        if ratio < 3:
            found.append(
                {
                    "rule": "toggle-off-contrast",
                    "where": "a switched-off toggle",
                    "text": toggle["label"],
                    "contrast": f"track {toggle['track']} on rgb{under}: {ratio:.2f}:1 (needs 3:1)",
                    "excused": None,
                }
            )
    return found


def _described(f: dict) -> str:
    return f"{f['rule']} {f['contrast']} at {f['where']} {f['text']!r}"


def _audit(page, axe_source: str, where: str) -> list[str]:
    """axe, the chart text check and the toggle check, on the page as it stands and on each of
    its other tabs. Prints what was found, failing or excused, and returns what fails."""
    page.add_script_tag(content=axe_source)
    rules = [[rules, selector] for rules, selector, _ in OUTSIDE_OUR_REACH]

    def checks() -> list[dict]:
        axe = page.evaluate(_AXE_RUN, [WCAG_A_AA, rules])
        return axe + _chart_text_findings(page) + _off_toggle_findings(page)

    found = checks()
    tabs = page.locator("[data-baseweb='tab']")
    for i in range(tabs.count()):
        if tabs.nth(i).get_attribute("aria-selected") == "false":
            tabs.nth(i).click()
            _settled(page)
            found += checks()
    unique = list({(f["rule"], f["where"], f["text"]): f for f in found}.values())
    failing = [f"{where}: {_described(f)}" for f in unique if f["excused"] is None]
    for line in failing:
        print(f"FAILS {line}")
    for i, (_, selector, reason) in enumerate(OUTSIDE_OUR_REACH):
        excused = Counter(f["rule"] for f in unique if f["excused"] == i)
        if excused:
            counts = ", ".join(f"{n} {rule}" for rule, n in sorted(excused.items()))
            print(f"{where}: excused {counts} in {selector}: {reason}")
    if not unique:
        print(f"{where}: nothing found")
    return failing


@pytest.mark.parametrize(
    "path, heading",
    [
        ("", "Mentoring program health"),
        ("elements", "The four elements"),
        ("trends", "Trends"),
        ("segments", "Segments"),
        ("health", "Program health"),
        ("brief", "Leadership brief"),
        ("mentors", "Mentors"),
        ("upload", "Upload"),
        ("methodology", "Methodology"),
    ],
)
def test_every_page_meets_wcag_aa_in_what_the_project_controls(
    dashboard: str, browser, axe_source: str, path: str, heading: str
):
    from playwright.sync_api import expect

    page = _open(browser, f"{dashboard}/{path}")
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=180_000)
    _settled(page)
    _open_expanders(page)
    failing = _audit(page, axe_source, path or "overview")
    page.close()
    assert not failing, "\n".join(failing)


def test_a_dropped_survey_export_with_its_mapping_and_report_meets_wcag_aa(
    dashboard: str, browser, axe_source: str
):
    """What an admin reads before loading: the detected format, the column mapping, the report."""
    from playwright.sync_api import expect

    page = _open(browser, f"{dashboard}/upload")
    expect(page.get_by_role("heading", name="Upload").first).to_be_visible(timeout=180_000)
    survey = ROOT / "tests" / "data" / "formats" / "google_forms.csv"
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(survey))
    expect(page.get_by_text("Detected format: Google Forms CSV")).to_be_visible(timeout=60_000)
    _settled(page)
    _open_expanders(page)
    failing = _audit(page, axe_source, "upload, a survey dropped")
    page.close()
    assert not failing, "\n".join(failing)


def test_the_sign_in_and_not_authorised_pages_meet_wcag_aa(
    browser, axe_source: str, identity_provider: str, tmp_path: Path
):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    # The provider's own page asks for a stylesheet from the internet: refused, not fetched.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    with _signed_in_dashboard(tmp_path, identity_provider) as (base, _):
        page.goto(base)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=120_000)
        _settled(page)
        failing = _audit(page, axe_source, "sign-in")
        _sign_in(page, base, identity_provider, "kim@elsewhere.net")
        expect(page.get_by_role("heading", name="Not authorised")).to_be_visible(timeout=120_000)
        _settled(page)
        failing += _audit(page, axe_source, "not authorised")
    context.close()
    assert not failing, "\n".join(failing)


def test_the_audit_catches_streamlits_default_caption_grey_and_segment_red(
    browser, axe_source: str, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The test can fail: with Streamlit's default text and primary colours (set in the
    environment, which wins over config.toml), captions are #828180 on white (3.88:1) and a
    selected segment #c53948 on its tint (4.47:1), and the audit reports both."""
    from playwright.sync_api import expect

    monkeypatch.setenv("STREAMLIT_THEME_TEXT_COLOR", "#2f2d2b")
    monkeypatch.setenv("STREAMLIT_THEME_PRIMARY_COLOR", "#c53948")
    with _server(copy_database(sample_db, tmp_path / "sample.duckdb")) as base:
        page = _open(browser, f"{base}/segments")
        expect(page.get_by_role("heading", name="Segments").first).to_be_visible(timeout=180_000)
        _settled(page)
        failing = _audit(page, axe_source, "segments, Streamlit's default colours")
        page.close()
    caption = re.compile(r"color-contrast #828180 on #ffffff: 3\.88:1 .*stCaptionContainer")
    segment = re.compile(r"color-contrast #c53948 on #f9ebed: 4\.47:1 .*segmented_control")
    assert any(caption.search(line) for line in failing), failing
    assert any(segment.search(line) for line in failing), failing
