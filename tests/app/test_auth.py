"""JWT verification and the development token command."""

from __future__ import annotations

import time

import jwt
import pytest

from momentloop_app.auth import InvalidTokenError, TokenVerifier, main, mint_token

SECRET = "s" * 32


def test_round_trip_gives_the_user_id() -> None:
    assert TokenVerifier(SECRET).user_id(mint_token("user-1", SECRET)) == "user-1"


def test_authorization_header_forms() -> None:
    verifier = TokenVerifier(SECRET)
    token = mint_token("u", SECRET)
    assert verifier.from_authorization_header(f"Bearer {token}") == "u"
    assert verifier.from_authorization_header(f"bearer {token}") == "u"
    for header in (None, "", "Bearer", "Bearer ", f"Basic {token}", token):
        with pytest.raises(InvalidTokenError):
            verifier.from_authorization_header(header)


def test_expired_token_is_refused() -> None:
    token = mint_token("u", SECRET, ttl_seconds=10, now=time.time() - 60)
    with pytest.raises(InvalidTokenError, match="expired"):
        TokenVerifier(SECRET).user_id(token)


def test_other_secret_and_other_algorithms_are_refused() -> None:
    with pytest.raises(InvalidTokenError, match="not valid"):
        TokenVerifier(SECRET).user_id(mint_token("u", "another-secret-of-32-bytes-length"))
    unsigned = jwt.encode({"sub": "u", "exp": int(time.time()) + 60}, key=None, algorithm="none")
    with pytest.raises(InvalidTokenError):
        TokenVerifier(SECRET).user_id(unsigned)
    long_secret = SECRET * 2
    hs512 = jwt.encode({"sub": "u", "exp": int(time.time()) + 60}, long_secret, algorithm="HS512")
    with pytest.raises(InvalidTokenError):
        TokenVerifier(long_secret).user_id(hs512)


def test_token_without_sub_or_exp_is_refused() -> None:
    for claims in ({"exp": int(time.time()) + 60}, {"sub": "u"}, {"sub": "", "exp": int(time.time()) + 60}):
        token = jwt.encode(claims, SECRET, algorithm="HS256")
        with pytest.raises(InvalidTokenError):
            TokenVerifier(SECRET).user_id(token)


def test_command_mints_a_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    assert main(["alice", "--ttl", "120"]) == 0
    token = capsys.readouterr().out.strip()
    assert TokenVerifier(SECRET).user_id(token) == "alice"


def test_command_without_secret_explains(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert main(["alice"]) == 2
    assert "JWT_SECRET is not set" in capsys.readouterr().err
