"""Odoo's own test runner (``odoo-bin --test-enable``) only runs the test
modules that an addon's ``tests/__init__.py`` imports, while pytest-odoo finds
every ``test_*.py``: a module left out there would pass unseen by Odoo."""

import ast
import glob
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def addon_test_folders(root=ROOT):
    return sorted(
        os.path.join(os.path.dirname(manifest), "tests")
        for manifest in glob.glob(os.path.join(root, "*", "__manifest__.py"))
        if os.path.isdir(os.path.join(os.path.dirname(manifest), "tests"))
    )


def imported_modules(init_path):
    """The sibling modules ``init_path`` imports (``from . import x`` or
    ``from .x import y``)."""
    if not os.path.exists(init_path):
        return set()
    with open(init_path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), init_path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def modules_not_imported(tests_dir):
    test_modules = {
        os.path.basename(path)[: -len(".py")]
        for path in glob.glob(os.path.join(tests_dir, "test_*.py"))
    }
    init = os.path.join(tests_dir, "__init__.py")
    return sorted(test_modules - imported_modules(init))


@pytest.mark.parametrize(
    "tests_dir", addon_test_folders(), ids=lambda path: os.path.relpath(path, ROOT)
)
def test_every_test_module_is_imported_for_odoos_runner(tests_dir):
    missing = modules_not_imported(tests_dir)
    assert not missing, (
        f"{os.path.relpath(tests_dir, ROOT)}/__init__.py does not import "
        f"{', '.join(missing)}: Odoo's test runner would skip them"
    )


def test_the_addon_has_tests_to_check():
    assert os.path.join(ROOT, "symantec_renewals", "tests") in addon_test_folders()


def test_a_module_left_out_is_found(tmp_path):
    addon = tmp_path / "some_addon"
    (addon / "tests").mkdir(parents=True)
    (addon / "__manifest__.py").write_text("{}\n")
    for name in ("common", "test_a", "test_b", "test_c", "test_d"):
        (addon / "tests" / f"{name}.py").write_text("")
    (addon / "tests" / "__init__.py").write_text(
        "from . import test_a\nfrom .test_b import TestB\n"
        "from . import (\n    common,\n    test_c,\n)\n"
    )
    assert addon_test_folders(str(tmp_path)) == [str(addon / "tests")]
    assert modules_not_imported(str(addon / "tests")) == ["test_d"]
    (addon / "tests" / "__init__.py").unlink()
    assert modules_not_imported(str(addon / "tests")) == [
        "test_a",
        "test_b",
        "test_c",
        "test_d",
    ]
