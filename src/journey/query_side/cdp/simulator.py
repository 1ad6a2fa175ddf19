"""A simulated CDP: an identity graph over the population, consents, segments and offers."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from journey.query_side.cdp.model import (
    CdpProfile,
    Consent,
    Identity,
    LegalBasis,
    Offer,
    Purpose,
)
from journey.query_side.population import Person, Population, default_population
from journey.query_side.simulation import SimulationKnobs

TEXT_VERSION = "privacy-2026-01"
_SEGMENT_OFFERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "premium_prospect": (("PLATINUM", "GOLD"), ("platinum-steel", "gold-night")),
    "young_adult": (("CLASSIC", "SECURED"), ("classic-green", "start-white")),
    "mass_market": (("CLASSIC", "GOLD"), ("classic-blue", "gold-sun")),
}


@dataclass(slots=True)
class _Profile:
    """The simulator's working copy of a profile (mutable: identities get stitched in)."""

    identities: dict[tuple[str, str], Identity] = field(default_factory=dict)  # by `_key`
    attributes: dict[str, str | int | float | bool] = field(default_factory=dict)
    segments: list[str] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    merged_from: list[str] = field(default_factory=list)
    known: bool = False  # linked to a national id (survives merges)


class SimulatedCdp:
    name = "cdp-sim"

    def __init__(
        self, population: Population | None = None, knobs: SimulationKnobs | None = None
    ) -> None:
        population = population or default_population()
        self.knobs = knobs or SimulationKnobs()
        self._seed_base = population.seed + 2
        self._profiles: dict[str, _Profile] = {}
        self._graph: dict[tuple[str, str], str] = {}
        # People become profiles on first touch (building 5,000 up front took most of a second);
        # each person's profile comes from their own seed, so the order of calls changes nothing.
        # Their identifiers (keyed) are made once, here, and handed to the profile at first touch.
        self._unseeded: dict[tuple[str, str], _Unseeded] = {}
        for person in population.people:
            keyed = {_key(identity): identity for identity in _identities_of(person)}
            unseeded = _Unseeded(person, keyed)
            for key in keyed:
                self._unseeded[key] = unseeded
        self.calls = 0

    async def resolve(self, identities: Sequence[Identity]) -> CdpProfile | None:
        self.calls += 1
        await self.knobs.before_call(self.name)
        found = self._profiles_of(identities)
        if not found:
            return None
        return self._view(self._stitch(found, identities))

    async def record_consent(self, identities: Sequence[Identity], consent: Consent) -> CdpProfile:
        self.calls += 1
        await self.knobs.before_call(self.name)
        found = self._profiles_of(identities)
        profile_id = self._stitch(found, identities) if found else self._new(identities)
        self._profiles[profile_id].consents.append(consent)
        return self._view(profile_id)

    # -- the identity graph ------------------------------------------------------------------------
    def _profiles_of(self, identities: Sequence[Identity]) -> list[str]:
        found: list[str] = []
        for identity in identities:
            key = _key(identity)
            unseeded = self._unseeded.get(key)
            if unseeded is not None:
                self._seed(unseeded)
            profile_id = self._graph.get(key)
            if profile_id is not None and profile_id not in found:
                found.append(profile_id)
        return found

    def _stitch(self, found: list[str], identities: Sequence[Identity]) -> str:
        """Merge every matched profile into the known one (the one with a national id, if any),
        and link the identifiers given (survivorship: the known profile's attributes win)."""
        survivor_id = next((p for p in found if self._profiles[p].known), found[0])
        survivor = self._profiles[survivor_id]
        for other_id in found:
            if other_id == survivor_id:
                continue
            merged = self._profiles.pop(other_id)
            for key, identity in merged.identities.items():
                self._graph[key] = survivor_id
                survivor.identities.setdefault(key, identity)
            for name, value in merged.attributes.items():
                survivor.attributes.setdefault(name, value)
            survivor.merged_from.append(other_id)
        self._link(survivor_id, identities)
        return survivor_id

    def _link(self, profile_id: str, identities: Sequence[Identity]) -> None:
        self._link_keyed(profile_id, {_key(identity): identity for identity in identities})

    def _link_keyed(self, profile_id: str, keyed: dict[tuple[str, str], Identity]) -> None:
        profile = self._profiles[profile_id]
        for key, identity in keyed.items():
            self._graph[key] = profile_id
            profile.identities.setdefault(key, identity)
            if identity.namespace == "national_id":
                profile.known = True

    def _new(self, identities: Sequence[Identity]) -> str:
        profile_id = f"cdp-new-{len(self._profiles) + 1:07d}"
        self._profiles[profile_id] = _Profile(segments=["mass_market"])
        self._link(profile_id, identities)
        return profile_id

    def _seed(self, unseeded: _Unseeded) -> None:
        person, keyed = unseeded.person, unseeded.identities
        for key in keyed:
            self._unseeded.pop(key, None)
        rng = random.Random(f"{self._seed_base}:{person.person_id}")
        age = (date(2026, 1, 1) - person.birth_date).days // 365
        segment = "premium_prospect" if rng.random() < 0.15 else "mass_market"
        if age < 30:
            segment = "young_adult"
        profile_id = f"cdp-{person.person_id}"
        self._profiles[profile_id] = _Profile(
            attributes={
                "age": age,
                "country": person.country,
                "app_sessions_30d": rng.randint(0, 40),
                "lifetime_value": round(rng.random() * 2000, 2),
            },
            segments=[segment, "digital_native" if rng.random() < 0.4 else "branch_visitor"],
            consents=[
                _seeded_consent("processing", "contract", True),
                _seeded_consent(
                    "bureau",
                    "credit_protection" if person.country == "BR" else "consent",
                    rng.random() < 0.95,
                ),
                _seeded_consent("marketing_email", "consent", rng.random() < 0.5),
            ],
            known=True,
        )
        *known, (device_key, device) = keyed.items()
        self._link_keyed(profile_id, dict(known))
        if rng.random() < 0.3:
            # Browsed anonymously before applying: a separate profile until stitched.
            anonymous = f"cdp-anon-{person.person_id}"
            self._profiles[anonymous] = _Profile(
                identities={device_key: device},
                attributes={"viewed_product": rng.choice(["GOLD", "PLATINUM", "CLASSIC"])},
            )
            self._graph[device_key] = anonymous
        else:
            self._link_keyed(profile_id, {device_key: device})

    def _view(self, profile_id: str) -> CdpProfile:
        profile = self._profiles[profile_id]
        segment = next((s for s in profile.segments if s in _SEGMENT_OFFERS), "mass_market")
        products, designs = _SEGMENT_OFFERS[segment]
        return CdpProfile(
            profile_id=profile_id,
            identities=tuple(profile.identities.values()),
            attributes=dict(profile.attributes),
            segments=tuple(profile.segments),
            consents=tuple(profile.consents),
            offer=Offer(products=products, card_designs=designs, reason=f"segment {segment}"),
            merged_from=tuple(profile.merged_from),
        )


@dataclass(frozen=True, slots=True)
class _Unseeded:
    """A person not yet touched, with their identifiers by `_key` (the device last)."""

    person: Person
    identities: dict[tuple[str, str], Identity]


@functools.cache
def _seeded_consent(purpose: Purpose, basis: LegalBasis, granted: bool) -> Consent:
    """A consent the population gave when it signed up (a handful of distinct, frozen values)."""
    return Consent(
        purpose=purpose,
        legal_basis=basis,
        granted=granted,
        text_version=TEXT_VERSION,
        channel="web",
        captured_at=_SIGNED_UP,
    )


_SIGNED_UP = datetime(2025, 11, 1, tzinfo=UTC)


def _identities_of(person: Person) -> list[Identity]:
    """A person's identifiers; the device comes last."""
    return [
        Identity(namespace="national_id", value=f"{person.country}:{person.national_id}"),
        Identity(namespace="email", value=person.email),
        Identity(namespace="phone", value=person.phone),
        Identity(namespace="device", value=person.device_id),
    ]


_NOT_KEY = re.compile(r"[^0-9A-Z:]")


def _key(identity: Identity) -> tuple[str, str]:
    value = identity.value.strip()
    if identity.namespace == "email":
        value = value.lower()
    elif identity.namespace in ("phone", "national_id"):
        value = _NOT_KEY.sub("", value.upper())
    return identity.namespace, value
