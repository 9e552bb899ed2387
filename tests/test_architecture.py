"""The shape of the package: stages import one way, the demo generator is not runtime, the
code is linted, formatted and type-checked, and councils can override templates."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUILD_DATE, ROOT, TINY_CONFIG

PACKAGE = ROOT / "generator"
#: Stage of each part of the package: a module may import only from its own stage or
#: earlier ones (data flows config -> data -> indicators -> figures -> pages -> site).
STAGE = {
    "generator": 0,
    "generator.errors": 0,
    "generator.atomic": 0,
    "generator.ingest": 1,
    "generator.analysis": 2,
    "generator.site": 3,
    "generator.reference": 4,
    "generator.scaffold": 4,
    "generator.scotland": 4,
    "generator.cli": 5,
    "generator.__main__": 6,
}
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in STAGE:
            return STAGE[".".join(parts[:n])]
    raise AssertionError(f"{module} has no stage in tests/test_architecture.py")


def _imports() -> dict[str, set[str]]:
    """Module -> the generator modules it imports (at any depth in the file)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("generator"):
                    for alias in node.names:
                        sub = f"{node.module}.{alias.name}"
                        found.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("generator")}
        graph[name] = {m for m in found if m != name}
    return graph


def test_no_module_imports_a_later_stage():
    """ingest never imports analysis or site; analysis never imports site."""
    upward = [
        (mod, dep) for mod, deps in _imports().items() for dep in deps if _stage(dep) > _stage(mod)
    ]
    assert upward == []


def test_no_import_cycles():
    """The module import graph is acyclic."""
    graph = _imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep] if dep in path else [node, dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_modules_stay_small():
    """No module grows past MAX_LINES; split it by job instead."""
    big = {
        _module_name(p): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}


def test_importing_the_package_leaves_the_demo_generator_out():
    """The demo generator (scripts/synthetic.py) is a tool, not runtime."""
    code = (
        "import sys, generator, generator.cli, generator.site.build;"
        "print(sorted(m for m in sys.modules if 'synthetic' in m or m.startswith('scripts')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_ruff_lint_and_format_are_clean():
    """ruff finds nothing, and the code is as ruff format writes it."""
    paths = ["generator", "tests", "scripts", "bench"]
    lint = subprocess.run(
        [_tool("ruff"), "check", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = subprocess.run(
        [_tool("ruff"), "format", "--check", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout[-3000:]


@pytest.mark.slow
def test_mypy_is_clean():
    """mypy finds no type errors in the package."""
    out = subprocess.run([_tool("mypy"), "generator"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]


def test_council_templates_override_a_block(tmp_path):
    """`templates:` in council.yaml puts the council's folder before the defaults: its
    base.html extends the default one and replaces one block, on every page."""
    from generator.site import build as site

    council = tmp_path / "council"
    shutil.copytree(TINY_CONFIG.parent, council)
    (council / "templates").mkdir()
    (council / "templates" / "base.html").write_text(
        '{% extends "default:base.html" %}\n'
        '{% block footer_extra %}<p class="council-note">Tinyton Council: '
        "figures checked by the data team.</p>{% endblock %}\n",
        encoding="utf-8",
    )
    config = council / "council.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "templates: templates\n", encoding="utf-8"
    )
    out = tmp_path / "site"
    site.build([config], out, build_date=BUILD_DATE)
    about = (out / "tiny" / "about.html").read_text(encoding="utf-8")
    overview = (out / "tiny" / "index.html").read_text(encoding="utf-8")
    note = "figures checked by the data team"
    assert note in about and note in overview
    assert "About the data" in about  # the rest of the default page is still there
    portal = (out / "index.html").read_text(encoding="utf-8")
    assert note not in portal  # the council's override is the council's alone


def test_missing_council_template_folder_is_a_located_error(tmp_path):
    """A `templates:` folder that does not exist is reported at its line."""
    from generator.ingest.catalogue import load_catalogue
    from generator.ingest.councils import read_config

    council = tmp_path / "council"
    shutil.copytree(TINY_CONFIG.parent, council)
    config = council / "council.yaml"
    text = config.read_text(encoding="utf-8") + "templates: no-such-folder\n"
    config.write_text(text, encoding="utf-8")
    read = read_config(config, load_catalogue())
    found = [(p.line, p.field, p.code) for p in read.problems]
    assert found == [(len(text.splitlines()), "templates", "missing-folder")]


def test_the_command_line_starts_without_the_pipeline():
    """`cdash --help` loads typer and rich only: pandas, scipy and plotly wait for a command
    that needs them (bench/ prints the start-up time)."""
    code = (
        "import sys, generator.cli;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'scipy', 'plotly',"
        " 'numpy', 'pydantic', 'shapely'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
