#!/usr/bin/env python3
"""Run and test the symantec_renewals addon on a real Odoo 19 and PostgreSQL.

The README's two commands call this script:

    setup/run   -> devtool.py run    serve the addon with demo data on :8069
    setup/test  -> devtool.py test   lint, then the whole test suite

It works in two stages.  Stage one runs on any ``python3`` (standard library
only) and finds an interpreter that imports Odoo 19, in this order:

1. the ``python3`` running this script (or ``ODOO_PYTHON``), when it already
   imports Odoo 19;
2. an Odoo 19 source tree named by ``ODOO_SRC``;
3. Odoo's official 19.0 source, cloned into ``.local/odoo-src`` when the
   machine has git and internet.

For 2 and 3 it builds ``.venv`` with Odoo's own requirements (their Python
3.12 pins on 3.11, see ``odoo_requirements.py``).  When the interpreter
lacks a requirement of the project, ``.venv`` is made on top of it
(``--system-site-packages``) and the requirement installed there.

Stage two runs in that interpreter: it finds PostgreSQL (the usual ``PG*``
settings, or a private cluster under ``.local/postgres`` that it starts and
owns), writes ``.local/odoo.conf`` (``odoo-test.conf`` for the tests) and
prepares the databases it names -- it never touches any other database.

Every missing piece stops the command with one line saying what to do.
"""

import argparse
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "symantec_renewals"
ADDON_DIR = os.path.join(ROOT, ADDON)
LOCAL = os.path.join(ROOT, ".local")
VENV = os.path.join(ROOT, ".venv")
REQUIREMENTS = os.path.join(ROOT, "requirements.txt")
ODOO_GIT_URL = "https://github.com/odoo/odoo.git"
ODOO_BRANCH = "19.0"

RUN_DB = os.environ.get("SR_DB", ADDON)
TEST_DB = os.environ.get("SR_TEST_DB", ADDON + "_test")
BASE_DB = TEST_DB + "_base"
BENCH_DB = os.environ.get("SR_BENCH_DB", ADDON + "_bench")
# The queued run's benchmark commits: it runs on copies of the bench database.
BENCH_QUEUE_DB = BENCH_DB + "_queue"
# Odoo's own test runner, on a new database each time (odoo-tests [--demo]).
ODOO_TESTS_DB = ADDON + "_odoo_tests"
ODOO_TESTS_DEMO_DB = ODOO_TESTS_DB + "_demo"
HASH_PARAM = "symantec_renewals.build_hash"
# Odoo addons the test, demo and benchmark databases install beside the
# addon, never dependencies of it: payment_demo's simulated cards for the
# automatic payment of renewals (issue 17). Production databases use a real
# payment provider instead.
EXTRA_ADDONS = ("payment_demo",)
# Bump when the way databases are built changes, to rebuild them.
BUILD_VERSION = "1"


class SetupError(Exception):
    """A missing piece: the message says what to do, on one line."""


def log(message):
    print(f"[setup] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Stage one: an interpreter that imports Odoo 19
# ---------------------------------------------------------------------------

PROBE_ODOO = (
    "import odoo.release as r, sys; sys.exit(0 if r.version_info[0] == 19 else 3)"
)

PROBE_REQUIREMENTS = r"""
import sys
from importlib import metadata
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
missing = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate():
        continue
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        missing.append(line)
        continue
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        missing.append(line)
print("\n".join(missing))
"""


def _quiet(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def imports_odoo19(python):
    if not python or not os.path.exists(python):
        return False
    try:
        return _quiet([python, "-c", PROBE_ODOO], timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def missing_requirements(python):
    result = _quiet([python, "-c", PROBE_REQUIREMENTS, REQUIREMENTS], timeout=120)
    if result.returncode != 0:
        return [f"(requirements check failed: {result.stderr.strip()[-200:]})"]
    return [line for line in result.stdout.splitlines() if line.strip()]


def venv_python():
    return os.path.join(VENV, "bin", "python")


def pip_install(python, *args):
    cmd = [python, "-m", "pip", "install", "--disable-pip-version-check", *args]
    log("pip install " + " ".join(args))
    result = subprocess.run(cmd)
    if result.returncode != 0:
        raise SetupError(
            "installing Python packages failed (see pip's output above): "
            "check the network and the build tools (apt-get install "
            "build-essential python3-dev libpq-dev), then run again"
        )


def make_venv(base_python, system_site_packages):
    if os.path.exists(venv_python()):
        return venv_python()
    log(f"creating {VENV}")
    cmd = [base_python, "-m", "venv", VENV]
    if system_site_packages:
        cmd.append("--system-site-packages")
    if _quiet(cmd).returncode != 0:
        raise SetupError(
            "cannot create a virtualenv: install python3-venv "
            "(apt-get install python3-venv) and run again"
        )
    pip_install(venv_python(), "--upgrade", "pip", "wheel", "setuptools")
    return venv_python()


def odoo_source():
    """An Odoo 19 source tree: ODOO_SRC, an earlier clone, or a new clone."""
    src = os.environ.get("ODOO_SRC")
    if src:
        if not os.path.isfile(os.path.join(src, "odoo", "release.py")):
            raise SetupError(
                f"ODOO_SRC={src} is not an Odoo source tree (no odoo/release.py): "
                "point it at a checkout of Odoo 19.0"
            )
        return os.path.abspath(src)
    clone = os.path.join(LOCAL, "odoo-src")
    if os.path.isfile(os.path.join(clone, "odoo", "release.py")):
        return clone
    if not shutil.which("git"):
        raise SetupError(
            "Odoo 19 is not installed: install it, set ODOO_SRC to an Odoo 19.0 "
            "source tree, or install git so the setup can fetch Odoo's source"
        )
    log(f"cloning Odoo {ODOO_BRANCH} from {ODOO_GIT_URL} (a few minutes)")
    os.makedirs(LOCAL, exist_ok=True)
    result = subprocess.run(
        ["git", "clone", "--depth", "1", "--branch", ODOO_BRANCH, ODOO_GIT_URL, clone]
    )
    if result.returncode != 0:
        shutil.rmtree(clone, ignore_errors=True)
        raise SetupError(
            "Odoo 19 is not installed and its source could not be cloned: "
            "set ODOO_SRC to an Odoo 19.0 source tree or install Odoo 19"
        )
    return clone


def install_odoo_from_source(src):
    python = make_venv(sys.executable, system_site_packages=False)
    resolver = os.path.join(ROOT, "setup", "odoo_requirements.py")
    pip_install(python, "packaging")
    resolved = _quiet(
        [python, resolver, os.path.join(src, "requirements.txt")], check=False
    )
    if resolved.returncode != 0:
        raise SetupError(
            f"cannot read {src}/requirements.txt: {resolved.stderr.strip()}"
        )
    req_file = os.path.join(LOCAL, "odoo-requirements.txt")
    os.makedirs(LOCAL, exist_ok=True)
    with open(req_file, "w", encoding="utf-8") as handle:
        handle.write(resolved.stdout)
    pip_install(python, "-r", req_file)
    pip_install(python, "--no-deps", "-e", src)
    return python


def find_python():
    """Return an interpreter that imports Odoo 19 and the project requirements."""
    candidates = [os.environ.get("ODOO_PYTHON"), sys.executable, venv_python()]
    python = next((c for c in candidates if imports_odoo19(c)), None)
    if python is None:
        python = install_odoo_from_source(odoo_source())
        if not imports_odoo19(python):
            raise SetupError(
                "Odoo was installed in .venv but does not import: "
                "remove .venv and run again"
            )
    missing = missing_requirements(python)
    if missing:
        # Not by real paths: .venv/bin/python links to the interpreter the
        # venv was made on, which is to be left alone.
        if os.path.abspath(python) != os.path.abspath(venv_python()):
            python = make_venv(python, system_site_packages=True)
            missing = missing_requirements(python)
        if missing:
            pip_install(python, "-r", REQUIREMENTS)
    return python


# ---------------------------------------------------------------------------
# Stage two: PostgreSQL, configuration, databases (runs in the Odoo python)
# ---------------------------------------------------------------------------

PG_ENV = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD")
PRIVATE_USER = "odoo"


def pg_bindir():
    """Where initdb and pg_ctl are, or None."""
    explicit = os.environ.get("PG_BINDIR")
    if explicit is not None:
        return explicit if os.path.isfile(os.path.join(explicit, "initdb")) else None
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    return os.path.dirname(versions[-1]) if versions else None


class PrivateCluster:
    """A PostgreSQL cluster owned by the project, under .local/postgres."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.base = os.path.join(LOCAL, "postgres")
        self.data = os.path.join(self.base, "data")
        self.logfile = os.path.join(self.base, "server.log")
        socket_dir = os.path.join(self.base, "run")
        if len(socket_dir) > 80:  # unix socket paths are limited to ~107 bytes
            digest = hashlib.sha1(ROOT.encode()).hexdigest()[:10]
            socket_dir = f"/tmp/symantec-renewals-pg-{digest}"
        self.socket_dir = socket_dir
        self.run_as = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            import pwd

            for name in ("postgres", "nobody"):
                try:
                    self.run_as = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            if self.run_as is None:
                raise SetupError(
                    "running as root and no 'postgres' or 'nobody' user to run "
                    "the private PostgreSQL cluster: set PGHOST/PGUSER instead"
                )

    def _run(self, *args, check=True):
        cmd = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self.run_as is not None:
            cmd = ["runuser", "-u", self.run_as.pw_name, "--", *cmd]
        result = _quiet(cmd, cwd="/")
        if check and result.returncode != 0:
            raise SetupError(
                f"{args[0]} failed for the private PostgreSQL cluster "
                f"({(result.stderr or result.stdout).strip().splitlines()[-1:]}); "
                f"see {self.logfile}"
            )
        return result

    def _own(self, *paths):
        if self.run_as is None:
            return
        for path in paths:
            os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)

    def running(self):
        if not os.path.isfile(os.path.join(self.data, "PG_VERSION")):
            return False
        return (
            self._run("pg_ctl", "-D", self.data, "status", check=False).returncode == 0
        )

    def start(self):
        os.makedirs(self.base, exist_ok=True)
        os.makedirs(self.socket_dir, exist_ok=True)
        if not os.path.isfile(os.path.join(self.data, "PG_VERSION")):
            log(f"creating a private PostgreSQL cluster in {self.data}")
            os.makedirs(self.data, mode=0o700, exist_ok=True)
            self._own(self.base, self.data)
            self._run(
                "initdb",
                "-D",
                self.data,
                "-U",
                PRIVATE_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            )
        self._own(self.base, self.socket_dir)
        if os.path.exists(self.logfile):
            self._own(self.logfile)
        if not self.running():
            log("starting the private PostgreSQL cluster")
            options = (
                f"-k {self.socket_dir} -c listen_addresses='' -p 5432 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200"
            )
            self._run(
                "pg_ctl",
                "-D",
                self.data,
                "-l",
                self.logfile,
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            )
        return {
            "db_host": self.socket_dir,
            "db_port": "5432",
            "db_user": PRIVATE_USER,
            "db_password": "",
        }

    def stop(self):
        if self.running():
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
            log("private PostgreSQL cluster stopped")


def check_connection(params):
    import psycopg2

    try:
        conn = psycopg2.connect(
            dbname="postgres",
            host=params.get("db_host") or None,
            port=params.get("db_port") or None,
            user=params.get("db_user") or None,
            password=params.get("db_password") or None,
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return first
    conn.close()
    return None


def postgres_params():
    """Connection settings for Odoo: PG* settings, else a private cluster."""
    if any(os.environ.get(name) for name in PG_ENV):
        params = {
            "db_host": os.environ.get("PGHOST", ""),
            "db_port": os.environ.get("PGPORT", ""),
            "db_user": os.environ.get("PGUSER", ""),
            "db_password": os.environ.get("PGPASSWORD", ""),
        }
        error = check_connection(params)
        if error:
            raise SetupError(
                f"PostgreSQL is not reachable with the PG* settings "
                f"(PGHOST={params['db_host'] or 'default'} "
                f"PGPORT={params['db_port'] or 'default'}): {error}"
            )
        return params
    bindir = pg_bindir()
    if bindir is None:
        raise SetupError(
            "PostgreSQL not found: set PGHOST/PGPORT/PGUSER/PGPASSWORD for a "
            "running server, or install the server (apt-get install postgresql) "
            "so the setup can start a private one"
        )
    params = PrivateCluster(bindir).start()
    error = check_connection(params)
    if error:
        raise SetupError(f"the private PostgreSQL cluster does not answer: {error}")
    return params


def odoo_command(python, config, dbname, *args):
    """The command line of an Odoo server on database ``dbname``."""
    return [python, "-m", "odoo", "server", "-c", config, "-d", dbname, *args]


def odoo_addons_paths():
    import odoo.release

    odoo_dir = os.path.dirname(odoo.release.__file__)
    paths = [os.path.join(odoo_dir, "addons")]
    source_addons = os.path.join(os.path.dirname(odoo_dir), "addons")
    if os.path.isdir(source_addons):
        paths.append(source_addons)
    return paths


def free_port():
    """A TCP port nothing listens on now, on the loopback interface."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(params, http_port=8069, name="odoo.conf", job_runner=True):
    """Odoo's configuration file ``.local/<name>``: the server (``run``) and
    the tests each have their own, so that both can run side by side."""
    os.makedirs(os.path.join(LOCAL, "data"), exist_ok=True)
    path = os.path.join(LOCAL, name)
    addons = ",".join([ROOT, *odoo_addons_paths()])
    lines = [
        "[options]",
        f"addons_path = {addons}",
        f"data_dir = {os.path.join(LOCAL, 'data')}",
        f"http_port = {http_port}",
        "admin_passwd = admin",
        "max_cron_threads = 1",
    ]
    lines += [f"{key} = {value}" for key, value in params.items() if value]
    if not job_runner:
        # No job runner of OCA's queue_job in this server: the tests run the
        # jobs they queue themselves, as the workers would.
        lines += ["", "[queue_job]", "channels = root:0"]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def repository_addons():
    """The addons of the repository: the main addon and its bridges (such as
    the Renewals dashboard's), each a folder with a manifest at the root."""
    return sorted(
        name
        for name in os.listdir(ROOT)
        if os.path.isfile(os.path.join(ROOT, name, "__manifest__.py"))
    )


def manifest_depends():
    """The dependencies of the repository's addons, outside the repository:
    what the base database holds."""
    import ast

    addons = repository_addons()
    depends = set()
    for addon in addons:
        manifest = os.path.join(ROOT, addon, "__manifest__.py")
        with open(manifest, encoding="utf-8") as handle:
            depends.update(ast.literal_eval(handle.read())["depends"])
    return sorted(depends - set(addons))


def base_addons():
    """What the base database holds: the dependencies and the extra addons
    the tests use."""
    return sorted({*manifest_depends(), *EXTRA_ADDONS})


def tree_hash(*extra):
    """A digest of the repository's addons (their tests aside) and of the
    Odoo they run on."""
    import odoo.release

    digest = hashlib.sha256()
    for part in (BUILD_VERSION, odoo.release.version, odoo.release.__file__, *extra):
        digest.update(str(part).encode())
    for folder, dirs, files in (
        walked
        for addon in repository_addons()
        for walked in os.walk(os.path.join(ROOT, addon))
    ):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "tests"))
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, ROOT).encode())
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def base_hash():
    import odoo.release

    return hashlib.sha256(
        repr(
            (
                BUILD_VERSION,
                odoo.release.version,
                odoo.release.__file__,
                base_addons(),
            )
        ).encode()
    ).hexdigest()


class Databases:
    """Create, copy and drop the project's own databases, and only those."""

    OWN = (
        RUN_DB,
        TEST_DB,
        BASE_DB,
        BENCH_DB,
        BENCH_QUEUE_DB,
        ODOO_TESTS_DB,
        ODOO_TESTS_DEMO_DB,
    )

    def __init__(self, params, config, python):
        self.params = params
        self.config = config
        self.python = python

    def _connect(self, dbname="postgres"):
        import psycopg2

        conn = psycopg2.connect(
            dbname=dbname,
            host=self.params.get("db_host") or None,
            port=self.params.get("db_port") or None,
            user=self.params.get("db_user") or None,
            password=self.params.get("db_password") or None,
        )
        conn.autocommit = True
        return conn

    def exists(self, name):
        conn = self._connect()
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                return cr.fetchone() is not None
        finally:
            conn.close()

    def stamp(self, name):
        """The build hash recorded in database ``name``, or None."""
        return self.param(name, HASH_PARAM)

    def param(self, name, key):
        """A system parameter of database ``name``, or None."""
        if not self.exists(name):
            return None
        conn = self._connect(name)
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT to_regclass('ir_config_parameter')")
                if cr.fetchone()[0] is None:
                    return None
                cr.execute(
                    "SELECT value FROM ir_config_parameter WHERE key = %s", [key]
                )
                row = cr.fetchone()
                return row[0] if row else None
        finally:
            conn.close()

    def set_stamp(self, name, value):
        self.set_param(name, HASH_PARAM, value)

    def set_param(self, name, key, value):
        conn = self._connect(name)
        try:
            with conn.cursor() as cr:
                cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [key])
                cr.execute(
                    "INSERT INTO ir_config_parameter"
                    " (key, value, create_date, write_date) VALUES"
                    " (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')",
                    [key, value],
                )
        finally:
            conn.close()

    def filestore(self, name):
        return os.path.join(LOCAL, "data", "filestore", name)

    def drop(self, name):
        assert name in self.OWN, name
        if self.exists(name):
            log(f"dropping database {name}")
            conn = self._connect()
            try:
                with conn.cursor() as cr:
                    cr.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        [name],
                    )
                    cr.execute(f'DROP DATABASE "{name}"')
            finally:
                conn.close()
        shutil.rmtree(self.filestore(name), ignore_errors=True)

    def copy(self, source, target):
        assert target in self.OWN, target
        self.drop(target)
        log(f"copying database {source} to {target}")
        conn = self._connect()
        try:
            with conn.cursor() as cr:
                cr.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        finally:
            conn.close()
        if os.path.isdir(self.filestore(source)):
            shutil.copytree(self.filestore(source), self.filestore(target))

    def odoo(self, name, *args, logfile):
        """Run Odoo on database ``name`` until it has done ``args``; its whole
        output (Odoo's log and what libraries print) goes to ``logfile``."""
        assert name in self.OWN, name
        cmd = odoo_command(
            self.python, self.config, name, "--stop-after-init", "--no-http", *args
        )
        log(f"odoo {' '.join(args)} on {name} (log: {os.path.relpath(logfile, ROOT)})")
        started = time.monotonic()
        os.makedirs(os.path.dirname(logfile), exist_ok=True)
        with open(logfile, "w", encoding="utf-8") as output:
            result = subprocess.run(cmd, stdout=output, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            raise SetupError(
                f"Odoo failed on database {name} ({' '.join(args)}); see {logfile}"
            )
        log(f"done in {time.monotonic() - started:.0f}s")

    def ensure_test_db(self):
        """The test database: the addon installed on a copy of a base database
        holding its dependencies; reused while neither changes."""
        wanted = tree_hash(base_hash())
        if self.stamp(TEST_DB) == wanted:
            log(f"reusing database {TEST_DB} (addon unchanged)")
            return
        if self.stamp(BASE_DB) != base_hash():
            self.drop(BASE_DB)
            self.odoo(
                BASE_DB,
                "-i",
                ",".join(base_addons()),
                logfile=os.path.join(LOCAL, "logs", f"{BASE_DB}.log"),
            )
            self.set_stamp(BASE_DB, base_hash())
        self.copy(BASE_DB, TEST_DB)
        self.odoo(TEST_DB, "-i", ADDON, logfile=install_log(TEST_DB))
        self.check_installed(TEST_DB)
        self.set_stamp(TEST_DB, wanted)

    def ensure_run_db(self):
        """The demo database: created with demo data once, then upgraded in place
        when the addon changes (it holds the user's own data: never dropped)."""
        wanted = tree_hash("demo")
        current = self.stamp(RUN_DB)
        if current == wanted:
            return
        if current is None and not self.exists(RUN_DB):
            self.odoo(
                RUN_DB,
                "--with-demo",
                "-i",
                ",".join((*EXTRA_ADDONS, *repository_addons())),
                logfile=install_log(RUN_DB),
            )
        else:
            # Upgrades the bridges too (they depend on the addon); an addon
            # of the repository, or an extra addon, new to the database is
            # installed (the extra ones first, so that demo data finds them).
            missing = [*EXTRA_ADDONS, *self.missing_addons(RUN_DB)]
            self.odoo(
                RUN_DB,
                *(["-i", ",".join(missing)] if missing else []),
                "-u",
                ADDON,
                logfile=install_log(RUN_DB),
            )
        self.check_installed(RUN_DB)
        self.set_stamp(RUN_DB, wanted)

    def missing_addons(self, name):
        """The repository's addons not installed in database ``name``."""
        conn = self._connect(name)
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT name FROM ir_module_module"
                    " WHERE name IN %s AND state = 'installed'",
                    [tuple(repository_addons())],
                )
                installed = {row[0] for row in cr.fetchall()}
        finally:
            conn.close()
        return sorted(set(repository_addons()) - installed)

    def check_installed(self, name):
        """Stop unless every addon of the repository is installed in database
        ``name``: installing the main addon installs its bridges (Odoo's
        auto_install), and this says so when it did not."""
        missing = self.missing_addons(name)
        if missing:
            raise SetupError(
                f"{', '.join(missing)} not installed in database {name} after "
                f"installing {ADDON}: check their manifests' depends and "
                f"auto_install ({install_log(name)})"
            )


def install_log(dbname):
    return os.path.join(LOCAL, "logs", f"install-{dbname}.log")


def addon_problems(logfile):
    """Warnings and errors in the log of an install of the addon alone: Odoo's
    log lines that name the addon, and docutils' reports on its README (the
    log holds nothing else that docutils renders)."""
    problems = []
    with open(logfile, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            # "<date> <time> <pid> <LEVEL> <database> <logger>: <message>": the
            # database's name (symantec_renewals_test) does not name the addon.
            odoo_problem = next(
                (
                    line.split(f" {level} ", 1)[1].split(" ", 1)[-1]
                    for level in ("WARNING", "ERROR", "CRITICAL")
                    if f" {level} " in line
                ),
                "",
            )
            docutils_problem = any(
                f"({level}/" in line for level in ("WARNING", "ERROR", "SEVERE")
            )
            if ADDON in odoo_problem or docutils_problem:
                problems.append(line.rstrip())
    return problems


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def wkhtmltopdf_warning(which=shutil.which):
    """One line when wkhtmltopdf, which Odoo renders PDFs with, is missing."""
    if which("wkhtmltopdf"):
        return None
    return (
        "warning: wkhtmltopdf not found: printing, sending or downloading a "
        "quote as PDF will fail; install it (apt-get install wkhtmltopdf)"
    )


def port_is_free(port):
    """Whether Odoo can listen on ``port`` (on every interface, as it does)."""
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("", port))
        except OSError:
            return False
    return True


def stage_two(args):
    python = sys.executable
    if args.command == "run" and (warning := wkhtmltopdf_warning()):
        log(warning)
    params = postgres_params()
    if args.command == "pg":
        return 0
    if args.command == "run":
        config = write_config(params, http_port=args.port)
    else:
        # The tests' HTTP server (browser tests) on a port of its own: the
        # developer's server may hold 8069.
        config = write_config(
            params,
            http_port=args.port or free_port(),
            name="odoo-test.conf",
            job_runner=False,
        )
    dbs = Databases(params, config, python)
    if args.command == "run":
        if not port_is_free(args.port):
            raise SetupError(
                f"port {args.port} is in use (another ./setup/run?): stop it, "
                "or serve on another port with --port N"
            )
        dbs.ensure_run_db()
        print(
            f"\nRenewals is served at http://localhost:{args.port}"
            f"  (database {RUN_DB})\n"
            "Log in as admin / admin (manager), manager / manager or rep / rep"
            " (in Italian);\nportal: reseller / reseller, customer / customer"
            " (both in Italian).\n",
            flush=True,
        )
        os.execv(
            python,
            odoo_command(python, config, RUN_DB, f"--db-filter=^{RUN_DB}$", *args.rest),
        )
    if args.command == "test":
        if not args.no_lint:
            lint()
        dbs.ensure_test_db()
        pytest = [
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            f"--odoo-config={config}",
            f"--odoo-database={TEST_DB}",
            "--odoo-http",
            *(args.rest or ["tests", *repository_addons()]),
        ]
        log("pytest " + " ".join(pytest[3:]))
        return subprocess.run(pytest, cwd=ROOT).returncode
    if args.command == "bench":
        dbs.ensure_test_db()
        return bench(args, dbs, config, python)
    if args.command == "bench-queue":
        dbs.ensure_test_db()
        return bench_queue(args, dbs, config, python)
    if args.command == "odoo-tests":
        return odoo_tests(args, dbs, config, python)
    if args.command == "i18n":
        # From the demo database: the .pot holds the demo data's terms too (as
        # Odoo's own do), and the tests check them when demo data is loaded.
        dbs.ensure_run_db()
        export_translations(config, RUN_DB)
        return 0
    raise SystemExit(f"unknown command {args.command}")


ODOO_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (\w+) ")


def odoo_tests(args, dbs, config, python):
    """Odoo's own test runner (``--test-enable``) on a new database, with demo
    data if asked: installs the addon and runs all its tests; prints the
    errors and Odoo's summary, the whole log goes to a file."""
    name = ODOO_TESTS_DEMO_DB if args.demo else ODOO_TESTS_DB
    dbs.drop(name)
    logfile = os.path.join(LOCAL, "logs", f"{name}.log")
    cmd = odoo_command(
        python,
        config,
        name,
        "--stop-after-init",
        "-i",
        ",".join((*EXTRA_ADDONS, ADDON)),
        "--test-enable",
        f"--test-tags=/{ADDON}",
        *(["--with-demo"] if args.demo else []),
        *args.rest,
    )
    log(f"odoo {' '.join(cmd[6:])} (log: {os.path.relpath(logfile, ROOT)})")
    with open(logfile, "w", encoding="utf-8") as output:
        result = subprocess.run(cmd, stdout=output, stderr=subprocess.STDOUT)
    shown = False
    with open(logfile, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            record = ODOO_LOG_RECORD.match(line)
            if record:
                shown = record.group(1) in ("ERROR", "CRITICAL")
            if shown or "when loading database" in line:
                print(line, end="")
    return result.returncode


def ensure_bench_db(args, dbs, config):
    """The benchmark database with ``args.contracts`` contracts: generated
    once per size, only upgraded when the addons change."""
    sys.path.insert(0, os.path.join(ROOT, "setup"))
    import benchmark

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config as odoo_config

    # The data is made once per size; a changed addon only upgrades it.
    wanted = tree_hash(base_hash())
    if dbs.param(BENCH_DB, benchmark.PARAM) != str(args.contracts):
        # From the dependencies' copy: the test database may be in use.
        dbs.copy(BASE_DB, BENCH_DB)
        dbs.odoo(BENCH_DB, "-i", ADDON, logfile=install_log(BENCH_DB))
        dbs.check_installed(BENCH_DB)
        odoo_config.parse_config(["-c", config, "-d", BENCH_DB])
        registry = Registry(BENCH_DB)
        log(f"generating {args.contracts} contracts in {BENCH_DB}")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            seconds = benchmark.generate(env, args.contracts, cr.commit)
        log(f"generated in {seconds:.0f}s")
        dbs.set_stamp(BENCH_DB, wanted)
        odoo.sql_db.close_db(BENCH_DB)
        Registry.delete(BENCH_DB)
    elif dbs.stamp(BENCH_DB) != wanted:
        dbs.odoo(
            BENCH_DB,
            "-i",
            ",".join(EXTRA_ADDONS),
            "-u",
            ADDON,
            logfile=install_log(BENCH_DB),
        )
        dbs.set_stamp(BENCH_DB, wanted)


def bench_queue(args, dbs, config, python):
    """The renewal run on queue_job's workers (1 and 2) against the run in
    this process, on copies of the benchmark database; prints the figures."""
    ensure_bench_db(args, dbs, config)
    import bench_queue as measures
    import benchmark

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config as odoo_config

    made, times = {}, {}
    for mode in ("in-process", 1, 2):
        dbs.copy(BENCH_DB, BENCH_QUEUE_DB)
        odoo_config.parse_config(["-c", config, "-d", BENCH_QUEUE_DB])
        registry = Registry(BENCH_QUEUE_DB)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            count = measures.only_sample_due(env, args.sample)
            before = measures.made(cr)
            log(f"renewal run of {count} contracts: {mode} worker(s)")
            if mode == "in-process":
                times[mode] = measures.in_process(env)
            else:
                server = measures.start_server(
                    python,
                    LOCAL,
                    config,
                    BENCH_QUEUE_DB,
                    workers=mode,
                    port=free_port(),
                    gevent_port=free_port(),
                )
                try:
                    times[mode] = measures.queued(env, server, mode)
                finally:
                    measures.stop_server(server)
            after = measures.made(cr)
        made[mode] = {key: after[key] - before[key] for key in after}
        odoo.sql_db.close_db(BENCH_QUEUE_DB)
        Registry.delete(BENCH_QUEUE_DB)
    dbs.drop(BENCH_QUEUE_DB)
    for mode in (1, 2):
        if made[mode] != made["in-process"]:
            raise SetupError(
                f"the queued run with {mode} worker(s) made {made[mode]}, the "
                f"in-process run {made['in-process']}"
            )
    log(f"each run made {made['in-process']}")
    benchmark.print_rows(
        measures.rows(times["in-process"], {1: times[1], 2: times[2]}, count)
    )
    return 0


def bench(args, dbs, config, python):
    """Fill (once) and measure the benchmark database; print the figures."""
    ensure_peer_package(args)
    sys.path.insert(0, os.path.join(ROOT, "setup"))
    import benchmark

    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config as odoo_config

    ensure_bench_db(args, dbs, config)
    prepare_peer(dbs, config)
    odoo_config.parse_config(["-c", config, "-d", BENCH_DB])
    registry = Registry(BENCH_DB)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if "sale.subscription" not in env:
            raise SetupError(
                f"{PEER} is installed in {BENCH_DB} but this Odoo does not load "
                f"it (odoo.addons.{PEER} is not on its addons path): the "
                "benchmark has no peer to compare with"
            )
        rows = []
        if args.only in (None, "run"):
            rows += benchmark.run_benchmark(
                env, args.sample, benchmark.screen_timings, args.rounds
            )
        if args.only in (None, "auto"):
            rows += benchmark.auto_renewal_rows(
                env, min(200, args.sample * 2), args.rounds
            )
        cr.rollback()
    if args.only in (None, "run"):
        rows.append(portal_timing(config, python))
    benchmark.print_rows(rows)
    return 0


PEER = "subscription_oca"
PEER_PARAM = "symantec_renewals.bench_peer"
BENCH_REQUIREMENTS = os.path.join(ROOT, "requirements-bench.txt")
# Set when the benchmark runs again in the interpreter its peer was installed in.
PEER_REEXEC = "SR_BENCH_PEER_INSTALLED"


def ensure_peer_package(args):
    """OCA's subscription_oca importable by this process, else installed
    (requirements-bench.txt) into the project's .venv -- never into the
    interpreter the command was started with -- and the benchmark run again
    in that .venv: Odoo reads its addons path (``odoo.addons.__path__``) once
    per process, so the running one would never see the new package."""
    import importlib.util

    if importlib.util.find_spec(f"odoo.addons.{PEER}") is not None:
        return
    if os.environ.get(PEER_REEXEC):
        raise SetupError(
            f"{PEER} was installed from requirements-bench.txt but "
            f"{sys.executable} does not import odoo.addons.{PEER}: "
            "remove .venv and run again"
        )
    python = sys.executable
    # Not by the interpreters' real paths: .venv/bin/python links to the one
    # the venv was made on.
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        python = make_venv(python, system_site_packages=True)
    imports_peer = [python, "-c", f"import odoo.addons.{PEER}"]
    if _quiet(imports_peer).returncode != 0:
        pip_install(python, "-r", BENCH_REQUIREMENTS)
        if _quiet(imports_peer).returncode != 0:
            raise SetupError(
                f"pip installed requirements-bench.txt but {python} does not "
                f"import odoo.addons.{PEER}: remove .venv and run again"
            )
    if not imports_odoo19(python):
        raise SetupError(
            f"{python} does not import Odoo 19: remove .venv and run again"
        )
    log(f"running the benchmark in {python}, which imports {PEER}")
    argv = [python, os.path.abspath(__file__), "--stage-two", "bench"]
    argv += ["--contracts", str(args.contracts), "--sample", str(args.sample)]
    argv += ["--rounds", str(args.rounds)]
    if args.only:
        argv += ["--only", args.only]
    sys.stdout.flush()
    os.execve(python, argv, dict(os.environ, **{PEER_REEXEC: "1"}))


def peer_installed(dbs):
    """Whether subscription_oca is installed in the benchmark database."""
    conn = dbs._connect(BENCH_DB)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [PEER])
            row = cr.fetchone()
            return bool(row) and row[0] == "installed"
    finally:
        conn.close()


def prepare_peer(dbs, config):
    """Invoicing (a chart of accounts) and OCA's subscription_oca beside the
    addon in the benchmark database: a benchmark-only dependency
    (requirements-bench.txt, see ensure_peer_package), never the addon's."""
    if dbs.param(BENCH_DB, PEER_PARAM) == "1" and peer_installed(dbs):
        return
    dbs.odoo(BENCH_DB, "-i", PEER, logfile=install_log(BENCH_DB + "_peer"))
    code = (
        "env['account.chart.template'].try_loading('generic_coa', "
        "company=env.company, install_demo=False) "
        "if not env.company.chart_template else None; env.cr.commit()"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "shell",
            "-c",
            config,
            "-d",
            BENCH_DB,
            "--no-http",
        ],
        input=code,
        text=True,
        capture_output=True,
    )
    if result.returncode != 0:
        raise SetupError(f"loading a chart of accounts failed: {result.stderr[-300:]}")
    dbs.set_param(BENCH_DB, PEER_PARAM, "1")


def portal_timing(config, python):
    """/my/renewals for the reseller of 5,000 contracts, over real HTTP."""
    import json
    import urllib.request
    from http.cookiejar import CookieJar

    port = free_port()
    server = subprocess.Popen(
        odoo_command(
            python,
            config,
            BENCH_DB,
            f"--http-port={port}",
            "--http-interface=127.0.0.1",
            f"--db-filter=^{BENCH_DB}$",
            "--max-cron-threads=0",
            "--log-level=warn",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar())
    )
    try:
        for _attempt in range(120):
            try:
                opener.open(f"{base}/web/login", timeout=5).read()
                break
            except OSError:
                time.sleep(1)
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "db": BENCH_DB,
                    "login": "bench_reseller",
                    "password": "bench_reseller",
                },
            }
        )
        opener.open(
            urllib.request.Request(
                f"{base}/web/session/authenticate",
                data=body.encode(),
                headers={"Content-Type": "application/json"},
            ),
            timeout=60,
        ).read()
        best = None
        for _attempt in range(4):  # the first one also builds the page assets
            started = time.perf_counter()
            page = opener.open(f"{base}/my/renewals", timeout=120).read()
            seconds = time.perf_counter() - started
            best = seconds if best is None else min(best, seconds)
        if b"o_renewal_row" not in page:
            return (
                "/my/renewals for a reseller of 5,000 contracts (s)",
                "no rows",
                "< 1",
            )
        return (
            "/my/renewals for a reseller of 5,000 contracts (s)",
            f"{best:.3f}",
            "< 1",
        )
    finally:
        server.terminate()
        server.wait(30)


def export_translations(config, dbname):
    """Export each addon's terms, its demo data's included, from database
    ``dbname`` to its .pot and merge them into its .po."""
    if not shutil.which("msgmerge"):
        raise SetupError("msgmerge not found: apt-get install gettext")
    for addon in repository_addons():
        export_addon_translations(config, dbname, addon)


def export_addon_translations(config, dbname, addon):
    i18n = os.path.join(ROOT, addon, "i18n")
    os.makedirs(i18n, exist_ok=True)
    pot = os.path.join(i18n, f"{addon}.pot")
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "i18n",
        "export",
        "-c",
        config,
        "-d",
        dbname,
        "-o",
        pot,
        addon,
    ]
    if subprocess.run(cmd).returncode != 0:
        raise SetupError(f"exporting the terms of {addon} failed (see above)")
    for po in sorted(glob.glob(os.path.join(i18n, "*.po"))):
        subprocess.run(
            [
                "msgmerge",
                "--quiet",
                "--update",
                "--no-fuzzy-matching",
                "--backup=none",
                po,
                pot,
            ],
            check=True,
        )
        log(f"merged {os.path.relpath(po, ROOT)}: translate its empty msgstr")
    # The layout the OCA translation check (run by the linters) expects.
    fixer = os.path.join(os.path.dirname(sys.executable), "oca-checks-po")
    subprocess.run(
        [
            fixer,
            "--fix",
            "--no-exit",
            "--no-verbose",
            *glob.glob(os.path.join(i18n, "*.po*")),
        ],
        check=False,
    )


def lint():
    log("lint: pre-commit (ruff, ruff format, pylint-odoo, manifest checks)")
    env = dict(os.environ, PRE_COMMIT_HOME=os.path.join(LOCAL, "pre-commit"))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    files = _quiet(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT)
    if files.returncode == 0:
        cmd = [
            sys.executable,
            "-m",
            "pre_commit",
            "run",
            "--files",
            *[
                f
                for f in files.stdout.splitlines()
                if os.path.exists(os.path.join(ROOT, f))
            ],
        ]
    else:
        cmd = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SetupError(
            "lint failed (see above): fix it, or run 'ruff format' for formatting"
        )


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage-two", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the addon with demo data")
    run.add_argument(
        "--port", type=int, default=int(os.environ.get("SR_HTTP_PORT", "8069"))
    )
    run.add_argument("rest", nargs=argparse.REMAINDER, help="extra Odoo options")
    test = sub.add_parser("test", help="lint and run the whole test suite")
    test.add_argument("--no-lint", action="store_true", help="skip the linters")
    test.add_argument(
        "rest",
        nargs=argparse.REMAINDER,
        help="pytest arguments (default: tests and every addon's tests)",
    )
    # No --port: pytest-odoo serves the browser tests on a free port of its
    # choosing, whatever the configuration says (never the server's 8069).
    test.set_defaults(port=0)
    bench_cmd = sub.add_parser("bench", help="benchmark the renewal run at scale")
    bench_cmd.add_argument("--contracts", type=int, default=100000)
    bench_cmd.add_argument(
        "--sample",
        type=int,
        default=2000,
        help="due contracts the three paths are compared on (two of the run's batches)",
    )
    bench_cmd.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times each path is timed; its best time counts",
    )
    bench_cmd.add_argument(
        "--only",
        choices=("run", "auto"),
        help="only the renewal run's measures, or only the automatic renewal's",
    )
    bench_cmd.set_defaults(port=0, rest=[])
    bench_queue_cmd = sub.add_parser(
        "bench-queue",
        help="benchmark the renewal run on queue_job's workers (1 and 2)",
    )
    bench_queue_cmd.add_argument("--contracts", type=int, default=100000)
    bench_queue_cmd.add_argument(
        "--sample", type=int, default=4000, help="due contracts the runs make"
    )
    bench_queue_cmd.set_defaults(port=0, rest=[])
    odoo_tests_cmd = sub.add_parser(
        "odoo-tests", help="Odoo's own test runner on a new database"
    )
    odoo_tests_cmd.add_argument(
        "--demo",
        action="store_true",
        help="with demo data (Odoo loads none by default)",
    )
    odoo_tests_cmd.add_argument("rest", nargs=argparse.REMAINDER, help="Odoo options")
    odoo_tests_cmd.set_defaults(port=0)
    i18n = sub.add_parser("i18n", help="export the .pot and merge it into it.po")
    i18n.set_defaults(port=0, rest=[])
    pg = sub.add_parser("pg", help="start (default) or stop the private PostgreSQL")
    pg.add_argument("action", nargs="?", choices=("start", "stop"), default="start")
    pg.set_defaults(port=0, rest=[])
    return parser.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    try:
        if args.command == "pg" and args.action == "stop":
            bindir = pg_bindir()
            if bindir:
                PrivateCluster(bindir).stop()
            return 0
        if not args.stage_two:
            if sys.version_info < (3, 10):  # noqa: UP036 - stage one runs on any python3
                raise SetupError("Python 3.10 or newer is needed (Odoo 19 needs it)")
            python = find_python()
            os.execv(python, [python, os.path.abspath(__file__), "--stage-two", *argv])
        return stage_two(args)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
