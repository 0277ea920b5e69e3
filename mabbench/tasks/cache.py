"""Download, verify and cache the files an online dataset needs.

Every online loader goes through :func:`fetch`::

    files = fetch(dataset_cfg, [RemoteFile(url, "aclImdb_v1.tar.gz", "md5:7c2a...")], data_dir)

- Files live under ``<data_dir>/<dataset name>/`` (``runtime.data_dir``,
  default ``~/.cache/mabbench``). A file already there whose checksum matches
  is used as is: no network.
- ``checksum`` is ``"sha256:<hex>"`` or ``"md5:<hex>"``. Where the publisher
  gives none (``None``) the sha256 of the first download is written next to
  the file (``<file>.sha256``) and every later use is checked against it.
- A download goes to a temporary file outside the cache and is moved in only
  after its checksum matched, so a failed or interrupted download leaves
  nothing behind.
- A cached file with neither a publisher's checksum nor a recorded one (put
  there by hand, or by an older version) is refused with one line saying how
  to download it again; it is never used unverified.
- Only ``https://`` URLs are fetched.
- Offline (``MABBENCH_OFFLINE=1``, or the download fails) the loader raises
  :class:`~mabbench.config.errors.ConfigError` with one line: which dataset needs a
  download, where it would be cached, and the offline choices of its family.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

from mabbench.config.errors import ConfigError
from mabbench.config.location import CONF_DIR
from mabbench.config.paths import beneath
from mabbench.files.integrity import file_digest  # noqa: F401  (tests read it here too)

log = logging.getLogger(__name__)
CONF_DATASETS = CONF_DIR / "dataset"
OFFLINE_ENV = "MABBENCH_OFFLINE"
TIMEOUT_SECONDS = 60
CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One file to download. ``checksum``: ``"sha256:<hex>"``, ``"md5:<hex>"`` or None."""

    url: str
    filename: str
    checksum: str | None = None


def dataset_dir(data_dir: Path, dataset: str) -> Path:
    """Where ``dataset``'s files are cached: ``<data_dir>/<dataset>`` (one folder)."""
    return beneath(Path(data_dir).expanduser(), ("dataset.name", dataset))


def is_offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes")


def offline_choices(family: str) -> list[str]:
    """Dataset names of ``family`` whose YAML does not say ``online: true``
    (users' own files, whose ``path`` is required, are left out)."""
    names = []
    for path in sorted(CONF_DATASETS.glob("*.yaml")):
        card = yaml.safe_load(path.read_text()) or {}
        if (card.get("family") == family and not card.get("online", False)
                and card.get("path") != "???"):
            names.append(card.get("name", path.stem))
    return names


def offline_error(dataset_cfg, folder: Path, reason: str = "offline") -> ConfigError:
    """The one-line error for an online dataset that is not cached."""
    choices = ", ".join(offline_choices(dataset_cfg.family)) or "none"
    return ConfigError(
        f"dataset={dataset_cfg.name} needs a download ({reason}); it would be cached in "
        f"{folder}; offline choices for task={dataset_cfg.family}: {choices}"
    )


def _expected(path: Path, remote: RemoteFile) -> tuple[str, str] | None:
    """(algorithm, hex) to check ``path`` against, or None if nothing is known yet."""
    if remote.checksum is not None:
        algorithm, _, value = remote.checksum.partition(":")
        return algorithm, value.lower()
    recorded = path.with_name(path.name + ".sha256")
    if recorded.exists():
        return "sha256", recorded.read_text().strip()
    return None


def is_cached(path: Path, remote: RemoteFile) -> bool:
    """True when ``path`` exists and matches its checksum (publisher's or recorded).
    Raises ConfigError for a file that has neither: it cannot be verified."""
    if not path.exists():
        return False
    expected = _expected(path, remote)
    if expected is None:
        raise ConfigError(f"{path}: cached without a checksum (none published, none recorded "
                          f"when downloaded), so it is not used; delete it to download it "
                          f"again and record one: rm {path}")
    if file_digest(path, expected[0]) == expected[1]:
        return True
    log.warning("%s does not match its %s; downloading it again", path, expected[0])
    return False


def require_https(dataset_cfg, remote: RemoteFile) -> None:
    if not remote.url.startswith("https://"):
        raise ConfigError(f"dataset={dataset_cfg.name}: {remote.url} is not an https:// URL; "
                          f"downloads are fetched over TLS only")


def _download(dataset_cfg, remote: RemoteFile, target: Path) -> None:
    """Download to a temp file, verify, then move into ``target`` (atomic on one disk)."""
    folder = target.parent
    with tempfile.TemporaryDirectory(prefix="mabbench-download-") as tmp:
        partial = Path(tmp) / remote.filename
        try:
            with urllib.request.urlopen(remote.url, timeout=TIMEOUT_SECONDS) as response, \
                    open(partial, "wb") as out:
                shutil.copyfileobj(response, out, CHUNK)
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            raise offline_error(dataset_cfg, folder, f"{remote.url} failed: {error}") from None
        expected = _expected(target, remote)
        actual = file_digest(partial, expected[0] if expected else "sha256")
        if expected is not None and actual != expected[1]:
            raise ConfigError(
                f"dataset={dataset_cfg.name}: {remote.url} has {expected[0]} {actual}, "
                f"expected {expected[1]}; the file was not kept"
            )
        folder.mkdir(parents=True, exist_ok=True)
        staged = folder / f".{remote.filename}.partial"
        shutil.move(partial, staged)
        if expected is None:
            target.with_name(target.name + ".sha256").write_text(actual + "\n")
        staged.replace(target)


def fetch(dataset_cfg, files: Sequence[RemoteFile], data_dir: Path) -> list[Path]:
    """Paths of ``files`` in the cache, downloading (and verifying) those missing.

    ``dataset_cfg`` needs ``name`` and ``family`` (for the offline message).
    Raises ConfigError (one line) when a file is missing and the machine is
    offline, the download fails, or a checksum does not match.
    """
    folder = dataset_dir(data_dir, dataset_cfg.name)
    for remote in files:
        require_https(dataset_cfg, remote)
    paths = [folder / remote.filename for remote in files]
    missing = [(p, r) for p, r in zip(paths, files) if not is_cached(p, r)]
    if missing and is_offline():
        raise offline_error(dataset_cfg, folder, f"{OFFLINE_ENV} is set")
    for path, remote in missing:
        _download(dataset_cfg, remote, path)
    return paths


def require_online(dataset_cfg, folder: Path, cached: bool) -> None:
    """For loaders that download through another library (OpenML, torchvision):
    raise the one-line offline error before that library touches the disk."""
    if not cached and is_offline():
        raise offline_error(dataset_cfg, folder, f"{OFFLINE_ENV} is set")
