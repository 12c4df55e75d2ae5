"""Local mode's ``/storage/<container>/`` mount: Starlette's ``StaticFiles`` (ranges, ``ETag``, 304,
416, HEAD, traversal refused) behind the signed-link check."""

from __future__ import annotations

from pathlib import Path

from fastapi.staticfiles import StaticFiles
from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.types import Scope

from momentloop_app.api.media_urls import MediaUrls, refused


class SignedStaticFiles(StaticFiles):
    def __init__(self, *, directory: Path, container: str, media_urls: MediaUrls) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.container = container
        self.media_urls = media_urls

    async def get_response(self, path: str, scope: Scope) -> Response:
        # ``path`` is the decoded path below the mount, exactly what the link signed after the container.
        if not self.media_urls.allows(f"{self.container}/{path}", QueryParams(scope["query_string"])):
            return refused()
        return await super().get_response(path, scope)
