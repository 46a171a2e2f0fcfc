"""Shared fixtures for the SDK compatibility suite.

One gateway process (``spendwall serve --simulator``) is started per test session with a fresh
``SPENDWALL_HOME``; tenants, teams, keys and budgets are created through the admin API with the
standard library only, so the official SDKs under test are the only third-party HTTP clients.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO / ".build" / "debug" / "spendwall"
READY_TIMEOUT_S = 60.0
SETTLE_TIMEOUT_S = 10.0


class GatewayDied(RuntimeError):
    pass


@dataclass
class Gateway:
    """A running gateway and helpers to drive its admin API and inspect its simulator."""

    data: str  # host:port of the data plane
    admin: str  # host:port of the admin API
    simulator: str  # base URL of the simulated provider
    token: str  # admin bearer token
    home: Path
    process: subprocess.Popen
    tenant: str = "compat"
    _made: set = field(default_factory=set)

    # ---- base URLs for the SDKs -------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://{self.data}"

    @property
    def openai_base(self) -> str:
        return f"http://{self.data}/v1"

    @property
    def anthropic_base(self) -> str:
        return f"http://{self.data}"

    # ---- raw HTTP ---------------------------------------------------------------------------

    @staticmethod
    def _http(method: str, url: str, body: Any = None, headers: dict | None = None, timeout: float = 10.0):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")
            return err.code, payload

    def admin_call(self, method: str, path: str, body: Any = None, expect: int | tuple = (200, 201)):
        self.check_alive()
        status, payload = self._http(
            method, f"http://{self.admin}/admin/v1{path}", body, {"Authorization": f"Bearer {self.token}"}
        )
        expected = (expect,) if isinstance(expect, int) else expect
        assert status in expected, f"admin {method} {path} -> {status}: {payload}"
        return payload

    # ---- provisioning -----------------------------------------------------------------------

    def ensure_tenant(self) -> None:
        if ("tenant", self.tenant) not in self._made:
            self.admin_call("POST", "/tenants", {"id": self.tenant, "name": "Compat tests"})
            self._made.add(("tenant", self.tenant))

    def new_key(self, team: str | None = None, budget: str | None = None) -> str:
        """Creates a team (unique id unless given), optionally a daily team budget, and a key.

        Returns the key's secret (``sw-…``).
        """
        self.ensure_tenant()
        team = team or f"team-{uuid.uuid4().hex[:8]}"
        if ("team", team) not in self._made:
            self.admin_call("POST", "/teams", {"tenant": self.tenant, "id": team, "name": team})
            self._made.add(("team", team))
        if budget is not None:
            self.admin_call(
                "POST",
                "/budgets",
                {"tenant": self.tenant, "scope": "team", "scope_id": team, "period": "daily", "limit": budget},
            )
        created = self.admin_call("POST", "/keys", {"tenant": self.tenant, "team": team, "name": f"{team}-key"})
        secret = created["secret"]
        assert secret.startswith("sw-"), created
        return secret

    # ---- observation ------------------------------------------------------------------------

    def status(self) -> dict:
        return self.admin_call("GET", "/status")

    def ledger(self) -> list[dict]:
        rows = self.admin_call("GET", "/ledger?limit=1000")
        assert isinstance(rows, list), rows
        return rows

    def simulator_calls(self) -> list[dict]:
        status, calls = self._http("GET", f"{self.simulator}/_simulator/calls")
        assert status == 200, calls
        return calls

    def wait_settled(self, timeout: float = SETTLE_TIMEOUT_S) -> dict:
        """Polls the admin status until no hold is open; returns the last status."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if status["open_holds"] == 0:
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"holds still open after {timeout}s: {status}")
            time.sleep(0.02)

    def ledger_row(self, *, upstream_id: str | None = None, request_id: str | None = None,
                   timeout: float = SETTLE_TIMEOUT_S) -> dict:
        """The single ledger row for a call, joined by upstream (provider) id or gateway request id."""
        assert upstream_id or request_id
        self.wait_settled(timeout)
        deadline = time.monotonic() + timeout
        while True:
            rows = [
                r for r in self.ledger()
                if (upstream_id is None or r.get("upstream_id") == upstream_id)
                and (request_id is None or r.get("request_id") == request_id)
            ]
            if rows:
                assert len(rows) == 1, f"several ledger rows for {upstream_id or request_id}: {rows}"
                return rows[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no ledger row for upstream_id={upstream_id} request_id={request_id}")
            time.sleep(0.05)

    def simulator_call(self, call_id: str) -> dict:
        calls = [c for c in self.simulator_calls() if c["id"] == call_id]
        assert len(calls) == 1, f"simulator calls with id {call_id}: {calls}"
        return calls[0]

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise GatewayDied(f"gateway exited with {self.process.returncode}; log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = (self.home / "gateway.log").read_text(errors="replace")
        except OSError:
            return "<no log>"
        return "\n".join(text.splitlines()[-lines:])


# ---- pricing oracle -----------------------------------------------------------------------------

def expected_cost(usage: dict, rates: dict) -> int:
    """Nano-dollars for a ledger usage at the row's rates (pico-dollars per token), rounded up once.

    Missing optional rates fall back as documented: cached input, cache writes and audio input at
    the input rate, reasoning and audio output at the output rate.
    """
    picos = (
        usage["input"] * rates["input"]
        + usage["cached_input"] * rates.get("cached_input", rates["input"])
        + usage["cache_write"] * rates.get("cache_write", rates["input"])
        + usage["extended_cache_write"] * rates.get("extended_cache_write", rates.get("cache_write", rates["input"]))
        + usage["output"] * rates["output"]
        + usage["reasoning"] * rates.get("reasoning", rates["output"])
        + usage.get("audio_input", 0) * rates.get("audio_input", rates["input"])
        + usage.get("audio_output", 0) * rates.get("audio_output", rates["output"])
    )
    return math.ceil(picos / 1000) if picos > 0 else 0


SIM_USAGE_KEYS = {
    "input": "input",
    "cached_input": "cachedInput",
    "cache_write": "cacheWrite",
    "extended_cache_write": "extendedCacheWrite",
    "output": "output",
    "reasoning": "reasoning",
    "audio_input": "audioInput",
    "audio_output": "audioOutput",
}


def check_row(gw: Gateway, row: dict, expected_usage: dict, *, model: str, upstream_id: str | None = None,
              paid: bool = True) -> None:
    """Asserts a settled ledger row: usage equals the SDK-visible usage and the simulator's record,
    cost equals the price recomputed from usage × the row's rates, and the hold covered it."""
    expected_usage = {"extended_cache_write": 0, "audio_input": 0, "audio_output": 0, **expected_usage}
    assert row["status"] == "settled", row
    # The ledger names the resolved catalog entry; Gemini entries carry a "gemini/" prefix.
    assert row["model"] in (model, f"gemini/{model}"), row
    usage = row["usage"]
    assert {k: usage[k] for k in SIM_USAGE_KEYS} == expected_usage, (
        f"ledger usage {usage} != SDK-visible usage {expected_usage}"
    )
    sim = gw.simulator_call(upstream_id or row["upstream_id"])
    assert sim["model"] == model, sim
    assert sim["completed"] is True, sim
    assert sim["sawSpendwallKey"] is False, f"virtual key leaked upstream: {sim}"
    assert {k: sim["usage"][v] for k, v in SIM_USAGE_KEYS.items()} == expected_usage, (
        f"simulator usage {sim['usage']} != SDK-visible usage {expected_usage}"
    )
    assert row["cost"] == expected_cost(usage, row["rates"]), (row["cost"], usage, row["rates"])
    if paid:
        assert row["rates"]["input"] > 0 and row["rates"]["output"] >= 0, row["rates"]
        assert row["cost"] > 0, row
        assert row["cost"] <= row["hold"], f"settled cost {row['cost']} exceeds the reserved hold {row['hold']}"


# ---- process management -------------------------------------------------------------------------

def _read_ready_line(proc: subprocess.Popen, timeout: float) -> str:
    box: dict[str, str] = {}

    def reader() -> None:
        box["line"] = proc.stdout.readline()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    line = box.get("line")
    if not line:
        raise GatewayDied(f"no ready line within {timeout}s (exit code {proc.poll()})")

    def drain() -> None:  # keep stdout flowing so the gateway never blocks on a full pipe
        for _ in proc.stdout:
            pass

    threading.Thread(target=drain, daemon=True).start()
    return line


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def gw():
    binary = Path(os.environ.get("SPENDWALL_BINARY", DEFAULT_BINARY))
    if not binary.is_file():
        pytest.fail(f"spendwall binary not found at {binary} (run `swift build` or set SPENDWALL_BINARY)")
    home = Path(tempfile.mkdtemp(prefix="spendwall-compat-"))
    env = dict(os.environ, SPENDWALL_HOME=str(home))
    # Never let real provider keys reach anything from a test run.
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        env.pop(name, None)
    log = open(home / "gateway.log", "wb")
    proc = subprocess.Popen(
        [str(binary), "serve", "--simulator", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--json"],
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        line = _read_ready_line(proc, READY_TIMEOUT_S)
        ready = json.loads(line)
        assert ready.get("simulated") is True, ready
        token = (home / "admin-token").read_text().strip()
        gateway = Gateway(
            data=ready["data"], admin=ready["admin"], simulator=ready["simulator"], token=token, home=home,
            process=proc,
        )
        yield gateway
        gateway.check_alive()
    finally:
        _stop(proc)
        log.close()
        if os.environ.get("SPENDWALL_COMPAT_KEEP_HOME"):
            print(f"\nspendwall compat home kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def api_key(gw: Gateway) -> str:
    """A key on a team without budgets, shared by the happy-path tests."""
    return gw.new_key(team="main")


@pytest.fixture()
def request_counter():
    """An httpx ``request`` event hook that counts every HTTP request an SDK client sends."""

    class Counter:
        def __init__(self) -> None:
            self.requests: list[tuple[str, str]] = []

        def __call__(self, request) -> None:
            self.requests.append((request.method, str(request.url)))

    return Counter()
