"""Signed media links: how long the image, thumbnail and video URLs the API returns stay valid."""

from __future__ import annotations

from pydantic import Field

from momentloop_app.core.settings.base import Section


class MediaLinkSettings(Section):
    media_link_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
