"""Serving a class (issue 15): replicas behind nginx, proven on loopback without Docker.

Two ``python -m app`` servers and Debian's nginx (``.ci/run`` installs it with apt-get)
with the shipped configuration (``deploy/nginx/slopescope.conf``), all on 127.0.0.1.  A
mixed load from 16 clients goes through nginx (``bench.load``): both replicas answer,
nothing fails, ``/healthz`` answers every probe, and every answer is the one a single
server gives.  Every wait is bounded; no clock is asserted on (the load tool's report,
printed, gives p50, p99 and requests/s through the balancer).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from bench import load
from bench.server import LocalBalancer, LocalServer, nginx_binary

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
#: The replicas wait longer for a compute slot than by default: on a 2-core machine 16
#: clients queue, and this test is about the balancer, not about refusing work.
REPLICA_ENV = {"SLOPESCOPE_SLOT_WAIT": "60"}


@pytest.fixture(scope="module")
def nginx() -> str:
    binary = nginx_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; .ci/run should install it (apt-get)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return binary


def test_the_shipped_configuration_is_valid(nginx):
    checked = LocalBalancer(["127.0.0.1:1", "127.0.0.1:2"]).check()
    assert checked.returncode == 0, checked.stderr
    upstream = (ROOT / "deploy" / "nginx" / "upstream.conf").read_text()
    assert re.search(r"upstream slopescope \{", upstream)
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "nginx/slopescope.conf" in compose and "nginx/upstream.conf" in compose
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "USER slopescope" in dockerfile and "/healthz" in dockerfile


def _answers(url: str) -> list[tuple[str, int, object]]:
    """Every request of the load mix, and the page's tables, answered by ``url``."""
    found = []
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        for kind in load.MIX:
            for body in kind.bodies:
                answer = client.post(kind.path, json=body)
                found.append((kind.path, answer.status_code, answer.json()))
        for path in ("/functions", "/optimizers", "/methods", "/healthz"):
            answer = client.get(path)
            found.append((path, answer.status_code, answer.json()))
    return found


def test_replicas_behind_nginx_share_a_mixed_load_and_answer_as_one_server(nginx):
    with LocalServer(env=REPLICA_ENV) as single:
        expected = _answers(single.url)
    with load.balanced(2, env=REPLICA_ENV) as (servers, balancer):
        assert _answers(balancer.url) == expected  # the same numbers, through nginx
        run = load.run_load(balancer.url, clients=16, seconds=8, max_requests=5000,
                            timeout=60, health_interval=0.1)
        counts = balancer.upstream_counts()
        page = httpx.get(balancer.url + "/", headers={"accept-encoding": "gzip"},
                         timeout=30, trust_env=False)
    data = load.summary(run)
    print("\n" + load.format_report(data, balancer.url, 16))
    assert data["bad"] == {} and set(data["statuses"]) == {"200"}, data["statuses"]
    assert data["requests"] >= 50, data
    assert all(kind["requests"] > 0 for kind in data["per_kind"].values())
    assert data["healthz"]["samples"] > 10 and not data["healthz"]["failures"], data["healthz"]
    answered = [counts.get(f"{server.host}:{server.port}", 0) for server in servers]
    print(f"requests per replica: {answered}")
    assert sum(answered) >= data["requests"]
    assert min(answered) >= sum(answered) // 5, answered  # both replicas took a share
    # the page through the balancer: compressed by nginx, versioned asset URLs
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert "/assets/" in page.text
