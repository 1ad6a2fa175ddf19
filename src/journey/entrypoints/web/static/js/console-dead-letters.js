// Dead letters: what a consumer or the scheduler gave up on, with redrive (and discard).
import { api, rowsOf, newIdempotencyKey } from "./api.js";
import { $, el, badge, when, notice, explain, busy, every, requireSession } from "./ui.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * After a redrive, watch the letter until its consumer has run it again (it polls for redrive
 * requests about once a second) and say how it went: resolved, or parked again with the error.
 */
async function followRedrive(letter) {
  const query = new URLSearchParams({ all: "true", consumer: letter.consumer, limit: "1000" });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    await sleep(1000);
    let found;
    try {
      found = rowsOf(await api(`/dead-letters?${query}`), "dead_letters", "letters").find((other) => other.id === letter.id);
    } catch {
      continue; // the next look may work; the page's own refresh reports lasting trouble
    }
    if (!found || found.status === "redrive_requested") continue;
    const what = `${letter.message_type} for ${letter.consumer}`;
    if (found.status === "resolved") notice(`${what} ran again and is resolved.`, "ok");
    else if (found.status === "parked") notice(`${what} failed again (${found.error}) and is parked again.`, "error");
    else notice(`${what} is ${String(found.status).replace(/_/g, " ")}.`, "info");
    await load();
    return;
  }
  notice(`${letter.message_type} for ${letter.consumer} is still waiting to run again: is its consumer running?`, "error");
}

/** A button that POSTs `action` for the letter; `confirm` asks a second click first. */
function actionButton(letter, action, label, done, confirm = null) {
  const button = el("button", { type: "button", class: "secondary small", "aria-label": `${label} ${letter.id}` }, label);
  const key = newIdempotencyKey();
  button.addEventListener("click", () => busy(button, async () => {
    if (confirm && button.dataset.armed !== "yes") {
      button.dataset.armed = "yes";
      button.textContent = confirm;
      button.className = "danger small";
      return;
    }
    try {
      await api(`/dead-letters/${encodeURIComponent(letter.id)}/${action}`, { method: "POST", idempotencyKey: key });
      notice(done(letter), "ok");
      await load();
      if (action === "redrive") followRedrive(letter);
    } catch (error) {
      notice(`${label} failed. ${explain(error)}`, "error");
    }
  }));
  return button;
}

function actions(letter) {
  if (letter.status !== "parked") return [];
  return [
    actionButton(letter, "redrive", "Redrive", (l) => `Redrive requested for ${l.message_type}: it runs again in order, once.`),
    " ",
    actionButton(letter, "discard", "Discard", (l) => `${l.message_type} discarded: it will not run.`, "Really discard"),
  ];
}

async function load() {
  const body = $("#letters tbody");
  const all = $("#show-all").checked ? "?all=true" : "";
  try {
    const letters = rowsOf(await api(`/dead-letters${all}`), "dead_letters", "letters");
    body.removeAttribute("aria-busy");
    body.replaceChildren(
      ...(letters.length
        ? letters.map((letter) => el("tr", { dataset: { letter: letter.id } },
            el("td", {}, when(letter.parked_at)),
            el("td", {}, el("code", {}, letter.consumer)),
            el("td", {}, letter.message_type, el("br"), el("span", { class: "hint" }, letter.kind),
              letter.application_id
                ? [el("br"), el("a", { href: `/console/journeys/${encodeURIComponent(letter.application_id)}` }, `journey ${letter.application_id}`)]
                : []),
            el("td", {}, letter.error),
            el("td", { class: "num" }, letter.attempts),
            el("td", { title: `since ${when(letter.updated_at)}` }, badge(letter.status)),
            el("td", {}, ...actions(letter))))
        : [el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No dead letters. Everything was processed."))]),
    );
  } catch (error) {
    notice(`Could not load the dead letters. ${explain(error)}`, "error");
  }
}

if (requireSession()) {
  $("#show-all").addEventListener("change", load);
  load();
  every(10000, load);
}
