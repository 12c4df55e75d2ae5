"""The backend's settings: one typed object composed of small sections, read once at start-up.

The variable names are the ones the infrastructure synthesizer gives the backend container app
(``STORAGE_BACKEND``, ``AZURE_STORAGE_ACCOUNT_URL``, ``AZURE_CLIENT_ID``, ``POSTGRES_HOST``,
``DATABASE_URL``, ``JWT_SECRET``, ...). :func:`load_settings` builds the object; it is then passed
in (``create_app(settings)``): nothing else in the package reads ``os.environ``.

To add a section: subclass :class:`Section` (one field per variable, the field name being the
variable's), and add a field of that type to :class:`Settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from momentloop_app.core.errors import ConfigurationError
from momentloop_app.core.settings.auth import AuthSettings
from momentloop_app.core.settings.base import Section
from momentloop_app.core.settings.database import DatabaseSettings
from momentloop_app.core.settings.exports import ExportSettings
from momentloop_app.core.settings.health import HealthSettings
from momentloop_app.core.settings.identity import IdentitySettings
from momentloop_app.core.settings.media import MediaSettings
from momentloop_app.core.settings.media_links import MediaLinkSettings
from momentloop_app.core.settings.sign_in import SignInSettings
from momentloop_app.core.settings.storage import StorageSettings
from momentloop_app.core.settings.uploads import UploadSettings

DEFAULT_ENV_FILE = ".env"


class Settings(BaseModel):
    """Everything the backend needs; each section reads its own variables."""

    model_config = ConfigDict(frozen=True)

    identity: IdentitySettings
    storage: StorageSettings
    database: DatabaseSettings
    auth: AuthSettings
    sign_in: SignInSettings
    media_links: MediaLinkSettings
    uploads: UploadSettings
    media: MediaSettings
    exports: ExportSettings
    health: HealthSettings

    @classmethod
    def sections(cls) -> dict[str, type[Section]]:
        """Each section's attribute name and class, in declaration order."""
        found: dict[str, type[Section]] = {}
        for name, field in cls.model_fields.items():
            section = field.annotation
            assert isinstance(section, type) and issubclass(section, Section), name
            found[name] = section
        return found

    @classmethod
    def variables(cls) -> dict[str, type[Section]]:
        """Every setting's field name (its variable, lower-cased) and the section holding it."""
        return {field: section for section in cls.sections().values() for field in section.model_fields}


def load_settings(*, env_file: Path | str | None = DEFAULT_ENV_FILE, **values: Any) -> Settings:
    """Read every section from the environment (and ``env_file``); ``values`` override variables by
    field name (``database_url=...``). Any problem, in any section, becomes one :class:`ConfigurationError`."""
    owners = Settings.variables()
    unknown = sorted(set(values) - set(owners))
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(unknown)}")
    sections: dict[str, Section] = {}
    problems: list[str] = []
    for name, section in Settings.sections().items():
        given = {key: value for key, value in values.items() if owners[key] is section}
        try:
            sections[name] = section(_env_file=env_file, **given)
        except ValidationError as error:
            problems += describe_problems(error)
    if problems:
        raise ConfigurationError(_sentence(problems))
    return Settings(**sections)


def describe_validation_error(error: ValidationError) -> str:
    """One sentence for all problems, each naming the environment variable and quoting its value."""
    return _sentence(describe_problems(error))


def describe_problems(error: ValidationError) -> list[str]:
    problems: list[str] = []
    for item in error.errors(include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"]:
            variable = str(item["loc"][0]).upper()
            problems.append(f"{variable}={item['input']!r} is invalid: {message}")
        else:
            problems.append(message)
    return problems


def _sentence(problems: list[str]) -> str:
    return "Invalid configuration: " + "; ".join(problems) + "."
