"""The official `google-genai` SDK, unmodified, against the gateway (only base_url and api_key set).

Optional: skipped when the package is not installed.
"""

from __future__ import annotations

import pytest

from conftest import Gateway, check_row

genai = pytest.importorskip("google.genai", reason="google-genai is not installed")
from google.genai import errors, types  # noqa: E402

MODEL = "gemini-2.5-flash"  # the simulator reports thinking tokens only for configured prefixes


def make_client(gw: Gateway, key: str):
    return genai.Client(api_key=key, http_options=types.HttpOptions(base_url=gw.base))


@pytest.fixture(scope="module")
def client(gw: Gateway, api_key: str):
    return make_client(gw, api_key)


def gemini_usage(meta) -> dict:
    cached = meta.cached_content_token_count or 0
    return {
        "input": meta.prompt_token_count - cached,
        "cached_input": cached,
        "cache_write": 0,
        "output": meta.candidates_token_count or 0,
        "reasoning": meta.thoughts_token_count or 0,
    }


def test_generate_content(gw: Gateway, client):
    response = client.models.generate_content(model=MODEL, contents="Say something about budgets.")
    assert response.text and response.text.strip()
    assert response.response_id
    usage = gemini_usage(response.usage_metadata)
    assert usage["input"] >= 1 and usage["output"] >= 1
    assert len(response.text.split()) == usage["output"]
    row = gw.ledger_row(upstream_id=response.response_id)
    check_row(gw, row, usage, model=MODEL)


def test_generate_content_stream(gw: Gateway, client):
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="Stream a sentence."))
    assert chunks
    text = "".join(c.text or "" for c in chunks)
    assert text.strip()
    ids = {c.response_id for c in chunks}
    assert len(ids) == 1, ids
    usage = gemini_usage(chunks[-1].usage_metadata)
    assert len(text.split()) == usage["output"]
    row = gw.ledger_row(upstream_id=chunks[-1].response_id)
    check_row(gw, row, usage, model=MODEL)


@pytest.mark.parametrize("stream", [False, True])
def test_priority_service_tier_is_billed_at_priority_rates(gw: Gateway, client, stream: bool):
    """`service_tier=PRIORITY` through the SDK: priced at gemini-2.5-flash's priority rates
    ($0.54 / $4.50 per million, not $0.30 / $2.50); thinking tokens bill at the priority output rate."""
    config = types.GenerateContentConfig(service_tier=types.ServiceTier.PRIORITY)
    if stream:
        chunks = list(client.models.generate_content_stream(model=MODEL, contents="Stream at priority.", config=config))
        response_id, meta = chunks[-1].response_id, chunks[-1].usage_metadata
    else:
        response = client.models.generate_content(model=MODEL, contents="Answer at priority.", config=config)
        response_id, meta = response.response_id, response.usage_metadata
    row = gw.ledger_row(upstream_id=response_id)
    check_row(gw, row, gemini_usage(meta), model=MODEL)
    rates = row["rates"]
    assert (rates["input"], rates["output"]) == (540_000, 4_500_000), rates
    assert rates.get("reasoning", rates["output"]) == 4_500_000, rates


def test_budget_refusal(gw: Gateway):
    poor = make_client(gw, gw.new_key(budget="0.000001"))
    gw.wait_settled()
    ledger_before = len(gw.ledger())
    refused_before = gw.status()["statistics"]["refused"]
    with pytest.raises(errors.ClientError) as info:
        poor.models.generate_content(model=MODEL, contents="hi")
    assert info.value.code == 402
    reasons = [d.get("reason") for d in info.value.details["error"].get("details", [])]
    assert "budget_exceeded" in reasons, info.value.details
    assert "Budget exceeded" in (info.value.message or "")
    gw.wait_settled()
    assert gw.status()["statistics"]["refused"] == refused_before + 1, "SDK retried the refusal"
    assert len(gw.ledger()) == ledger_before
