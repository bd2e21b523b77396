"""A negative base to a fractional power over HTTP: a 200 with status diverged, never a 500.

(Once a 500 on /descent with autodiff: tests/engine/test_work_bounds.py has the engine side.)
"""

from __future__ import annotations

import json

JSON = {"content-type": "application/json"}


def test_descent_negative_base_power_over_http_is_never_a_500(client):
    for method in ("autodiff", "dual", "central"):
        response = client.post("/descent", content=json.dumps(
            {"expr": "x**0.5", "start": -1, "steps": 3, "method": method}), headers=JSON)
        assert response.status_code == 200 and response.json()["status"] == "diverged"
