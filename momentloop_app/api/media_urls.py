"""The URLs the API hands out for stored files: the storage URL, signed and expiring
(:mod:`momentloop_app.auth.media_links`), and the check both storage routes make before serving.

A refused link gets the same 403 whether or not the file exists.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response

from momentloop_app.auth.media_links import MediaLinkSigner
from momentloop_app.core.settings import Settings
from momentloop_app.services.storage import StorageService, parse_path

REFUSED_DETAIL = "this media link is missing its signature, is not valid, or has expired"


@dataclass(frozen=True)
class MediaUrls:
    storage: StorageService
    signer: MediaLinkSigner

    @classmethod
    def create(cls, settings: Settings, storage: StorageService) -> MediaUrls:
        # Without JWT_SECRET nothing hands out links (the moments API needs the secret): a random
        # key then makes every storage request fail the check.
        secret = settings.auth.jwt_secret or secrets.token_urlsafe(32)
        return cls(storage, MediaLinkSigner(secret, settings.media_links.media_link_ttl_seconds))

    def url(self, path: str) -> str:
        """The signed URL of the stored file ``path`` (``container/name``)."""
        return self.signer.sign_url(self.storage.url(path), str(parse_path(path)))

    def allows(self, storage_path: str, query: Mapping[str, str]) -> bool:
        """Whether the request's query carries a valid, unexpired signature for ``storage_path``."""
        return self.signer.is_valid(storage_path, query.get("expires"), query.get("signature"))


def refused() -> Response:
    return JSONResponse({"detail": REFUSED_DETAIL}, status_code=403, headers={"Cache-Control": "no-store"})
