"""Google sign-in (OpenID Connect, authorization code + PKCE) against a real provider process on
loopback (``oidc-provider-mock``), the backend a real uvicorn with a real PostgreSQL.

End to end over HTTP: the browser (an httpx client with its cookie jar) follows the redirects,
signs in at the provider and comes back with a session token that works on ``/api/moments``; a
replayed state, another browser, a denial and expired ID tokens are refused. The ID token checks
(forged signature, tampered claims, ``alg: none``, wrong audience, wrong nonce, another issuer,
expired) run on tokens the provider really issued, through the same verification the callback uses.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt as pyjwt
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from momentloop_app.auth.identity import oidc_user_id
from momentloop_app.auth.login_states import MemoryLoginStates
from momentloop_app.auth.oidc import OidcSignIn, SignInFailed
from momentloop_app.auth.redirects import safe_next_path
from momentloop_app.core.settings import load_settings
from tests.app.api_support import JWT_SECRET, ApiServer, api_settings, running_api
from tests.fixtures.network import free_port
from tests.fixtures.oidc_provider import OidcProvider

CLIENT_ID = "momentloop-web"
CLIENT_SECRET = "client-secret-for-tests"
CALLBACK = "/api/auth/google/callback"


def google_settings(issuer: str) -> dict[str, Any]:
    return {"google_client_id": CLIENT_ID, "google_client_secret": CLIENT_SECRET, "oidc_issuer": issuer}


@pytest.fixture
def api(tmp_path: Path, migrated_database_url: str, oidc_provider: OidcProvider) -> Iterator[ApiServer]:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url, export_workers=0,
        **google_settings(oidc_provider.issuer),
    )  # fmt: skip
    with running_api(settings) as server:
        yield server


def start(browser: httpx.Client, api: ApiServer, provider: OidcProvider, *, next_path: str | None = None) -> str:
    """Start signing in; returns the provider's authorization URL the browser was sent to."""
    params = {"next": next_path} if next_path is not None else {}
    login = browser.get(f"{api.base_url}/api/auth/google/login", params=params)
    assert login.status_code == 302, login.text
    location = login.headers["location"]
    assert location.startswith(f"{provider.issuer}/oauth2/authorize?")
    return location


def at_provider(browser: httpx.Client, provider: OidcProvider, authorization_url: str, *, sub: str) -> str:
    """Sign in at the provider; returns the callback URL it redirects the browser to."""
    back = provider.authorize(browser, authorization_url, sub=sub)
    assert back.status_code == 302, back.text
    callback = back.headers["location"]
    assert callback.startswith(CALLBACK) or urlsplit(callback).path == CALLBACK
    return callback


def finish(browser: httpx.Client, api: ApiServer, callback: str) -> str:
    """Follow the callback; returns where the backend sends the browser (path and fragment)."""
    done = browser.get(callback if callback.startswith("http") else api.base_url + callback)
    assert done.status_code == 302, done.text
    assert done.headers["cache-control"] == "no-store"
    return done.headers["location"]


def fragment(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).fragment).items()}


def sign_in(api: ApiServer, provider: OidcProvider, *, sub: str, next_path: str | None = None) -> str:
    with httpx.Client(timeout=30) as browser:
        return finish(
            browser, api, at_provider(browser, provider, start(browser, api, provider, next_path=next_path), sub=sub)
        )


# -- end to end ----------------------------------------------------------------------------------


def test_google_sign_in_end_to_end_gives_a_working_session_token(api: ApiServer, oidc_provider: OidcProvider) -> None:
    with httpx.Client(timeout=30) as browser:
        authorization_url = start(browser, api, oidc_provider, next_path="/moments?view=grid")
        query = parse_qs(urlsplit(authorization_url).query)
        assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
        assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
        assert query["nonce"][0] and query["state"][0] and "openid" in query["scope"][0].split()
        assert query["redirect_uri"] == [f"{api.base_url}{CALLBACK}"]
        assert browser.cookies.get("momentloop_sign_in")  # binds the callback to this browser

        location = finish(browser, api, at_provider(browser, oidc_provider, authorization_url, sub="alice@example.com"))
        assert not browser.cookies.get("momentloop_sign_in")
    assert location.startswith("/moments?view=grid#token=")
    token = fragment(location)["token"]
    claims = pyjwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == oidc_user_id(oidc_provider.issuer, "alice@example.com")

    with httpx.Client(base_url=api.base_url, timeout=30) as client:
        response = client.get("/api/moments", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


def test_behind_a_proxy_the_callback_is_on_the_browsers_origin(api: ApiServer, oidc_provider: OidcProvider) -> None:
    # As the frontend's nginx passes it (X-Forwarded-Proto is applied by uvicorn's proxy headers,
    # trusted from loopback); a malformed host is ignored, and OIDC_REDIRECT_URL would win over both.
    def redirect_uri(headers: dict[str, str]) -> str:
        with httpx.Client(timeout=30) as browser:
            login = browser.get(f"{api.base_url}/api/auth/google/login", headers=headers)
            assert login.status_code == 302, login.text
            return parse_qs(urlsplit(login.headers["location"]).query)["redirect_uri"][0]

    proxied = {"X-Forwarded-Host": "moments.example.com", "X-Forwarded-Proto": "https"}
    assert redirect_uri(proxied) == f"https://moments.example.com{CALLBACK}"
    assert redirect_uri({"X-Forwarded-Host": "127.0.0.1:8443, 10.0.0.1"}) == f"http://127.0.0.1:8443{CALLBACK}"
    assert redirect_uri({"X-Forwarded-Host": "[::1]:8080"}) == f"http://[::1]:8080{CALLBACK}"
    assert redirect_uri({"X-Forwarded-Host": "evil.example/x?"}) == f"{api.base_url}{CALLBACK}"


def test_the_same_person_gets_the_same_user_id_and_others_do_not(api: ApiServer, oidc_provider: OidcProvider) -> None:
    def user_id(sub: str) -> str:
        token = fragment(sign_in(api, oidc_provider, sub=sub))["token"]
        return str(pyjwt.decode(token, JWT_SECRET, algorithms=["HS256"])["sub"])

    alice = user_id("alice")
    assert user_id("alice") == alice
    assert user_id("bob") != alice
    assert alice == oidc_user_id(oidc_provider.issuer, "alice")


def test_a_replayed_state_is_refused(api: ApiServer, oidc_provider: OidcProvider) -> None:
    with httpx.Client(timeout=30) as browser:
        authorization_url = start(browser, api, oidc_provider)
        cookie = browser.cookies.get("momentloop_sign_in")
        callback = at_provider(browser, oidc_provider, authorization_url, sub="alice")
        assert "#token=" in finish(browser, api, callback)
        browser.cookies.set("momentloop_sign_in", str(cookie), path="/api/auth/google")  # even with the cookie
        assert finish(browser, api, callback) == "/#auth_error=state"


def test_a_state_works_once_across_replicas(
    tmp_path: Path, migrated_database_url: str, oidc_provider: OidcProvider
) -> None:
    def replica(name: str) -> Any:
        return running_api(
            api_settings(
                "local", tmp_path=tmp_path / name, azurite=None, database_url=migrated_database_url,
                export_workers=0, oidc_redirect_url=f"http://127.0.0.1:{port}{CALLBACK}",
                **google_settings(oidc_provider.issuer),
            )
        )  # fmt: skip

    port = free_port()  # the callback URL both replicas register (behind one load balancer)
    with replica("a") as first, replica("b") as second, httpx.Client(timeout=30) as browser:
        authorization_url = start(browser, first, oidc_provider)
        callback = urlsplit(at_provider(browser, oidc_provider, authorization_url, sub="carol"))
        relative = f"{callback.path}?{callback.query}"
        cookie = str(browser.cookies.get("momentloop_sign_in"))
        assert "#token=" in finish(browser, second, relative)  # started on one replica, finished on another
        browser.cookies.set("momentloop_sign_in", cookie, path="/api/auth/google")
        assert finish(browser, first, relative) == "/#auth_error=state"
        assert finish(browser, second, relative) == "/#auth_error=state"


def test_a_callback_in_another_browser_is_refused(api: ApiServer, oidc_provider: OidcProvider) -> None:
    with httpx.Client(timeout=30) as browser:
        callback = at_provider(browser, oidc_provider, start(browser, api, oidc_provider), sub="alice")
    with httpx.Client(timeout=30) as other_browser:  # e.g. a victim sent the attacker's callback link
        assert finish(other_browser, api, callback) == "/#auth_error=state"


def test_a_forged_or_missing_state_is_refused(api: ApiServer, oidc_provider: OidcProvider) -> None:
    with httpx.Client(timeout=30) as browser:
        start(browser, api, oidc_provider)
        assert finish(browser, api, f"{CALLBACK}?code=abc&state={secrets.token_urlsafe(32)}") == "/#auth_error=state"
        assert finish(browser, api, f"{CALLBACK}?code=abc") == "/#auth_error=state"


def test_denying_at_the_provider_comes_back_as_an_error(api: ApiServer, oidc_provider: OidcProvider) -> None:
    with httpx.Client(timeout=30) as browser:
        authorization_url = start(browser, api, oidc_provider)
        browser.get(authorization_url)
        back = browser.post(authorization_url, data={"action": "deny"})
        assert back.status_code == 302
        assert finish(browser, api, back.headers["location"]) == "/#auth_error=denied"


def test_expired_id_tokens_are_refused_end_to_end(
    tmp_path: Path, migrated_database_url: str, expired_oidc_provider: OidcProvider
) -> None:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url, export_workers=0,
        **google_settings(expired_oidc_provider.issuer),
    )  # fmt: skip
    with running_api(settings) as api:
        assert sign_in(api, expired_oidc_provider, sub="alice") == "/#auth_error=id_token"


def test_next_must_stay_on_our_origin(api: ApiServer, oidc_provider: OidcProvider) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        assert sign_in(api, oidc_provider, sub="alice", next_path=target).startswith("/#token=")
    assert safe_next_path("/a/b?c=d#frag") == "/a/b?c=d"
    assert safe_next_path("/ok\n") == "/" and safe_next_path(None) == "/" and safe_next_path("/" * 3000) == "/"


def test_without_google_configured_the_endpoints_say_so(tmp_path: Path, migrated_database_url: str) -> None:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url, export_workers=0
    )
    with running_api(settings) as api, httpx.Client(base_url=api.base_url, timeout=30) as client:
        for path in ("/api/auth/google/login", f"{CALLBACK}?code=x&state=y"):
            response = client.get(path)
            assert response.status_code == 302 and response.headers["location"] == "/#auth_error=not_configured"


def test_an_unreachable_provider_is_reported_not_raised(tmp_path: Path, migrated_database_url: str) -> None:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url, export_workers=0,
        **google_settings(f"http://127.0.0.1:{free_port()}"),
    )  # fmt: skip
    with running_api(settings) as api, httpx.Client(base_url=api.base_url, timeout=30) as client:
        response = client.get("/api/auth/google/login")
    assert response.status_code == 302 and response.headers["location"] == "/#auth_error=provider_unavailable"


# -- the ID token checks, on tokens the provider issued -----------------------------------------


def verifier(provider: OidcProvider) -> OidcSignIn:
    values = google_settings(provider.issuer)
    return OidcSignIn(load_settings(env_file=None, jwt_secret=JWT_SECRET, **values).sign_in, MemoryLoginStates())


def verify(provider: OidcProvider, token: dict[str, Any], nonce: str) -> dict[str, Any]:
    return asyncio.run(verifier(provider).verify_id_token(token, nonce=nonce))


def refused(provider: OidcProvider, token: dict[str, Any], nonce: str) -> str:
    """The reason the browser would see, then the detail logged (which names the failed check)."""
    with pytest.raises(SignInFailed) as failure:
        verify(provider, token, nonce)
    return f"{failure.value.reason} | {failure.value}"


def _segments(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = id_token.split(".")
    return tuple(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in (header, payload))  # type: ignore[return-value]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_genuine_id_token_passes(oidc_provider: OidcProvider) -> None:
    nonce = secrets.token_urlsafe(16)
    claims = verify(oidc_provider, oidc_provider.issue_tokens(client_id=CLIENT_ID, nonce=nonce), nonce)
    assert claims["sub"] == "alice" and claims["aud"] in (CLIENT_ID, [CLIENT_ID])


def test_forged_id_tokens_are_refused(oidc_provider: OidcProvider) -> None:
    nonce = secrets.token_urlsafe(16)
    genuine = oidc_provider.issue_tokens(client_id=CLIENT_ID, nonce=nonce)
    header, claims = _segments(genuine["id_token"])
    _, _, signature = genuine["id_token"].split(".")

    attacker_key = RSAKey.generate_key(2048)
    public_key = httpx.get(f"{oidc_provider.issuer}/jwks").json()["keys"][0]
    forgeries = {
        # The same header and claims, signed by a key that is not the provider's.
        jwt.encode(dict(header), claims, attacker_key): "bad_signature",
        jwt.encode({**header, "kid": "attacker"}, claims, attacker_key): "invalid_key_id",
        # The provider's signature over other claims.
        f"{_b64(header)}.{_b64({**claims, 'sub': 'mallory'})}.{signature}": "bad_signature",
        f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.": "Algorithm of 'none' is not allowed",
        # HMAC keyed with the provider's public key (algorithm confusion).
        pyjwt.encode(claims, public_key["n"], algorithm="HS256"): "Algorithm of 'HS256' is not allowed",
        "not.a.jwt": "decode_error",
    }
    for forged, because in forgeries.items():
        outcome = refused(oidc_provider, {**genuine, "id_token": forged}, nonce)
        assert outcome.startswith("id_token |") and because in outcome, (outcome, forged[:40])
    without = {key: value for key, value in genuine.items() if key != "id_token"}
    assert refused(oidc_provider, without, nonce) == "id_token | id_token: the token response has no ID token"


def test_an_id_token_for_another_client_is_refused(oidc_provider: OidcProvider) -> None:
    nonce = secrets.token_urlsafe(16)
    theirs = oidc_provider.issue_tokens(client_id="some-other-app", nonce=nonce)
    assert _segments(theirs["id_token"])[1]["aud"] in ("some-other-app", ["some-other-app"])
    assert refused(oidc_provider, theirs, nonce).endswith("Invalid claim: 'aud'\")")


def test_an_id_token_with_another_nonce_is_refused(oidc_provider: OidcProvider) -> None:
    token = oidc_provider.issue_tokens(client_id=CLIENT_ID, nonce="the-nonce-of-another-sign-in")
    assert refused(oidc_provider, token, secrets.token_urlsafe(16)).endswith("Invalid claim: 'nonce'\")")


def test_an_expired_id_token_is_refused(expired_oidc_provider: OidcProvider) -> None:
    nonce = secrets.token_urlsafe(16)
    token = expired_oidc_provider.issue_tokens(client_id=CLIENT_ID, nonce=nonce)
    _, claims = _segments(token["id_token"])
    assert claims["exp"] < claims["iat"]  # really expired, not merely short-lived
    assert "The token is expired" in refused(expired_oidc_provider, token, nonce)


def test_an_id_token_from_another_issuer_is_refused(
    oidc_provider: OidcProvider, other_oidc_provider: OidcProvider
) -> None:
    nonce = secrets.token_urlsafe(16)
    token = other_oidc_provider.issue_tokens(client_id=CLIENT_ID, nonce=nonce)
    assert verify(other_oidc_provider, token, nonce)["sub"] == "alice"  # genuine where it comes from
    assert "bad_signature" in refused(oidc_provider, token, nonce)
