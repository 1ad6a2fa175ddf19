"""Who is calling: bearer JWTs (HS256, PyJWT) and the roles they carry.

A token's claims are `sub` (a customer's pseudonymous `customer_id`, or a staff user name),
`roles` (`customer`, `operator`, `analyst`, `service`), `iat`, `exp` and `iss`. Endpoints ask
for a `Principal` with `Depends(allow(...roles))`: no or a bad token answers 401, a role that
may not answers 403. Which *resources* a customer may see (their own applications only) is
decided next to the resource, where a stranger's answer is 404, never 403.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, model_validator

from journey.entrypoints.api.errors import PROBLEM_RESPONSES, ApiProblem
from journey.query_side.citizen.national_ids import COUNTRIES, validate
from journey.query_side.subjects import subject_key
from journey.settings import AuthSettings

Role = Literal["customer", "operator", "analyst", "service"]
ROLES: frozenset[str] = frozenset(get_args(Role))
STAFF: tuple[Role, ...] = ("operator", "analyst")
ALGORITHM = "HS256"  # one fixed algorithm: a token naming another one is refused

_bearer = HTTPBearer(auto_error=False, description="A JWT from `journey token` or your IdP")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller as the token says: a subject and the roles we know (others are ignored)."""

    subject: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_staff(self) -> bool:
        """Operators and analysts (and trusted services) see every customer's journeys."""
        return self.has("operator", "analyst", "service")

    @property
    def actor(self) -> str:
        """How commands record who asked (the kernel keeps it in the message context)."""
        order = ("operator", "analyst", "service", "customer")
        role = next((r for r in order if r in self.roles), "nobody")
        return f"{role}:{self.subject}"


class InvalidToken(Exception):
    """The token cannot be trusted; the message says why in words safe to show."""


class Tokens:
    """Signs and checks tokens with the configured key.

    A channel sends the same token with every request until it expires, and checking one costs
    more than the rest of a read (PyJWT: ~50 us here). So the tokens that passed are remembered
    (`remembered` of them, by their SHA-256, least recently verified forgotten first) with what
    they said; a remembered token still expires on time. One that failed is checked every time.
    """

    def __init__(
        self,
        settings: AuthSettings,
        *,
        remembered: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._key = settings.key_bytes()
        self._remembered = remembered
        self._clock = clock
        self._verified: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()

    def issue(
        self,
        subject: str,
        roles: Iterable[str],
        *,
        ttl_minutes: float | None = None,
        now: float | None = None,
    ) -> str:
        roles = sorted(set(roles))
        unknown = [role for role in roles if role not in ROLES]
        if not subject or unknown or not roles:
            raise ValueError(f"a token needs a subject and known roles (not {unknown})")
        issued = int(now if now is not None else time.time())
        ttl = ttl_minutes if ttl_minutes is not None else self.settings.token_ttl_minutes
        claims = {
            "sub": subject,
            "roles": roles,
            "iat": issued,
            "exp": issued + int(ttl * 60),
            "iss": self.settings.issuer,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        digest = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(digest)
        if known is None:
            principal, expires = self._check(token)
            if self._remembered > 0:
                self._verified[digest] = (principal, expires)
                if len(self._verified) > self._remembered:
                    self._verified.popitem(last=False)
            return principal
        principal, expires = known
        if expires <= self._clock() - self.settings.leeway_seconds:  # as PyJWT judges `exp`
            del self._verified[digest]
            raise InvalidToken("the token has expired")
        self._verified.move_to_end(digest)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        """The token's principal and expiry, once its signature and claims are checked."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["sub", "exp", "iat", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token was issued by someone else") from None
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"the token has no {error.claim!r} claim") from None
        except jwt.InvalidTokenError:
            raise InvalidToken("the token is malformed or its signature does not match") from None
        subject = claims.get("sub")
        roles = claims.get("roles", [])
        if not isinstance(subject, str) or not subject or len(subject) > 200:
            raise InvalidToken("the token's subject is not valid")
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            raise InvalidToken("the token's roles must be a list of names")
        return Principal(subject, frozenset(roles) & ROLES), int(claims["exp"])  # as PyJWT reads it


def tokens_of(request: Request) -> Tokens:
    tokens: Tokens = request.app.state.tokens
    return tokens


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from `Authorization: Bearer <JWT>`; 401 problem without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("send a bearer token (Authorization: Bearer <JWT>)", None)
    try:
        principal = tokens_of(request).verify(credentials.credentials)
    except InvalidToken as error:
        raise _unauthorized(str(error), "invalid_token") from None
    request.state.principal = principal  # for the request log: roles only, never the subject
    return principal


def allow(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency letting in callers holding any of `roles` (403 problem otherwise)."""

    async def dependency(
        principal: Annotated[Principal, Depends(authenticated)],
    ) -> Principal:
        if not principal.has(*roles):
            raise ApiProblem(
                403,
                "Forbidden",
                f"this needs one of the roles: {', '.join(roles)}",
                kind="forbidden",
            )
        return principal

    return dependency


def _unauthorized(detail: str, error: str | None) -> ApiProblem:
    challenge = 'Bearer realm="journey"' + (f', error="{error}"' if error else "")
    return ApiProblem(
        401, "Unauthorized", detail, kind="unauthorized", headers={"WWW-Authenticate": challenge}
    )


# -- development login ---------------------------------------------------------------------------


class DevTokenRequest(BaseModel):
    """Who to sign a development token for: a subject, or a customer by their national id."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    role: Role
    subject: str | None = Field(None, min_length=1, max_length=100)
    country: str | None = Field(None, min_length=2, max_length=2)
    national_id: str | None = Field(None, min_length=3, max_length=32)

    @model_validator(mode="after")
    def _one_way_to_name_the_subject(self) -> DevTokenRequest:
        by_id = self.country is not None or self.national_id is not None
        if by_id and self.subject is not None:
            raise ValueError("give either subject, or country and national_id")
        if by_id:
            if self.role != "customer":
                raise ValueError("country and national_id name a customer")
            if self.country is None or self.national_id is None:
                raise ValueError("give both country and national_id")
            if self.country.upper() not in COUNTRIES:
                raise ValueError(f"country must be one of {', '.join(COUNTRIES)}")
            if not _valid_id(self.country, self.national_id):
                raise ValueError("the national id is not valid for the country")
        elif self.subject is None:
            raise ValueError("give a subject (or, for a customer, country and national_id)")
        return self

    def resolved_subject(self) -> str:
        if self.subject is not None:
            return self.subject
        assert self.country is not None
        assert self.national_id is not None
        return subject_key(self.country.upper(), self.national_id)


def _valid_id(country: str, national_id: str) -> bool:
    try:
        return validate(country, national_id).valid
    except Exception:  # a checksum library refusing odd input is still "not valid"
        return False


class IssuedToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    subject: str
    roles: list[str]
    expires_in: int


def dev_login_router() -> APIRouter:
    """`POST /auth/dev-token`: a token for any role, while development login is on."""
    router = APIRouter(tags=["auth"])

    @router.post(
        "/auth/dev-token",
        response_model=IssuedToken,
        # Off: 404, as if there were no such endpoint; a bad request: 422. Both problem+json.
        responses={status: PROBLEM_RESPONSES[status] for status in (404, 422)},
    )
    async def dev_token(body: DevTokenRequest, request: Request) -> IssuedToken:
        """A development token (only while `JOURNEY_AUTH_DEV_LOGIN` is on: the default with the
        built-in development key). A customer may be named by `country` and `national_id`."""
        tokens = tokens_of(request)
        if not tokens.settings.dev_login_enabled:
            raise ApiProblem(404, "Not found", "development login is off", kind="not-found")
        subject = body.resolved_subject()
        ttl = tokens.settings.token_ttl_minutes
        return IssuedToken(
            access_token=tokens.issue(subject, [body.role], ttl_minutes=ttl),
            subject=subject,
            roles=[body.role],
            expires_in=int(ttl * 60),
        )

    return router
