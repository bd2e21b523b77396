r"""JSON responses that are always strict JSON: ASCII-escaped, NaN/±inf as ``null``.

Large arrays (a 400×400 field is 480,000 floats) never go through per-element Python
conversion: response models for big results hold C-contiguous numpy arrays
(:func:`as_array`, via ``model_construct``) and :class:`ModelResponse` writes them with
``orjson`` (``OPT_SERIALIZE_NUMPY``: straight from the array buffer, NaN/±inf as
``null``).  Responses are built inside the compute worker thread, so the event loop
never spends time on serialisation.  ``bench/http.py`` measures it.

>>> import numpy as np
>>> from app.schemas import GradientResponse
>>> reply = GradientResponse.model_construct(value=float("nan"), gradient=as_array([1, np.inf]))
>>> ModelResponse(reply).body
b'{"value":null,"gradient":[1.0,null]}'
>>> SafeJSONResponse({"a": float("inf"), "b": "\u00e9"}).body
b'{"a":null,"b":"\\u00e9"}'
"""

from __future__ import annotations

import codecs
import json
import math
import secrets
from typing import Any

import numpy as np
import orjson
import pybase64
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response


def as_list(values: Any) -> Any:
    """A (small) numpy array as nested Python lists; NaN stays NaN until serialised."""
    return np.asarray(values, dtype=float).tolist()


def as_array(values: Any, dtype: Any = np.float64) -> Any:
    """A C-contiguous array that :class:`ModelResponse` writes without a Python loop."""
    return np.ascontiguousarray(values, dtype=dtype)


def _finite(value: Any) -> Any:
    """Replace non-finite floats by None, recursively (small, hand-built bodies only)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


class SafeJSONResponse(JSONResponse):
    """``JSONResponse`` for hand-built bodies (errors): ASCII-escaped, no NaN ever."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            _finite(content), ensure_ascii=True, allow_nan=False, separators=(",", ":")
        ).encode("ascii")


def _set_fields(value: Any) -> Any:
    """orjson's hook for models: the fields the handler set, in declaration order."""
    if isinstance(value, BaseModel):
        given = value.model_fields_set
        return {name: getattr(value, name) for name in type(value).model_fields
                if name in given}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _typed_parts(values: np.ndarray) -> tuple[str, bytes, str | None]:
    """The dtype, the base64 of the little-endian values and the shape (None for one
    dimension) of the typed-array object of ``values`` (see :func:`typed_array`).

    A C-contiguous float64 array (what the engine returns) is encoded straight from its
    buffer, with no copy; ``pybase64`` encodes with the CPU's vector instructions where
    it can, some fifty times as fast as the standard library's ``base64`` (a 200x200
    field's three grids: 0.05 ms instead of 2 ms; ``bench/http.py`` measures the whole).
    """
    if values.dtype.kind in "iu" and values.size and \
            np.iinfo(np.int32).min <= values.min() and values.max() <= np.iinfo(np.int32).max:
        values, dtype = values.astype("<i4"), "i4"
    else:  # no copy of an array that is float64 already (the usual case)
        values, dtype = values.astype("<f8", copy=False), "f8"
        if not np.isfinite(values).all():  # ±inf is null in JSON: NaN here
            values = np.where(np.isfinite(values), values, np.nan)
    shape = ", ".join(str(n) for n in values.shape) if values.ndim > 1 else None
    return dtype, pybase64.b64encode(np.ascontiguousarray(values).data), shape


def typed_array(values: np.ndarray) -> dict[str, str]:
    """Plotly.js's typed-array object for a numeric array: little-endian bytes in base64,
    ``dtype`` ``f8`` (``i4`` for integers that fit), ``shape`` ``"rows, cols"`` for two or
    more dimensions.  A value that is not finite (null in JSON) is NaN inside the bytes.

    >>> typed_array(np.array([1.0, np.nan]))
    {'dtype': 'f8', 'bdata': 'AAAAAAAA8D8AAAAAAAD4fw=='}
    >>> typed_array(np.arange(6).reshape(2, 3))["shape"], typed_array(np.arange(3))["dtype"]
    ('2, 3', 'i4')
    """
    dtype, data, shape = _typed_parts(values)
    spec = {"dtype": dtype, "bdata": data.decode("ascii")}
    if shape is not None:
        spec["shape"] = shape
    return spec


def _typed_fields(value: Any) -> Any:
    """orjson's hook for ``"encoding": "typed"``: a model's set fields, with every numeric
    numpy array as a typed-array object."""
    fields = _set_fields(value)
    return {name: typed_array(item) if isinstance(item, np.ndarray) and item.dtype.kind in "fiu"
            else item for name, item in fields.items()}


class _Spliced:
    """orjson's hook for ``"encoding": "typed"`` that leaves the base64 out: each typed
    array's ``bdata`` is written as ``marker`` (a random token) and its number, and its
    base64 bytes kept for :meth:`splice` to put in place -- so the megabytes of a field
    are copied once, never decoded to text and scanned again by the JSON writer.  (The
    numbers say which is which: a model's arrays are numbered when orjson meets the
    model, and a model nested in it may be written before them.)"""

    def __init__(self) -> None:
        self.marker = secrets.token_hex(16)
        self.chunks: list[bytes] = []

    def __call__(self, value: Any) -> Any:
        fields = _set_fields(value)
        for name, item in fields.items():
            if isinstance(item, np.ndarray) and item.dtype.kind in "fiu":
                dtype, data, shape = _typed_parts(item)
                self.chunks.append(data)
                fields[name] = {"dtype": dtype,
                                "bdata": f"{self.marker}{len(self.chunks) - 1:08d}"}
                if shape is not None:
                    fields[name]["shape"] = shape
        return fields

    def splice(self, body: bytes) -> bytes | None:
        """``body`` with each marker replaced by its base64 (None if the markers are not
        exactly the arrays': then the caller writes the body the plain way)."""
        first, *pieces = body.split(self.marker.encode("ascii"))
        order = [piece[:8] for piece in pieces]
        if sorted(order) != [b"%08d" % k for k in range(len(self.chunks))]:
            return None  # each number exactly once, or the text had a marker too
        parts = [first]
        for number, piece in zip(order, pieces, strict=True):
            parts += [self.chunks[int(number)], piece[8:]]
        return b"".join(parts)


class ModelResponse(Response):
    """A response model (possibly holding numpy arrays) as strict, ASCII JSON.

    Fields the handler did not set are left out, so optional parts (``exact`` for
    autodiff, ``y`` for one variable...) are absent rather than null.  With ``typed``,
    every numeric array of the model is sent as Plotly's typed-array object
    (``"encoding": "typed"`` of the contract); scalars stay JSON numbers.
    """

    media_type = "application/json"

    def __init__(self, content: Any, *, typed: bool = False, **kwargs: Any) -> None:
        self.typed = typed
        super().__init__(content, **kwargs)

    def render(self, content: Any) -> bytes:
        spliced = _Spliced() if self.typed else None
        try:
            body = orjson.dumps(content, default=spliced or _set_fields,
                                option=orjson.OPT_SERIALIZE_NUMPY)
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            body = json.dumps(_finite(_plain(content)), ensure_ascii=True, allow_nan=False,
                              separators=(",", ":")).encode("ascii")
            spliced = None
        if not body.isascii():  # "2/λmax", "f·(1 + |f|)": escaped where they are
            body = ascii_json(body)
        if spliced is not None and spliced.chunks:  # base64 is ASCII: spliced in after
            whole = spliced.splice(body)
            if whole is None:  # a marker also in the text: write the arrays as text
                whole = ascii_json(orjson.dumps(content, default=_typed_fields,
                                                option=orjson.OPT_SERIALIZE_NUMPY))
            body = whole
        return body


def _escape_for_json(error: UnicodeError) -> tuple[str, int]:
    """``str.encode``'s error handler for :func:`ascii_json`: the characters it could not
    write in ASCII, as JSON's ``\\uXXXX`` escapes."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return json.dumps(error.object[error.start:error.end])[1:-1], error.end


codecs.register_error("slopescope.json_escape", _escape_for_json)


def ascii_json(body: bytes) -> bytes:
    r"""UTF-8 JSON as ASCII JSON: each non-ASCII character written ``\uXXXX`` (a pair
    of surrogates above U+FFFF), as ``json.dumps(ensure_ascii=True)`` writes it.  Outside
    strings JSON is ASCII, so only string contents change: the numbers are untouched and
    the text is not parsed again.  Only the span from the first to the last non-ASCII
    byte is decoded and escaped (a 10,000-step path stays bytes; "2/λmax" is escaped).

    >>> ascii_json('{"f":"2/λmax","g":[1.5]}'.encode())
    b'{"f":"2/\\u03bbmax","g":[1.5]}'
    >>> ascii_json('"\U0001d453"'.encode()) == json.dumps("\U0001d453").encode()
    True
    """
    high = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) >= 0x80)
    if high.size == 0:
        return body
    # a character's UTF-8 bytes are all >= 0x80: the span holds whole characters
    first, last = int(high[0]), int(high[-1]) + 1
    middle = body[first:last].decode("utf-8").encode("ascii", "slopescope.json_escape")
    return b"".join((body[:first], middle, body[last:]))


def _plain(value: Any) -> Any:
    """Python containers for the slow, never-failing fallback path."""
    if isinstance(value, BaseModel):
        return _plain(_set_fields(value))
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def null_note(what: str, values: Any) -> str | None:
    """Why some numbers of a response are ``null``, or None when all are finite.

    >>> null_note("f", [1.0, float("nan"), 2.0])
    'f: 1 of 3 values are undefined or not finite (sent as null)'
    >>> null_note("f", float("inf")), null_note("f", 3.0)
    ('f is not finite here (sent as null)', None)
    """
    finite = np.isfinite(np.asarray(values, dtype=float))
    if finite.all():
        return None
    if finite.size == 1:
        return f"{what} is not finite here (sent as null)"
    bad = int(finite.size - np.count_nonzero(finite))
    return f"{what}: {bad} of {finite.size} values are undefined or not finite (sent as null)"


def join_notes(*notes: str | None) -> str:
    """The notes that apply, joined by ``; `` -- or ``"ok"``."""
    return "; ".join(note for note in notes if note) or "ok"
