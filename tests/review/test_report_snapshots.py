"""The text and Markdown reports of one known change, as snapshots, each with asserts on the
rows that matter (a snapshot alone would accept any output once approved)."""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from tests.review.repo import Repo, StackText

# Write access instead of read, a new secret, a geo-redundant backup (a replacement), one container fewer.
KNOWN_CHANGE = StackText(access="read_write", secrets=("api-key", "webhook-key"), geo=True, containers=("uploads",))


def test_text_report(repo: Repo, snapshot: SnapshotAssertion) -> None:
    repo.write(KNOWN_CHANGE)
    result = repo.run("diff")
    assert result.exit_code == 0
    text = result.output
    assert "resources: 2 added, 2 removed, 1 changed, 1 replaced; roles +1 -1" in text
    assert "  ! replaced shop/postgres  Microsoft.DBforPostgreSQL/flexibleServers  postgres.server" in text
    assert "properties.backup.geoRedundantBackup: 'Disabled' → 'Enabled'   (forces replacement)" in text
    assert (
        "  - removed  shop/storage  Microsoft.Storage/storageAccounts/blobServices/containers  storage.exportsContainer"
        in text
    )
    assert "security: 3 changes, 1 broadening" in text
    assert "  !  role" in text and "granted Storage Blob Data Contributor" in text
    assert "added secret 'webhook-key'" in text
    assert text == snapshot


def test_markdown_report(repo: Repo, snapshot: SnapshotAssertion) -> None:
    repo.write(KNOWN_CHANGE)
    result = repo.run("diff", "--format", "markdown")
    assert result.exit_code == 0
    md = result.output
    assert md.startswith("### Infrastructure diff: `shop` (profile default)\n")
    assert "| ⚠️ broadening | role | `shop/api` | granted Storage Blob Data Contributor | `shop/storage` |" in md
    assert "|  | role | `shop/api` | removed Storage Blob Data Reader | `shop/storage` |" in md
    assert "- ♻️ **replaced** `shop/postgres` `Microsoft.DBforPostgreSQL/flexibleServers` `postgres.server`" in md
    assert "  - `properties.backup.geoRedundantBackup`: `'Disabled'` → `'Enabled'` — **forces replacement**" in md
    assert "| **total** | $38.30 | $38.30 | +$0.00 |" in md
    assert md == snapshot
