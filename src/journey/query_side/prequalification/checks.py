"""Each outside system's answer turned into a verdict. Pure rules, no I/O.

Reasons told to the customer never reveal a sanctions or fraud concern (no tipping off); the
analyst-facing reasons say exactly what was seen.
"""

from __future__ import annotations

from datetime import date

from journey.query_side.cdp.service import CdpLookup
from journey.query_side.citizen.model import CitizenValidation
from journey.query_side.credit.model import CreditCheck
from journey.query_side.crm.service import CrmLookup
from journey.query_side.prequalification.model import Applicant, Verdict

MIN_AGE = 18
MIN_NAME_MATCH = 85.0

REVIEW = "we need a little more time to review your application"
CANNOT_OFFER = "we cannot offer this product at the moment"
IDENTITY = "we could not verify your identity"

Judgement = tuple[Verdict, list[str], str | None]


def judge_citizen(applicant: Applicant, validation: CitizenValidation, today: date) -> Judgement:
    age = _age(applicant.birth_date, today)
    if age < MIN_AGE:
        return Verdict.FAIL, [f"applicant is {age}"], f"you must be {MIN_AGE} or older"
    if not validation.id_valid:
        reason = validation.id_reason or "invalid"
        return Verdict.FAIL, [f"national id: {reason}"], "the id number is not valid"
    status = validation.registry_status
    if status == "UNAVAILABLE":
        return Verdict.REFER, ["the civil registry could not be asked"], REVIEW
    if status in ("DECEASED", "CANCELLED"):
        return Verdict.FAIL, [f"registry status {status}"], IDENTITY
    if status == "NOT_FOUND":
        return Verdict.REFER, ["the registry has no record of this id"], IDENTITY
    score = validation.name_match_score
    if score is not None and score < MIN_NAME_MATCH:
        return Verdict.REFER, [f"names match the registry at {score:.0f}/100"], REVIEW
    return Verdict.PASS, [], None


def judge_crm(lookup: CrmLookup, product_code: str) -> Judgement:
    customer = lookup.customer
    if customer is None:
        return Verdict.PASS, ["not a customer yet"], None
    if "deceased" in customer.flags:
        return Verdict.FAIL, ["CRM flags the customer as deceased"], IDENTITY
    if "fraud_alert" in customer.flags:
        return Verdict.REFER, ["CRM fraud alert"], REVIEW
    if "collections" in customer.flags:
        return Verdict.FAIL, ["the customer is in collections"], CANNOT_OFFER
    notes = [f"existing customer since {customer.customer_since.isoformat()}"]
    if customer.holds(product_code):
        notes.append(f"already holds {product_code}")
    return Verdict.PASS, notes, None


def judge_cdp(lookup: CdpLookup) -> Judgement:
    if lookup.profile is None:
        return Verdict.PASS, ["no CDP profile: default offer order"], None
    return Verdict.PASS, [f"offer from {lookup.profile.offer.reason}"], None


def judge_credit(check: CreditCheck) -> Judgement:
    if check.outcome == "NO_CONSENT":
        return Verdict.REFER, ["no bureau authorization"], "authorize the credit check to go on"
    if check.outcome == "BUREAU_UNAVAILABLE":
        return Verdict.REFER, [f"no bureau answered ({', '.join(check.bureaus_tried)})"], REVIEW
    report = check.report
    assert report is not None
    if report.hit == "NO_HIT":
        return Verdict.PASS, ["no credit file: products for newcomers only"], None
    reasons = [f"risk tier {report.risk_tier} ({report.bureau})"]
    if report.score is not None:
        reasons.extend(report.score.reason_codes)
    return Verdict.PASS, reasons, None


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
