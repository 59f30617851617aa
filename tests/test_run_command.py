"""End to end: the README's run command serves the addon with its demo data."""

import json
import os
import signal
import subprocess
import time
import urllib.request

import devtool


def wait_for(url, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"setup/run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode()
        except OSError:
            time.sleep(2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def json_rpc(url, params, headers=None):
    """A JSON-RPC call; the answer carries the session cookie it set."""
    request = urllib.request.Request(
        url,
        data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params}
        ).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read().decode())
        cookie = response.headers.get("Set-Cookie", "")
        answer["_session_cookie"] = cookie.split(";", 1)[0]
        return answer


def test_run_command_serves_login_page_with_addon_and_demo_data(tmp_path):
    port = devtool.free_port()
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        [os.path.join(devtool.ROOT, "setup", "run"), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        status, page = wait_for(f"{base}/web/login", process, timeout=1200)
        assert status == 200
        assert 'name="login"' in page and 'name="password"' in page
        printed = (tmp_path / "run.log").read_text()
        assert f"http://localhost:{port}" in printed
        assert "rep / rep" in printed
        # The demo renewal rep exists and can log in: demo data is loaded.
        answer = json_rpc(
            f"{base}/web/session/authenticate",
            {"db": devtool.RUN_DB, "login": "rep", "password": "rep"},
        )
        assert "error" not in answer, answer
        assert answer["result"]["uid"]
        # The demo rep works in Italian: Odoo's menus and the addon's are in
        # Italian for her, as the web client asks for them.
        context = answer["result"]["user_context"]
        assert context["lang"] == "it_IT", context
        menus = json_rpc(
            f"{base}/web/dataset/call_kw/ir.ui.menu/search_read",
            {
                "model": "ir.ui.menu",
                "method": "search_read",
                "args": [[("parent_id", "=", False)], ["name"]],
                "kwargs": {"context": context},
            },
            headers={"Cookie": answer["_session_cookie"]},
        )
        assert "error" not in menus, menus
        names = {menu["name"] for menu in menus["result"]}
        assert {"Vendite", "Rinnovi"} <= names, names
        # The demo ends with the day's renewal run: the rep's pipeline has
        # renewals in several columns, and quotes, reminders and e-mails.
        cookie = {"Cookie": answer["_session_cookie"]}
        renewals = json_rpc(
            f"{base}/web/dataset/call_kw/crm.lead/search_read",
            {
                "model": "crm.lead",
                "method": "search_read",
                "args": [[("is_renewal", "=", True)], ["renewal_status"]],
                "kwargs": {},
            },
            headers=cookie,
        )
        assert "error" not in renewals, renewals
        statuses = {row["renewal_status"] for row in renewals["result"]}
        assert {"upcoming", "quoted", "reinstatement"} <= statuses, statuses
        for model in ("sale.order", "mail.activity"):
            count = json_rpc(
                f"{base}/web/dataset/call_kw/{model}/search_count",
                {"model": model, "method": "search_count", "args": [[]], "kwargs": {}},
                headers=cookie,
            )
            assert count.get("result"), (model, count)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
