"""GET /optimizers and GET /methods: the engine's tables, exactly what requests accept."""

from __future__ import annotations

import pytest

import engine


def test_optimizers_are_the_engine_table(api):
    table = api.get("/optimizers")
    assert [row["name"] for row in table] == list(engine.OPTIMIZERS)
    rows = {row["name"]: row for row in table}
    assert [s["name"] for s in rows["adamw"]["settings"]] == ["beta1", "beta2", "eps",
                                                              "weight_decay"]
    defaults = {(name, s["name"]): s["default"] for name, row in rows.items()
                for s in row["settings"]}
    assert defaults[("rmsprop", "rho")] == 0.99 and defaults[("adagrad", "eps")] == 1e-10
    assert defaults[("adamw", "weight_decay")] == 0.01
    assert rows["gd"]["lr_bound"] == "2/λmax" and rows["adam"]["lr_bound"] is None
    assert rows["gd"]["settings"] == [] and rows["gd"]["label"]


def test_every_listed_optimizer_and_setting_is_accepted(api):
    for row in api.get("/optimizers"):
        body = {"expr": "x**2 + y**2", "start": [1, 1], "steps": 2, "optimizer": row["name"]}
        for setting in row["settings"]:
            body[setting["name"]] = setting["default"]
        assert api.post("/descent", body)["status"] == "completed"


def test_the_descent_schema_lists_exactly_the_table(api):
    schema = api.get("/openapi.json")["components"]["schemas"]["DescentRequest"]
    assert schema["properties"]["optimizer"]["enum"] == list(engine.OPTIMIZERS)
    settings = {s.name for row in engine.OPTIMIZERS.values() for s in row.settings}
    assert settings <= set(schema["properties"])


def test_methods_are_the_engine_table(api):
    table = api.get("/methods")
    assert [row["name"] for row in table] == list(engine.METHODS)
    numerical = [row["name"] for row in table if row["numerical"]]
    assert numerical == list(engine.NUMERICAL_METHODS)
    assert [row["name"] for row in table if row["needs_analytic"]] == ["complex-step"]
    assert all(row["label"] and row["description"] for row in table)


def test_every_listed_method_is_accepted(api):
    for row in api.get("/methods"):
        body = {"expr": "x**2 + y**2", "point": [1, 2], "method": row["name"]}
        assert api.post("/gradient", body)["gradient"] == [pytest.approx(2), pytest.approx(4)]
        if row["needs_analytic"]:
            err = api.error("/gradient", {**body, "expr": "abs(x) + y"})
            assert err["ctx"]["code"] == "not_analytic"


def test_limits_are_this_servers_settings_for_every_bounded_field(make_api):
    api = make_api(max_steps=77, max_hidden=9)
    limits = api.get("/limits")
    assert limits["max_steps"] == 77 and limits["max_hidden"] == 9
    schemas = api.get("/openapi.json")["components"]["schemas"]
    declared = {prop["x-limit"] for schema in schemas.values()
                for prop in schema.get("properties", {}).values() if "x-limit" in prop}
    assert set(limits) == declared
    # every limit is the maximum the schema states for its field
    steps = schemas["DescentRequest"]["properties"]["steps"]
    assert steps["x-limit"] == "max_steps" and steps["maximum"] == limits["max_steps"]
