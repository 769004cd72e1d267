"""The Upload page, driven through Streamlit's AppTest with real files: load, refuse, de-duplicate,
set rows aside, undo, and two people using the same database at once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis.store import Store
from tests.conftest import ROOT, SMALL, copy_database

NEW_SESSIONS = (
    "Session ID,Meeting Date,Mentor Name,Mentor Email,Mentee Name,Duration (min),Meeting Type,Notes\n"
    "N-1,2026-07-01,Ana Moreno,ana.moreno@example.org,Mentee One,30,Video,"
    '"Left the client call entirely to her, I only listened."\n'
    "N-2,2026-07-02,Ben Okafor,ben.okafor@example.org,Mentee Three,45,In person,\n"
    "N-3,not a date,Ben Okafor,ben.okafor@example.org,Mentee Three,45,In person,\n"
    "N-4,2026-07-03,,,Mentee Three,45,In person,\n"
)


def _session_count(db: Path) -> int:
    return int(Store(db).scalar("SELECT count(*) FROM sessions"))


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


@pytest.fixture
def upload_page(small_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MENTORING_DB", str(small_db))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_page() -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
        at.run()
        at.switch_page("pages/upload.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_page


def _text(at: AppTest) -> str:
    parts = [x.value for x in (*at.success, *at.info, *at.warning, *at.error)]
    parts += [x.value for x in (*at.markdown, *at.caption)]
    return "\n".join(str(p) for p in parts)


def test_a_new_session_log_loads_and_bad_rows_are_set_aside_with_reasons(upload_page, small_db):
    before = _session_count(small_db)
    at = upload_page()
    at.file_uploader(key="uploads").upload("july.csv", NEW_SESSIONS.encode(), "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    assert (
        at.radio(key=next(r.key for r in at.radio if r.key.endswith("-kind"))).value == "sessions"
    )
    load = next(b for b in at.button if b.label == "Load this file")
    load.click().run()
    assert not at.exception, [e.message for e in at.exception]
    said = " ".join(s.value for s in at.success)
    # 4 rows read: N-1 and N-2 load; N-3 (no date) and N-4 (no mentor) are set aside.
    assert "2 of 4 rows loaded" in said, _text(at)
    assert "2 set aside" in said
    assert _session_count(small_db) == before + 2
    aside = next(df.value for df in at.dataframe if "reason" in df.value.columns)
    assert len(aside) == 2
    reasons = " ".join(aside["reason"].astype(str)).lower()
    assert "date" in reasons and "mentor" in reasons


def test_the_same_export_uploaded_again_adds_nothing_and_says_so(upload_page, small_db):
    content = (SMALL / "sessions.csv").read_bytes()
    before = _session_count(small_db)
    at = upload_page()
    at.file_uploader(key="uploads").upload("sessions.csv", content, "text/csv").run()
    next(b for b in at.button if b.label == "Load this file").click().run()
    assert not at.exception, [e.message for e in at.exception]
    said = " ".join(i.value for i in at.info)
    assert "already loaded" in said and "nothing was added" in said
    assert _session_count(small_db) == before


def test_an_image_renamed_csv_is_refused_in_plain_words_and_nothing_changes(upload_page, small_db):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    digest = _digest(small_db)
    at = upload_page()
    at.file_uploader(key="uploads").upload("chart.csv", png, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    message = " ".join(e.value for e in at.error)
    assert "chart.csv" in message or "image" in message.lower() or "not a" in message.lower()
    assert "Nothing was loaded from this file." in [c.value for c in at.caption]
    assert not [b for b in at.button if b.label == "Load this file"]
    assert _digest(small_db) == digest


def test_undo_opens_on_the_latest_load_and_says_what_it_removed(upload_page, small_db):
    at = upload_page()
    at.file_uploader(key="uploads").upload("july.csv", NEW_SESSIONS.encode(), "text/csv").run()
    next(b for b in at.button if b.label == "Load this file").click().run()
    after_load = _session_count(small_db)
    latest = int(Store(small_db).scalar("SELECT max(batch_id) FROM ingest_batches"))
    fresh = upload_page()
    undo = fresh.selectbox(key="remove-batch")
    # the newest load is chosen without touching anything, and named as the latest
    assert undo.value == latest
    assert undo.options[0].startswith(f"Load {latest} (the latest): july.csv, ")
    assert not any("latest" in option for option in undo.options[1:])
    assert fresh.button(key="remove-go").disabled  # not before the confirmation
    fresh.checkbox(key="remove-confirm").check().run()
    fresh.button(key="remove-go").click().run()
    assert not fresh.exception, [e.message for e in fresh.exception]
    assert _session_count(small_db) == after_load - 2
    said = [s.value for s in fresh.success]
    assert len(said) == 1 and said[0].startswith(f"Removed load {latest}, july.csv (session log, ")
    assert said[0].endswith(" UTC): 2 sessions and 2 rows set aside.")
    # the next undo needs its own confirmation, and opens on what is now the latest load
    assert not fresh.checkbox(key="remove-confirm").value
    assert fresh.selectbox(key="remove-batch").value == latest - 1
    fresh.run()
    assert not fresh.success  # said once, not on every later run


def test_an_upload_in_one_session_does_not_break_anothers_view(upload_page, small_db):
    reader = upload_page()
    reader.switch_page("pages/overview.py").run()
    before = {m.label: m.value for m in reader.metric}
    writer = upload_page()
    writer.file_uploader(key="uploads").upload("july.csv", NEW_SESSIONS.encode(), "text/csv").run()
    next(b for b in writer.button if b.label == "Load this file").click().run()
    reader.run()
    assert not reader.exception, [e.message for e in reader.exception]
    after = {m.label: m.value for m in reader.metric}
    assert set(after) == set(before)
    # The reader's next run sees the new data (the cache is keyed on the database's data version).
    assert _session_count(small_db) > 0


def test_a_survey_that_cannot_be_mapped_with_confidence_waits_for_the_user(upload_page, small_db):
    odd = "Rater,Coach,Q1,Q2\nr1,Ana Moreno,Agree,Disagree\nr2,Ben Okafor,Strongly agree,Agree\n"
    digest = _digest(small_db)
    at = upload_page()
    at.file_uploader(key="uploads").upload("odd.csv", odd.encode(), "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    warning = " ".join(w.value for w in at.warning)
    assert "Still to map: the mentor being rated" in warning
    load = next(b for b in at.button if b.label == "Load this file")
    assert load.disabled
    # The user names the mentor column and says mentees answered: two gaps remain.
    key = next(s.key for s in at.selectbox if s.key.endswith("-mentor_column"))
    at.selectbox(key=key).set_value("Coach").run()
    role_key = next(s.key for s in at.selectbox if s.key.endswith("-fixed_role"))
    at.selectbox(key=role_key).set_value("mentee").run()
    warning = " ".join(w.value for w in at.warning)
    assert "the mentor being rated" not in warning and "who answered" not in warning
    assert "the response date" in warning
    assert _digest(small_db) == digest


def test_a_google_forms_survey_loads_through_the_page(upload_page, small_db):
    content = (ROOT / "tests" / "data" / "formats" / "google_forms.csv").read_bytes()
    before = int(Store(small_db).scalar("SELECT count(*) FROM survey_responses"))
    at = upload_page()
    at.file_uploader(key="uploads").upload("google_forms.csv", content, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    kind = next(r for r in at.radio if r.key.endswith("-kind"))
    assert kind.value == "survey"
    wave = next(t for t in at.text_input if t.key.endswith("-wave"))
    wave.set_value("2026-Q2").run()
    next(b for b in at.button if b.label == "Load this file").click().run()
    assert not at.exception, [e.message for e in at.exception]
    said = " ".join(s.value for s in at.success)
    assert "Google Forms CSV" in said and "rows loaded" in said, _text(at)
    after = int(Store(small_db).scalar("SELECT count(*) FROM survey_responses"))
    assert after > before
    waves = Store(small_db).query(
        "SELECT DISTINCT wave FROM survey_responses WHERE wave IS NOT NULL"
    )
    assert waves["wave"].tolist() == ["2026-Q2"]


def test_removing_the_sample_asks_first_then_says_what_it_removed(sample_db, tmp_path, monkeypatch):
    db = copy_database(sample_db, tmp_path / "sample-copy.duckdb")
    monkeypatch.setenv("MENTORING_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert any("sample data" in i.value for i in at.info)
    at.switch_page("pages/upload.py")
    at.run()
    assert at.button(key="remove-sample").disabled  # one click is not enough
    at.checkbox(key="remove-sample-confirm").check().run()
    at.button(key="remove-sample").click().run()
    assert not at.exception, [e.message for e in at.exception]
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM ingest_batches") == 0
    assert store.scalar("SELECT count(*) FROM element_evidence") == 0
    assert store.scalar("SELECT count(*) FROM program_events") == 0
    (said,) = [s.value for s in at.success]
    assert said.startswith("Removed the sample data: 6 loads (participants.csv, sessions.csv, ")
    assert "9,322 sessions" in said and "its programme event" in said
    assert not [b for b in at.button if b.key == "remove-sample"]
    at.switch_page("pages/overview.py")
    at.run()
    assert not any("sample data" in i.value for i in at.info)


def test_negatively_worded_questions_are_marked_and_named_before_loading(upload_page):
    content = (ROOT / "tests" / "data" / "identity" / "mentoring-pulse.csv").read_bytes()
    at = upload_page()
    at.file_uploader(key="uploads").upload("pulse.csv", content, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    said = _text(at)
    assert "4 question(s) are worded negatively and are scored reversed" in said
    assert "'My mentor checks every detail of my work before I can move on'" in said
    assert "4 scale question(s) measure none of the four elements" in said


def test_rows_that_name_an_unresolvable_namesake_are_listed_on_the_page(tmp_path, monkeypatch):
    from analysis.ingest.load import ingest_file

    identity = ROOT / "tests" / "data" / "identity"
    db = tmp_path / "namesakes.duckdb"
    for name in ("roster.csv", "feedback.csv"):
        ingest_file(Store(db), identity / name)
    monkeypatch.setenv("MENTORING_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(h.value == "Rows held as unattributed" for h in at.header)
    table = next(df.value for df in at.dataframe if "candidates" in df.value.columns)
    assert table[["reference", "row_count"]].to_dict("records") == [
        {"reference": "Sam Lee", "row_count": 1}
    ]
    assert "sam.lee2@example.org" in table["candidates"].iloc[0]
