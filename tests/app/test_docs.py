"""/docs works offline, /openapi.json documents examples, bounds and error responses."""

from __future__ import annotations

import re

import pytest

POSTS = ["/gradient", "/descent", "/sweep", "/tangent", "/field", "/steps", "/graph", "/gradcheck"]


def test_healthz(api):
    assert api.get("/healthz") == {"status": "ok"}


def test_docs_reference_only_our_own_host(api):
    response = api.client.get("/docs")
    assert response.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", response.text)
    urls += re.findall(r"""url\s*:\s*["']([^"']+)""", response.text)
    assert urls
    for url in urls:
        assert url.startswith("/"), url
        assert api.client.get(url).status_code == 200, url
    assert "cdn" not in response.text.lower()


def test_redoc_is_offline_too(api):
    response = api.client.get("/redoc")
    assert response.status_code == 200
    assert "cdn.jsdelivr" not in response.text


@pytest.mark.parametrize("path", POSTS)
def test_post_endpoints_document_errors_and_examples(api, path):
    operation = api.get("/openapi.json")["paths"][path]["post"]
    assert {"200", "413", "422", "503"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["503"]["headers"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert examples


@pytest.mark.parametrize("path", POSTS)
def test_every_documented_example_runs(api, path):
    operation = api.get("/openapi.json")["paths"][path]["post"]
    for example in operation["requestBody"]["content"]["application/json"]["examples"].values():
        api.post(path, example["value"])


def test_bounds_are_in_the_schema(api):
    schemas = api.get("/openapi.json")["components"]["schemas"]
    field = schemas["FieldRequest"]["properties"]
    assert field["n"]["maximum"] == 400 and field["n"]["minimum"] == 2
    descent = schemas["DescentRequest"]["properties"]
    assert descent["steps"]["maximum"] == 100_000
    assert descent["lr"]["exclusiveMinimum"] == 0
    assert schemas["GradientRequest"]["properties"]["expr"]["maxLength"] == 1000
    assert schemas["GradientRequest"]["additionalProperties"] is False
    assert schemas["StepsRequest"]["properties"]["n"]["maximum"] == 200
    assert schemas["TangentRequest"]["properties"]["secants"]["maxItems"] == 20


def test_contract_examples_on_request_models(api):
    schemas = api.get("/openapi.json")["components"]["schemas"]
    assert schemas["GradientRequest"]["examples"][0] == {
        "expr": "x**2 + y**2", "point": [3, 4], "method": "central", "h": 1e-4}
