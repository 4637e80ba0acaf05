"""The layering rule: tensor → autograd → nn → data; a lower module never imports a higher one."""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "tinytorch"

# Rank of each module (dotted, relative to tinytorch); a module may import only ranks ≤ its own.
RANKS = {
    "core.ops": 0, "core.engine": 0, "core.convert": 0, "core.grad_mode": 0, "core.rng": 0,
    "core.tensor": 1,
    "core.autograd": 2, "core.gradcheck": 2,
    "nn": 3,
    "data": 4, "datasets": 4,
}


def rank(dotted):
    for prefix, value in sorted(RANKS.items(), key=lambda item: -len(item[0])):
        if dotted == prefix or dotted.startswith(prefix + "."):
            return value
    return None


def module_name(path):
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def imported_modules(path):
    """Dotted names (relative to tinytorch) of everything a file imports from the package."""
    package_parts = module_name(path).split(".")
    if path.name != "__init__.py":
        package_parts = package_parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("tinytorch."):
                target = node.module[len("tinytorch."):]
            else:
                continue
            for alias in node.names:
                yield f"{target}.{alias.name}" if target else alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tinytorch."):
                    yield alias.name[len("tinytorch."):]


LAYERED_FILES = [
    p for p in sorted(PACKAGE.rglob("*.py"))
    if rank(module_name(p)) is not None and "nn/utils" not in p.as_posix()
]


@pytest.mark.parametrize("path", LAYERED_FILES, ids=lambda p: module_name(p))
def test_no_upward_imports(path):
    own = rank(module_name(path))
    for target in imported_modules(path):
        target_rank = rank(target)
        assert target_rank is None or target_rank <= own, (
            f"{module_name(path)} (layer {own}) imports {target} (layer {target_rank})"
        )
