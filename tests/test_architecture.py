"""The import-direction rule (docs/architecture.md), checked on every module's AST.

A module in folder F may import from baro only the folders ALLOWED[F] (and its own
folder). Function-local imports count too, so no cycle hides in a deferred import.
"""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "baro"

# Level by level, bottom to top. Folders not yet written keep their row so the rule
# is fixed before the code arrives.
ALLOWED = {
    "utils": set(),
    "backend": {"utils"},
    "core": {"backend", "utils"},
    "ops": {"core", "backend"},
    "saving": {"core", "backend", "utils"},
    "activations": {"ops", "core", "backend", "saving", "utils"},
    "initializers": {"ops", "core", "backend", "saving", "utils"},
    "regularizers": {"ops", "core", "backend", "saving", "utils"},
    "constraints": {"ops", "core", "backend", "saving", "utils"},
    "losses": {"ops", "activations", "core", "backend", "saving", "utils"},
    "optimizers": {"ops", "core", "backend", "saving", "utils"},
    "callbacks": {"utils"},
    "metrics": {"ops", "losses", "activations", "core", "backend", "saving", "utils"},
    "layers": {"ops", "activations", "initializers", "regularizers", "constraints",
               "core", "backend", "saving", "utils"},
    "training": {"losses", "metrics", "optimizers", "callbacks", "ops", "core",
                 "backend", "saving", "utils"},
    "models": {"layers", "training", "losses", "metrics", "optimizers", "callbacks",
               "ops", "activations", "initializers", "regularizers", "constraints",
               "core", "backend", "saving", "utils"},
    "datasets": {"utils"},
}
# Top-level namespaces (TF/Keras-compatible APIs and test helpers) may import any
# of the folders above, but nothing in the table may import them.
TOP = {"__init__", "__main__", "array_ops", "cli", "math", "nn", "random", "image",
       "plot", "evaluation", "keras", "compat", "testing", "data", "config",
       "function", "tf2_extras", "interop", "export", "diagnostics"}


def _folder(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imported_folders(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    # The package a relative import is resolved against (the file's folder).
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join(base + ((node.module,) if node.module else ()))
            else:
                module = node.module or ""
            names = [module]
            if module == "baro":  # `from baro import ops` names the folder
                names = [f"baro.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "baro" and len(parts) > 1:
                yield node.lineno, parts[1]
            if parts[0] == "cupy":
                yield node.lineno, "cupy"


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_downward(path):
    folder = _folder(path)
    if folder in TOP:
        allowed = set(ALLOWED) | TOP
    elif folder in ALLOWED:
        allowed = ALLOWED[folder] | {folder}
    else:
        pytest.fail(f"{folder}/ has no row in ALLOWED: add it here and to "
                    "docs/architecture.md")
    for line, target in _imported_folders(path):
        if target == "cupy":
            assert folder == "backend", f"{path}:{line} names cupy outside backend/"
            continue
        assert target in allowed, (
            f"{path.relative_to(PACKAGE)}:{line} imports baro.{target}, but {folder}/ "
            f"may import only {sorted(allowed - {folder})}"
        )


def test_the_table_lists_every_folder():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and
               (p / "__init__.py").exists()}
    assert folders <= set(ALLOWED) | TOP


def test_the_checker_catches_a_forbidden_import(tmp_path, monkeypatch):
    fake = tmp_path / "baro" / "core"
    fake.mkdir(parents=True)
    module = fake / "bad.py"
    module.write_text("def f():\n    from baro.ops import add\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "baro")
    assert list(_imported_folders(module)) == [(2, "ops")]
