"""The setup scripts behind the README's run and test commands."""

import json
import os
import subprocess
import sys

import devtool
import odoo_requirements
import pytest

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


def fake_executable(folder, name):
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_no_postgres_and_no_means_to_start_one_is_reported_in_one_line(tmp_path):
    # wkhtmltopdf present, so that its warning is not a line of its own here.
    fake_executable(tmp_path / "bin", "wkhtmltopdf")
    path = str(tmp_path / "bin") + os.pathsep + os.environ.get("PATH", "")
    result = run_devtool(
        "run", env_overrides={"PG_BINDIR": str(tmp_path), "PATH": path}
    )
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
        "symantec_renewals_queue",
    ]
    depends = devtool.manifest_depends()
    assert "spreadsheet_dashboard" in depends, "the bridge's dependency"
    assert "queue_job" in depends, "the queue addon's dependency"
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
        "2026-11-24 10:00:00,000 1 WARNING symantec_renewals_test "
        "odoo.modules.module: addons path is not a directory: __editable__\n"
        "2026-11-24 10:00:00,000 1 WARNING db odoo.addons.symantec_renewals.models:"
        " ours\n"
        "<string>:1: (WARNING/2) Title overline too short.\n"
    )
    problems = devtool.addon_problems(str(logfile))
    assert len(problems) == 2
    assert "ours" in problems[0] and "Title overline" in problems[1]


def test_missing_wkhtmltopdf_is_one_line_naming_its_debian_package():
    assert devtool.wkhtmltopdf_warning(which=lambda name: f"/usr/bin/{name}") is None
    asked = []
    warning = devtool.wkhtmltopdf_warning(which=asked.append)
    assert asked == ["wkhtmltopdf"]
    assert "\n" not in warning
    assert warning.startswith("warning: wkhtmltopdf not found")
    assert "PDF" in warning and "apt-get install wkhtmltopdf" in warning


def test_run_warns_at_start_when_wkhtmltopdf_is_missing(tmp_path):
    """Before anything else can stop it (here: no PostgreSQL)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_devtool(
        "run", env_overrides={"PG_BINDIR": str(tmp_path), "PATH": str(empty)}
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, result.stderr
    assert lines[0] == "[setup] " + devtool.wkhtmltopdf_warning(which=lambda n: None)
    assert lines[1].startswith("error: PostgreSQL not found")


TINY_HTTP_TEST = """
import os
import urllib.request

import odoo.tools


def test_the_tests_http_server_answers_on_a_port_of_its_own():
    port = odoo.tools.config["http_port"]
    assert port != int(os.environ["HELD_PORT"])
    url = f"http://127.0.0.1:{port}/web/login"
    with urllib.request.urlopen(url, timeout=120) as response:
        assert response.status == 200
"""


def test_the_tests_serve_http_beside_a_server_on_8069(tmp_path):
    """./setup/test while ./setup/run holds its port: the browser tests'
    server and the tests' configuration use another one."""
    import socket

    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        held.bind(("", 8069))
        held.listen()
    except OSError:
        held.close()  # someone's ./setup/run holds it already: just as good
        held = None
    (tmp_path / "test_tiny_http.py").write_text(TINY_HTTP_TEST)
    try:
        result = run_devtool(
            "test",
            "--no-lint",
            str(tmp_path / "test_tiny_http.py"),
            env_overrides={"HELD_PORT": "8069"},
        )
    finally:
        if held is not None:
            held.close()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout
    with open(os.path.join(devtool.LOCAL, "odoo-test.conf")) as config:
        text = config.read()
    assert "http_port = 8069" not in text
    # Nor does it run queue_job's job runner: the tests run their jobs.
    assert "[queue_job]\nchannels = root:0" in text


def test_run_refuses_a_port_in_use_in_one_line(tmp_path):
    import socket

    fake_executable(tmp_path / "bin", "wkhtmltopdf")
    path = str(tmp_path / "bin") + os.pathsep + os.environ.get("PATH", "")
    with socket.socket() as held:
        held.bind(("", 0))
        held.listen()
        port = held.getsockname()[1]
        result = run_devtool("run", "--port", str(port), env_overrides={"PATH": path})
    assert result.returncode != 0
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and "PostgreSQL cluster" not in line
    ]
    assert lines == [
        f"error: port {port} is in use (another ./setup/run?): stop it, "
        "or serve on another port with --port N"
    ], result.stderr


def test_bench_peer_is_installed_into_the_venv_and_the_bench_run_again(
    tmp_path, monkeypatch
):
    """The first bench installs subscription_oca, then runs again in a new
    process: the running one read Odoo's addons path before the install."""
    import argparse
    import importlib.util

    # As a real venv's: a link to the interpreter it was made on.
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    venv = str(tmp_path / "venv" / "bin" / "python")
    os.symlink(sys.executable, venv)
    calls = []
    installed = []
    monkeypatch.delenv(devtool.PEER_REEXEC, raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(devtool, "venv_python", lambda: venv)
    monkeypatch.setattr(devtool, "make_venv", lambda python, **kw: venv)
    monkeypatch.setattr(devtool, "imports_odoo19", lambda python: True)
    monkeypatch.setattr(
        devtool,
        "_quiet",
        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 0 if installed else 1),
    )
    monkeypatch.setattr(
        devtool,
        "pip_install",
        lambda python, *args: installed.append((python, args)),
    )

    def execve(path, argv, env):
        calls.append((path, argv, env))
        raise SystemExit("exec")

    monkeypatch.setattr(os, "execve", execve)
    args = argparse.Namespace(contracts=400, sample=10, rounds=1, only=None)
    with pytest.raises(SystemExit, match="exec"):
        devtool.ensure_peer_package(args)
    assert installed == [(venv, ("-r", devtool.BENCH_REQUIREMENTS))]
    [(path, argv, env)] = calls
    assert path == venv and argv[0] == venv
    assert argv[2:] == [
        "--stage-two",
        "bench",
        "--contracts",
        "400",
        "--sample",
        "10",
        "--rounds",
        "1",
    ]
    assert env[devtool.PEER_REEXEC] == "1"
    # Run again and still no peer: a loud error, not a quiet "not installed".
    monkeypatch.setenv(devtool.PEER_REEXEC, "1")
    with pytest.raises(devtool.SetupError, match="subscription_oca") as error:
        devtool.ensure_peer_package(args)
    assert "\n" not in str(error.value)


def test_missing_requirements_go_into_the_venv_not_its_base_interpreter(
    tmp_path, monkeypatch
):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    venv = str(tmp_path / "venv" / "bin" / "python")
    os.symlink(sys.executable, venv)  # what a venv's python is
    installed = []
    monkeypatch.delenv("ODOO_PYTHON", raising=False)
    monkeypatch.setattr(devtool, "venv_python", lambda: venv)
    monkeypatch.setattr(devtool, "imports_odoo19", bool)
    monkeypatch.setattr(devtool, "make_venv", lambda python, **kw: venv)
    monkeypatch.setattr(
        devtool,
        "missing_requirements",
        lambda python: [] if installed else ["pytest-odoo>=2.3,<3"],
    )
    monkeypatch.setattr(
        devtool, "pip_install", lambda python, *args: installed.append(python)
    )
    assert devtool.find_python() == venv
    assert installed == [venv]
