"""Schemathesis hooks for Scout (loaded through SCHEMATHESIS_HOOKS).

The profile import takes JSON Lines (`application/x-ndjson`), which
Schemathesis has no serializer for: a generated string is sent as it is, and
anything else as one JSON line.
"""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, list):
        return "\n".join(json.dumps(v) for v in value).encode()
    return json.dumps(value).encode()
