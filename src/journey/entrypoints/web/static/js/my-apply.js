// Apply for a card: choose a product and design, fill the form (checked as you type), see the
// prequalification come back as soon as the details are complete, then send the application.
import { api, ApiError, newIdempotencyKey } from "./api.js";
import { catalog, designCode } from "./catalog.js";
import { currentSession } from "./session.js";
import { $, $$, el, notice, clearNotice, fieldError, busy, explain, money, requireSession } from "./ui.js";
import {
  fillCountries, exampleFor, phoneExampleFor, nationalIdProblem, emailProblem, phoneProblem, normalizePhone,
  nameProblem, surnamesProblem, surnamesOf, birthDateProblem, requiredProblem, postalCodeProblem,
} from "./validation.js";

const CONSENT_TEXT_VERSION = "consents-2026-01";
const form = $("#apply-form");
const query = new URLSearchParams(location.search);
let products = [];
let currency = ""; // every catalog amount is in it (ISO 4217)
let designNames = {};

// -- the fields and their checks (the same rules as the server's) ------------------------------
const CHECKS = {
  national_id: (value) => nationalIdProblem($("#country").value, value),
  given_names: (value) => nameProblem(value, "given names"),
  surnames: (value) => surnamesProblem(value),
  birth_date: (value) => birthDateProblem(value),
  email: (value) => emailProblem(value),
  phone: (value) => phoneProblem(value),
  line1: (value) => requiredProblem(value, "street and number"),
  city: (value) => requiredProblem(value, "city", 80),
  postal_code: (value) => postalCodeProblem(value),
};
const PREQUALIFY_FIELDS = ["national_id", "given_names", "surnames", "birth_date", "email", "phone"];
const touched = new Set();

function check(name, show = true) {
  const input = form.elements[name];
  const problem = CHECKS[name](input.value);
  if (show) fieldError(input, problem);
  else if (!problem) fieldError(input, null);
  return problem;
}

function selectedProduct() {
  const chosen = form.querySelector('input[name="product_code"]:checked');
  return chosen ? products.find((p) => p.code === chosen.value) : null;
}

// -- products and designs ------------------------------------------------------------------------
function renderProducts() {
  const box = $("#products");
  box.removeAttribute("aria-busy");
  const wanted = query.get("product");
  box.replaceChildren(
    ...products.map((product, index) => {
      const first = designCode((product.designs || [])[0] || "");
      const input = el("input", { type: "radio", name: "product_code", value: product.code, id: `product-${product.code}` });
      if (product.code === wanted || (!wanted && index === 0)) input.checked = true;
      const limits = product.base_limit !== undefined
        ? `Credit limit ${money(product.base_limit)} – ${money(product.max_limit, currency)}`
        : "";
      return el("label", { class: "product", for: `product-${product.code}` },
        input,
        el("div", { class: `plastic design-${first}`, "data-label": product.name, "aria-hidden": "true" }),
        el("span", { class: "name" }, product.name),
        el("span", { class: "facts" }, limits),
        el("span", { class: "facts" }, product.annual_fee ? `Annual fee ${money(product.annual_fee, currency)}` : "No annual fee"));
    }),
  );
  renderDesigns();
}

function renderDesigns() {
  const product = selectedProduct();
  const fieldset = $("#designs-fieldset");
  if (!product) {
    fieldset.hidden = true;
    return;
  }
  const codes = (product.designs || []).map(designCode);
  $("#designs").replaceChildren(
    ...codes.map((code, index) => {
      const input = el("input", { type: "radio", name: "design_code", value: code, id: `design-${code}` });
      if (index === 0) input.checked = true;
      return el("label", { class: "design", for: `design-${code}` },
        input,
        el("div", { class: `plastic small design-${code}`, "aria-hidden": "true" }),
        designNames[code] || code);
    }),
  );
  fieldset.hidden = false;
}

// -- instant prequalification ---------------------------------------------------------------------
let pending = null;
let timer = null;
let lastAsked = "";

function applicant() {
  return {
    country: $("#country").value,
    national_id: $("#national_id").value.trim(),
    given_names: $("#given_names").value.trim(),
    surnames: surnamesOf($("#surnames").value),
    birth_date: $("#birth_date").value,
    email: $("#email").value.trim(),
    phone: normalizePhone($("#phone").value),
  };
}

function showPrequalification(kind, ...content) {
  const box = $("#prequalification");
  box.className = `prequal ${kind}`;
  box.replaceChildren(...content);
}

function schedulePrequalification() {
  clearTimeout(timer);
  timer = setTimeout(prequalify, 500);
}

async function prequalify() {
  const product = selectedProduct();
  const incomplete = PREQUALIFY_FIELDS.some((name) => CHECKS[name](form.elements[name].value));
  if (!product || incomplete) {
    showPrequalification("", el("p", { class: "muted" }, "Fill in your details to see what you qualify for."));
    return;
  }
  if (!$("#bureau_consent").checked) {
    showPrequalification("", el("p", { class: "muted" }, "Tick the credit bureau consent to see your offer."));
    return;
  }
  const body = { applicant: applicant(), product_code: product.code, bureau_consent: true };
  const key = JSON.stringify(body);
  if (key === lastAsked) return;
  lastAsked = key;
  if (pending) pending.abort();
  pending = new AbortController();
  showPrequalification("", el("p", { class: "checking" }, el("span", { class: "spinner", "aria-hidden": "true" }), "Checking what you qualify for…"));
  try {
    const answer = await api("/prequalifications", { method: "POST", body, signal: pending.signal });
    renderPrequalification(answer, product);
  } catch (error) {
    if (error.name === "AbortError") return;
    lastAsked = "";
    if (error instanceof ApiError && error.status === 422) showFieldErrors(error.fieldErrors());
    showPrequalification("", el("p", {}, `We could not check right now: ${explain(error)}`));
  }
}

function renderPrequalification(answer, product) {
  const offers = answer.offers || [];
  const mine = offers.find((offer) => offer.code === product.code);
  const reasons = answer.customer_reasons || [];
  const others = offers.filter((offer) => offer.code !== product.code);
  const switcher = others.length
    ? el("ul", {}, ...others.map((offer) => el("li", {},
        el("button", { type: "button", class: "link", onclick: () => choose(offer.code) }, offer.name),
        ` — credit limit ${money(offer.credit_limit, answer.currency)}, annual fee ${offer.annual_fee ? money(offer.annual_fee, answer.currency) : "none"}`)))
    : null;
  if (answer.decision === "ELIGIBLE" && mine) {
    showPrequalification("ELIGIBLE",
      el("h3", {}, `Good news: you qualify for the ${mine.name}`),
      el("p", {}, `Credit limit ${money(mine.credit_limit, answer.currency)} · annual fee ${mine.annual_fee ? money(mine.annual_fee, answer.currency) : "none"}. Send your application below to get the final offer.`));
  } else if (answer.decision === "ELIGIBLE") {
    showPrequalification("NOT_ELIGIBLE",
      el("h3", {}, `The ${product.name} is not available to you right now`),
      ...reasons.map((reason) => el("p", {}, reason)),
      others.length ? el("p", {}, "You do qualify for:") : null, switcher);
  } else if (answer.decision === "REFER") {
    showPrequalification("REFER",
      el("h3", {}, "A specialist will look at your application"),
      el("p", {}, "We need a person to review some details. You can send your application now; it usually takes a day or two."));
  } else {
    showPrequalification("NOT_ELIGIBLE",
      el("h3", {}, "We cannot offer you this card now"),
      ...(reasons.length ? reasons : ["You can still send your application for a full review."]).map((reason) => el("p", {}, reason)),
      others.length ? el("p", {}, "You do qualify for:") : null, switcher);
  }
}

function choose(code) {
  const input = $(`#product-${code}`);
  if (input) {
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  }
}

// -- sending the application ---------------------------------------------------------------------
const FIELD_OF = { line1: "line1", line2: "line2", city: "city", region: "region", postal_code: "postal_code" };

function showFieldErrors(errors) {
  let first = null;
  for (const [name, message] of Object.entries(errors)) {
    const input = form.elements[FIELD_OF[name] || name];
    if (input && input.id) {
      fieldError(input, message);
      first = first || input;
    }
  }
  if (first) first.focus();
  return first;
}

let idempotency = { body: "", key: newIdempotencyKey() };

function application() {
  const product = selectedProduct();
  const design = form.querySelector('input[name="design_code"]:checked');
  const region = $("#region").value.trim();
  const line2 = $("#line2").value.trim();
  return {
    ...applicant(),
    address: {
      line1: $("#line1").value.trim(),
      line2: line2 || null,
      city: $("#city").value.trim(),
      region: region || null,
      postal_code: $("#postal_code").value.trim(),
      country: $("#address_country").value,
    },
    product_code: product ? product.code : "",
    design_code: design ? design.value : "",
    channel: "web",
    consents: [
      { purpose: "processing", text_version: CONSENT_TEXT_VERSION, granted: $("#consent_processing").checked },
      { purpose: "bureau", text_version: CONSENT_TEXT_VERSION, granted: $("#bureau_consent").checked },
      { purpose: "marketing_email", text_version: CONSENT_TEXT_VERSION, granted: $("#consent_marketing").checked },
    ],
  };
}

function validateAll() {
  let first = null;
  for (const name of Object.keys(CHECKS)) {
    touched.add(name);
    if (check(name) && !first) first = form.elements[name];
  }
  for (const [id, message] of [["bureau_consent", "the bureau check is needed to decide on a card"], ["consent_processing", "we need this to process your application"]]) {
    const box = $(`#${id}`);
    fieldError(box, box.checked ? null : message);
    if (!box.checked && !first) first = box;
  }
  if (!selectedProduct()) {
    notice("Choose a card first.", "error");
    first = first || $("#products input");
  }
  return first;
}

async function submit(event) {
  event.preventDefault();
  clearNotice();
  const invalid = validateAll();
  if (invalid) {
    invalid.focus();
    notice("Some details need another look: they are marked below.", "error");
    return;
  }
  const body = application();
  const text = JSON.stringify(body);
  if (idempotency.body !== text) idempotency = { body: text, key: newIdempotencyKey() };
  await busy($("#submit-application"), async () => {
    try {
      const answer = await api("/applications", { method: "POST", body, idempotencyKey: idempotency.key });
      const id = answer.application_id || String(answer.location || "").split("/").filter(Boolean).pop();
      const position = answer.position !== undefined ? `?wait_for=${answer.position}` : "";
      location.assign(`/my/applications/${encodeURIComponent(id)}${position}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && showFieldErrors(error.fieldErrors())) {
        notice("Some details need another look: they are marked below.", "error");
      } else {
        notice(`Your application was not sent. ${explain(error)}`, "error");
      }
    }
  });
}

// -- wiring ----------------------------------------------------------------------------------------
async function start() {
  const session = currentSession();
  fillCountries(document, session.country || "CL");
  $("[data-id-example]").textContent = exampleFor($("#country").value);
  $("#phone").placeholder = phoneExampleFor($("#country").value);
  if (session.national_id) {
    // The id the customer signed in with: the API accepts applications for it only.
    $("#national_id").value = session.national_id;
    $("#national_id").readOnly = true;
    $("#country").disabled = true;
    $("#national_id-hint").textContent = "The id you signed in with.";
  }
  form.addEventListener("input", (event) => {
    const name = event.target.name;
    if (CHECKS[name]) check(name, touched.has(name));
    if (event.target.type === "checkbox") fieldError(event.target, null);
    schedulePrequalification();
  });
  form.addEventListener("focusout", (event) => {
    const name = event.target.name;
    if (CHECKS[name] && event.target.value) {
      touched.add(name);
      check(name);
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "product_code") {
      renderDesigns();
      lastAsked = "";
    }
    if (event.target.name === "country") {
      $("[data-id-example]").textContent = exampleFor(event.target.value);
      $("#phone").placeholder = phoneExampleFor(event.target.value);
    }
    schedulePrequalification();
  });
  form.addEventListener("submit", submit);
  try {
    const loaded = await catalog();
    products = loaded.products;
    currency = loaded.currency || "";
    designNames = loaded.designs;
    renderProducts();
  } catch (error) {
    notice(`Could not load the cards. ${explain(error)}`, "error");
  }
}

if (requireSession()) start();
