"""Issuance handlers: load, decide, save. One function per command.

Screening asks the query side (all outside systems at once) and records every answer as
evidence in the same commit as the decision. Personalization is the pivot: once the bureau has
the order there is no undoing it, only recovering forward.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from journey.catalog import Catalog, RiskTier
from journey.command_side.issuance.account import Account
from journey.command_side.issuance.agreements import agreement
from journey.command_side.issuance.application import Application, ApplicationStatus
from journey.command_side.issuance.card import Card, CardStatus
from journey.command_side.issuance.commands import (
    AcceptAgreement,
    ActivateCard,
    CancelCard,
    CloseAccount,
    DecideReferral,
    ExpireOffer,
    IssueCard,
    MakeOffer,
    MarkCardDelivered,
    OpenAccount,
    OrderPersonalization,
    PollPersonalization,
    ScreenApplication,
    SubmitApplication,
    WithdrawApplication,
)
from journey.command_side.issuance.events import ApplicationScreened, ApplicationSubmitted
from journey.command_side.issuance.personalization import OrderState, PersonalizationBureau
from journey.cqrs.errors import RuleViolation
from journey.cqrs.store.model import ANY_VERSION
from journey.cqrs.unit_of_work import UnitOfWork
from journey.query_side.evidence import evidence_events, evidence_stream
from journey.query_side.prequalification.model import (
    Applicant,
    Decision,
    Prequalification,
    PrequalificationRequest,
)
from journey.query_side.prequalification.service import Prequalifier
from journey.query_side.subjects import subject_key

APR_BPS: dict[RiskTier | None, int] = {
    "A": 1899,
    "B": 2299,
    "C": 2699,
    "D": 2999,
    "E": 3299,
    None: 3499,
}
NEUTRAL_DECLINE = "we cannot offer this product at the moment"


class IssuanceHandlers:
    """The issuance service's command handlers, with the ports they need."""

    def __init__(
        self,
        *,
        prequalifier: Prequalifier,
        bureau: PersonalizationBureau,
        catalog: Catalog,
        offer_validity: timedelta = timedelta(days=7),
        poll_every: timedelta = timedelta(hours=1),
        rng: random.Random | None = None,
    ) -> None:
        self._prequalifier = prequalifier
        self._bureau = bureau
        self._catalog = catalog
        self._offer_validity = offer_validity
        self._poll_every = poll_every
        self._rng = rng or random.SystemRandom()  # card numbers must not be predictable

    # -- the application ---------------------------------------------------------------------------
    async def submit_application(self, command: SubmitApplication, uow: UnitOfWork) -> Any:
        known = await uow.find(Application, command.application_id)
        if known is not None:
            return {"application_id": known.id, "status": known.status}
        product = self._catalog.product(command.product_code)
        if command.design_code not in product.designs:
            raise RuleViolation(f"design {command.design_code!r} is not offered for {product.code}")
        assert command.national_id is not None
        if command.customer_id != subject_key(command.country, command.national_id):
            raise RuleViolation("the customer id does not belong to this national id")
        application = Application(command.application_id)
        application.submit(
            ApplicationSubmitted(
                application_id=command.application_id,
                **command.model_dump(exclude={"application_id"}),
            )
        )
        uow.add(application)
        return {"application_id": application.id, "status": application.status}

    async def screen_application(self, command: ScreenApplication, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        if application.status is not ApplicationStatus.SUBMITTED:
            return {"status": application.status}  # screened already
        applicant = _applicant(application)
        result = await self._prequalifier.prequalify(
            PrequalificationRequest(
                applicant=applicant,
                product_code=application.product_code,
                bureau_consent=application.consented_to("bureau"),
                application_id=application.id,
            ),
            record_evidence=False,  # recorded below, in this command's own commit
        )
        now = uow.clock.now()
        uow.append(
            evidence_stream(application.id),
            evidence_events(application.id, applicant, result.checks, now),
            ANY_VERSION,
        )
        application.screened(
            ApplicationScreened(
                application_id=application.id,
                prequalification_id=result.request_id,
                decision=result.decision.value,
                risk_tier=result.risk_tier,
                outcomes={check.service: check.outcome for check in result.checks},
                evidence_stream=evidence_stream(application.id),
            )
        )
        self._decide(application, result)
        return {"status": application.status, "decision": result.decision.value}

    def _decide(self, application: Application, result: Prequalification) -> None:
        reasons = [reason for check in result.checks for reason in check.reasons]
        if result.decision is Decision.REFER:
            application.refer(reasons)
            return
        offer = next((o for o in result.offers if o.code == application.product_code), None)
        if result.decision is Decision.ELIGIBLE and offer is not None:
            application.approve(
                offer.credit_limit,
                offer.annual_fee,
                self._catalog.currency,
                APR_BPS[result.risk_tier],
                result.risk_tier,
            )
            return
        customer = result.customer_reasons[0] if result.customer_reasons else NEUTRAL_DECLINE
        if any(check.outcome == "HIT" for check in result.checks):
            customer = NEUTRAL_DECLINE  # never tip off a sanctions concern
        application.decline(reasons or ["not eligible for the product"], customer)

    async def decide_referral(self, command: DecideReferral, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        application.decide_referral(command.approve, command.analyst, command.reason)
        if command.approve:
            product = self._catalog.product(application.product_code)
            tier = application.risk_tier
            limit = product.limit_for(tier) if product.allows(tier) else product.base_limit
            application.approve(
                limit, product.annual_fee, self._catalog.currency, APR_BPS[tier], tier
            )
        else:
            application.decline([f"analyst {command.analyst}: {command.reason}"], NEUTRAL_DECLINE)
        return {"status": application.status}

    async def make_offer(self, command: MakeOffer, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        if application.status is not ApplicationStatus.APPROVED:
            return {"status": application.status}  # offered already (or not approved)
        text = agreement()
        expires_at = uow.clock.now() + self._offer_validity
        application.make_offer(expires_at, text.version, text.sha256)
        await uow.schedule(
            ExpireOffer(application_id=application.id),
            at=expires_at,
            message_id=f"expire-offer-{application.id}",
        )
        return {"expires_at": expires_at.isoformat(), "agreement_version": text.version}

    async def accept_agreement(self, command: AcceptAgreement, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        if application.status is ApplicationStatus.ACCEPTED:
            return {"status": application.status}
        application.accept(
            command.text_version, command.text_hash, command.channel, uow.clock.now()
        )
        return {"status": application.status}

    async def expire_offer(self, command: ExpireOffer, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        return {"expired": application.expire(uow.clock.now())}

    async def withdraw_application(self, command: WithdrawApplication, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        return {"withdrawn": application.withdraw(command.reason)}

    # -- accounts and cards ------------------------------------------------------------------------
    async def open_account(self, command: OpenAccount, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        account = await uow.find(Account, command.account_id)
        if account is None:
            if application.status is not ApplicationStatus.ACCEPTED:
                raise RuleViolation("an account opens only for an accepted agreement")
            account = Account(command.account_id)
            uow.add(account)
        account.open_for(
            application.id,
            application.customer_id,
            application.product_code,
            application.credit_limit,
            application.currency,
        )
        return {"account_id": account.id}

    async def close_account(self, command: CloseAccount, uow: UnitOfWork) -> Any:
        account = await uow.find(Account, command.account_id)
        return {"closed": account.close(command.reason) if account else False}

    async def issue_card(self, command: IssueCard, uow: UnitOfWork) -> Any:
        application = await uow.get(Application, command.application_id)
        card = await uow.find(Card, command.card_id)
        if card is None:
            card = Card(command.card_id)
            uow.add(card)
        surname = (application.surnames or [""])[0]
        card.issue(
            account_id=command.account_id,
            application_id=application.id,
            customer_id=application.customer_id,
            product_code=application.product_code,
            design_code=application.design_code,
            embossed_name=f"{application.given_names or ''} {surname}".strip().upper(),
            now=uow.clock.now(),
            rng=self._rng,
            reissue_of=command.reissue_of,
        )
        return {"card_id": card.id, "pan_last4": card.pan_last4}

    async def cancel_card(self, command: CancelCard, uow: UnitOfWork) -> Any:
        card = await uow.find(Card, command.card_id)
        return {"cancelled": card.cancel(command.reason) if card else False}

    async def order_personalization(self, command: OrderPersonalization, uow: UnitOfWork) -> Any:
        card = await uow.get(Card, command.card_id)
        if card.status is not CardStatus.ISSUED:
            return {"order_id": card.order_id}  # ordered already: the pivot is behind us
        order_id = await self._bureau.order(
            card_id=card.id,
            plastic_serial=command.plastic_serial,
            design_code=card.design_code,
            embossed_name=card.embossed_name or "",
        )
        card.order_personalization(order_id, command.plastic_serial)
        await self._poll_later(card, uow)
        return {"order_id": order_id}

    async def poll_personalization(self, command: PollPersonalization, uow: UnitOfWork) -> Any:
        card = await uow.get(Card, command.card_id)
        if card.status is not CardStatus.ORDERED or card.order_id is None:
            return {"status": card.status}
        status = await self._bureau.status(card.order_id)
        if status.state is OrderState.PENDING:
            await self._poll_later(card, uow)
        elif status.state is OrderState.PERSONALIZED:
            card.personalized()
        else:
            card.print_failed(status.reason or "the bureau could not print the card")
        return {"state": status.state}

    async def _poll_later(self, card: Card, uow: UnitOfWork) -> None:
        await uow.schedule(
            PollPersonalization(card_id=card.id),
            at=uow.clock.now() + self._poll_every,
            message_id=f"poll-{card.id}-{card.version + 1}",
        )

    async def mark_card_delivered(self, command: MarkCardDelivered, uow: UnitOfWork) -> Any:
        card = await uow.get(Card, command.card_id)
        return {"delivered": card.delivered()}

    async def activate_card(self, command: ActivateCard, uow: UnitOfWork) -> Any:
        card = await uow.get(Card, command.card_id)
        return {"activated": card.activate()}


def _applicant(application: Application) -> Applicant:
    personal = (
        application.national_id,
        application.given_names,
        application.surnames,
        application.birth_date,
    )
    if any(value is None for value in personal):
        raise RuleViolation("the applicant's personal data was erased")
    return Applicant(
        country=application.country,
        national_id=application.national_id,
        given_names=application.given_names,
        surnames=application.surnames,
        birth_date=application.birth_date,
        email=application.email,
        phone=application.phone,
    )
