// Calls to the JSON API with the user's bearer token: problems become ApiError, 401 sends the
// user to sign in again, commands carry an Idempotency-Key so a retried click is safe.
import { currentSession, clearSession } from "./session.js";

/** An answer of the API that was not a success: its problem+json, ready to show. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }

  /** Field errors of a 422, as {field: message}; the last part of `loc` names the field. */
  fieldErrors() {
    const found = {};
    const list = this.problem.errors || this.problem.invalid_params || [];
    for (const item of Array.isArray(list) ? list : []) {
      const loc = item.loc || String(item.field || item.name || "").split(".");
      const name = loc.filter((part) => typeof part === "string" && part !== "body").pop();
      if (name) found[name] = item.msg || item.reason || item.message || "not valid";
    }
    return found;
  }
}

export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function goToLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

function authHeaders(extra = {}) {
  const session = currentSession();
  const headers = { Accept: "application/json, application/problem+json", ...extra };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  return headers;
}

async function problemOf(response) {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object") {
      // FastAPI's own errors say {"detail": ...}; ours are problem+json.
      if (!parsed.title && Array.isArray(parsed.detail)) {
        return { title: "Some fields are not valid", status: response.status, errors: parsed.detail };
      }
      return parsed;
    }
  } catch {
    /* not JSON: fall through */
  }
  return { title: response.statusText || "Request failed", status: response.status, detail: "" };
}

/**
 * Call the API. `body` is sent as JSON; a POST gets an Idempotency-Key (pass `idempotencyKey`
 * to reuse one across retries of the same action). Answers the parsed JSON (or null).
 */
export async function api(path, { method = "GET", body, idempotencyKey, signal, redirectOn401 = true } = {}) {
  const headers = authHeaders();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["Idempotency-Key"] = idempotencyKey || newIdempotencyKey();
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (response.status === 401 && redirectOn401) {
    clearSession();
    goToLogin();
    throw new ApiError(401, { title: "Please sign in again" });
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

/** Fetch a file with the token (links cannot carry it) and answer it as a Blob. */
export async function apiBlob(path) {
  const response = await fetch(path, { headers: authHeaders({ Accept: "*/*" }) });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.blob();
}

/** A list answer may be a bare list or {items|messages|...: [...]}: the rows either way. */
export function rowsOf(answer, ...keys) {
  if (Array.isArray(answer)) return answer;
  for (const key of [...keys, "items", "results", "data"]) {
    if (answer && Array.isArray(answer[key])) return answer[key];
  }
  return [];
}
