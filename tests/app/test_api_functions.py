"""GET /functions: the presets, and that gradient descent behaves on each."""

from __future__ import annotations

import pytest

from app.presets import FUNCTIONS


def test_required_presets(api):
    presets = api.get("/functions")
    exprs = {p["expr"] for p in presets}
    names = {p["name"].lower() for p in presets}
    assert {"x**2 + y**2", "x**2 - y**2", "3*x**2 - 4*x"} <= exprs
    assert {"rosenbrock", "himmelblau", "booth", "beale"} <= names
    for preset in presets:
        assert set(preset) >= {"name", "expr", "x_range", "y_range", "start", "lr"}


@pytest.mark.parametrize("preset", FUNCTIONS, ids=lambda p: p.name)
def test_gd_behaves_on_every_preset(api, preset):
    one_variable = preset.y_range is None
    assert len(preset.start) == (1 if one_variable else 2)
    data = api.post("/descent", {"expr": preset.expr, "start": preset.start, "lr": preset.lr,
                                 "steps": preset.steps})
    assert data["status"] in ("completed", "converged")
    assert data["final_value"] < data["values"][0]
    field = api.post("/field", {"expr": preset.expr, "x_range": preset.x_range,
                                "y_range": preset.y_range, "n": 5})
    assert ("v" in field) == (not one_variable)
