"""POST /sweep: the contract's example, the phase diagram, agreement with /descent, limits."""

from __future__ import annotations

import pytest

BOWL = {"expr": "x**2 + 10*y**2", "start": [-3, 4]}


def test_contract_example(api):
    data = api.post("/sweep", {**BOWL, "optimizer": "gd", "lr_min": 1e-4, "lr_max": 1,
                               "n": 60, "steps": 200, "tol": 1e-8})
    assert data["variables"] == ["x", "y"]
    assert len(data["lr"]) == 60 and data["lr"][0] == 1e-4 and data["lr"][-1] == 1.0
    for key in ("final_value", "status", "steps_taken", "reason", "final"):
        assert len(data[key]) == 60, key
    assert "momentum" not in data
    assert data["stability"]["lr_bound"] == 0.1
    for lr, status in zip(data["lr"], data["status"], strict=True):
        if lr < 0.095:
            assert status != "diverged", lr
        if lr > 0.105:
            assert status == "diverged", lr
    usable = [(v, s, lr) for v, s, lr, st in zip(data["final_value"], data["steps_taken"],
                                                  data["lr"], data["status"], strict=True)
              if st != "diverged"]
    assert data["best_lr"] == min(usable)[2]


def test_every_run_equals_a_descent_at_that_rate(api):
    sweep = api.post("/sweep", {**BOWL, "lr_min": 0.01, "lr_max": 0.2, "n": 7, "steps": 150,
                                "tol": 1e-6})
    for k, lr in enumerate(sweep["lr"]):
        run = api.post("/descent", {**BOWL, "lr": lr, "steps": 150, "tol": 1e-6})
        assert run["status"] == sweep["status"][k] and run["steps"] == sweep["steps_taken"][k]
        assert run["final"] == [pytest.approx(c, rel=1e-12, abs=1e-300)
                                for c in sweep["final"][k]]


def test_phase_diagram_over_momentum(api):
    betas = [0.0, 0.5, 0.9]
    data = api.post("/sweep", {**BOWL, "optimizer": "momentum", "lr_min": 1e-3, "lr_max": 1,
                               "n": 50, "steps": 3000, "momentums": betas})
    assert data["momentum"] == betas
    assert [len(row) for row in data["status"]] == [50, 50, 50]
    assert data["lr_bounds"] == [pytest.approx((2 + 2 * b) / 20) for b in betas]
    for i, bound in enumerate(data["lr_bounds"]):
        for lr, status in zip(data["lr"], data["status"][i], strict=True):
            if lr < 0.95 * bound:
                assert status != "diverged"
            if lr > 1.05 * bound:
                assert status == "diverged"
    assert data["best_momentum"] in betas


def test_limits_name_their_settings(make_api):
    api = make_api(max_rates=10, max_momentums=2, sweep_budget=10_000)
    err = api.error("/sweep", {**BOWL, "n": 11})
    assert err["ctx"]["limit"] == "max_rates" and err["loc"] == ["body", "n"]
    err = api.error("/sweep", {**BOWL, "n": 2, "optimizer": "momentum",
                               "momentums": [0.1, 0.2, 0.3]})
    assert err["ctx"]["limit"] == "max_momentums"
    # 10 runs x 300 steps x (7 nodes + 2 variables) = 27,000 > 10,000
    err = api.error("/sweep", {**BOWL, "n": 10, "steps": 300})
    assert err["ctx"]["limit"] == "sweep_budget" and "27000" in err["msg"]


@pytest.mark.parametrize("body, field", [
    ({"lr_min": 2, "lr_max": 1}, "lr_max"),
    ({"momentums": [0.5]}, "momentums"),
    ({"optimizer": "momentum", "momentums": [1.0]}, "momentums"),
    ({"lr_min": 0}, "lr_min"),
])
def test_bad_sweeps(api, body, field):
    err = api.error("/sweep", {**BOWL, **body})
    if field is not None:
        assert field in err["loc"]
