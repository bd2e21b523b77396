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


TWO_VARIABLES = [p for p in FUNCTIONS if p.y_range is not None]
ONE_VARIABLE = [p for p in FUNCTIONS if p.y_range is None]


@pytest.mark.parametrize("preset", ONE_VARIABLE, ids=lambda p: p.name)
def test_one_variable_presets_carry_no_descent_settings(api, preset):
    assert len(preset.start) == 1 and preset.lr is None and preset.steps is None
    x0 = preset.start[0]
    assert preset.x_range[0] < x0 < preset.x_range[1]
    api.post("/tangent", {"expr": preset.expr, "point": x0})


def test_the_parabola_opens_where_its_description_says():
    parabola = next(p for p in FUNCTIONS if p.expr == "3*x**2 - 4*x")
    assert parabola.start == [1] and "tangent at x = 1 is y = 2x - 3" in parabola.description


@pytest.mark.parametrize("preset", TWO_VARIABLES, ids=lambda p: p.name)
def test_gd_behaves_on_every_preset(api, preset):
    assert len(preset.start) == 2
    data = api.post("/descent", {"expr": preset.expr, "start": preset.start, "lr": preset.lr,
                                 "steps": preset.steps})
    assert data["status"] in ("completed", "converged")
    assert data["final_value"] < data["values"][0]
    field = api.post("/field", {"expr": preset.expr, "x_range": preset.x_range,
                                "y_range": preset.y_range, "n": 5})
    assert "v" in field
