"""Settings: defaults, the synthesizer's variable names, and one-sentence errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from momentloop_app.core.config import ConfigurationError, Settings, load_settings

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
    for name in STORAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_are_local_mode() -> None:
    settings = load_settings()
    assert settings.storage_backend == "local"
    assert settings.storage_local_root == Path("storage")
    assert settings.create_containers


def test_azure_mode_from_the_synthesizer_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", "https://stabc123.blob.core.windows.net/")
    monkeypatch.setenv("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    settings = load_settings()
    assert settings.azure_storage_account_url == "https://stabc123.blob.core.windows.net/"
    assert settings.azure_client_id == "11111111-2222-3333-4444-555555555555"
    assert not settings.create_containers  # the infrastructure creates them


def test_connection_string_means_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")
    assert load_settings().create_containers


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("STORAGE_LOCAL_ROOT=/srv/media\n")
    assert load_settings().storage_local_root == Path("/srv/media")


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
    settings = Settings(storage_backend="local", storage_local_root=Path("/data"))  # type: ignore[call-arg]
    assert settings.storage_local_root == Path("/data")
