"""Responses: strict ASCII JSON, NaN as null, built from whole arrays."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import engine
from app.responses import ModelResponse, SafeJSONResponse, as_array
from app.schemas import DescentResponse, FieldResponse, GradientResponse


def _strict(body: bytes):
    assert body.isascii()
    return json.loads(body, parse_constant=lambda token: (_ for _ in ()).throw(ValueError))


def test_model_response_nulls_and_unset_fields():
    reply = GradientResponse.model_construct(value=float("nan"),
                                             gradient=as_array([1.0, np.inf, -np.inf]))
    assert _strict(ModelResponse(reply).body) == {"value": None, "gradient": [1.0, None, None]}


def test_model_response_integer_arrays():
    reply = DescentResponse.model_construct(iterations=as_array([0, 5, 10], np.int64))
    assert _strict(ModelResponse(reply).body) == {"iterations": [0, 5, 10]}


def test_model_response_falls_back_for_what_orjson_refuses():
    reply = GradientResponse.model_construct(expr="x\ud800", value=1.0)
    assert _strict(ModelResponse(reply).body) == {"expr": "x\ud800", "value": 1.0}


def test_non_ascii_is_escaped():
    reply = GradientResponse.model_construct(expr="\u00e9")
    assert ModelResponse(reply).body == b'{"expr":"\\u00e9"}'


@pytest.mark.parametrize("text", ["\u00e9", "2/\u03bbmax", "f\u00b7(1 + |f|) \u2014 \U0001d453",
                                  "\\u00e9 is not \u00e9", "\"\u03bb\""])
def test_non_ascii_is_escaped_as_json_dumps_escapes_it(text):
    # the escapes are written where the characters are; the typed arrays around them
    # (long ASCII runs) are left as they are
    reply = DescentResponse.model_construct(path=as_array([[1.5, -2.0]] * 3), message=text,
                                            values=as_array([1e300, 0.1, -0.0]))
    body = ModelResponse(reply, typed=True).body
    plain = ModelResponse(reply).body
    for got in (body, plain):
        assert got.isascii() and json.loads(got)["message"] == text
        # json.dumps writes the number 1e300 as 1e+300 (orjson: 1e300); all else the same
        assert got == json.dumps(json.loads(got), ensure_ascii=True,
                                 separators=(",", ":")).encode().replace(b"1e+300", b"1e300")


def test_safe_json_response():
    body = SafeJSONResponse({"a": [float("nan"), 1.5], "b": "\ud800"}).body
    assert _strict(body) == {"a": [None, 1.5], "b": "\ud800"}


def test_field_400_body_is_the_arrays_with_nan_as_null():
    """3 x 160,000 floats and their nulls, built from the numpy arrays (orjson).  How fast
    that is against json.dumps of lists is a benchmark target (bench/http.py), not a test."""
    expr = engine.parse("log(x)*cos(y)")
    result = engine.gradient_field(expr, (-2, 2), (-2, 2), nx=400, ny=400)
    data = _strict(ModelResponse(FieldResponse.of(result)).body)
    for name in ("x", "y", "z", "u", "v"):
        array = getattr(result, name)
        assert data[name] == np.where(np.isnan(array), None, array).tolist(), name
    assert len(data["z"]) == 400 and len(data["v"][399]) == 400
    assert data["z"][0][0] is None
    # log and cos each within a few ulps (numpy's may be vectorised code, not libm's)
    assert data["z"][0][399] == pytest.approx(math.log(2) * math.cos(-2), rel=1e-14)


def _typed_the_plain_way(reply) -> bytes:
    """Typed arrays as text in the model, written by orjson in one pass (the reference)."""
    import orjson

    from app.responses import _typed_fields, ascii_json
    return ascii_json(orjson.dumps(reply, default=_typed_fields,
                                   option=orjson.OPT_SERIALIZE_NUMPY))


def test_typed_arrays_are_spliced_in_byte_for_byte():
    expr = engine.parse("log(x)*cos(y)")
    field = FieldResponse.of(engine.gradient_field(expr, (-2, 2), (-2, 2), nx=30, ny=20))
    run = DescentResponse.of(engine.descend(engine.parse("x**2 + 10*y**2"), [-3, 4], lr=0.5,
                                            steps=50))
    for reply in (field, run):
        body = ModelResponse(reply, typed=True).body
        assert body == _typed_the_plain_way(reply)
        assert _strict(body)  # and strict ASCII JSON
    assert _strict(ModelResponse(field, typed=True).body)["z"]["shape"] == "20, 30"


def test_a_marker_that_also_appears_in_the_text_falls_back_to_the_plain_way(monkeypatch):
    import app.responses

    monkeypatch.setattr(app.responses.secrets, "token_hex", lambda _: "ran all")
    reply = DescentResponse.of(engine.descend(engine.parse("x**2"), [1.0], lr=0.1, steps=5))
    assert "ran all" in reply.message
    body = ModelResponse(reply, typed=True).body
    assert body == _typed_the_plain_way(reply)
    assert _strict(body)["message"] == reply.message
