"""Who may call what: bearer tokens, roles, and customers kept to their own applications."""

from __future__ import annotations

import time

import jwt
import pytest

from journey.entrypoints.api.auth import InvalidToken, Principal, Tokens
from journey.query_side.population import Person
from tests.api.conftest import AUTH, TEST_KEY, Api


async def test_a_request_without_a_token_is_answered_401_with_a_bearer_challenge(api: Api) -> None:
    answer = await api.client.get("/applications")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["title"] == "Unauthorized"


async def test_a_token_signed_with_another_key_is_refused(api: Api) -> None:
    forged = jwt.encode(
        {
            "sub": "olga",
            "roles": ["operator"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "iss": AUTH.issuer,
        },
        "another-key-that-is-also-long-enough-for-hs256",
        algorithm="HS256",
    )
    answer = await api.get("/stock", {"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


async def test_an_expired_token_and_a_foreign_issuer_are_refused(api: Api) -> None:
    past = time.time() - 3600
    expired = api.tokens.issue("olga", ["operator"], ttl_minutes=1, now=past)
    answer = await api.get("/stock", {"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "the token has expired"
    foreign = jwt.encode(
        {
            "sub": "olga",
            "roles": ["operator"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "iss": "urn:someone-else",
        },
        TEST_KEY,
        algorithm="HS256",
    )
    answer = await api.get("/stock", {"Authorization": f"Bearer {foreign}"})
    assert answer.status_code == 401


async def test_a_token_with_the_none_algorithm_is_refused(api: Api) -> None:
    unsigned = jwt.encode(
        {
            "sub": "olga",
            "roles": ["operator"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "iss": AUTH.issuer,
        },
        None,
        algorithm="none",
    )
    answer = await api.get("/stock", {"Authorization": f"Bearer {unsigned}"})
    assert answer.status_code == 401


async def test_a_role_that_may_not_is_answered_403(api: Api, alice: Person) -> None:
    assert (await api.get("/stock", api.customer(alice))).status_code == 403
    assert (await api.get("/stock", api.analyst)).status_code == 403
    assert (await api.get("/dead-letters", api.analyst)).status_code == 403
    assert (await api.get("/review-queue", api.customer(alice))).status_code == 403
    forbidden = await api.post(
        "/applications/app-x/referral-decision",
        api.operator,
        json={"approve": True, "reason": "ok"},
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["type"] == "urn:journey:problem:forbidden"
    assert (await api.get("/stock", api.operator)).status_code == 200


async def test_unknown_roles_in_a_token_grant_nothing(api: Api) -> None:
    token = api.tokens.issue("mallory", ["operator"])
    claims = jwt.decode(token, TEST_KEY, algorithms=["HS256"], issuer=AUTH.issuer)
    claims["roles"] = ["admin", "root"]
    forged_roles = jwt.encode(claims, TEST_KEY, algorithm="HS256")
    answer = await api.get("/stock", {"Authorization": f"Bearer {forged_roles}"})
    assert answer.status_code == 403


async def test_a_customer_asking_for_another_customers_application_gets_404(
    api: Api, alice: Person, bob: Person
) -> None:
    submitted = await api.apply(alice, "app-alice")
    position = submitted.json()["position"]
    mine = await api.get(f"/applications/app-alice?wait_for={position}", api.customer(alice))
    assert mine.status_code == 200
    theirs = await api.get(f"/applications/app-alice?wait_for={position}", api.customer(bob))
    missing = await api.get("/applications/app-nobody", api.customer(bob))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()  # indistinguishable from one that does not exist
    await api.status_becomes("app-alice", "offered")
    for path in ("/applications/app-alice/offer",):
        assert (await api.get(path, api.customer(bob))).status_code == 404
    withdraw = await api.post("/applications/app-alice/withdrawal", api.customer(bob), json={})
    accept = await api.post(
        "/applications/app-alice/acceptance",
        api.customer(bob),
        json={"text_version": "v", "text_hash": "0" * 64},
    )
    assert withdraw.status_code == accept.status_code == 404
    listed = await api.get("/applications", api.customer(bob))
    assert listed.json()["items"] == []


async def test_a_customer_applies_with_their_own_national_id_only(
    api: Api, alice: Person, bob: Person
) -> None:
    from tests.api.conftest import application_body

    answer = await api.post("/applications", api.customer(bob), json=application_body(alice))
    assert answer.status_code == 403
    assert "own national id" in answer.json()["detail"]


async def test_staff_see_every_application(api: Api, alice: Person) -> None:
    submitted = await api.apply(alice, "app-a")
    position = submitted.json()["position"]
    for staff in (api.operator, api.analyst):
        found = await api.get(f"/applications/app-a?wait_for={position}", staff)
        assert found.status_code == 200
        assert "evidence" in found.json()
    customer_view = await api.get("/applications/app-a", api.customer(alice))
    assert "evidence" not in customer_view.json()


async def test_dev_login_signs_a_token_for_a_role_or_a_customer_by_national_id(
    api: Api, alice: Person
) -> None:
    staff = await api.client.post("/auth/dev-token", json={"role": "operator", "subject": "olga"})
    assert staff.status_code == 200
    token = staff.json()["access_token"]
    assert staff.json()["token_type"] == "bearer"
    assert (await api.get("/stock", {"Authorization": f"Bearer {token}"})).status_code == 200

    customer = await api.client.post(
        "/auth/dev-token",
        json={"role": "customer", "country": alice.country, "national_id": alice.national_id},
    )
    assert customer.status_code == 200
    from journey.query_side.subjects import subject_key

    assert customer.json()["subject"] == subject_key(alice.country, alice.national_id)
    bad = await api.client.post(
        "/auth/dev-token", json={"role": "customer", "country": "CL", "national_id": "12345678-0"}
    )
    assert bad.status_code == 422
    assert "12345678" not in bad.text  # the id is never quoted back


async def test_dev_login_is_off_with_a_real_key() -> None:
    import httpx
    from pydantic import SecretStr

    from journey.entrypoints.api.app import create_app
    from journey.settings import AuthSettings, Settings

    auth = AuthSettings(signing_key=SecretStr(TEST_KEY))  # dev_login unset: off with a real key
    assert not auth.dev_login_enabled
    app = create_app(Settings(event_store="memory", key_store="memory"), auth=auth)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as client:
        answer = await client.post("/auth/dev-token", json={"role": "operator", "subject": "x"})
    assert answer.status_code == 404


def test_the_default_settings_use_the_marked_development_key() -> None:
    from journey.settings import DEVELOPMENT_SIGNING_KEY, AuthSettings

    settings = AuthSettings()
    assert settings.uses_development_key
    assert settings.dev_login_enabled
    assert "DEVELOPMENT" in DEVELOPMENT_SIGNING_KEY


def test_a_token_that_passed_is_not_checked_again_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [time.time()]
    tokens = Tokens(AUTH, clock=lambda: now[0])
    token = tokens.issue("olga", ["operator"], ttl_minutes=10, now=now[0])
    checks = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: checks.append(1) or decode(*a, **k))
    first = tokens.verify(token)
    assert tokens.verify(token) == first == Principal("olga", frozenset({"operator"}))
    assert len(checks) == 1
    now[0] += 10 * 60 + AUTH.leeway_seconds  # expired, leeway included, as PyJWT would judge
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token)


def test_a_token_that_failed_is_checked_again_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = Tokens(AUTH)
    forged = tokens.issue("olga", ["operator"])[:-4] + "AAAA"
    checks = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: checks.append(1) or decode(*a, **k))
    for _ in range(2):
        with pytest.raises(InvalidToken, match="signature"):
            tokens.verify(forged)
    assert len(checks) == 2


def test_the_tokens_remembered_are_bounded_least_recently_verified_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = Tokens(AUTH, remembered=2)
    first, second, third = (tokens.issue(name, ["operator"]) for name in ("a", "b", "c"))
    checks = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: checks.append(1) or decode(*a, **k))
    tokens.verify(first)
    tokens.verify(second)
    tokens.verify(first)  # remembered: the second is now the least recently verified
    tokens.verify(third)  # forgets the second
    assert len(checks) == 3
    tokens.verify(first)
    assert len(checks) == 3
    tokens.verify(second)
    assert len(checks) == 4
