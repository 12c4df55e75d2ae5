"""Settings: one :class:`Settings` composed of sections, each a small model of related variables."""

from momentloop_app.core.errors import ConfigurationError
from momentloop_app.core.settings.auth import AuthSettings
from momentloop_app.core.settings.base import MIB, Section
from momentloop_app.core.settings.database import DatabaseMode, DatabaseSettings
from momentloop_app.core.settings.exports import ExportSettings
from momentloop_app.core.settings.health import HealthSettings
from momentloop_app.core.settings.identity import IdentitySettings
from momentloop_app.core.settings.media import MediaSettings
from momentloop_app.core.settings.media_links import MediaLinkSettings
from momentloop_app.core.settings.model import Settings, describe_validation_error, load_settings
from momentloop_app.core.settings.sign_in import SignInSettings
from momentloop_app.core.settings.storage import StorageBackendName, StorageSettings
from momentloop_app.core.settings.uploads import UploadSettings

__all__ = [
    "MIB",
    "AuthSettings",
    "ConfigurationError",
    "DatabaseMode",
    "DatabaseSettings",
    "ExportSettings",
    "HealthSettings",
    "IdentitySettings",
    "MediaLinkSettings",
    "MediaSettings",
    "Section",
    "Settings",
    "SignInSettings",
    "StorageBackendName",
    "StorageSettings",
    "UploadSettings",
    "describe_validation_error",
    "load_settings",
]
