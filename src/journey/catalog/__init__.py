"""The product catalog: card products, their designs, fees, limits and minimum risk tier."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from journey.money import CurrencyCode

RiskTier = Literal["A", "B", "C", "D", "E"]
TIERS: tuple[RiskTier, ...] = ("A", "B", "C", "D", "E")


class CardDesign(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str


class Product(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    min_risk_tier: RiskTier
    accepts_unscored: bool = False  # may a customer without a bureau file have it?
    base_limit: int = Field(gt=0)
    max_limit: int = Field(gt=0)
    annual_fee: int = Field(ge=0)
    designs: tuple[str, ...]

    def allows(self, tier: RiskTier | None) -> bool:
        """Whether a customer of this risk tier (None: no bureau file) qualifies."""
        if tier is None:
            return self.accepts_unscored
        return TIERS.index(tier) <= TIERS.index(self.min_risk_tier)

    def limit_for(self, tier: RiskTier | None) -> int:
        """The credit limit offered: the base, raised for better tiers, within the maximum."""
        if tier is None:
            return self.base_limit
        headroom = TIERS.index(self.min_risk_tier) - TIERS.index(tier)  # tiers above the minimum
        return min(self.max_limit, self.base_limit * (1 + headroom))


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True)

    currency: CurrencyCode  # every amount of the catalog is in it
    products: tuple[Product, ...]
    designs: tuple[CardDesign, ...]

    def product(self, code: str) -> Product:
        for product in self.products:
            if product.code == code:
                return product
        known = ", ".join(p.code for p in self.products)
        raise UnknownProduct(f"no product {code!r} (known: {known})")

    def codes(self) -> list[str]:
        return [product.code for product in self.products]


class UnknownProduct(LookupError):
    pass


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with the package (`products.toml`)."""
    text = resources.files(__package__).joinpath("products.toml").read_text(encoding="utf-8")
    return parse_catalog(text)


def parse_catalog(text: str) -> Catalog:
    data = tomllib.loads(text)
    if "currency" not in data:
        raise ValueError('the catalog must name the currency of its amounts: currency = "USD"')
    catalog = Catalog(
        currency=data["currency"], products=data.get("product", []), designs=data.get("design", [])
    )
    known = {design.code for design in catalog.designs}
    for product in catalog.products:
        missing = [design for design in product.designs if design not in known]
        if missing:
            raise ValueError(f"product {product.code} names unknown designs {missing}")
    return catalog
