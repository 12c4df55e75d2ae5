from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.repo import Repo, StackText


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A git repository with the base stack committed on main, as the current folder."""
    created = Repo(tmp_path / "repo")
    monkeypatch.chdir(created.root)
    created.commit(StackText())
    return created
