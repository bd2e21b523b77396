"""Every documented error: bad expressions, non-finite numbers, malformed bodies.

Bodies are sent as raw bytes; every answer is a 4xx with strict JSON that never echoes
the input (``Api.error`` checks that no item has an ``input`` key).
"""

from __future__ import annotations

import json

import pytest

GRADIENT = {"expr": "x**2 + y**2", "point": [3, 4]}


@pytest.mark.parametrize("expr,column,words", [
    ("2x", 1, "implicit multiplication"),
    ("foo(x)", 1, "unknown function 'foo'"),
    ("x + ", 5, ""),
    ("x \u2212 1", 3, "U+2212"),
    ("__import__('os')", 1, ""),
    ("x.real", 2, ""),
])
def test_bad_expression_is_422_with_column(api, expr, column, words):
    err = api.error("/gradient", {"expr": expr, "point": 1})
    assert err["loc"] == ["body", "expr"]
    assert err["type"] == "expression_error"
    assert err["ctx"]["column"] == column
    assert words in err["msg"]
    assert f"column {column}" in err["msg"]


@pytest.mark.parametrize("path,body", [
    ("/gradient", GRADIENT),
    ("/descent", {"expr": "x**2 + y**2", "start": [3, 4]}),
    ("/tangent", {"expr": "x**2", "point": 1}),
    ("/field", {"expr": "x**2 + y**2", "x_range": [0, 1]}),
    ("/steps", {"expr": "x**2", "point": 1}),
    ("/graph", {"expr": "x**2", "point": 1}),
])
def test_every_endpoint_maps_expression_errors(api, path, body):
    err = api.error(path, {**body, "expr": "foo(x)"})
    assert err["type"] == "expression_error" and err["ctx"]["column"] == 1


NUMERIC_FIELDS = [
    ("/gradient", GRADIENT, "h"),
    ("/descent", {"expr": "x", "start": 1}, "lr"),
    ("/descent", {"expr": "x", "start": 1}, "tol"),
    ("/descent", {"expr": "x", "start": 1}, "momentum"),
    ("/descent", {"expr": "x", "start": 1}, "divergence_factor"),
    ("/steps", {"expr": "x", "point": 1}, "h_max"),
]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "true",
                                   "\"1\""])
@pytest.mark.parametrize("path,body,field", NUMERIC_FIELDS)
def test_non_finite_and_non_numbers_are_422(api, token, path, body, field):
    others = {key: value for key, value in body.items() if key != field}
    raw = json.dumps(others)[:-1] + f', "{field}": {token}}}'
    response = api.raw(path, raw)
    assert response.status_code == 422, response.text
    assert response.content.isascii()
    assert token.strip('"-') not in response.text or token == "true"


@pytest.mark.parametrize("point", ["NaN", "[1, Infinity]", "{\"x\": 1e999}", "true", "[true]",
                                   "\"3\"", "null", "[[1]]"])
def test_bad_points_are_422(api, point):
    response = api.raw("/gradient", '{"expr": "x", "point": ' + point + "}")
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("count", ["1.5", "true", "1e2", "\"5\""])
def test_integer_fields_are_strict(api, count):
    response = api.raw("/field", '{"expr": "x", "x_range": [0, 1], "n": ' + count + "}")
    assert response.status_code == 422


def test_lone_surrogate_in_expr(api):
    response = api.raw("/gradient", '{"expr": "x\\ud800", "point": 1}')
    assert response.status_code == 422
    assert response.content.isascii()
    assert response.json()["detail"][0]["type"] == "expression_error"


def test_lone_surrogate_in_unknown_field_and_point_key(api):
    for raw in ['{"expr": "x", "point": 1, "\\udc00": 1}',
                '{"expr": "x", "point": {"\\ud800": 1}}',
                '{"expr": "x", "point": 1, "variables": ["\\ud800"]}']:
        response = api.raw("/gradient", raw)
        assert response.status_code == 422, raw
        assert response.content.isascii()


def test_errors_never_echo_the_input(api):
    marker = "ZZMARKERZZ" * 20
    for body in [{**GRADIENT, "h": marker}, {**GRADIENT, "point": marker},
                 {**GRADIENT, "method": marker}, {**GRADIENT, marker: 1}]:
        response = api.raw("/gradient", json.dumps(body))
        assert response.status_code == 422
        assert marker not in response.text


def test_missing_and_extra_fields(api):
    assert api.error("/gradient", {"expr": "x"})["loc"] == ["body", "point"]
    assert api.error("/gradient", {"point": 1})["loc"] == ["body", "expr"]
    err = api.error("/gradient", {**GRADIENT, "mehtod": "central"})
    # the unknown key is not echoed: loc gives its position among the body's keys
    assert err["type"] == "extra_forbidden" and err["loc"] == ["body", 2]
    assert "mehtod" not in err["msg"]


@pytest.mark.parametrize("raw", ["{", "", "[]", "null", "\"x\"", "{\"expr\": 1, \"point\": 1}",
                                 "\xff"])
def test_malformed_bodies(api, raw):
    response = api.raw("/gradient", raw.encode("latin-1"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_wrong_content_type(api):
    response = api.raw("/gradient", '{"expr": "x", "point": 1}', content_type="text/plain")
    assert response.status_code == 422


def test_unknown_path_and_wrong_method(api):
    assert api.client.get("/nope").status_code == 404
    assert api.client.get("/gradient").status_code == 405
    assert api.client.get("/gradient").json() == {"detail": "Method Not Allowed"}
