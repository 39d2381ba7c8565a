"""The layout docs/architecture.md promises, checked on the source itself.

Each folder of ``src/scop_ledger`` is a layer and may import only from the layers below it:
``domain`` (pure) < ``store`` (with ``settings``) < ``readmodel`` < ``audit`` < ``app`` < ``cli``
and ``web`` (the two front ends, one level). No import cycle between modules, no source file over
400 lines, no function over 60 lines, and neither front end imports SQLAlchemy, the store or the
read model (they call the application services).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "scop_ledger"
LAYERS = {
    "i18n": 0,
    "domain": 0,
    "settings": 1,
    "store": 1,
    "readmodel": 2,
    "audit": 3,
    "app": 4,
    "cli": 5,
    "web": 5,
}
FRONT_ENDS = ("scop_ledger.cli", "scop_ledger.web")
TOP = {"__init__", "__main__", "_version"}  # the package itself: above everything
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(path: Path, name: str) -> Iterator[tuple[str, int]]:
    """Every scop_ledger module ``name`` imports (at any depth of the file), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno
            yield base, node.lineno


def graph() -> dict[str, dict[str, int]]:
    known = modules()
    edges: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        targets: dict[str, int] = {}
        for target, line in imports_of(path, name):
            if target.startswith("scop_ledger") and target in known and target != name:
                if name.startswith(target + "."):
                    continue  # a package's own __init__, imported on the way
                targets.setdefault(target, line)
        edges[name] = targets
    return edges


def layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in TOP:
        return 99
    return LAYERS[parts[1]]


def test_every_module_is_in_a_layer() -> None:
    unknown = [n for n in modules() if len(n.split(".")) > 1 and n.split(".")[1] not in LAYERS]
    unknown = [n for n in unknown if n.split(".")[1] not in TOP]
    assert not unknown, f"modules outside every layer: {unknown}"


def test_no_module_imports_from_a_layer_above_it() -> None:
    wrong = [
        f"{source} imports {target} (line {line})"
        for source, targets in graph().items()
        for target, line in targets.items()
        if layer(target) > layer(source)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    edges = graph()
    cycles: list[str] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in edges.get(node, {}):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(cycles)


def test_no_source_file_over_the_limit() -> None:
    long = [
        f"{path.relative_to(PACKAGE)}: {n} lines"
        for path in modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    ]
    assert not long, "\n".join(long)


def test_no_function_over_the_limit() -> None:
    long = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                size = (node.end_lineno or node.lineno) - start + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}: {size}")
    assert not long, "\n".join(long)


def test_the_front_ends_import_neither_sqlalchemy_nor_the_read_model() -> None:
    wrong = []
    for name, path in modules().items():
        if not name.startswith(FRONT_ENDS):
            continue
        for target, line in imports_of(path, name):
            top = target.split(".")
            if top[0] == "sqlalchemy" or target.startswith(
                ("scop_ledger.readmodel", "scop_ledger.store")
            ):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {target}")
    assert not wrong, "\n".join(sorted(set(wrong)))
