#!/usr/bin/env python3
"""Convert LiteLLM's price file into Spendwall's compact bundled catalog.

Usage (the pinned release and both hashes are in THIRD_PARTY_NOTICES.md):
    pip download --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 \
        litellm==1.109.1 -d /tmp/litellm
    unzip -o /tmp/litellm/litellm-1.109.1-cp310-abi3-manylinux_2_28_x86_64.whl \
        litellm/model_prices_and_context_window_backup.json -d /tmp/litellm
    python3 scripts/convert-litellm-prices.py \
        /tmp/litellm/litellm/model_prices_and_context_window_backup.json \
        --version 1.109.1 \
        --output Sources/SpendwallCatalog/Resources/litellm-prices.json

Never `pip install` litellm to get this file: versions 1.82.7 and 1.82.8 were malicious.

What the output keeps (standard library only, no network):
- entries whose `litellm_provider` is openai, text-completion-openai, anthropic or gemini and
  whose `mode` is chat, responses, embedding or completion;
- only entries with both `input_cost_per_token` and `output_cost_per_token` (an embedding's
  output price of 0 is kept);
- the fields Spendwall prices with, as INTEGER pico-dollars per token (USD/token x 1e12):
  input, output, cache reads, cache writes (5-minute cache), 1-hour cache writes
  (`cache_creation_input_token_cost_above_1hr` -> `extended_cache_write`), reasoning and audio
  (`input_cost_per_audio_token`, `output_cost_per_audio_token` -> `audio_input`, `audio_output`); and
  every `<price field>_above_<N>k_tokens` field (e.g.
  `cache_creation_input_token_cost_above_1hr_above_200k_tokens`) as a long-context tier above
  N*1000 input tokens; and OpenAI's processing tiers, `input_cost_per_token_priority`,
  `output_cost_per_token_priority`, `cache_read_input_token_cost_priority`,
  `input_cost_per_audio_token_priority` (and the same with
  `_flex`) as {"priority": {"input", "output", "cached_input", "audio_input", "tiers"}} (and "flex"),
  where "tiers" holds the tier's own long-context fields (`input_cost_per_token_above_200k_tokens_priority`). Other variants
  (`_batches`, OpenAI's `_above_12hr`) are not billed by Spendwall and are left out. Tier fields are copied as the data has them; the Swift loader
  (`SpendwallCatalog/LiteLLMPriceRules.swift`) decides what a tier's missing field means, so
  the bundled file and an imported upstream file go through the same rules.

Prices are read as exact decimals from the JSON text. A value whose decimal literal is not a
whole number of pico-dollars is rounded half away from zero (the rule the Swift importer
applies to the same value read as a Double; the script checks the two agree) and counted.
"""

import argparse
import decimal
import hashlib
import json
import math
import re
import sys

PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
}
MODES = {"chat", "responses", "embedding", "completion"}

# LiteLLM field -> output field. Keep in step with LiteLLMPriceRules.swift.
PRICE_FIELDS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
    # Anthropic's 1-hour prompt cache; the plain cache-creation price is the 5-minute one.
    "cache_creation_input_token_cost_above_1hr": "extended_cache_write",
    "output_cost_per_reasoning_token": "reasoning",
    "input_cost_per_audio_token": "audio_input",
    "output_cost_per_audio_token": "audio_output",
}
# OpenAI processing tiers: suffix -> output object; fields of the tier object.
SERVICE_TIERS = {"_priority": "priority", "_flex": "flex"}
SERVICE_TIER_FIELDS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "input_cost_per_audio_token": "audio_input",
}
LIMIT_FIELDS = {"max_input_tokens": "max_input", "max_output_tokens": "max_output"}
# The base is greedy, so the LAST `_above_` splits it off:
# cache_creation_input_token_cost_above_1hr_above_100k_tokens -> (..._above_1hr, 100k).
TIER_FIELD = re.compile(r"^(?P<base>[a-z0-9_]+)_above_(?P<k>[0-9]+)k_tokens$")

PICOS_PER_USD = decimal.Decimal(10) ** 12
# Above $10,000 per million tokens a "per token" price is almost surely per-1K or per-1M.
IMPLAUSIBLE_PICOS = 10_000_000_000


class ConversionError(Exception):
    pass


class Counters:
    def __init__(self):
        self.prices = 0
        self.rounded = 0


def to_picos(model, field, value, counters):
    """USD per token (a Decimal parsed from the JSON text) -> integer pico-dollars per token."""
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal)):
        raise ConversionError(f"{model}: {field} is not a number: {value!r}")
    exact = decimal.Decimal(value)
    if not exact.is_finite():
        raise ConversionError(f"{model}: {field} is not finite: {value!r}")
    if exact < 0:
        raise ConversionError(f"{model}: {field} is negative: {value}")
    scaled = exact * PICOS_PER_USD
    picos = int(scaled.to_integral_value(rounding=decimal.ROUND_HALF_UP))
    counters.prices += 1
    if scaled != picos:
        counters.rounded += 1
    # The Swift importer reads the same literal as a Double and rounds; they must agree.
    as_double = float(exact) * 1e12
    swift_picos = int(math.floor(as_double + 0.5)) if as_double >= 0 else None
    if swift_picos != picos:
        raise ConversionError(f"{model}: {field}={value} converts to {picos} exactly but {swift_picos} via Double")
    if picos > IMPLAUSIBLE_PICOS:
        raise ConversionError(f"{model}: {field}={value} USD/token looks like a per-1K or per-1M price")
    return picos


def to_limit(model, field, value):
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal)):
        raise ConversionError(f"{model}: {field} is not a number: {value!r}")
    exact = decimal.Decimal(value)
    if not exact.is_finite() or exact < 0 or exact != exact.to_integral_value():
        raise ConversionError(f"{model}: {field} is not a whole token count: {value}")
    return int(exact)


def convert_entry(name, entry, counters):
    """Returns (compact entry, None) or (None, skip reason)."""
    if not isinstance(entry, dict):
        return None, "not_an_object"
    provider = PROVIDERS.get(entry.get("litellm_provider"))
    if provider is None:
        return None, "other_provider"
    mode = entry.get("mode")
    if mode not in MODES:
        return None, "unsupported_mode"
    if "input_cost_per_token" not in entry or "output_cost_per_token" not in entry:
        return None, "no_token_prices"

    out = {"provider": provider, "mode": mode}
    for source, target in PRICE_FIELDS.items():
        if source in entry:
            out[target] = to_picos(name, source, entry[source], counters)
    for source, target in LIMIT_FIELDS.items():
        if source in entry:
            out[target] = to_limit(name, source, entry[source])

    def long_context_tiers(suffix):
        tiers = {}
        for field, value in entry.items():
            if not field.endswith(suffix):
                continue
            match = TIER_FIELD.match(field[: len(field) - len(suffix)] if suffix else field)
            if not match or match.group("base") not in PRICE_FIELDS:
                continue  # e.g. input_cost_per_character_above_128k_tokens: not a per-token price
            above = int(match.group("k")) * 1000
            tier = tiers.setdefault(above, {"above": above})
            tier[PRICE_FIELDS[match.group("base")]] = to_picos(name, field, value, counters)
        return [tiers[above] for above in sorted(tiers)]

    for suffix, target in SERVICE_TIERS.items():
        prices = {
            field: to_picos(name, source + suffix, entry[source + suffix], counters)
            for source, field in SERVICE_TIER_FIELDS.items()
            if source + suffix in entry
        }
        tier_tiers = long_context_tiers(suffix)
        if tier_tiers:
            prices["tiers"] = tier_tiers
        if prices:
            out[target] = prices

    tiers = long_context_tiers("")
    if tiers:
        out["tiers"] = tiers
    return out, None


def render(document):
    """Compact JSON with one model per line, so an update reads well in a diff."""
    dump = lambda value: json.dumps(value, separators=(",", ":"), sort_keys=True)
    lines = ['{"source":' + dump(document["source"]) + ',"models":{']
    names = sorted(document["models"])
    for index, name in enumerate(names):
        comma = "," if index < len(names) - 1 else ""
        lines.append(dump(name) + ":" + dump(document["models"][name]) + comma)
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="LiteLLM model_prices_and_context_window(_backup).json")
    parser.add_argument("--version", required=True, help="the litellm version the file came from")
    parser.add_argument("--file-name", default="model_prices_and_context_window_backup.json")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)

    with open(args.input, "rb") as handle:
        raw = handle.read()
    upstream = json.loads(raw, parse_float=decimal.Decimal)
    if not isinstance(upstream, dict):
        raise ConversionError("the top level of the LiteLLM file must be an object")

    counters = Counters()
    models, skipped, per_provider = {}, {}, {}
    for name in sorted(upstream):
        converted, reason = convert_entry(name, upstream[name], counters)
        if converted is None:
            skipped[reason] = skipped.get(reason, 0) + 1
            if reason == "no_token_prices":
                print(f"skipped {name}: no per-token input and output price", file=sys.stderr)
            continue
        models[name] = converted
        per_provider[converted["provider"]] = per_provider.get(converted["provider"], 0) + 1

    document = {
        "source": {
            "name": "litellm",
            "version": args.version,
            "file": args.file_name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "license": "MIT, Copyright (c) 2023 Berri AI",
        },
        "models": models,
    }
    text = render(document)
    json.loads(text)  # sanity: the rendering is valid JSON
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(text)

    print(f"source sha256 {document['source']['sha256']}", file=sys.stderr)
    print(f"kept {len(models)} models: " + ", ".join(f"{p} {n}" for p, n in sorted(per_provider.items())), file=sys.stderr)
    print("skipped " + ", ".join(f"{r} {n}" for r, n in sorted(skipped.items())), file=sys.stderr)
    print(f"{counters.prices} prices converted, {counters.rounded} needed rounding to a whole pico-dollar", file=sys.stderr)
    print(f"wrote {args.output} ({len(text.encode('utf-8'))} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
