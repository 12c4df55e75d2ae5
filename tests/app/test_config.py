"""Settings: one object composed of sections, the synthesizer's variable names, and one-sentence errors
for a malformed value of any setting (in process here; test_startup.py runs the real processes)."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, Literal

import pytest

from momentloop_app.core.settings import ConfigurationError, Section, Settings, load_settings
from tests.repo import REPO_ROOT

STORAGE_VARIABLES = (
    "STORAGE_BACKEND",
    "STORAGE_LOCAL_ROOT",
    "AZURE_STORAGE_ACCOUNT_URL",
    "AZURE_CLIENT_ID",
    "AZURE_STORAGE_CONNECTION_STRING",
    "STORAGE_CREATE_CONTAINERS",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.variables():
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def malformed_value(section: type[Section], field: str) -> str | None:
    """A value the field's type refuses, or None for free text (any string is a valid value)."""
    annotation = section.model_fields[field].annotation
    options = [a for a in typing.get_args(annotation) if a is not type(None)] if _is_union(annotation) else [annotation]
    kind = options[0] if len(options) == 1 else None
    if typing.get_origin(kind) is Literal:
        return "no-such-choice"
    if kind is bool:
        return "perhaps"
    if kind is int:
        return "many"
    if kind is float:
        return "soon"
    return None


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


#: Free-text settings whose values are still checked: one malformed example each.
CHECKED_TEXT = {
    "database_url": "not a url at all",
    "jwt_secret": "short",
}


def malformed_environment() -> dict[str, str]:
    """A malformed value for every setting that has one (typed, or checked text)."""
    values = {}
    for field, section in Settings.variables().items():
        value = CHECKED_TEXT.get(field) or malformed_value(section, field)
        if value is not None:
            values[field.upper()] = value
    return values


def test_every_setting_belongs_to_exactly_one_section() -> None:
    fields = [field for section in Settings.sections().values() for field in section.model_fields]
    assert len(fields) == len(set(fields))
    assert set(Settings.variables()) == set(fields)


def test_defaults_are_local_mode() -> None:
    settings = load_settings()
    assert settings.storage.storage_backend == "local"
    assert settings.storage.storage_local_root == Path("storage")
    assert settings.storage.create_containers
    assert not settings.database.configured


def test_azure_mode_from_the_synthesizer_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", "https://stabc123.blob.core.windows.net/")
    monkeypatch.setenv("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    settings = load_settings()
    assert settings.storage.azure_storage_account_url == "https://stabc123.blob.core.windows.net/"
    assert settings.identity.azure_client_id == "11111111-2222-3333-4444-555555555555"
    assert not settings.storage.create_containers  # the infrastructure creates them


def test_connection_string_means_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")
    assert load_settings().storage.create_containers


def test_dotenv_file_is_read_by_every_section(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("STORAGE_LOCAL_ROOT=/srv/media\nMAX_UPLOAD_BYTES=1234\nEXPORT_WORKERS=3\n")
    settings = load_settings()
    assert settings.storage.storage_local_root == Path("/srv/media")
    assert settings.uploads.max_upload_bytes == 1234
    assert settings.exports.export_workers == 3
    assert load_settings(env_file=None).uploads.max_upload_bytes != 1234


def test_azure_without_an_account_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("Invalid configuration: STORAGE_BACKEND='azure' needs AZURE_STORAGE_ACCOUNT_URL")
    assert "\n" not in message


def test_unknown_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    with pytest.raises(
        ConfigurationError, match=r"STORAGE_BACKEND='s3' is invalid: Input should be 'local' or 'azure'"
    ):
        load_settings()


def test_account_url_must_be_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", "stabc123")
    with pytest.raises(ConfigurationError, match=r"AZURE_STORAGE_ACCOUNT_URL='stabc123' is not a URL"):
        load_settings()


def test_settings_are_injectable_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    settings = load_settings(env_file=None, storage_backend="local", storage_local_root=Path("/data"))
    assert settings.storage.storage_local_root == Path("/data")


def test_an_unknown_override_is_refused() -> None:
    with pytest.raises(TypeError, match="unknown settings: storage_max_upload_bytes"):
        load_settings(env_file=None, storage_max_upload_bytes=1)


def test_malformed_database_url_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@host:notaport/db")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert str(caught.value) == (
        "Invalid configuration: DATABASE_URL='postgresql://user@host:notaport/db' is invalid: "
        "not a URL of the form postgresql://user:password@host:port/db."
    )


def test_every_malformed_setting_is_named_in_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = malformed_environment()
    # Typed settings of every section are covered (a new int, bool, float or choice is picked up).
    assert {"EXPORT_WORKERS", "STORAGE_CREATE_CONTAINERS", "STORAGE_BACKEND", "POSTGRES_PORT"} <= set(environment)
    assert {"DATABASE_URL", "JWT_SECRET", "READINESS_TIMEOUT_SECONDS", "MAX_UPLOAD_BYTES"} <= set(environment)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message and message.startswith("Invalid configuration: ") and message.endswith(".")
    for name, value in environment.items():
        assert f"{name}={value!r} is invalid: " in message


@pytest.mark.parametrize("name", sorted(malformed_environment()))
def test_each_malformed_setting_alone_is_refused(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    value = malformed_environment()[name]
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=rf"^Invalid configuration: {name}={value!r} is invalid: [^;]+\.$"):
        load_settings()


def test_the_readme_lists_every_setting() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    backend = readme.split("## The backend (`momentloop_app`)", 1)[1].split("\n## ", 1)[0]
    missing = [name.upper() for name in Settings.variables() if f"`{name.upper()}`" not in backend]
    assert missing == []
