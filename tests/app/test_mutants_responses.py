"""app/responses.py byte by byte: the mutants of the response encoder that the other
tests let through (scripts/mutation.py).

The encoder has a fast path (orjson, straight from numpy arrays) and a fallback (json,
for what orjson refuses, e.g. a lone surrogate); both must give compact, ASCII-only,
strict JSON.  orjson and json spell 1e16 differently (``1e16`` / ``1e+16``), which
shows which path wrote a body.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from app.responses import (
    ModelResponse,
    SafeJSONResponse,
    _set_fields,
    as_array,
    as_list,
    join_notes,
    null_note,
)
from app.schemas import GradientResponse

NAN, INF = float("nan"), float("inf")


def test_as_list_gives_python_floats_and_keeps_nan_until_serialised():
    values = as_list(np.array([[1, 2], [3, 4]]))
    assert values == [[1.0, 2.0], [3.0, 4.0]]
    assert all(type(v) is float for row in values for v in row)
    assert math.isnan(as_list([1.0, NAN])[1])
    assert as_list(2) == 2.0 and type(as_list(2)) is float


def test_as_array_is_c_contiguous_float64_unless_told():
    transposed = np.arange(6.0).reshape(2, 3).T
    array = as_array(transposed)
    assert array.flags.c_contiguous and array.tolist() == transposed.tolist()
    assert as_array([1, 2]).dtype == np.float64
    assert as_array([1, 2], np.int64).dtype == np.int64
    reply = GradientResponse.model_construct(gradient=as_array([1, 2]))
    assert ModelResponse(reply).body == b'{"gradient":[1.0,2.0]}'


def test_safe_json_response_is_compact_ascii_and_strict():
    body = SafeJSONResponse({"a": [NAN, INF, -INF, 1.5], "b": {"c": (NAN, 2)},
                             "\u00e9": "\u00fc"}).body
    assert body == b'{"a":[null,null,null,1.5],"b":{"c":[null,2]},"\\u00e9":"\\u00fc"}'


def test_model_response_writes_arrays_on_the_fast_path():
    reply = GradientResponse.model_construct(value=1e16, gradient=as_array([1e16, NAN]))
    assert ModelResponse(reply).body == b'{"value":1e16,"gradient":[1e16,null]}'


def test_model_response_fallback_is_compact_ascii_and_strict():
    """A lone surrogate (orjson refuses it): the same body through json, every field."""
    reply = GradientResponse.model_construct(
        expr="x\ud800", variables=["x", "y"], point=(1, 2),
        value=np.float64(1e16), gradient=as_array([1e16, NAN]),
        exact=[np.float64(INF), 0.5])
    body = ModelResponse(reply).body
    assert body == (b'{"expr":"x\\ud800","variables":["x","y"],"point":[1,2],'
                    b'"value":1e+16,"gradient":[1e+16,null],"exact":[null,0.5]}')


def test_model_response_escapes_what_the_fast_path_leaves_as_utf8():
    reply = GradientResponse.model_construct(expr="\u00e9", variables=["x", "y"])
    assert ModelResponse(reply).body == b'{"expr":"\\u00e9","variables":["x","y"]}'


def test_only_models_are_turned_into_their_fields():
    reply = GradientResponse.model_construct(expr="x", value=1.0)
    assert _set_fields(reply) == {"expr": "x", "value": 1.0}
    with pytest.raises(TypeError, match="cannot serialise set"):
        _set_fields({1})


@pytest.mark.parametrize("values, note", [
    ([1.0, 2.0], None),
    (np.array([[1.0, NAN], [INF, 2.0]]), "f: 2 of 4 values are undefined or not finite "
                                          "(sent as null)"),
    ([1.0, None, -INF, 3], "f: 2 of 4 values are undefined or not finite (sent as null)"),
    (-INF, "f is not finite here (sent as null)"),
    ([NAN], "f is not finite here (sent as null)"),
    (7, None),
])
def test_null_note_counts_what_is_sent_as_null(values, note):
    assert null_note("f", values) == note


def test_join_notes():
    assert join_notes() == "ok"
    assert join_notes(None, None) == "ok"
    assert join_notes("a") == "a"
    assert join_notes(None, "a", None, "b") == "a; b"
    assert json.loads(SafeJSONResponse({"m": join_notes("x", "y")}).body) == {"m": "x; y"}
