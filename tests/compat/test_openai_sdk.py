"""The official `openai` Python SDK, unmodified, against the gateway (only base_url and api_key set)."""

from __future__ import annotations

import base64
import struct
import time

import openai
import pytest
from openai import OpenAI

from conftest import Gateway, check_row

CHAT_MODEL = "gpt-4o-mini"
REASONING_MODEL = "o4-mini"  # the simulator reports hidden reasoning tokens for o-series models
EMBED_MODEL = "text-embedding-3-small"


@pytest.fixture(scope="module")
def client(gw: Gateway, api_key: str) -> OpenAI:
    c = OpenAI(base_url=gw.openai_base, api_key=api_key, timeout=20.0)
    yield c
    c.close()


def chat_usage(usage) -> dict:
    """Spendwall's disjoint usage from OpenAI chat usage (prompt includes cached and audio,
    completion includes reasoning and audio)."""
    prompt, completion = usage.prompt_tokens_details, usage.completion_tokens_details
    cached = (prompt.cached_tokens or 0) if prompt else 0
    audio_in = (prompt.audio_tokens or 0) if prompt else 0
    reasoning = (completion.reasoning_tokens or 0) if completion else 0
    audio_out = (completion.audio_tokens or 0) if completion else 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    return {
        "input": usage.prompt_tokens - cached - audio_in,
        "cached_input": cached,
        "cache_write": 0,
        "output": usage.completion_tokens - reasoning - audio_out,
        "reasoning": reasoning,
        "audio_input": audio_in,
        "audio_output": audio_out,
    }


def responses_usage(usage) -> dict:
    cached = usage.input_tokens_details.cached_tokens or 0
    reasoning = usage.output_tokens_details.reasoning_tokens or 0
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    return {
        "input": usage.input_tokens - cached,
        "cached_input": cached,
        "cache_write": 0,
        "output": usage.output_tokens - reasoning,
        "reasoning": reasoning,
    }


def words(text: str) -> int:
    # The simulator emits one visible token per word (its "[simulated]" marker included).
    return len(text.split())


# ---- chat.completions ---------------------------------------------------------------------------

def test_chat_completion_non_stream(gw: Gateway, client: OpenAI):
    completion = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "Say something about budgets."}],
        max_tokens=200,
    )
    assert completion.object == "chat.completion"
    assert completion.id
    text = completion.choices[0].message.content
    assert text and text.strip()
    assert completion.choices[0].finish_reason == "stop"
    usage = chat_usage(completion.usage)
    assert usage["input"] >= 1 and usage["output"] >= 1
    assert words(text) == usage["output"]
    row = gw.ledger_row(upstream_id=completion.id)
    check_row(gw, row, usage, model=CHAT_MODEL)


def test_chat_completion_with_cached_and_reasoning_tokens(gw: Gateway, client: OpenAI):
    """Cached prompt tokens and hidden reasoning tokens are normalised and priced at their own rates."""
    completion = client.chat.completions.create(
        model=REASONING_MODEL,
        messages=[{"role": "user", "content": "x" * 400}],  # ~100 simulated input tokens
        max_completion_tokens=500,
        extra_headers={"x-simulator-cached-tokens": "60"},
    )
    usage = chat_usage(completion.usage)
    assert usage["cached_input"] == 60, completion.usage
    assert usage["input"] > 0
    assert usage["reasoning"] > 0, completion.usage
    row = gw.ledger_row(upstream_id=completion.id)
    check_row(gw, row, usage, model=REASONING_MODEL)
    # cached input is billed below the full input rate for this model
    assert row["rates"].get("cached_input", row["rates"]["input"]) < row["rates"]["input"], row["rates"]


def test_audio_tokens_are_billed_at_audio_rates(gw: Gateway, client: OpenAI):
    """An audio chat call through the SDK: audio input and output tokens are metered apart and
    priced at gpt-audio's audio rates ($32 / $64 per million, not $2.50 / $10)."""
    completion = client.chat.completions.create(
        model="gpt-audio",
        modalities=["text", "audio"],
        audio={"voice": "alloy", "format": "wav"},
        messages=[{"role": "user", "content": [
            {"type": "text", "text": "Answer the question in this clip."},
            {"type": "input_audio", "input_audio": {"data": "UklGRiQAAABXQVZFZm10IBAAAAABAAEA", "format": "wav"}},
        ]}],
        max_completion_tokens=200,
        extra_headers={"x-simulator-audio-tokens": "6", "x-simulator-audio-output-tokens": "40"},
    )
    usage = chat_usage(completion.usage)
    assert (usage["audio_input"], usage["audio_output"]) == (6, 40), completion.usage
    row = gw.ledger_row(upstream_id=completion.id)
    check_row(gw, row, usage, model="gpt-audio")
    assert (row["rates"]["audio_input"], row["rates"]["audio_output"]) == (32_000_000, 64_000_000), row["rates"]


@pytest.mark.parametrize("stream", [False, True])
def test_priority_service_tier_is_billed_at_priority_rates(gw: Gateway, client: OpenAI, stream: bool):
    """`service_tier="priority"` through the SDK: the response says priority, the ledger row is
    priced at gpt-4o-mini's priority rates ($0.25 / $1.00 per million, not $0.15 / $0.60)."""
    messages = [{"role": "user", "content": "Answer at priority."}]
    if stream:
        chunks = list(client.chat.completions.create(
            model=CHAT_MODEL, messages=messages, max_tokens=60, service_tier="priority",
            stream=True, stream_options={"include_usage": True},
        ))
        tiers = {chunk.service_tier for chunk in chunks}
        completion_id, usage = chunks[0].id, chat_usage(chunks[-1].usage)
    else:
        completion = client.chat.completions.create(model=CHAT_MODEL, messages=messages, max_tokens=60, service_tier="priority")
        tiers, completion_id, usage = {completion.service_tier}, completion.id, chat_usage(completion.usage)
    assert tiers == {"priority"}, tiers
    row = gw.ledger_row(upstream_id=completion_id)
    check_row(gw, row, usage, model=CHAT_MODEL)
    assert (row["rates"]["input"], row["rates"]["output"]) == (250_000, 1_000_000), row["rates"]


@pytest.mark.parametrize("include_usage", [True, False], ids=["include_usage", "no_usage_option"])
def test_chat_completion_stream(gw: Gateway, client: OpenAI, include_usage: bool):
    kwargs = {"stream_options": {"include_usage": True}} if include_usage else {}
    stream = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "Stream me a sentence, please."}],
        max_tokens=200,
        stream=True,
        **kwargs,
    )
    chunks = list(stream)
    assert chunks, "no chunks"
    ids = {c.id for c in chunks}
    assert len(ids) == 1, ids
    (completion_id,) = ids
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(
        (choice.delta.content or "") for c in chunks for choice in c.choices
    )
    assert text.strip(), "no text streamed"
    finish = [choice.finish_reason for c in chunks for choice in c.choices if choice.finish_reason]
    assert finish == ["stop"], finish

    if include_usage:
        last = chunks[-1]
        assert last.choices == [], "final usage chunk must have no choices"
        assert last.usage is not None, "final chunk has no usage despite include_usage"
        assert all(c.usage is None for c in chunks[:-1])
        usage = chat_usage(last.usage)
    else:
        # The gateway may ask the provider for usage to meter the stream, but must not hand the
        # client a chunk it did not ask for (an empty-choices chunk breaks naive clients).
        empty = [c for c in chunks if c.choices == []]
        assert not empty, f"client got {len(empty)} chunk(s) with choices == [] without include_usage"
        assert all(c.usage is None for c in chunks), "usage leaked into chunks without include_usage"
        usage = None

    row = gw.ledger_row(upstream_id=completion_id)
    if usage is None:
        # No SDK-visible usage: the visible text still fixes the output count; the simulator's
        # record is the authority for input.
        sim = gw.simulator_call(completion_id)
        usage = {
            "input": sim["usage"]["input"],
            "cached_input": 0,
            "cache_write": 0,
            "output": words(text),
            "reasoning": 0,
        }
    assert words(text) == usage["output"]
    check_row(gw, row, usage, model=CHAT_MODEL)


@pytest.mark.parametrize("stream", [False, True], ids=["non_stream", "stream"])
def test_chat_completion_multiple_choices(gw: Gateway, client: OpenAI, stream: bool):
    """n=2: output tokens of both choices are billed; the SDK sees both choices."""
    kwargs = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    result = client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "Two answers."}], n=2, max_tokens=100, **kwargs
    )
    if stream:
        chunks = list(result)
        completion_id = chunks[0].id
        texts = {0: "", 1: ""}
        finishes = {}
        for c in chunks:
            for choice in c.choices:
                texts[choice.index] += choice.delta.content or ""
                if choice.finish_reason:
                    finishes[choice.index] = choice.finish_reason
        assert finishes == {0: "stop", 1: "stop"}, finishes
        raw_usage = chunks[-1].usage
    else:
        completion_id = result.id
        assert sorted(c.index for c in result.choices) == [0, 1]
        texts = {c.index: c.message.content for c in result.choices}
        raw_usage = result.usage
    assert all(t.strip() for t in texts.values()), texts
    usage = chat_usage(raw_usage)
    assert sum(words(t) for t in texts.values()) == usage["output"]
    row = gw.ledger_row(upstream_id=completion_id)
    check_row(gw, row, usage, model=CHAT_MODEL)


# ---- responses ----------------------------------------------------------------------------------

def test_responses_non_stream(gw: Gateway, client: OpenAI):
    response = client.responses.create(
        model=CHAT_MODEL, input="Describe a ledger in one line.", max_output_tokens=200
    )
    assert response.object == "response"
    assert response.status == "completed"
    assert response.id
    assert response.output_text.strip()
    usage = responses_usage(response.usage)
    assert words(response.output_text) == usage["output"]
    row = gw.ledger_row(upstream_id=response.id)
    check_row(gw, row, usage, model=CHAT_MODEL)


def test_responses_reasoning_and_cached(gw: Gateway, client: OpenAI):
    response = client.responses.create(
        model=REASONING_MODEL, input="x" * 400, max_output_tokens=500,
        extra_headers={"x-simulator-cached-tokens": "40"},
    )
    assert [item.type for item in response.output] == ["reasoning", "message"]
    usage = responses_usage(response.usage)
    assert usage["cached_input"] == 40 and usage["reasoning"] > 0, response.usage
    row = gw.ledger_row(upstream_id=response.id)
    check_row(gw, row, usage, model=REASONING_MODEL)


def test_responses_stream(gw: Gateway, client: OpenAI):
    stream = client.responses.create(
        model=CHAT_MODEL, input="Stream a line about firewalls.", max_output_tokens=200, stream=True
    )
    events = list(stream)
    types = [e.type for e in events]
    assert types[0] == "response.created", types
    assert types[-1] == "response.completed", types
    assert "response.output_text.delta" in types
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    final = events[-1].response
    assert final.status == "completed"
    assert final.output_text == text
    usage = responses_usage(final.usage)
    assert words(text) == usage["output"]
    row = gw.ledger_row(upstream_id=final.id)
    check_row(gw, row, usage, model=CHAT_MODEL)


def test_responses_stream_helper(gw: Gateway, client: OpenAI):
    """The SDK's higher-level `responses.stream(...)` helper as well."""
    with client.responses.stream(model=CHAT_MODEL, input="Another line.", max_output_tokens=100) as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    assert final.status == "completed"
    usage = responses_usage(final.usage)
    row = gw.ledger_row(upstream_id=final.id)
    check_row(gw, row, usage, model=CHAT_MODEL)


# ---- embeddings ---------------------------------------------------------------------------------

def test_embeddings_default_base64(gw: Gateway, client: OpenAI):
    inputs = ["spend firewall", "budget ledger entry"]
    calls_before = len(gw.simulator_calls())
    raw = client.embeddings.with_raw_response.create(model=EMBED_MODEL, input=inputs)
    # Embeddings carry no response id: the call is the one new simulator record.
    new_calls = gw.simulator_calls()[calls_before:]
    assert [c["endpoint"] for c in new_calls] == ["openai.embeddings"], new_calls
    # The SDK asks for base64 by default and decodes it itself.
    assert b'"encoding_format":"base64"' in raw.http_request.content.replace(b" ", b"")
    request_id = raw.headers.get("x-spendwall-request-id")
    assert request_id, dict(raw.headers)
    result = raw.parse()
    assert len(result.data) == len(inputs)
    for index, item in enumerate(result.data):
        assert item.index == index
        vector = item.embedding
        assert isinstance(vector, list) and len(vector) > 0
        assert all(isinstance(x, float) for x in vector)
        assert all(x == x and abs(x) < 1e6 for x in vector)  # finite, not garbage
    assert result.usage.prompt_tokens >= 1
    assert result.usage.total_tokens == result.usage.prompt_tokens

    # What came over the wire was base64 of little-endian float32s, and the SDK decoded exactly that.
    wire = raw.http_response.json()
    for item, sent in zip(result.data, wire["data"]):
        assert isinstance(sent["embedding"], str), "gateway must pass base64 through, not floats"
        blob = base64.b64decode(sent["embedding"])
        assert len(blob) == 4 * len(item.embedding)
        assert list(struct.unpack(f"<{len(item.embedding)}f", blob)) == item.embedding

    # Explicit float encoding works too and has the same dimensions.
    floats = client.embeddings.create(model=EMBED_MODEL, input=inputs, encoding_format="float")
    assert [len(d.embedding) for d in floats.data] == [len(d.embedding) for d in result.data]

    row = gw.ledger_row(request_id=request_id)
    usage = {"input": result.usage.prompt_tokens, "cached_input": 0, "cache_write": 0, "output": 0, "reasoning": 0}
    check_row(gw, row, usage, model=EMBED_MODEL, upstream_id=new_calls[0]["id"])


# ---- models -------------------------------------------------------------------------------------

def test_models_list(gw: Gateway, client: OpenAI):
    before = len(gw.ledger())
    models = list(client.models.list())
    ids = [m.id for m in models]
    assert CHAT_MODEL in ids and EMBED_MODEL in ids, ids[:20]
    assert len(ids) == len(set(ids)), "duplicate model ids"
    assert all(m.object == "model" for m in models)
    assert all(isinstance(m, openai.types.Model) for m in models)
    gw.wait_settled()
    assert len(gw.ledger()) == before, "listing models must not create ledger rows"


# ---- refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("stream", [False, True], ids=["non_stream", "stream"])
def test_budget_refusal_is_402_without_retries(gw: Gateway, request_counter, stream: bool):
    secret = gw.new_key(budget="0.000001")
    http_client = openai.DefaultHttpxClient(event_hooks={"request": [request_counter]})
    poor = OpenAI(base_url=gw.openai_base, api_key=secret, http_client=http_client)  # default max_retries=2
    assert poor.max_retries == 2
    gw.wait_settled()
    ledger_before = len(gw.ledger())
    calls_before = len(gw.simulator_calls())
    refused_before = gw.status()["statistics"]["refused"]

    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as info:
        result = poor.chat.completions.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": "hi"}], max_tokens=100, stream=stream
        )
        if stream:
            list(result)
    elapsed = time.monotonic() - started
    err = info.value
    assert err.status_code == 402
    assert not isinstance(err, (openai.RateLimitError, openai.InternalServerError))
    assert err.response.json()["error"]["type"] == "budget_exceeded"
    assert isinstance(err.body, dict) and err.body["type"] == "budget_exceeded", err.body
    assert err.type == "budget_exceeded"
    assert err.code == "budget_exceeded"
    assert "Budget exceeded" in err.message
    assert err.response.headers.get("x-should-retry") == "false"

    assert len(request_counter.requests) == 1, f"SDK sent {request_counter.requests}"
    assert elapsed < 2.0, f"refusal took {elapsed:.2f}s (retry back-off?)"
    gw.wait_settled()
    assert gw.status()["statistics"]["refused"] == refused_before + 1, "exactly one request must reach the gateway"
    assert len(gw.ledger()) == ledger_before, "a refused request must not be billed"
    assert len(gw.simulator_calls()) == calls_before, "a refused request must not reach the provider"
    poor.close()


def test_upstream_5xx_is_retried_and_not_billed(gw: Gateway, request_counter):
    """Control for the no-retry assertions: the same counting does see SDK retries when the
    provider fails retryably, and each failed attempt is recorded at zero cost."""
    http_client = openai.DefaultHttpxClient(event_hooks={"request": [request_counter]})
    c = OpenAI(base_url=gw.openai_base, api_key=gw.new_key(), http_client=http_client)
    gw.wait_settled()
    ids_before = {r["request_id"] for r in gw.ledger()}
    with pytest.raises(openai.InternalServerError) as info:
        c.chat.completions.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": "hi"}],
            extra_headers={"x-simulator-fault": "status=500"},
        )
    assert info.value.status_code == 500
    assert len(request_counter.requests) == 1 + c.max_retries == 3
    gw.wait_settled()
    new = [r for r in gw.ledger() if r["request_id"] not in ids_before]
    assert len(new) == 3, new
    assert all(r["cost"] == 0 and r["upstream_status"] == 500 and r["status"] != "settled" for r in new), new
    c.close()


def test_bad_key_is_authentication_error(gw: Gateway, request_counter):
    http_client = openai.DefaultHttpxClient(event_hooks={"request": [request_counter]})
    bad = OpenAI(base_url=gw.openai_base, api_key="sw-not-a-real-key", http_client=http_client)
    calls_before = len(gw.simulator_calls())
    with pytest.raises(openai.AuthenticationError) as info:
        bad.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 401
    assert len(request_counter.requests) == 1, "401 must not be retried"
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()
    assert len(gw.simulator_calls()) == calls_before
    bad.close()


# ---- kill switch --------------------------------------------------------------------------------

def test_kill_switch_ends_a_live_stream_with_an_api_error(gw: Gateway):
    """Blocking the team mid-stream: the SDK's iteration raises APIError with the reason within a
    second, the row is `killed` and charged for what was streamed, new calls get 403."""
    team = f"team-kill-{time.monotonic_ns()}"
    c = OpenAI(base_url=gw.openai_base, api_key=gw.new_key(team=team), timeout=20.0, max_retries=0)
    stream = c.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "Tell me a long story."}], max_tokens=300, stream=True,
        extra_headers={"x-simulator-chunk-delay-ms": "300"},
    )
    received = []
    with pytest.raises(openai.APIError) as info:
        for chunk in stream:
            received.append(chunk)
            if len(received) == 3:
                gw.admin_call("POST", "/blocks", {"scope": "team", "id": team, "reason": "runaway agent loop", "actor": "compat"})
                blocked_at = time.monotonic()
    assert time.monotonic() - blocked_at < 1.0
    assert "runaway agent loop" in info.value.message
    assert info.value.body["type"] == "key_blocked", info.value.body
    completion_id = received[0].id
    row = gw.ledger_row(upstream_id=completion_id)
    assert row["status"] == "killed", row
    assert 0 < row["cost"] <= row["hold"], row
    with pytest.raises(openai.PermissionDeniedError) as refused:
        c.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "hi"}])
    assert refused.value.code == "key_blocked"
    gw.admin_call("POST", "/unblocks", {"scope": "team", "id": team, "reason": "fixed", "actor": "compat"})
    assert c.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "hi"}]).choices
    c.close()


# ---- policy -------------------------------------------------------------------------------------

def test_budget_pressure_downgrade_is_visible_to_the_sdk(gw: Gateway):
    """Past the budget's downgrade threshold, a gpt-4o request is served by the economy tier: the
    SDK's response names the model that served, and x-spendwall-decision says why."""
    team = f"team-press-{time.monotonic_ns()}"
    secret = gw.new_key(team=team)
    gw.admin_call("PUT", f"/policies/team/{team}", {"tiers": [
        {"name": "economy", "models": [CHAT_MODEL]}, {"name": "premium", "models": ["gpt-4o"]},
    ]})
    gw.admin_call("POST", "/budgets", {
        "tenant": gw.tenant, "scope": "team", "scope_id": team, "period": "total", "limit": "0.002",
        "downgrade_at_percent": 50,
    })
    c = OpenAI(base_url=gw.openai_base, api_key=secret, max_retries=0)
    served = []
    for _ in range(12):
        try:
            raw = c.chat.completions.with_raw_response.create(
                model="gpt-4o", messages=[{"role": "user", "content": "hello"}], max_tokens=40
            )
        except openai.APIStatusError as err:
            assert err.status_code == 402, err
            break
        completion = raw.parse()
        decision = raw.headers["x-spendwall-decision"]
        served.append((completion.model, decision))
    models = [m for m, _ in served]
    assert models[0] == "gpt-4o", models
    assert CHAT_MODEL in models, f"never downgraded: {models}"
    first = models.index(CHAT_MODEL)
    assert all(m == CHAT_MODEL for m in models[first:]), models
    assert "budget-pressure:budget:" in served[first][1], served[first][1]
    assert "routed:gpt-4o->gpt-4o-mini" in served[first][1]
    c.close()
