"""schemathesis hooks of scripts/fuzz-api.sh.

JSON Schema counts `1.0` as an integer, so schemathesis sends integral floats where the
document says `integer`. The server reads integers as serde writes them (`1`, never `1.0`),
like every client of the protocol, and refuses `1.0` with a 400. That refusal is deliberate;
these hooks spell generated integral floats as integers so the fuzzer spends its time on the
rules the document does state.
"""

import schemathesis


def _integers(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integers(v) for k, v in value.items()}
    return value


@schemathesis.hook
def map_body(context, body):
    return _integers(body)


@schemathesis.hook
def map_query(context, query):
    return _integers(query)
