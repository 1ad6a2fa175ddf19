"""What the civil registry answers, and what citizen validation concludes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

RegistryStatus = Literal["VALID", "DECEASED", "CANCELLED", "NOT_FOUND", "UNAVAILABLE"]


class RegistryRecord(BaseModel):
    """A civil registry entry (what a provider such as RENIEC or the Registraduría returns)."""

    model_config = ConfigDict(frozen=True)

    country: str
    national_id: str
    given_names: str
    surnames: tuple[str, ...]
    birth_date: date
    status: Literal["VALID", "DECEASED", "CANCELLED"]
    death_date: date | None = None


class CitizenValidation(BaseModel):
    """The outcome: the id's check digits, the registry status, and how well the names agree.

    `UNAVAILABLE` means the registry could not be asked; it holds the journey and never passes.
    """

    model_config = ConfigDict(frozen=True)

    country: str
    document: str
    id_valid: bool
    id_reason: str | None
    has_check_digit: bool
    normalized_id: str | None
    registry_status: RegistryStatus
    name_match_score: float | None  # 0..100, None when there was no record to compare
    registered_name: str | None
    source: str
    checked_at: datetime
    from_cache: bool = False

    @property
    def passes(self) -> bool:
        return self.id_valid and self.registry_status == "VALID"
