// The journey's milestones as a person reads them, from the read model's status and timeline.

/** The customer's view: a few milestones. */
export const CUSTOMER_STEPS = [
  "Application sent",
  "Approved",
  "Agreement signed",
  "Card made",
  "On its way",
  "Delivered",
  "Active",
];

/** How many of the customer's steps a status means are done. */
const DONE = {
  submitted: 1, referred: 1, approved: 2, offered: 2, accepted: 3, account_opened: 3,
  card_issued: 3, plastic_reserved: 3, personalizing: 3, personalized: 3, misprinted: 3,
  quality_failed: 3, quality_passed: 4, shipping: 4, returned: 4, delivered: 6, active: 7,
};

/** The status each timeline entry's event type moves a journey to (read_models.MILESTONES). */
export const TYPE_STATUS = {
  ApplicationSubmitted: "submitted", ApplicationApproved: "approved",
  ApplicationReferred: "referred", ApplicationDeclined: "declined", OfferMade: "offered",
  AgreementAccepted: "accepted", OfferExpired: "expired", ApplicationWithdrawn: "withdrawn",
  AccountOpened: "account_opened", CardIssued: "card_issued", PlasticReserved: "plastic_reserved",
  PersonalizationOrdered: "personalizing", CardPersonalized: "personalized",
  CardPrintFailed: "misprinted", CardRfTestPassed: "quality_passed",
  CardRfTestFailed: "quality_failed", ShipmentCreated: "shipping", ShipmentDelivered: "delivered",
  ShipmentReturned: "returned", ShipmentFailed: "returned", CardActivated: "active",
  "journey.saga.Compensating": "compensating", "journey.saga.Compensated": "compensated",
};

const ENDED_BADLY = new Set(["declined", "expired", "withdrawn", "compensating", "compensated"]);

/**
 * The customer's progress from the journey's status and timeline: {done, failed} where `done`
 * counts the steps reached and `failed` says the journey stopped before the next one.
 */
export function customerProgress(status, timeline = []) {
  let done = DONE[status] || 0;
  for (const entry of timeline) done = Math.max(done, DONE[TYPE_STATUS[entry.type]] || 0);
  return { done, failed: ENDED_BADLY.has(status) };
}

/** What the customer is told for each status. */
export const CUSTOMER_WORDS = {
  submitted: "We have your application and are checking it now.",
  referred: "A specialist is looking at your application. We will email you when they decide.",
  approved: "Approved! Your offer is being prepared.",
  offered: "Your offer is ready: read the agreement below and accept it to get your card.",
  declined: "We are sorry: we cannot offer you this card now. We have sent you an email.",
  expired: "This offer has expired. You are welcome to apply again.",
  withdrawn: "You withdrew this application. Nothing more will happen with it.",
  accepted: "Agreement signed. We are opening your account.",
  account_opened: "Your account is open. We are making your card.",
  card_issued: "Your card number is ready. We are making your card.",
  plastic_reserved: "We are making your card.",
  personalizing: "Your card is being printed and its chip loaded.",
  personalized: "Your card is printed; we are testing it before it ships.",
  misprinted: "A print did not meet our standard: we are making you a new card.",
  quality_passed: "Your card passed its checks and is being packed.",
  quality_failed: "Your card did not pass its checks: we are making you a new one.",
  shipping: "Your card is on its way.",
  returned: "The courier could not deliver your card; we are sending a new one.",
  delivered: "Your card has arrived. Activate it below to start using it.",
  active: "Your card is active. Enjoy it!",
  compensating: "We could not finish your card and are undoing what was done; any fee is refunded.",
  compensated: "We could not finish your card. Any fee has been refunded and we have emailed you.",
};

/** The listing's words where the journey's own page would point "below". */
const LIST_WORDS = {
  offered: "Your offer is ready: open it to read the agreement and accept it.",
  delivered: "Your card has arrived: open it to activate your card.",
};

const WITHDRAWN_WORDS = {
  withdrawn: "You withdrew this application. Nothing more will happen with it.",
  compensating: "You withdrew this application. We are cancelling what was set up for it; any fee is refunded.",
  compensated: "You withdrew this application. Everything set up for it is cancelled and any fee refunded.",
};

/** Whether the application was withdrawn (by its customer, or by an operator for them). */
export function wasWithdrawn(journey) {
  return journey.status === "withdrawn" || (journey.timeline || []).some((entry) => entry.type === "ApplicationWithdrawn");
}

/**
 * What the customer is told about a journey: `label` for its badge and `words` to say. A
 * withdrawal after the agreement is undone by the saga (status compensating, then compensated),
 * which the customer must read as their withdrawal, not as something that went wrong.
 * `where` is "page" (the application's own page) or "list" (My cards).
 */
export function customerStatus(journey, where = "page") {
  if (wasWithdrawn(journey)) {
    let words = WITHDRAWN_WORDS[journey.status] || WITHDRAWN_WORDS.withdrawn;
    const delivered = (journey.timeline || []).some((entry) => entry.type === "ShipmentDelivered");
    if (journey.status === "compensated" && delivered) words += " Please cut up the card you received.";
    return { label: "withdrawn", words };
  }
  const words = (where === "list" && LIST_WORDS[journey.status]) || CUSTOMER_WORDS[journey.status] || journey.status;
  return { label: journey.status, words };
}

/** The event types that mean the application was decided (by the rules or by an analyst). */
export const DECISION = "ApplicationApproved|ApplicationDeclined|ReferralDecided";

/** The console's view: every step the saga takes, in order, with compensations. */
export const OPERATOR_STEPS = [
  ["ApplicationSubmitted", "submitted"],
  ["ApplicationScreened", "screened"],
  [DECISION, "decided"],
  ["OfferMade", "offer made"],
  ["AgreementAccepted", "agreement accepted"],
  ["AccountOpened", "account opened"],
  ["CardIssued", "card issued"],
  ["PlasticReserved", "plastic reserved"],
  ["FeeCharged", "fee charged"],
  ["CustomerRecordsUpdated", "CRM / CDP updated"],
  ["PersonalizationOrdered", "personalization ordered (pivot)"],
  ["CardPersonalized", "personalized"],
  ["CardRfTestPassed", "RF test passed"],
  ["ShipmentCreated", "shipped"],
  ["ShipmentDelivered", "delivered"],
  ["CardActivated", "activated"],
];

/** Undo events and the step they undo (shown struck through in the console). */
export const UNDOES = {
  FeeRefunded: "FeeCharged",
  PlasticReleased: "PlasticReserved",
  CardCancelled: "CardIssued",
  AccountClosed: "AccountOpened",
};

/** A timeline entry's kind, for its colour in the console. */
export function entryKind(type) {
  if (type === "journey.saga.Stuck") return "stuck";
  if (type in UNDOES || type.startsWith("journey.saga.Compensat")) return "compensation";
  if (/Failed|Declined|Returned|Expired|Spoiled|PrintFailed|Withdrawn/.test(type)) return "failure";
  return "step";
}
