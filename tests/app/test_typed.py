"""`"encoding": "typed"`: every numeric array as Plotly's typed-array object, with exactly
the numbers of the JSON answer (NaN inside the bytes where JSON has null)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

DTYPES = {"f8": "<f8", "i4": "<i4"}


def decode(spec: dict) -> np.ndarray:
    assert set(spec) <= {"dtype", "bdata", "shape"}
    values = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
    if "shape" in spec:
        values = values.reshape([int(n) for n in spec["shape"].split(",")])
    return values


def as_numbers(value) -> np.ndarray:
    return np.array(value, dtype=float)  # None -> nan


CASES = {
    "/field": ({"expr": "log(x*y)", "x_range": [-1, 2], "y_range": [-1, 2], "n": 9},
               ["x", "y", "z", "u", "v"]),
    "/descent": ({"expr": "x**2 + 10*y**2", "start": [-3, 4], "lr": 0.05, "steps": 30},
                 ["path", "values", "grad_norms", "iterations", "final"]),
    "/sweep": ({"expr": "x**2 + 10*y**2", "start": [-3, 4], "n": 7, "steps": 50,
                "optimizer": "momentum", "momentums": [0, 0.5]},
               ["lr", "final_value", "final", "steps_taken"]),
}


@pytest.mark.parametrize("path", list(CASES))
def test_typed_arrays_carry_the_json_numbers(api, path):
    body, arrays = CASES[path]
    plain = api.post(path, body)
    typed = api.post(path, {**body, "encoding": "typed"})
    assert set(typed) == set(plain)
    for name in arrays:
        spec = typed[name]
        assert isinstance(spec, dict) and spec["dtype"] in DTYPES, name
        expected = as_numbers(plain[name])
        got = decode(spec)
        assert got.shape == expected.shape, name
        np.testing.assert_array_equal(got, expected, err_msg=name)  # NaN == NaN here
        assert ("shape" in spec) == (expected.ndim > 1)
    for name, value in plain.items():  # everything else is the same JSON
        if name not in arrays:
            assert typed[name] == value, name


def test_missing_values_are_nan_in_the_bytes(api):
    typed = api.post("/field", {"expr": "log(x)", "x_range": [-1, 1], "n": 5,
                                "encoding": "typed"})
    z = decode(typed["z"])
    assert np.isnan(z[:3]).all() and np.isfinite(z[3:]).all()


def test_integers_are_i4_and_default_is_json(api):
    typed = api.post("/descent", {"expr": "x**2", "start": 1, "steps": 3, "encoding": "typed"})
    assert typed["iterations"]["dtype"] == "i4"
    assert decode(typed["iterations"]).tolist() == [0, 1, 2, 3]
    assert isinstance(api.post("/descent", {"expr": "x**2", "start": 1})["path"], list)
    err = api.error("/field", {"expr": "x", "x_range": [0, 1], "encoding": "binary"})
    assert err["loc"] == ["body", "encoding"]
