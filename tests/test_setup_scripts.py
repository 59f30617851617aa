"""The setup scripts behind the README's run and test commands."""

import json
import os
import subprocess
import sys

import devtool
import odoo_requirements

ROOT = devtool.ROOT

ODOO_PINS = """\
cbor2==5.4.2 ; python_version < '3.12'
cbor2==5.6.2 ; python_version >= '3.12'
lxml==4.9.3 ; python_version > '3.10' and python_version < '3.12' # a comment
lxml==5.2.1; python_version >= '3.12' # (Noble)
pywin32 ; sys_platform == 'win32'
python-ldap==3.4.4 ; sys_platform != 'win32'
# a comment line
rjsmin==1.2.0
"""


def test_odoo_pins_of_python_312_are_used_on_311():
    resolved = list(
        odoo_requirements.resolve(
            ODOO_PINS.splitlines(),
            env=None if sys.version_info[:2] == (3, 11) else {"python_version": "3.12"},
        )
    )
    assert "cbor2==5.6.2" in resolved
    assert "cbor2==5.4.2" not in resolved
    assert "lxml==5.2.1" in resolved
    assert "rjsmin==1.2.0" in resolved


def test_windows_only_and_optional_requirements_are_left_out():
    resolved = list(odoo_requirements.resolve(ODOO_PINS.splitlines()))
    assert not any(r.startswith(("pywin32", "python-ldap")) for r in resolved)


def run_devtool(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "setup", "devtool.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_unreachable_postgres_is_reported_in_one_line():
    result = run_devtool(
        "test",
        env_overrides={"PGHOST": "/nonexistent-socket-dir", "PGPORT": "5999"},
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: PostgreSQL is not reachable")
    assert "PGHOST=/nonexistent-socket-dir" in lines[0]


def test_no_postgres_and_no_means_to_start_one_is_reported_in_one_line(tmp_path):
    result = run_devtool("run", env_overrides={"PG_BINDIR": str(tmp_path)})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: PostgreSQL not found")
    assert "apt-get install postgresql" in lines[0]


def test_bad_odoo_src_is_reported_in_one_line(tmp_path):
    error = None
    saved = os.environ.get("ODOO_SRC")
    os.environ["ODOO_SRC"] = str(tmp_path)
    try:
        devtool.odoo_source()
    except devtool.SetupError as exc:
        error = str(exc)
    finally:
        if saved is None:
            del os.environ["ODOO_SRC"]
        else:
            os.environ["ODOO_SRC"] = saved
    assert error and "not an Odoo source tree" in error and "\n" not in error


def test_addon_hash_ignores_its_tests_but_not_its_code(tmp_path, monkeypatch):
    addon = tmp_path / "symantec_renewals"
    bridge = tmp_path / "spreadsheet_dashboard_symantec_renewals"
    (addon / "tests").mkdir(parents=True)
    (bridge / "data").mkdir(parents=True)
    (addon / "__manifest__.py").write_text("{'depends': []}")
    (addon / "tests" / "test_x.py").write_text("x = 1")
    (bridge / "__manifest__.py").write_text("{'depends': ['symantec_renewals']}")
    (bridge / "data" / "dashboard.json").write_text("{}")
    monkeypatch.setattr(devtool, "ROOT", str(tmp_path))
    first = devtool.tree_hash()
    (addon / "tests" / "test_x.py").write_text("x = 2")
    assert devtool.tree_hash() == first
    (addon / "__manifest__.py").write_text("{'depends': ['crm']}")
    second = devtool.tree_hash()
    assert second != first
    (bridge / "data" / "dashboard.json").write_text('{"sheets": []}')
    assert devtool.tree_hash() != second, "the bridge's changes rebuild the DB"


def test_every_addon_of_the_repository_is_built_and_tested():
    assert devtool.repository_addons() == [
        "spreadsheet_dashboard_symantec_renewals",
        "symantec_renewals",
    ]
    depends = devtool.manifest_depends()
    assert "spreadsheet_dashboard" in depends, "the bridge's dependency"
    assert "crm" in depends, "the addon's dependency"
    assert "symantec_renewals" not in depends, "built from the repository"


def test_dashboard_json_is_what_its_source_writes():
    import build_dashboard

    with open(build_dashboard.TARGET, encoding="utf-8") as handle:
        committed = json.load(handle)
    assert committed == build_dashboard.build(), "run setup/build_dashboard.py"


def test_installing_the_addon_logged_no_warning_from_it():
    logfile = devtool.install_log(devtool.TEST_DB)
    assert os.path.exists(logfile), "the test command installs the addon and logs it"
    assert devtool.addon_problems(logfile) == []


def test_install_log_problems_are_the_addons_own(tmp_path):
    logfile = tmp_path / "install.log"
    logfile.write_text(
        "2026-11-24 10:00:00,000 1 INFO db odoo.modules.loading: loading "
        "symantec_renewals\n"
        "2026-11-24 10:00:00,000 1 WARNING db odoo.addons.crm.models: not ours\n"
        "2026-11-24 10:00:00,000 1 WARNING db odoo.addons.symantec_renewals.models:"
        " ours\n"
        "<string>:1: (WARNING/2) Title overline too short.\n"
    )
    problems = devtool.addon_problems(str(logfile))
    assert len(problems) == 2
    assert "ours" in problems[0] and "Title overline" in problems[1]
