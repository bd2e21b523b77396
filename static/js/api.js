// API client: one function per endpoint of the HTTP contract (shared/API.md).
// Every call returns the parsed JSON body or throws an ApiError. /field, /descent and
// /sweep are asked for `"encoding": "typed"` (base64 arrays: a fraction of the bytes and
// of the parsing); their answers come back with plain arrays, as with JSON, and the
// same numbers as typed arrays under `typed` for Plotly (typed.js).
import { decodeAnswer } from "./typed.js";
import { t } from "./i18n.js";

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0 for a network failure)
   * @param {string} message human-readable message
   * @param {object} [info] {column, field, type, code}
   */
  constructor(status, message, info = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.column = info.column ?? null;
    this.field = info.field ?? null;
    this.type = info.type ?? null;
    this.code = info.code ?? null; // the engine's reason, e.g. "not_analytic"
    // The message without "at column N": for showing away from the function's text.
    this.reason = info.reason ?? message;
    this.loc = info.loc ?? []; // where in the body, e.g. ["body", "claimed", 1]
  }

  /** True when the function text itself is at fault (422 on `expr`). */
  get isExpressionError() {
    return this.status === 422 && this.type === "expression_error" && this.field === "expr";
  }
}

/** Turn an error response into an ApiError with the contract's fields. */
async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const detail = body && body.detail;
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0];
    const loc = Array.isArray(first.loc) ? first.loc : [];
    const field = loc.length ? String(loc[loc.length - 1]) : null;
    let message = String(first.msg ?? "invalid request");
    if (first.type !== "expression_error" && field && !message.includes(field)) {
      message = `${field}: ${message}`;
    }
    return new ApiError(response.status, message, {
      column: first.ctx && Number.isInteger(first.ctx.column) ? first.ctx.column : null,
      field,
      type: first.type ?? null,
      code: first.ctx?.code ?? null,
      reason: typeof first.ctx?.reason === "string" ? first.ctx.reason : null,
      loc,
    });
  }
  if (typeof detail === "string") return new ApiError(response.status, detail);
  return new ApiError(response.status, `${response.status} ${response.statusText || "error"}`);
}

async function send(method, path, body, signal, headers = {}) {
  try {
    return await fetch(path, {
      method,
      headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, t("api.unreachable"));
  }
}

/** An answer that is not a success, as an ApiError: busy (503, with its wait) or refused. */
async function failure(response) {
  if (response.status === 503) {
    const wait = Number(response.headers.get("Retry-After")) || 1;
    return new ApiError(503, t("api.busy", { s: wait }));
  }
  return errorFrom(response);
}

async function request(method, path, body, signal) {
  const response = await send(method, path, body, signal);
  if (!response.ok) throw await failure(response);
  return response.json();
}

const post = (path) => (body, signal) => request("POST", path, body, signal);

/** POST `body`; resolves with the answer as a Blob (a file to save), errors as `request`'s. */
const postFile = (path) => async (body, signal) => {
  const response = await send("POST", path, body, signal);
  if (!response.ok) throw await failure(response);
  return response.blob();
};

/** POST asking for typed arrays; the answer decoded by typed.js's decodeAnswer. */
const postTyped = (path) => async (body, signal) =>
  decodeAnswer(await request("POST", path, { ...body, encoding: "typed" }, signal));

const get = (path) => (signal) => request("GET", path, undefined, signal);

/**
 * POST `body` with `Accept: application/x-ndjson` and call `onLine(object)` for each JSON
 * line as it arrives; resolves with the last line. Errors before the stream starts are
 * ApiErrors as for any request, and so is an error line (`{"detail": [...]}`) after it.
 */
async function streamLines(path, body, signal, onLine) {
  const response = await send("POST", path, body, signal, { Accept: "application/x-ndjson" });
  if (!response.ok) throw await failure(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  let last = null;
  const take = async (text) => {
    if (!text.trim()) return;
    last = JSON.parse(text);
    if (last.detail !== undefined) {
      throw await errorFrom({ status: 422, statusText: "", json: async () => last });
    }
    onLine(last);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) await take(line);
  }
  await take(pending + decoder.decode());
  return last;
}

export const api = {
  functions: get("/functions"),
  optimizers: get("/optimizers"),
  methods: get("/methods"),
  limits: get("/limits"),
  field: postTyped("/field"),
  tangent: post("/tangent"),
  gradient: post("/gradient"),
  steps: post("/steps"),
  descent: postTyped("/descent"),
  descentStep: post("/descent/step"),
  sweep: postTyped("/sweep"),
  gradcheck: post("/gradcheck"),
  graph: post("/graph"),
  networkTables: get("/network/tables"),
  networkTrain: post("/network/train"),
  networkGradcheck: post("/network/gradcheck"),
  /** A Jupyter notebook that reproduces a view of a function, or the network view. */
  notebook: postFile("/notebook"),
  networkNotebook: postFile("/network/notebook"),
  /** /network/train as a stream: `onLine(line)` per finished epoch; resolves with the whole answer. */
  networkStream: (body, signal, onLine) => streamLines("/network/train", body, signal, onLine),
};

/**
 * Latest-wins request slots: starting a request in a slot aborts the one before it,
 * so a slow answer never overwrites a newer one.
 */
export class Slots {
  constructor() {
    this.controllers = new Map();
  }

  /** Abort whatever runs in slot `name`. */
  cancel(name) {
    this.controllers.get(name)?.abort();
    this.controllers.delete(name);
  }

  /** Run `fn(signal)` in slot `name`; resolves to its result or to undefined if superseded. */
  async run(name, fn) {
    this.controllers.get(name)?.abort();
    const controller = new AbortController();
    this.controllers.set(name, controller);
    try {
      const result = await fn(controller.signal);
      return controller.signal.aborted ? undefined : result;
    } catch (err) {
      if (err && err.name === "AbortError") return undefined;
      throw err;
    } finally {
      if (this.controllers.get(name) === controller) this.controllers.delete(name);
    }
  }
}

/** True if `err` means "this request was superseded" and should be ignored. */
export function isAbort(err) {
  return Boolean(err && err.name === "AbortError");
}
