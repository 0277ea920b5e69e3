"""What results/reference/README.md and docs/results_table.md say the committed archive
holds (its record count, and the records each commit wrote) is what its records say.

Each record's own ``git_commit`` field names the commit of the checkout that wrote it,
with ``+dirty`` appended when that checkout had uncommitted changes. The docs name
commits by their 7-character short hash and count a ``+dirty`` record with its
commit, so the suffix is dropped here before counting.
"""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from conftest import REPO

# each committed archive and the documents that describe it (a re-run growing in chunks
# beside the reference would be listed here too while it grows)
ARCHIVES = {
    REPO / "results" / "reference" / "records.parquet":
        [REPO / "results" / "reference" / "README.md", REPO / "docs" / "results_table.md"],
}
CASES = [(archive, doc) for archive, docs in ARCHIVES.items() if archive.is_file()
         for doc in docs]

COUNT = re.compile(r"archive holds ([\d,]+) records")
# A table row naming a commit and its record count: | `1176f76` | 1,048 | ...
COMMIT_ROW = re.compile(r"^\| `([0-9a-f]{7})` \| ([\d,]+) \|", re.MULTILINE)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def commits_of(archive) -> Counter:
    """Records per short commit hash, read from the archive's ``record`` column only."""
    pq = pytest.importorskip("pyarrow.parquet")
    records = pq.read_table(archive, columns=["record"]).column("record").to_pylist()
    assert all(record is not None for record in records), "an archived file was unreadable"
    named = Counter()
    for record in records:
        commit = json.loads(record)["git_commit"]
        assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit), commit
        named[commit.removesuffix("+dirty")[:7]] += 1
    return named


def _id(case) -> str:
    return str(case.relative_to(REPO))


@pytest.mark.parametrize("archive, doc", CASES, ids=_id)
def test_the_docs_name_the_archive_record_count(archive, doc):
    commits = commits_of(archive)
    counts = [_number(n) for n in COUNT.findall(doc.read_text())]
    assert counts, f"{doc}: no 'archive holds N records' line"
    assert set(counts) == {sum(commits.values())}


@pytest.mark.parametrize("archive, doc", CASES, ids=_id)
def test_the_docs_name_every_commit_with_its_record_count(archive, doc):
    commits = commits_of(archive)
    rows = COMMIT_ROW.findall(doc.read_text())
    named = Counter()
    for commit, count in rows:
        assert commit not in named, f"{doc}: commit {commit} listed twice"
        named[commit] = _number(count)
    assert named == commits, (
        f"{doc} disagrees with the archive's git_commit fields: "
        f"listed only in the doc {sorted(set(named) - set(commits))}, "
        f"only in the archive {sorted(set(commits) - set(named))}, "
        f"counts differing {sorted(c for c in named.keys() & commits.keys() if named[c] != commits[c])}")
