"""A method's code in its identity, for methods that live outside mabbench.

The built-in policies and baselines change only with a protocol bump (their
hashes are pinned, and the committed archive is keyed by them), so their code
is not hashed. A user's policy is edited between runs: its record is keyed by
a declared ``version`` class attribute if it has one, else by a digest of the
file that defines its class, so changed code runs again instead of being
skipped as ``already done`` beside records of the old code.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
from pathlib import Path

# _target_ prefixes of the methods shipped with mabbench: never digested.
BUILT_IN = ("mabbench.", "baselines.")


def code_identity(method) -> dict:
    """``{"code": ...}`` for a method outside mabbench, ``{}`` for a built-in one or a
    target that does not import (that fails later, where the method is built)."""
    target = str(method.get("_target_") or "") if hasattr(method, "get") else ""
    if not target or target.startswith(BUILT_IN):
        return {}
    from hydra.utils import get_class

    try:
        found = get_class(target)
    except Exception:  # noqa: BLE001  (any import error is reported where the method is built)
        return {}
    version = getattr(found, "version", None)
    if version is not None:
        return {"code": f"version={version}"}
    try:
        source = inspect.getsourcefile(found)
    except TypeError:  # a class without a source file (built in C): its name is all we have
        source = None
    return {"code": _file_digest(source, Path(source).stat().st_mtime_ns) if source else target}


@functools.lru_cache(maxsize=64)
def _file_digest(path: str, modified: int) -> str:
    """sha256 of the file (first 12 hex digits); cached per path and modification time."""
    return "sha256=" + hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
