"""The issuance service as a kernel module."""

from __future__ import annotations

from datetime import timedelta

from journey.cards.events import CardPersonalized
from journey.catalog import Catalog, default_catalog
from journey.command_side.issuance import commands as c
from journey.command_side.issuance import events as e
from journey.command_side.issuance.handlers import IssuanceHandlers
from journey.command_side.issuance.personalization import PersonalizationBureau
from journey.cqrs.module import Module
from journey.query_side.prequalification.service import Prequalifier
from journey.testbench.events import TESTBENCH_EVENTS

ISSUANCE_EVENTS = (
    e.ApplicationSubmitted,
    e.ApplicationScreened,
    e.ApplicationApproved,
    e.ApplicationReferred,
    e.ApplicationDeclined,
    e.ReferralDecided,
    e.OfferMade,
    e.AgreementAccepted,
    e.OfferExpired,
    e.ApplicationWithdrawn,
    e.AccountOpened,
    e.AccountClosed,
    e.CardIssued,
    e.CardCancelled,
    e.PersonalizationOrdered,
    CardPersonalized,
    e.CardPrintFailed,
    e.CardDelivered,
    e.CardActivated,
)


def issuance_module(
    *,
    prequalifier: Prequalifier,
    bureau: PersonalizationBureau,
    catalog: Catalog | None = None,
    offer_validity: timedelta = timedelta(days=7),
    poll_every: timedelta = timedelta(hours=1),
    include_testbench_events: bool = True,
) -> Module:
    """Applications, offers, accounts, cards and personalization. The card stream also holds
    the test bench's verdicts, so their event types come along unless the test bench module
    registers them itself."""
    h = IssuanceHandlers(
        prequalifier=prequalifier,
        bureau=bureau,
        catalog=catalog or default_catalog(),
        offer_validity=offer_validity,
        poll_every=poll_every,
    )
    return Module(
        name="issuance",
        events=(*ISSUANCE_EVENTS, *(TESTBENCH_EVENTS if include_testbench_events else ())),
        upcasters=(e.install_upcasters,),
        commands={
            c.SubmitApplication: h.submit_application,
            c.ScreenApplication: h.screen_application,
            c.DecideReferral: h.decide_referral,
            c.MakeOffer: h.make_offer,
            c.AcceptAgreement: h.accept_agreement,
            c.ExpireOffer: h.expire_offer,
            c.WithdrawApplication: h.withdraw_application,
            c.OpenAccount: h.open_account,
            c.CloseAccount: h.close_account,
            c.IssueCard: h.issue_card,
            c.CancelCard: h.cancel_card,
            c.OrderPersonalization: h.order_personalization,
            c.PollPersonalization: h.poll_personalization,
            c.MarkCardDelivered: h.mark_card_delivered,
            c.ActivateCard: h.activate_card,
        },
    )
