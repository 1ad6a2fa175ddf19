"""The credit bureau port."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from journey.query_side.credit.model import CreditReport


class CreditSubject(BaseModel):
    """Who to pull. The national id travels to the bureau (it must), nowhere else."""

    model_config = ConfigDict(frozen=True)

    country: str
    national_id: str


class CreditBureau(Protocol):
    name: str

    async def pull(self, subject: CreditSubject, *, pull_id: str, hard: bool) -> CreditReport:
        """A report. Each pull is billed, except a repeated `pull_id`, which returns the first
        report again (so retrying with the same id is safe). Raises `ProviderError` when down."""
        ...
