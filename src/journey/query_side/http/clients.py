"""httpx adapters of the provider ports, for the simulators server or real endpoints.

Transport failures, timeouts and 5xx become `ProviderError` (worth retrying, counted by the
circuit breaker); 404 means "no record"; other 4xx become `ProviderRejected` (the request was
wrong; retrying cannot help). Identifiers travel in request bodies, never in URLs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from journey.query_side.cdp.model import CdpProfile, Consent, Identity
from journey.query_side.citizen.model import RegistryRecord
from journey.query_side.credit.model import CreditReport
from journey.query_side.credit.port import CreditSubject
from journey.query_side.crm.model import CrmCustomer, CustomerUpsert
from journey.query_side.resilience import ProviderError, ProviderRejected

M = TypeVar("M", bound=BaseModel)


class HttpProvider:
    """What every HTTP adapter shares: one request, its failure mapped to our errors."""

    def __init__(self, name: str, client: httpx.AsyncClient) -> None:
        self.name = name
        self._client = client

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> M | None:
        try:
            response = await self._client.request(method, path, json=body, headers=headers)
        except httpx.TimeoutException as error:
            raise ProviderError(self.name, f"timed out ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise ProviderError(self.name, f"unreachable ({type(error).__name__})") from error
        if response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise ProviderError(self.name, f"answered {response.status_code}")
        if response.status_code >= 400:
            raise ProviderRejected(
                self.name, f"answered {response.status_code}: {_detail(response)}"
            )
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise ProviderError(self.name, "answered something we cannot read") from error


class HttpRegistry(HttpProvider):
    def __init__(self, client: httpx.AsyncClient, name: str = "registry") -> None:
        super().__init__(name, client)

    async def lookup(self, country: str, national_id: str) -> RegistryRecord | None:
        body = {"country": country, "national_id": national_id}
        return await self._call("POST", "/registry/lookup", RegistryRecord, body=body)


class HttpCrm(HttpProvider):
    def __init__(self, client: httpx.AsyncClient, name: str = "crm") -> None:
        super().__init__(name, client)

    async def find_customer(self, country: str, national_id: str) -> CrmCustomer | None:
        body = {"country": country, "national_id": national_id}
        return await self._call("POST", "/crm/customers/lookup", CrmCustomer, body=body)

    async def upsert_customer(self, update: CustomerUpsert, *, idempotency_key: str) -> CrmCustomer:
        customer = await self._call(
            "PUT",
            "/crm/customers",
            CrmCustomer,
            body=update.model_dump(mode="json"),
            headers={"Idempotency-Key": idempotency_key},
        )
        if customer is None:
            raise ProviderError(self.name, "the CRM lost the customer it was asked to write")
        return customer


class HttpCdp(HttpProvider):
    def __init__(self, client: httpx.AsyncClient, name: str = "cdp") -> None:
        super().__init__(name, client)

    async def resolve(self, identities: Sequence[Identity]) -> CdpProfile | None:
        body = {"identities": [identity.model_dump() for identity in identities]}
        return await self._call("POST", "/cdp/resolve", CdpProfile, body=body)

    async def record_consent(self, identities: Sequence[Identity], consent: Consent) -> CdpProfile:
        body = {
            "identities": [identity.model_dump() for identity in identities],
            "consent": consent.model_dump(mode="json"),
        }
        profile = await self._call("POST", "/cdp/consents", CdpProfile, body=body)
        if profile is None:
            raise ProviderError(self.name, "the CDP did not return the profile it updated")
        return profile


class HttpBureau(HttpProvider):
    def __init__(self, client: httpx.AsyncClient, name: str) -> None:
        super().__init__(name, client)

    async def pull(self, subject: CreditSubject, *, pull_id: str, hard: bool) -> CreditReport:
        body = {"subject": subject.model_dump(), "pull_id": pull_id, "hard": hard}
        report = await self._call(
            "POST",
            f"/bureaus/{self.name}/pulls",
            CreditReport,
            body=body,
            headers={"Idempotency-Key": pull_id},
        )
        if report is None:
            raise ProviderRejected(self.name, "the bureau does not exist at this endpoint")
        return report


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:200]
    except ValueError:
        return response.text[:200]
