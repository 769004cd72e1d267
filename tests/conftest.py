"""Shared fixtures: databases built in tmp_path from committed text files by the real ingest code;
every test kept away from the developer's own settings and data; each test marked with its tier."""

from __future__ import annotations

import inspect
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import CodeType, ModuleType

import pytest

from analysis import store as store_module
from analysis.ingest.load import ingest_file
from analysis.ingest.mapping import FileFacts
from analysis.keys import key_path
from analysis.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SMALL = ROOT / "tests" / "data" / "small"
SMALL_FILES = ["participants.csv", "sessions.csv", "mentee-feedback.csv"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test gets one tier, so that `pytest -m unit` is the fast tier (scripts/check.sh runs
    it) and `pytest -m "not browser"` needs no Chromium:
    browser: Chromium or another program outside Python. Its module marks it, it drives Chromium
        through Playwright, or it carries one of its module's needs_* skips (Chromium for image
        export, poppler, LibreOffice);
    app: the dashboard, through Streamlit's AppTest or started by scripts/run.sh;
    slow: marked so by hand, a test of the rest that takes seconds on its own;
    unit: everything else."""
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        reached = _reached(item)
        if (
            item.get_closest_marker("browser")
            or "sync_playwright" in reached
            or _needs_a_program(item)
        ):
            item.add_marker("browser")
        elif "AppTest" in reached or "run.sh" in reached:
            item.add_marker("app")
        elif not item.get_closest_marker("slow"):
            item.add_marker("unit")


def _reached(item: pytest.Function) -> set[str]:
    """The global names and the strings in the test, the fixtures it uses and the functions of
    their modules that these call: how a test says it runs the dashboard or drives a browser."""
    functions = [item.function]
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        functions += [definition.func for definition in definitions]
    codes: list[tuple[CodeType, ModuleType | None]] = [
        (function.__code__, inspect.getmodule(function))
        for function in map(inspect.unwrap, functions)
        if hasattr(function, "__code__")
    ]
    seen: set[CodeType] = set()
    reached: set[str] = set()
    while codes:
        code, module = codes.pop()
        if code in seen:
            continue
        seen.add(code)
        reached |= set(code.co_names) | {c for c in code.co_consts if isinstance(c, str)}
        codes += [(c, module) for c in code.co_consts if isinstance(c, CodeType)]
        helpers = [getattr(module, name, None) for name in code.co_names]
        codes += [
            (helper.__code__, module)
            for helper in helpers
            if inspect.isfunction(helper) and helper.__module__ == getattr(module, "__name__", None)
        ]
    return reached


def _needs_a_program(item: pytest.Function) -> bool:
    needs = [
        value.mark
        for name, value in vars(item.module).items()
        if name.startswith("needs_") and isinstance(value, pytest.MarkDecorator)
    ]
    return any(mark in needs for mark in item.iter_markers("skipif"))


@pytest.fixture(scope="session", autouse=True)
def _away_from_the_users_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test, nor the session fixtures that build databases, sees the developer's MENTORING_*
    variables or home folder (a ~/.streamlit/secrets.toml with [auth] would switch sign-in on).
    A test sets what it needs with monkeypatch; that is undone after it, back to this."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("MENTORING_")]:
            patch.delenv(name)
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        yield


@pytest.fixture(autouse=True)
def _data_folder_left_alone(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The default database (data/mentoring.duckdb) is a fresh path of the test's own, and a test
    that still creates a file under data/ (a command run without --db, say) fails."""
    monkeypatch.setattr(
        store_module, "DEFAULT_DB", tmp_path_factory.mktemp("data") / "mentoring.duckdb"
    )
    before = set(DATA.rglob("*"))
    yield
    created = sorted(str(path.relative_to(ROOT)) for path in set(DATA.rglob("*")) - before)
    assert not created, f"the test wrote {created}; tests write under tmp_path only"


def build_small(path: Path) -> Store:
    store = Store(path)
    for name in SMALL_FILES:
        facts = FileFacts(invited_count=12) if name.startswith("mentee") else None
        ingest_file(store, SMALL / name, facts=facts)
    return store


def copy_database(source: Path, target: Path) -> Path:
    """A copy of a database as a backup restores it: the file and, kept apart, its key file."""
    shutil.copy(source, target)
    shutil.copy(key_path(source), key_path(target))
    return target


@pytest.fixture(scope="session")
def _small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    build_small(path)
    return path


@pytest.fixture
def small_db(_small_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the hand-checkable program (6 mentors, 10 pairs, 8 sessions, 10 responses)."""
    return copy_database(_small_template, tmp_path / "small.duckdb")


@pytest.fixture
def small_store(small_db: Path) -> Store:
    return Store(small_db)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample program, built once per test run by the real first-run path."""
    from analysis.bootstrap import build_sample_database

    return build_sample_database(tmp_path_factory.mktemp("sample") / "sample.duckdb")
