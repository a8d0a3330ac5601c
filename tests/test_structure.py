"""The house rules, checked from the source: no import circles, and Streamlit only behind gru_lab/ui/.

The standard library's `ast` reads every import (at module level, in functions and under
TYPE_CHECKING alike), so a circle cannot hide behind a deferred or type-only import.
"""
from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gru_core", "gru_lab")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    files += [ROOT / "app.py", ROOT / "lab.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    return {_module_name(p): p for p in files}


def _imports(name: str, path: Path) -> set[str]:
    """Every module this file names in an import, resolved to absolute dotted names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from . import x` names module x
    return found


def _imports_here() -> dict[str, list[str]]:
    return {name: sorted(_imports(name, path)) for name, path in _sources().items()}


@functools.cache
def _all_imports() -> dict[str, set[str]]:
    """Every source's imports, read in a child process: CPython 3.11 keeps one AST recursion counter for all
    threads, so an `ast.parse` racing a Streamlit script thread left by another test raises a spurious SystemError."""
    code = "import json, tests.test_structure as s; print(json.dumps(s._imports_here()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return {k: set(v) for k, v in json.loads(out.stdout).items()}


def _graph() -> dict[str, set[str]]:
    imports = _all_imports()
    return {name: {m for m in found if m in imports and m != name} for name, found in imports.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    circles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                circles.append(path[path.index(d):] + [d] if d in path else [m, d])
            elif d not in state:
                visit(d, path + [d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    return circles


def test_no_import_circle():
    # A package's __init__ re-exporting its own modules is not a circle: drop edges into a parent package.
    graph = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in _graph().items()}
    circles = _circles(graph)
    assert circles == [], "import circles: " + "; ".join(" → ".join(c) for c in circles)


def test_the_circle_check_finds_a_circle(tmp_path):
    """The checker itself: a two-module circle must be seen (so the test above can fail)."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from . import b\n")
    b.write_text("from .a import thing\n")
    assert "pkg.b" in _imports("pkg.a", a) and "pkg.a" in _imports("pkg.b", b)
    assert _circles({"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.a"}}) == [["pkg.a", "pkg.b", "pkg.a"]]
    assert _circles({"pkg.a": {"pkg.b"}, "pkg.b": set()}) == []


def test_streamlit_is_imported_only_behind_the_ui_folder():
    offenders = []
    for name in _all_imports():
        outside_ui = name.startswith("gru_core") or (name.startswith("gru_lab") and not name.startswith("gru_lab.ui"))
        if outside_ui and any(m == "streamlit" or m.startswith("streamlit.") for m in _all_imports()[name]):
            offenders.append(name)
    assert offenders == [], f"modules outside gru_lab/ui/ that import Streamlit: {offenders}"


def test_the_ui_folder_is_where_streamlit_lives():
    ui = [n for n in _all_imports() if n.startswith("gru_lab.ui.")]
    assert any("streamlit" in _all_imports()[n] for n in ui)
