"""The CRM's view of a customer, and the update the command side sends it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CustomerFlag = Literal["fraud_alert", "collections", "vip", "deceased", "do_not_contact"]


class HeldProduct(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    account_id: str
    opened_on: date
    status: Literal["active", "closed", "blocked"] = "active"


class CrmCustomer(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_id: str
    country: str
    national_id: str
    full_name: str
    email: str | None = None
    phone: str | None = None
    customer_since: date
    products: tuple[HeldProduct, ...] = ()
    flags: tuple[CustomerFlag, ...] = ()
    updated_at: datetime

    def holds(self, product_code: str) -> bool:
        return any(p.code == product_code and p.status == "active" for p in self.products)


class CustomerUpsert(BaseModel):
    """What the command side's CRM update writes: create the customer or add to them."""

    model_config = ConfigDict(frozen=True)

    country: str
    national_id: str
    full_name: str
    email: str | None = None
    phone: str | None = None
    product: HeldProduct | None = None
    add_flags: list[CustomerFlag] = Field(default_factory=list)
