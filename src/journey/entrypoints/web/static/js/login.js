// Development sign-in: the server signs a token for the role and subject picked here.
import { api } from "./api.js";
import { saveSession, currentSession } from "./session.js";
import { $, $$, notice, fieldError, busy, showSession, explain } from "./ui.js";
import { fillCountries, exampleFor, nationalIdProblem } from "./validation.js";

const form = $("#login-form");
const query = new URLSearchParams(location.search);
const HOME = { customer: "/my", operator: "/console", analyst: "/console/review" };

/** Only our own pages are places to go back to (never another site). */
function safeNext(role) {
  const next = query.get("next") || "";
  const ours = next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\");
  const fits = role === "customer" ? next.startsWith("/my") : next.startsWith("/console");
  return ours && fits ? next : HOME[role];
}

function role() {
  return form.elements.role.value;
}

function showFields() {
  const customer = role() === "customer";
  $("#customer-fields").hidden = !customer;
  $("#staff-fields").hidden = customer;
  if (!customer && !$("#login-subject").value) $("#login-subject").value = role() === "analyst" ? "ana.analyst" : "oscar.operator";
}

function showExample() {
  $("[data-id-example]").textContent = exampleFor($("#login-country").value);
}

fillCountries(document, "CL");
showExample();
showSession();
const wanted = query.get("role");
if (wanted && HOME[wanted]) $$('input[name="role"]').forEach((input) => { input.checked = input.value === wanted; });
showFields();
if (query.get("next") && currentSession()) notice("Your session has ended or this page needs another role: please sign in.");

$$('input[name="role"]').forEach((input) => input.addEventListener("change", showFields));
$("#login-country").addEventListener("change", () => {
  showExample();
  fieldError($("#login-national-id"), null);
});
$("#login-national-id").addEventListener("blur", (event) => {
  if (event.target.value) fieldError(event.target, nationalIdProblem($("#login-country").value, event.target.value));
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const chosen = role();
  busy($("#login-submit"), async () => {
    let body;
    let extra = { role: chosen };
    if (chosen === "customer") {
      const country = $("#login-country").value;
      const input = $("#login-national-id");
      const problem = nationalIdProblem(country, input.value);
      fieldError(input, problem);
      if (problem) return input.focus();
      const id = input.value.trim();
      // The server derives the customer's pseudonymous subject from the id (subject_key).
      body = { role: chosen, country, national_id: id };
      // Kept in this tab only, to fill the application form; shown masked in the header.
      extra = { ...extra, country, national_id: id, label: `${country} ···${id.slice(-4)}` };
    } else {
      const input = $("#login-subject");
      const subject = input.value.trim();
      body = { role: chosen, subject };
      const problem = /^[A-Za-z0-9._@-]{2,100}$/.test(subject) ? null : "2 to 100 letters, digits, dots, dashes or underscores";
      fieldError(input, problem);
      if (problem) return input.focus();
    }
    try {
      const answer = await api("/auth/dev-token", { method: "POST", body, redirectOn401: false });
      saveSession(answer.access_token, { ...extra, subject: answer.subject });
      location.assign(safeNext(chosen));
    } catch (error) {
      notice(`Could not sign in. ${explain(error)}`, "error");
    }
  });
});
