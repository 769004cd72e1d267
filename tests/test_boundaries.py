"""The core stays free of the UI, and SQL stays bound."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_every_analysis_module_never_imports_streamlit():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "analysis").rglob("*.py")
        if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_sql_files_take_values_only_as_named_parameters():
    for path in (ROOT / "analysis" / "sql").rglob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert "{" not in text and "%s" not in text, f"{path.name} looks templated"
        assert not re.search(r"\?\s*[,)]", text), f"{path.name} uses positional parameters"


def test_pages_never_render_user_text_as_html():
    for path in [ROOT / "dashboard.py", *(ROOT / "pages").glob("*.py")]:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path.name
