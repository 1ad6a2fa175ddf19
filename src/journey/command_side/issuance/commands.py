"""Issuance commands. Personal fields are `Personal[...]` (encrypted if a command is scheduled)."""

from __future__ import annotations

from datetime import date

from pydantic import EmailStr, Field

from journey.command_side.issuance.events import ConsentGiven, PostalAddress
from journey.cqrs.messages import Command, DataSubject, Personal


class SubmitApplication(Command):
    application_id: str = Field(min_length=1, max_length=64)
    customer_id: DataSubject
    country: str = Field(min_length=2, max_length=2)
    national_id: Personal[str]
    given_names: Personal[str]
    surnames: Personal[list[str]]
    birth_date: Personal[date]
    email: Personal[EmailStr]
    phone: Personal[str]
    address: Personal[PostalAddress]
    product_code: str = Field(min_length=1, max_length=40)
    design_code: str = Field(min_length=1, max_length=40)
    channel: str = Field("web", max_length=20)
    consents: list[ConsentGiven] = Field(default_factory=list)


class ScreenApplication(Command):
    application_id: str


class DecideReferral(Command):
    application_id: str
    approve: bool
    analyst: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=1000)


class MakeOffer(Command):
    application_id: str


class AcceptAgreement(Command):
    application_id: str
    text_version: str
    text_hash: str
    channel: str = Field("web", max_length=20)


class ExpireOffer(Command):
    application_id: str


class WithdrawApplication(Command):
    application_id: str
    reason: str = Field("withdrawn by the customer", max_length=500)


class OpenAccount(Command):
    account_id: str
    application_id: str


class CloseAccount(Command):
    account_id: str
    reason: str


class IssueCard(Command):
    card_id: str
    account_id: str
    application_id: str
    reissue_of: str | None = None


class CancelCard(Command):
    card_id: str
    reason: str


class OrderPersonalization(Command):
    card_id: str
    plastic_serial: str


class PollPersonalization(Command):
    card_id: str


class MarkCardDelivered(Command):
    card_id: str


class ActivateCard(Command):
    card_id: str
