"""The official `anthropic` Python SDK, unmodified, against the gateway (only base_url and api_key set)."""

from __future__ import annotations

import time

import anthropic
import pytest
from anthropic import Anthropic

from conftest import Gateway, check_row

MODEL = "claude-haiku-4-5"


@pytest.fixture(scope="module")
def client(gw: Gateway, api_key: str) -> Anthropic:
    c = Anthropic(base_url=gw.anthropic_base, api_key=api_key, timeout=20.0)
    yield c
    c.close()


def message_usage(usage) -> dict:
    """Spendwall's disjoint usage from Anthropic usage (input_tokens already excludes cache reads/writes;
    `cache_creation` splits the writes into the 5-minute and the dearer 1-hour cache)."""
    writes = usage.cache_creation_input_tokens or 0
    extended = 0
    if getattr(usage, "cache_creation", None) is not None:
        extended = usage.cache_creation.ephemeral_1h_input_tokens or 0
        writes = usage.cache_creation.ephemeral_5m_input_tokens or 0
    return {
        "input": usage.input_tokens,
        "cached_input": usage.cache_read_input_tokens or 0,
        "cache_write": writes,
        "extended_cache_write": extended,
        "output": usage.output_tokens,
        "reasoning": 0,
    }


def text_of(message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def test_messages_non_stream(gw: Gateway, client: Anthropic):
    message = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=[{"role": "user", "content": "Say something about budgets."}],
    )
    assert message.type == "message" and message.role == "assistant"
    assert message.id
    assert message.stop_reason == "end_turn"
    text = text_of(message)
    assert text.strip()
    usage = message_usage(message.usage)
    assert usage["input"] >= 1 and usage["output"] >= 1
    assert len(text.split()) == usage["output"]
    row = gw.ledger_row(upstream_id=message.id)
    check_row(gw, row, usage, model=MODEL)


def test_messages_with_cache_read_and_write(gw: Gateway, client: Anthropic):
    message = client.messages.create(
        model=MODEL,
        max_tokens=100,
        system="y" * 400,
        messages=[{"role": "user", "content": "z" * 400}],
        extra_headers={"x-simulator-cached-tokens": "50", "x-simulator-cache-write-tokens": "30"},
    )
    usage = message_usage(message.usage)
    assert usage["cached_input"] == 50 and usage["cache_write"] == 30, message.usage
    assert usage["input"] > 0
    row = gw.ledger_row(upstream_id=message.id)
    check_row(gw, row, usage, model=MODEL)
    rates = row["rates"]
    assert rates.get("cached_input", rates["input"]) < rates["input"], rates
    assert rates.get("cache_write", rates["input"]) > rates["input"], rates


def test_one_hour_cache_writes_are_billed_at_their_own_rate(gw: Gateway, client: Anthropic):
    message = client.messages.create(
        model=MODEL,
        max_tokens=50,
        system="y" * 400,
        messages=[{"role": "user", "content": "z" * 400}],
        extra_headers={"x-simulator-cache-write-tokens": "10", "x-simulator-extended-cache-write-tokens": "40"},
    )
    usage = message_usage(message.usage)
    assert usage["cache_write"] == 10 and usage["extended_cache_write"] == 40, message.usage
    row = gw.ledger_row(upstream_id=message.id)
    check_row(gw, row, usage, model=MODEL)
    rates = row["rates"]
    # Anthropic bills 1-hour writes at 2x input and 5-minute writes at 1.25x.
    assert rates["extended_cache_write"] == 2 * rates["input"], rates
    assert rates["cache_write"] * 4 == rates["input"] * 5, rates


def test_messages_stream_helper(gw: Gateway, client: Anthropic):
    with client.messages.stream(
        model=MODEL,
        max_tokens=200,
        messages=[{"role": "user", "content": "Stream a sentence."}],
    ) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    text = "".join(pieces)
    assert text.strip()
    assert text == text_of(final)
    assert final.stop_reason == "end_turn"
    usage = message_usage(final.usage)
    assert usage["input"] >= 1
    assert len(text.split()) == usage["output"]
    row = gw.ledger_row(upstream_id=final.id)
    check_row(gw, row, usage, model=MODEL)


def test_messages_raw_stream_events(gw: Gateway, client: Anthropic):
    stream = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=[{"role": "user", "content": "Raw events, please."}],
        stream=True,
    )
    events = list(stream)
    types = [e.type for e in events]
    assert types[0] == "message_start", types
    assert types[-1] == "message_stop", types
    assert "content_block_delta" in types and "message_delta" in types
    start = events[0].message
    delta = next(e for e in events if e.type == "message_delta")
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta")
    usage = {**message_usage(start.usage), "output": delta.usage.output_tokens}
    assert len(text.split()) == usage["output"]
    row = gw.ledger_row(upstream_id=start.id)
    check_row(gw, row, usage, model=MODEL)


def test_count_tokens_is_free(gw: Gateway, client: Anthropic):
    gw.wait_settled()
    before = len(gw.ledger())
    result = client.messages.count_tokens(
        model=MODEL, messages=[{"role": "user", "content": "a" * 40}]
    )
    assert result.input_tokens >= 10, result
    gw.wait_settled()
    rows = gw.ledger()
    assert len(rows) == before, f"count_tokens created ledger rows: {rows[: len(rows) - before]}"
    calls = [c for c in gw.simulator_calls() if c["endpoint"] == "anthropic.count_tokens"]
    assert calls, "count_tokens did not reach the provider"


def test_count_tokens_allowed_when_budget_exhausted(gw: Gateway):
    """count_tokens costs nothing, so a key whose budget cannot afford any message may still count."""
    poor = Anthropic(base_url=gw.anthropic_base, api_key=gw.new_key(budget="0.000001"))
    result = poor.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "b" * 40}])
    assert result.input_tokens >= 10
    poor.close()


def test_budget_refusal_is_402_without_retries(gw: Gateway, request_counter):
    secret = gw.new_key(budget="0.000001")
    http_client = anthropic.DefaultHttpxClient(event_hooks={"request": [request_counter]})
    poor = Anthropic(base_url=gw.anthropic_base, api_key=secret, http_client=http_client)
    assert poor.max_retries == 2
    gw.wait_settled()
    ledger_before = len(gw.ledger())
    calls_before = len(gw.simulator_calls())
    refused_before = gw.status()["statistics"]["refused"]

    started = time.monotonic()
    with pytest.raises(anthropic.APIStatusError) as info:
        poor.messages.create(model=MODEL, max_tokens=100, messages=[{"role": "user", "content": "hi"}])
    elapsed = time.monotonic() - started
    err = info.value
    assert err.status_code == 402
    assert not isinstance(err, (anthropic.RateLimitError, anthropic.InternalServerError))
    payload = err.response.json()
    assert payload["type"] == "error"
    assert payload["error"]["type"] == "budget_exceeded"
    assert err.body["error"]["type"] == "budget_exceeded", err.body
    assert "Budget exceeded" in err.message
    assert err.response.headers.get("x-should-retry") == "false"

    # The streaming helper surfaces the same refusal, also without retries.
    with pytest.raises(anthropic.APIStatusError) as info_stream:
        with poor.messages.stream(model=MODEL, max_tokens=100, messages=[{"role": "user", "content": "hi"}]) as s:
            s.get_final_message()
    assert info_stream.value.status_code == 402

    assert len(request_counter.requests) == 2, f"SDK sent {request_counter.requests}"
    assert elapsed < 2.0, f"refusal took {elapsed:.2f}s (retry back-off?)"
    gw.wait_settled()
    assert gw.status()["statistics"]["refused"] == refused_before + 2
    assert len(gw.ledger()) == ledger_before, "a refused request must not be billed"
    assert len(gw.simulator_calls()) == calls_before, "a refused request must not reach the provider"
    poor.close()


def test_bad_key_is_authentication_error(gw: Gateway, request_counter):
    http_client = anthropic.DefaultHttpxClient(event_hooks={"request": [request_counter]})
    bad = Anthropic(base_url=gw.anthropic_base, api_key="sw-not-a-real-key", http_client=http_client)
    with pytest.raises(anthropic.AuthenticationError) as info:
        bad.messages.create(model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 401
    assert info.value.body["type"] == "error"
    assert len(request_counter.requests) == 1
    bad.close()


def test_kill_switch_ends_a_live_stream_with_an_error_event(gw: Gateway):
    """Blocking the key mid-stream: the SDK raises on the final `error` event within a second,
    the row is `killed`, and new calls get 403 PermissionDeniedError."""
    team = f"team-kill-{time.monotonic_ns()}"
    secret = gw.new_key(team=team)
    key_id = next(k["id"] for k in gw.admin_call("GET", f"/keys?tenant={gw.tenant}") if k["team_id"] == team)
    c = Anthropic(base_url=gw.anthropic_base, api_key=secret, timeout=20.0, max_retries=0)
    events = []
    with pytest.raises(anthropic.APIStatusError) as info:
        with c.messages.stream(
            model=MODEL, max_tokens=300, messages=[{"role": "user", "content": "Tell me a long story."}],
            extra_headers={"x-simulator-chunk-delay-ms": "300"},
        ) as stream:
            for event in stream:
                events.append(event)
                if len(events) == 4:
                    gw.admin_call("POST", "/blocks", {"scope": "key", "id": key_id, "reason": "key leaked", "actor": "compat"})
                    blocked_at = time.monotonic()
    assert time.monotonic() - blocked_at < 1.0
    assert "key leaked" in str(info.value)
    assert info.value.body["error"]["type"] == "key_blocked", info.value.body
    message_id = events[0].message.id
    row = gw.ledger_row(upstream_id=message_id)
    assert row["status"] == "killed", row
    assert 0 < row["cost"] <= row["hold"], row
    with pytest.raises(anthropic.PermissionDeniedError):
        c.messages.create(model=MODEL, max_tokens=20, messages=[{"role": "user", "content": "hi"}])
    c.close()
