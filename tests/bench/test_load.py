"""The load tool: refuses non-loopback hosts; a short run against a real local server."""

from __future__ import annotations

import pytest

from bench import load
from bench.server import LocalServer


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.9.9.9:1/",
                                 "http://localhost:8000", "http://[::1]:8000"])
def test_loopback_urls_are_accepted(url):
    assert load.loopback_host(url)


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "http://example.com",
                                 "http://0.0.0.0:8000", "http://[::]:80", "ftp://127.0.0.1/",
                                 "http://127.0.0.1.example.com/", "http://192.168.1.2"])
def test_other_hosts_are_refused(url, capsys):
    with pytest.raises(load.NotLoopback):
        load.loopback_host(url)
    with pytest.raises(SystemExit) as info:
        load.main(["--url", url, "--seconds", "1"])
    assert info.value.code == 2
    assert "loopback" in capsys.readouterr().err or url.startswith("ftp")


def test_percentiles_and_bad_statuses():
    run = load.Run(samples=[load.Sample("gradient", s, 0.01) for s in
                            ["200", "200", "503", "422", "500", "error:ReadTimeout"]])
    assert load.bad_statuses(run) == {"500": 1, "error:ReadTimeout": 1}
    assert load.percentile([3.0, 1.0, 2.0], 100) == 3.0


@pytest.mark.server
def test_a_short_run_against_a_real_server_has_no_5xx_but_503():
    # ended by the request budget, not the clock: `seconds` is only a bound
    with LocalServer() as server:
        run = load.run_load(server.url, clients=4, seconds=600, max_requests=100, timeout=30)
    data = load.summary(run)
    assert data["bad"] == {}, data
    assert data["requests"] == 100
    assert set(data["statuses"]) <= {"200", "503"}, data["statuses"]
    # every kind is drawn (the rarest has weight 15 in 100: absent from 100 draws with
    # probability 0.85**100 ~ 1e-7)
    assert all(kind["requests"] > 0 for kind in data["per_kind"].values())
    assert data["healthz"]["samples"] >= 1 and not data["healthz"]["failures"]
    report = load.format_report(data, server.url, 4)
    assert "req/s" in report and "p99" in report and "/healthz" in report
