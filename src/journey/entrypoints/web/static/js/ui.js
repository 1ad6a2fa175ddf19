// Small DOM helpers shared by every page. Data always goes in as text (never as HTML), so a
// value from the API can never become markup.
import { currentSession, clearSession, hasRole } from "./session.js";
import { goToLogin } from "./api.js";

/** Build an element: el("a", {href: "/x", class: "y"}, "text", child...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An SVG element (the chart and gauges). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** The page's path parameters (e.g. application_id), rendered by the server. */
export function params() {
  try {
    return JSON.parse(document.getElementById("main").dataset.params || "{}");
  } catch {
    return {};
  }
}

/** Show a message at the top of the page; `kind` is "info", "ok" or "error". */
export function notice(message, kind = "info") {
  const box = document.getElementById("notice");
  if (!box) return;
  box.replaceChildren(...(Array.isArray(message) ? message : [message]));
  box.className = `notice ${kind}`;
  box.hidden = !message;
  if (kind === "error") box.setAttribute("role", "alert");
  else box.setAttribute("role", "status");
}

export function clearNotice() {
  notice("");
}

/** Say what went wrong in words a person can act on (never a stack trace). */
export function explain(error) {
  if (error && error.problem) {
    const { title, detail } = error.problem;
    if (error.status === 403) return "You are signed in with a role that may not do this.";
    if (error.status === 404) return detail || "Not found.";
    return [title, detail].filter(Boolean).join(": ") || error.message;
  }
  if (error instanceof TypeError) return "The server could not be reached. Check your connection and try again.";
  return (error && error.message) || "Something went wrong.";
}

/** Fill the header with who is signed in; answers the session. */
export function showSession() {
  const session = currentSession();
  const box = document.getElementById("session");
  if (!box) return session;
  if (session) {
    document.getElementById("session-role").textContent = session.roles.join(", ") || session.role;
    const subject = document.getElementById("session-subject");
    subject.textContent = session.label || session.subject;
    subject.title = session.subject;
    box.hidden = false;
    document.getElementById("sign-out").addEventListener("click", () => {
      clearSession();
      location.assign("/login");
    });
  }
  return session;
}

/**
 * Start a page that needs a signed-in user with one of the page's roles (from <body
 * data-roles>). Answers the session, or null after sending the user to sign in / telling them.
 */
export function requireSession() {
  const session = showSession();
  const roles = (document.body.dataset.roles || "").split(" ").filter(Boolean);
  if (!session) {
    goToLogin();
    return null;
  }
  if (roles.length && !hasRole(session, roles)) {
    const link = el("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, "Sign in as someone else");
    notice([`This page is for ${roles.join(" or ")}s; you are signed in as ${session.roles.join(", ")}. `, link], "error");
    return null;
  }
  return session;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const SHORT = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });
const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const NUMBER = new Intl.NumberFormat();

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : DATE_TIME.format(date);
}

/** A date and time without the year, for table columns. */
export function short(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : SHORT.format(date);
}

/** A small line icon (decorative: the text next to it says the same). */
export function icon(name) {
  const paths = {
    paperclip: "M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.5 3.5 0 0 1 5 5l-8.6 8.6a2 2 0 0 1-2.8-2.8l7.9-7.9",
  };
  return svg("svg", { class: "icon", viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" }, svg("path", { d: paths[name] }));
}

export function clock(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : TIME.format(date);
}

/** A <time> element with the machine-readable value and a readable one. */
export function timeEl(iso, short = false) {
  return el("time", { datetime: iso || "" }, short ? clock(iso) : when(iso));
}

export function ago(iso) {
  if (!iso) return "";
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(seconds)) return "";
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} days ago`;
}

export function number(value) {
  return value === null || value === undefined ? "—" : NUMBER.format(value);
}

export function money(value, currency) {
  if (value === null || value === undefined) return "—";
  return currency ? `${NUMBER.format(value)} ${currency}` : NUMBER.format(value);
}

export function percent(bps) {
  return bps === null || bps === undefined ? "—" : `${(bps / 100).toFixed(2)} %`;
}

const TONES = {
  ok: ["approved", "offered", "accepted", "delivered", "active", "quality_passed", "PASS", "sent", "resolved", "ELIGIBLE"],
  danger: ["declined", "returned", "quality_failed", "misprinted", "FAIL", "failed", "parked", "NOT_ELIGIBLE", "expired"],
  warn: ["referred", "compensating", "compensated", "withdrawn", "delayed", "REFER", "redrive_requested", "queued"],
};

/** A status as a coloured badge (colour is never the only cue: the word is always there). */
export function badge(status, extra = "") {
  const text = String(status ?? "—");
  let tone = "progress";
  for (const [name, values] of Object.entries(TONES)) if (values.includes(text)) tone = name;
  return el("span", { class: `badge ${tone} ${extra}`.trim() }, text.replace(/_/g, " "));
}

/** Mark a form field invalid (or valid with an empty message), wired to its error line. */
export function fieldError(input, message) {
  if (!input) return;
  const line = document.getElementById(`${input.id}-error`);
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  if (line) line.textContent = message || "";
}

/** Run `action` while `button` shows it is busy; errors go to the page's notice. */
export async function busy(button, action) {
  const was = button ? button.disabled : false;
  if (button) {
    button.disabled = true;
    button.classList.add("busy");
    button.setAttribute("aria-busy", "true");
  }
  try {
    return await action();
  } finally {
    if (button) {
      button.disabled = was;
      button.classList.remove("busy");
      button.removeAttribute("aria-busy");
    }
  }
}

/** Set a live indicator's state and words. */
export function liveState(node, state, words) {
  if (!node) return;
  node.dataset.state = state;
  const label = node.querySelector(".label");
  if (label) label.textContent = words || { live: "live", connecting: "connecting…", error: "reconnecting…", idle: "" }[state] || state;
}

/** Re-run `task` every `ms` while the tab is visible (pauses in the background). */
export function every(ms, task) {
  let timer = null;
  const tick = async () => {
    if (!document.hidden) {
      try {
        await task();
      } catch {
        /* the task reports its own errors */
      }
    }
    timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => clearTimeout(timer);
}
