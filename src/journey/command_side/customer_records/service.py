"""The handler of `UpdateCustomerRecords`: write the CRM, then the CDP, then record it.

Both writes are safe to repeat, which is what lets an outage simply raise (the scheduler retries
the command with backoff, then parks it; it is never compensated):

- the CRM upsert carries the idempotency key `<application_id>:crm`, so the CRM applies it once;
- the CDP appends every consent it is given, so the handler first reads the profile and sends a
  consent only when the profile's latest one for that purpose says something else (another
  decision, text version or basis, or a withdrawal).

`CustomerRecordsUpdated` is recorded only after both succeeded; a repeated command after that
does nothing and answers with the first result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, cast, get_args

import structlog

from journey.command_side.customer_records.aggregate import CustomerRecords
from journey.command_side.customer_records.messages import GivenConsent, UpdateCustomerRecords
from journey.cqrs.errors import RuleViolation
from journey.cqrs.unit_of_work import UnitOfWork
from journey.query_side.cdp.model import CdpProfile, Consent, Identity, LegalBasis, Purpose
from journey.query_side.cdp.port import CustomerDataPlatform
from journey.query_side.crm.model import CustomerUpsert, HeldProduct
from journey.query_side.crm.port import CustomerCrm

_log = structlog.get_logger("journey.customer_records")

PURPOSES: frozenset[str] = frozenset(get_args(Purpose))


class CachedLookups(Protocol):
    """Query-side caches of CRM and CDP answers that must forget a customer once they change
    (`journey.query_side.assembly.QuerySide` forgets both; a `CrmLookupService` its own)."""

    async def forget(self, country: str, national_id: str) -> None: ...


def crm_idempotency_key(application_id: str) -> str:
    return f"{application_id}:crm"


class CustomerRecordsService:
    """Holds the CRM and CDP ports; `update` is the command handler."""

    def __init__(
        self,
        *,
        crm: CustomerCrm,
        cdp: CustomerDataPlatform,
        lookups: CachedLookups | None = None,
    ) -> None:
        self.crm = crm
        self.cdp = cdp
        self.lookups = lookups

    async def update(self, command: UpdateCustomerRecords, uow: UnitOfWork) -> dict[str, Any]:
        records = await uow.find(CustomerRecords, command.application_id)
        if records is None:
            records = CustomerRecords(command.application_id)
            uow.add(records)
        if records.updated is not None:
            return _summary(records)
        national_id, name = command.national_id, command.name
        if national_id is None or name is None:
            # The customer was erased while the command waited: there is nobody to write.
            raise RuleViolation("the customer's personal data has been erased")

        customer = await self.crm.upsert_customer(
            CustomerUpsert(
                country=command.country,
                national_id=national_id,
                full_name=name,
                email=command.email,
                phone=command.phone,
                product=HeldProduct(
                    code=command.product_code,
                    account_id=command.account_id,
                    opened_on=uow.clock.now().date(),
                ),
            ),
            idempotency_key=crm_idempotency_key(command.application_id),
        )
        if self.lookups is not None:
            await self.lookups.forget(command.country, national_id)
        profile, recorded = await self._record_consents(command, national_id, uow.clock.now())
        if self.lookups is not None and recorded:
            await self.lookups.forget(command.country, national_id)  # the consents changed too

        records.record_update(
            customer_id=command.customer_id,
            crm_customer_id=customer.customer_id,
            cdp_profile_id=None if profile is None else profile.profile_id,
            product_code=command.product_code,
            account_id=command.account_id,
            consents_recorded=recorded,
        )
        _log.info(
            "customer records updated",
            application_id=command.application_id,
            crm_customer_id=customer.customer_id,
            cdp_profile_id=None if profile is None else profile.profile_id,
            consents_recorded=recorded,
        )
        return _summary(records)

    async def _record_consents(
        self, command: UpdateCustomerRecords, national_id: str, now: datetime
    ) -> tuple[CdpProfile | None, int]:
        identities = [Identity(namespace="national_id", value=f"{command.country}:{national_id}")]
        if command.email:
            identities.append(Identity(namespace="email", value=command.email))
        if command.phone:
            identities.append(Identity(namespace="phone", value=command.phone))
        profile = await self.cdp.resolve(identities)
        recorded = 0
        for given in command.consents:
            consent = to_cdp_consent(given, country=command.country, now=now)
            if consent is None:
                _log.warning(
                    "consent purpose unknown to the CDP; not recorded",
                    application_id=command.application_id,
                    purpose=given.purpose,
                )
                continue
            if profile is not None and _held(profile, consent):
                continue  # recorded by an earlier attempt of this command, or already in force
            profile = await self.cdp.record_consent(identities, consent)
            recorded += 1
        return profile, recorded


def to_cdp_consent(given: GivenConsent, *, country: str, now: datetime) -> Consent | None:
    """The CDP's form of a consent; None when the CDP has no such purpose."""
    if given.purpose not in PURPOSES:
        return None
    purpose = cast(Purpose, given.purpose)
    return Consent(
        purpose=purpose,
        legal_basis=given.legal_basis or default_legal_basis(purpose, country),
        granted=given.granted,
        text_version=given.text_version,
        channel=given.channel or "onboarding",
        captured_at=given.captured_at or now,
        withdrawn_at=given.withdrawn_at,
    )


def default_legal_basis(purpose: Purpose, country: str) -> LegalBasis:
    """The basis a purpose rests on when the application does not name one: the contract for
    processing the application; in Brazil, the protection of credit for the bureau (LGPD art. 7
    X); consent for everything else."""
    if purpose == "processing":
        return "contract"
    if purpose == "bureau" and country.upper() == "BR":
        return "credit_protection"
    return "consent"


def _held(profile: CdpProfile, wanted: Consent) -> bool:
    """Whether recording `wanted` would add nothing: the profile holds this very record (same
    capture time), or its latest word on the purpose already says the same. Comparing with the
    latest, not with any, keeps a re-grant after a withdrawal."""
    if any(consent == wanted for consent in profile.consents):
        return True
    current = profile.consent(wanted.purpose)
    return (
        current is not None
        and current.granted == wanted.granted
        and current.text_version == wanted.text_version
        and current.legal_basis == wanted.legal_basis
        and (current.withdrawn_at is None) == (wanted.withdrawn_at is None)
    )


def _summary(records: CustomerRecords) -> dict[str, Any]:
    updated = records.updated
    assert updated is not None
    return {
        "application_id": updated.application_id,
        "crm_customer_id": updated.crm_customer_id,
        "cdp_profile_id": updated.cdp_profile_id,
    }
