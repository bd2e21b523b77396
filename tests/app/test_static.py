"""app/static.py: the page's files answered from memory, with the same headers Starlette's
own ``StaticFiles`` gives, fresh when a file changes, and streamed when large."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from app.middleware import HeadMiddleware
from app.static import IMMUTABLE, CachedStaticFiles


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 40)  # 10,240 bytes
    return tmp_path


def client_for(folder: Path, **options: int) -> TestClient:
    app = Starlette(routes=[
        Mount("/kept", CachedStaticFiles(directory=folder, cache_control=IMMUTABLE, **options)),
        Mount("/plain", StaticFiles(directory=folder)),
    ])
    app.add_middleware(HeadMiddleware)
    return TestClient(app)


def test_an_answer_from_memory_is_starlettes_answer(folder):
    client = client_for(folder)
    kept, plain = client.get("/kept/js/a.js"), client.get("/plain/js/a.js")
    assert kept.status_code == plain.status_code == 200
    assert kept.content == plain.content == b"export const a = 1;\n"
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert kept.headers[name] == plain.headers[name], name
    assert kept.headers["cache-control"] == IMMUTABLE
    assert "accept-ranges" not in kept.headers  # the whole file, whatever Range asks
    assert client.get("/kept/js/a.js", headers={"range": "bytes=0-3"}).content == kept.content


def test_validators_give_not_modified(folder):
    client = client_for(folder)
    first = client.get("/kept/js/a.js")
    again = client.get("/kept/js/a.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == IMMUTABLE


def test_a_changed_file_is_read_again(folder):
    client = client_for(folder)
    path = folder / "js" / "a.js"
    assert client.get("/kept/js/a.js").text == "export const a = 1;\n"
    path.write_text("export const a = 22;\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    answer = client.get("/kept/js/a.js")
    assert answer.text == "export const a = 22;\n"
    assert answer.headers["content-length"] == str(len(answer.content))


def test_head_gets_the_headers_only(folder):
    client = client_for(folder)
    answer = client.head("/kept/js/a.js")
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-length"] == str(len(b"export const a = 1;\n"))


def test_missing_files_and_paths_outside_are_not_found(folder):
    client = client_for(folder)
    assert client.get("/kept/js/none.js").status_code == 404
    assert client.get("/kept/../outside.txt").status_code == 404
    assert client.get("/kept/js/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    assert client.post("/kept/js/a.js").status_code == 405


def test_a_file_over_the_limit_is_streamed_with_ranges(folder):
    client = client_for(folder, kept_max_bytes=1000)
    whole = client.get("/kept/big.bin")
    assert whole.status_code == 200 and len(whole.content) == 10_240
    assert whole.headers["accept-ranges"] == "bytes"
    part = client.get("/kept/big.bin", headers={"range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == bytes(range(10))
    assert client_for(folder).get("/kept/big.bin").headers.get("accept-ranges") is None
