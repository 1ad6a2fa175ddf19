// Dead letters: what a consumer or the scheduler gave up on, with redrive (and discard).
import { api, rowsOf, newIdempotencyKey } from "./api.js";
import { $, el, badge, when, notice, explain, busy, every, requireSession } from "./ui.js";

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
            el("td", {}, letter.message_type, el("br"), el("span", { class: "hint" }, letter.kind)),
            el("td", {}, letter.error),
            el("td", { class: "num" }, letter.attempts),
            el("td", {}, badge(letter.status)),
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
