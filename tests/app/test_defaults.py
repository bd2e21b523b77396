"""Every default the contract promises, written out once, checked against what the app
publishes (``/openapi.json``, ``GET /optimizers``, ``GET /methods``) and what it does.

A default is part of the contract: a client that leaves ``lr`` out relies on 0.1.  So
changing one must be a visible decision -- an edit to the tables below -- never a side
effect of editing a schema, a setting or the optimizer table.  Each request schema is
compared as a whole, field by field, so a new field needs a line here too: its default,
``REQUIRED``, or ``CHOSEN`` (optional without one value: the engine decides, as
documented for that field).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

REQUIRED = "<required>"
CHOSEN = "<no default: chosen per call>"

# The optimizer settings as /descent and /sweep take them (PyTorch's defaults).  eps has
# no single default -- 1e-10 for AdaGrad, 1e-8 for the others -- so the request leaves
# it unset and the table (OPTIMIZERS below) says which.
SETTINGS = {"momentum": 0.9, "eps": CHOSEN, "rho": 0.99, "beta1": 0.9, "beta2": 0.999,
            "weight_decay": 0.01}

# What defines a network and its data (the contract's defaults; grid and divergence_factor
# are ours: the boundary's resolution, and a loss growing 1e4-fold ends a run diverged).
NETWORK = {"samples": 400, "noise": 0.1, "test_fraction": 0.2, "hidden": 10,
           "activation": "sigmoid", "init": "std", "init_std": 0.01, "seed": 0}

REQUESTS: dict[str, dict[str, Any]] = {
    "/gradient": {"expr": REQUIRED, "point": REQUIRED, "method": "autodiff", "h": CHOSEN,
                  "hessian": False, "variables": CHOSEN},
    "/descent": {"expr": REQUIRED, "start": REQUIRED, "lr": 0.1, "steps": 100,
                 "optimizer": "gd", "method": "autodiff", "h": CHOSEN, "tol": 0.0,
                 "divergence_factor": 1e10, "max_points": CHOSEN, "variables": CHOSEN,
                 "encoding": "json", **SETTINGS},
    "/sweep": {"expr": REQUIRED, "start": REQUIRED, "optimizer": "gd", "lr_min": 1e-4,
               "lr_max": 1.0, "n": 60, "steps": 100, "momentums": CHOSEN,
               "method": "autodiff", "h": CHOSEN, "tol": 0.0, "divergence_factor": 1e10,
               "variables": CHOSEN, "encoding": "json", **SETTINGS},
    "/tangent": {"expr": REQUIRED, "point": REQUIRED, "secants": [0.1, 0.01, 0.001],
                 "variables": CHOSEN},
    "/field": {"expr": REQUIRED, "x_range": REQUIRED, "y_range": CHOSEN, "n": 21,
               "nx": CHOSEN, "ny": CHOSEN, "method": "autodiff", "h": CHOSEN,
               "variables": CHOSEN, "encoding": "json"},
    "/steps": {"expr": REQUIRED, "point": REQUIRED, "methods": ["forward", "central"],
               "h_min": 1e-16, "h_max": 0.1, "n": 31, "variables": CHOSEN},
    "/graph": {"expr": REQUIRED, "point": REQUIRED, "direction": CHOSEN, "variables": CHOSEN},
    "/gradcheck": {"expr": REQUIRED, "claimed": CHOSEN, "point": REQUIRED,
                   "method": "central", "h": 1e-5, "random_points": 0, "box": CHOSEN,
                   "seed": 0, "variables": CHOSEN},
    "/descent/step": {"expr": REQUIRED, "start": REQUIRED, "lr": 0.1, "optimizer": "gd",
                      "method": "autodiff", "h": CHOSEN, "variables": CHOSEN, "step": 1,
                      **SETTINGS},
    "/network/train": {"dataset": REQUIRED, **NETWORK, "optimizer": "gd", "lr": 0.1,
                       "batch_size": 100, "epochs": 20, "max_points": CHOSEN, "grid": 50,
                       "divergence_factor": 1e4, "encoding": "json", **SETTINGS},
    "/network/gradcheck": {"dataset": REQUIRED, **NETWORK, "batch": 3, "h": 1e-4},
    "/notebook": {"expr": REQUIRED, "variables": CHOSEN, "view": CHOSEN, "point": REQUIRED,
                  "x_range": CHOSEN, "y_range": CHOSEN, "method": "autodiff", "h": CHOSEN,
                  "runs": [], "secants": [0.1, 0.01, 0.001], "h_min": 1e-16, "h_max": 0.1,
                  "n": 31},
}
# A notebook of a training takes the training's own request, defaults and all.
REQUESTS["/network/notebook"] = REQUESTS["/network/train"]

# GET /optimizers, in menu order: each optimizer's settings and their defaults.
OPTIMIZERS: dict[str, dict[str, float]] = {
    "gd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"rho": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
}

# The allowed interval of each setting: (minimum, minimum excluded, maximum excluded).
BOUNDS: dict[str, tuple[float, bool, float | None]] = {
    "momentum": (0.0, False, 1.0), "rho": (0.0, False, 1.0), "beta1": (0.0, False, 1.0),
    "beta2": (0.0, False, 1.0), "eps": (0.0, True, None), "weight_decay": (0.0, False, None),
}

# GET /methods: name -> numerical.
METHODS = {"autodiff": False, "dual": False, "central": True, "forward": True,
           "backward": True, "richardson": True, "complex-step": True}

# The contract's default limits, as the schemas publish them: (path, field, keyword).
LIMITS = {
    ("/descent", "expr", "maxLength"): 1000,
    ("/descent", "steps", "maximum"): 100_000,
    ("/descent", "max_points", "maximum"): 10001,
    ("/sweep", "steps", "maximum"): 100_000,
    ("/sweep", "n", "maximum"): 200,
    ("/field", "n", "maximum"): 400,
    ("/field", "nx", "maximum"): 400,
    ("/field", "ny", "maximum"): 400,
    ("/gradcheck", "random_points", "maximum"): 1000,
}


@pytest.fixture(scope="module")
def spec(api: Any) -> dict[str, Any]:
    data: dict[str, Any] = api.get("/openapi.json")
    return data


def request_schema(spec: dict[str, Any], path: str) -> dict[str, Any]:
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[-1]
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return schema


def published_defaults(schema: dict[str, Any]) -> dict[str, Any]:
    required = set(schema.get("required", ()))
    return {name: REQUIRED if name in required else field.get("default", CHOSEN)
            for name, field in schema["properties"].items()}


def same(found: Any, expected: Any) -> bool:
    """Equal in value *and* type as JSON spells it: 100 is not 100.0, 1 is not true."""
    return json.dumps(found, sort_keys=True) == json.dumps(expected, sort_keys=True)


@pytest.mark.parametrize("path", REQUESTS)
def test_request_defaults_are_the_contracts(spec: dict[str, Any], path: str) -> None:
    found = published_defaults(request_schema(spec, path))
    assert found == REQUESTS[path]
    for name, expected in REQUESTS[path].items():
        assert same(found[name], expected), f"{path} {name}: {found[name]!r}"


def test_every_post_route_is_pinned(spec: dict[str, Any]) -> None:
    posts = {path for path, item in spec["paths"].items() if "post" in item}
    assert posts == set(REQUESTS)


def test_optimizer_table_defaults(api: Any) -> None:
    table = api.get("/optimizers")
    assert [row["name"] for row in table] == list(OPTIMIZERS)
    for row in table:
        settings = {s["name"]: s["default"] for s in row["settings"]}
        assert settings == OPTIMIZERS[row["name"]], row["name"]
        for s in row["settings"]:
            assert same(s["default"], OPTIMIZERS[row["name"]][s["name"]])
            bounds = (s["minimum"], s["exclusive_minimum"], s["maximum"])
            assert bounds == BOUNDS[s["name"]], (row["name"], s["name"])


def test_method_table(api: Any) -> None:
    assert {row["name"]: row["numerical"] for row in api.get("/methods")} == METHODS
    assert [row["name"] for row in api.get("/methods")] == list(METHODS)


def test_menus_list_exactly_what_the_requests_accept(spec: dict[str, Any]) -> None:
    numerical = [name for name, is_numerical in METHODS.items() if is_numerical]
    for path in ("/descent", "/sweep"):
        fields = request_schema(spec, path)["properties"]
        assert fields["optimizer"]["enum"] == list(OPTIMIZERS)
        assert fields["method"]["enum"] == list(METHODS)
    for path in ("/gradient", "/field"):
        assert request_schema(spec, path)["properties"]["method"]["enum"] == list(METHODS)
    assert request_schema(spec, "/gradcheck")["properties"]["method"]["enum"] == numerical
    assert request_schema(spec, "/steps")["properties"]["methods"]["items"]["enum"] == numerical


def test_shared_settings_defaults_agree_with_the_table() -> None:
    for name, default in SETTINGS.items():
        users = {row[name] for row in OPTIMIZERS.values() if name in row}
        assert users == ({default} if default != CHOSEN else {1e-10, 1e-8}), name


@pytest.mark.parametrize("where", LIMITS, ids=["{} {} {}".format(*key) for key in LIMITS])
def test_limits(spec: dict[str, Any], where: tuple[str, str, str]) -> None:
    path, name, keyword = where
    field = request_schema(spec, path)["properties"][name]
    assert same(field[keyword], LIMITS[where])


# --- the defaults are the ones used: leaving a field out = writing its default ----------

SPHERE = {"expr": "x**2 + y**2", "start": [-3, 4]}
EXPLICIT = {name: value for name, value in REQUESTS["/descent"].items()
            if value not in (REQUIRED, CHOSEN)}


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_descent_uses_its_defaults(api: Any, optimizer: str) -> None:
    written = {**SPHERE, **EXPLICIT, **OPTIMIZERS[optimizer], "optimizer": optimizer}
    left_out = {**SPHERE, "optimizer": optimizer} if optimizer != "gd" else dict(SPHERE)
    assert api.post("/descent", left_out) == api.post("/descent", written)


def test_descent_thins_to_max_points_by_default(api: Any) -> None:
    data = api.post("/descent", {"expr": "x**2", "start": 1, "lr": 0.01, "steps": 10001})
    assert len(data["path"]) == 10001 and data["steps"] == 10001
    assert data["iterations"][0] == 0 and data["iterations"][-1] == 10001


@pytest.mark.parametrize("path, body", [
    ("/gradient", {"expr": "x**2 + y**2", "point": [3, 4]}),
    ("/tangent", {"expr": "3*x**2 - 4*x", "point": 1}),
    ("/field", {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2]}),
    ("/steps", {"expr": "exp(x)", "point": 1}),
    ("/gradcheck", {"expr": "x**2 * exp(y)", "point": [1, 2], "random_points": 3}),
    ("/sweep", {"expr": "x**2 + 10*y**2", "start": [-3, 4], "n": 5}),
])
def test_other_routes_use_their_defaults(api: Any, path: str, body: dict[str, Any]) -> None:
    written = {name: value for name, value in REQUESTS[path].items()
               if value not in (REQUIRED, CHOSEN)}
    if path == "/gradcheck":
        written["box"] = [[-2, 2], [-2, 2]]  # "default [-2, 2] for every variable"
    assert api.post(path, body) == api.post(path, {**written, **body})
