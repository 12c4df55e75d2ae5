"""Google sign-in in a real browser through nginx, against a real OpenID Connect provider process
on loopback standing in for Google: the page offers only the Google link, the provider's consent
form signs the user in, the callback's `/#token=` lands on the grid (and leaves the address bar),
and a refusal at the provider comes back as a sentence on the sign-in page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.e2e.browser_script import run_browser_script
from tests.e2e.stack import Stack
from tests.fixtures.oidc_provider import OidcProvider


def test_google_sign_in_and_refusal(google_stack: Stack, oidc_provider: OidcProvider, artifacts_dir: Path) -> None:
    seen = run_browser_script("google-sign-in.mjs", google_stack, artifacts_dir, ISSUER=oidc_provider.issuer)

    assert seen["problems"] == [], seen["problems"]
    assert seen["dev_form"] == 0
    assert seen["dev_only_notice"] == 0
    assert seen["provider_page"] is True
    assert seen["back_on"] is True
    assert seen["hash_after"] == ""  # the token left the address bar
    assert seen["signed_in_as"] == "Signed in as your Google account"
    assert seen["denied_message"] == "Sign-in with Google was cancelled."
    assert seen["token_after_denial"] is None
    # The token the page kept is a session of ours: the API accepts it through nginx.
    listing = httpx.get(
        f"{google_stack.url}/api/moments", headers={"Authorization": f"Bearer {seen['token']}"}, timeout=30
    )
    assert listing.status_code == 200
    assert listing.json() == {"items": [], "next_cursor": None}
    # Development sign-in is off when Google is configured.
    assert httpx.post(f"{google_stack.url}/api/auth/dev", json={"name": "x"}, timeout=30).status_code == 404


def test_the_callback_is_on_the_origin_the_browser_used_through_nginx(google_stack: Stack) -> None:
    # nginx passes the browser's host; the scheme is nginx's own, unless a TLS-ending ingress in
    # front of it (Azure Container Apps') says https in X-Forwarded-Proto.
    def redirect_uri(headers: dict[str, str]) -> str:
        login = httpx.get(f"{google_stack.url}/api/auth/google/login", headers=headers, timeout=30)
        assert login.status_code == 302, login.text
        return parse_qs(urlsplit(login.headers["location"]).query)["redirect_uri"][0]

    host = urlsplit(google_stack.url).netloc
    assert redirect_uri({}) == f"http://{host}/api/auth/google/callback"
    assert redirect_uri({"X-Forwarded-Proto": "https"}) == f"https://{host}/api/auth/google/callback"
    assert redirect_uri({"Host": "moments.example.com"}) == "http://moments.example.com/api/auth/google/callback"
