"""Raw HTTP against a real server: what schemathesis never sends.

Bytes go over a plain socket to ``python -m app`` on 127.0.0.1 (uvicorn's real parser,
the real body limit): NaN/Infinity tokens, ``1e999``, oversized declared and streamed
bodies, chunked bodies, wrong content types, invalid UTF-8, truncated and deeply nested
JSON, duplicate and very many keys, and malformed HTTP.  Every socket has a timeout;
every answer is a 4xx (or a 200) — never a 500, never a hang — and the server stays up.
"""

from __future__ import annotations

import json
import socket

import pytest

pytestmark = pytest.mark.server

TIMEOUT = 10.0
VALID = b'{"expr": "x**2 + y**2", "point": [3, 4]}'


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):  # type: ignore[no-untyped-def]
        def refuse(token: str) -> None:
            raise ValueError(f"non-strict JSON constant {token!r}")

        return json.loads(self.body, parse_constant=refuse)


def _read_answer(sock: socket.socket) -> Answer:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full response: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip()
               for k, _, v in (line.partition(":") for line in lines[1:])}
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        body = body[:length]
    return Answer(status, headers, body)


def exchange(server, request: bytes, then: bytes = b"") -> Answer:
    """Send ``request`` on a fresh connection (then ``then``, ignoring a reset), read one
    response; all bounded by :data:`TIMEOUT`."""
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        if then:
            try:
                sock.sendall(then)
            except OSError:  # the server answered early and closed: that is fine
                pass
        return _read_answer(sock)


def post(path: str, body: bytes, content_type: str | None = "application/json",
         extra: str = "") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    head += f"Content-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode("latin-1") + body


def assert_4xx(answer: Answer, *statuses: int) -> dict:
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    if statuses:
        assert answer.status in statuses, (answer.status, answer.body[:300])
    assert answer.body.isascii()
    data = answer.json()
    assert data["detail"], data
    return data


@pytest.fixture(autouse=True)
def server_stays_up(real_server):
    yield
    assert real_server.process.poll() is None, "the server died"
    assert real_server.healthy(timeout=10)


# --- non-finite number tokens ---------------------------------------------------------

@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999",
                                   "1E400", "nan", "inf"])
@pytest.mark.parametrize("template", [
    '{"expr": "x", "point": %s}',
    '{"expr": "x", "point": [%s]}',
    '{"expr": "x", "point": {"x": %s}}',
    '{"expr": "x", "point": 1, "method": "central", "h": %s}',
    '{"expr": "x", "x_range": [0, %s]}',
    '{"expr": "x", "start": 1, "lr": %s}',
])
def test_non_finite_tokens_are_422(real_server, token, template):
    path = "/field" if "x_range" in template else "/descent" if "lr" in template \
        else "/gradient"
    answer = exchange(real_server, post(path, (template % token).encode()))
    data = assert_4xx(answer, 422)
    assert token.lower().strip("-") not in json.dumps(data).lower().replace("infinity_", "")


# --- body size ------------------------------------------------------------------------

def test_declared_oversized_body_is_413_before_it_is_sent(real_server):
    head = (b"POST /gradient HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
            b"\r\nContent-Length: 10000000\r\n\r\n")
    # the other 9.99 MB are never sent: an answer at all shows it did not wait for them
    answer = exchange(real_server, head + b"{" + b" " * 1000)
    data = assert_4xx(answer, 413)
    assert "max_body_size" in data["detail"] and "10000000" in data["detail"]


def test_oversized_body_sent_whole_is_413(real_server):
    answer = exchange(real_server, post("/gradient", b"{" + b" " * 70_000 + b"}"))
    assert "65536" in assert_4xx(answer, 413)["detail"]


def _chunked(parts: list[bytes]) -> bytes:
    out = b""
    for part in parts:
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


CHUNKED_HEAD = (b"POST /gradient HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")


def test_chunked_body_over_the_limit_is_413(real_server):
    body = _chunked([b" " * 8192] * 128)  # 1 MiB in 8 KiB chunks
    answer = exchange(real_server, CHUNKED_HEAD, then=body)
    assert "max_body_size" in assert_4xx(answer, 413)["detail"]


def test_chunked_body_within_the_limit_is_read(real_server):
    answer = exchange(real_server, CHUNKED_HEAD + _chunked([VALID[:10], VALID[10:]]))
    assert answer.status == 200 and answer.json()["gradient"] == [6.0, 8.0]


def test_body_shorter_than_declared_does_not_hang_the_server(real_server):
    with socket.create_connection((real_server.host, real_server.port), timeout=TIMEOUT) as s:
        s.sendall(post("/gradient", VALID)[:-10])  # 10 bytes missing, then half-close
        s.shutdown(socket.SHUT_WR)
        s.settimeout(TIMEOUT)
        try:
            s.recv(65536)  # an error response or a close: either is fine
        except OSError:
            pass


# --- content type and encoding --------------------------------------------------------

@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=xyz", "application/xml",
                                          "application/jsonx"])
def test_wrong_content_type_is_4xx(real_server, content_type):
    assert_4xx(exchange(real_server, post("/gradient", VALID, content_type)))


@pytest.mark.parametrize("body", [
    b'{"expr": "\xff\xfe", "point": 1}',  # not UTF-8
    b'{"expr": "\xed\xa0\x80", "point": 1}',  # an encoded surrogate
    b'{"expr": "\xc0\xaf", "point": 1}',  # overlong encoding
    b'{"expr": "x\x00", "point": 1}',  # a raw NUL inside a string
    b"\x00" * 100,
])
def test_invalid_utf8_and_raw_bytes_are_422(real_server, body):
    assert_4xx(exchange(real_server, post("/gradient", body)), 422)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_other_unicode_encodings_are_never_a_500(real_server, encoding):
    # Python's json.loads detects UTF-16/32 and a UTF-8 byte-order mark: 200 is fine
    answer = exchange(real_server, post("/gradient", VALID.decode().encode(encoding)))
    assert answer.status in (200, 422), answer.body[:200]


@pytest.mark.parametrize("cut", [1, 5, 10, 20, 30, len(VALID) - 1])
def test_truncated_json_is_422(real_server, cut):
    data = assert_4xx(exchange(real_server, post("/gradient", VALID[:cut])), 422)
    assert data["detail"][0]["type"] == "json_invalid"


# --- JSON shape -----------------------------------------------------------------------

def test_100000_nested_arrays_are_refused_by_size(real_server):
    assert_4xx(exchange(real_server, post("/gradient", b"[" * 100_000)), 413)


@pytest.mark.parametrize("body", [b"[" * 60_000, b"[" * 30_000 + b"]" * 30_000,
                                  b'{"expr": "x", "point": ' + b"[" * 20_000 + b"]" * 20_000
                                  + b"}",
                                  b'{"a":' * 10_000 + b"1" + b"}" * 10_000])
def test_deeply_nested_json_within_the_limit_is_422(real_server, body):
    data = assert_4xx(exchange(real_server, post("/gradient", body)), 422)
    assert data["detail"][0]["type"] == "json_invalid"


def test_duplicate_keys_take_the_last_value(real_server):
    body = b'{"expr": "x", "expr": "y**2", "point": 1, "point": 3}'
    answer = exchange(real_server, post("/gradient", body))
    assert answer.status == 200 and answer.json()["gradient"] == [6.0]


def test_thousands_of_unknown_keys_within_the_limit(real_server):
    body = json.dumps({"expr": "x", "point": 1, **{f"k{i}": i for i in range(4000)}}).encode()
    assert len(body) < 65_536
    answer = exchange(real_server, post("/gradient", body))
    data = assert_4xx(answer, 422)
    assert {item["type"] for item in data["detail"]} == {"extra_forbidden"}


def test_huge_numbers_of_list_items_within_the_limit(real_server):
    body = json.dumps({"expr": "x", "point": [0] * 20_000}).encode()
    data = assert_4xx(exchange(real_server, post("/gradient", body)), 422)
    assert "max_nodes" in data["detail"][0]["msg"]


# --- malformed HTTP -------------------------------------------------------------------

@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n",
    b"POST /gradient HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /gradient HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
    b"POST /gradient HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /gradient HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST /gradient HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
    b"POST /gradient HTTP/9.9\r\nHost: x\r\n\r\n",
])
def test_malformed_http_is_refused_or_closed(real_server, request_bytes):
    try:
        answer = exchange(real_server, request_bytes)
    except (ConnectionError, OSError):
        return  # uvicorn closed the connection: refused
    assert 400 <= answer.status < 500, answer.status


def test_a_stalled_client_does_not_block_others(real_server):
    with socket.create_connection((real_server.host, real_server.port), timeout=TIMEOUT) as s:
        s.sendall(b"POST /gradient HTTP/1.1\r\nHost: x\r\nContent-Type: applic")
        answer = exchange(real_server, post("/gradient", VALID))
        assert answer.status == 200
        # ... answered while the stalled request is still open and unanswered
        s.setblocking(False)
        with pytest.raises(BlockingIOError):
            s.recv(1)
