"""Google sign-in in a real browser through nginx, against a real OpenID Connect provider process
on loopback standing in for Google: the page offers only the Google link, the provider's consent
form signs the user in, the callback's `/#token=` lands on the grid (and leaves the address bar),
and a refusal at the provider comes back as a sentence on the sign-in page."""

from __future__ import annotations

from pathlib import Path

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
