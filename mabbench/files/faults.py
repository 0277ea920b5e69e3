"""Storage and environment faults: the machine's, not the trial's.

A full disk, a read-only or forbidden folder, or a path on the way that is a file
says nothing about the trial being run. Recorded as the trial's failure, it made a
later sweep skip the trial ("failed before") once the disk was freed. So such an
``OSError`` becomes a ``StorageFault``: the run ends with one line naming the path
and the errno, and nothing is recorded for the trial, which runs again next time.
"""
from __future__ import annotations

import errno
import os

# errno -> what to do about it, for the one-line message.
STORAGE_ERRNOS = {
    errno.ENOSPC: "free some space",
    errno.EDQUOT: "free some space (disk quota)",
    errno.EROFS: "the file system is read-only; choose a writable folder",
    errno.EACCES: "check the folder's permissions",
    errno.EPERM: "check the folder's permissions",
    errno.ENOTDIR: "a path on the way is a file, not a folder",
    errno.EEXIST: "a file stands where a folder is needed",
}


class StorageFault(Exception):
    """The machine could not store what the run wrote; one line names path and errno."""

    def __init__(self, cause: OSError) -> None:
        self.cause = cause
        code = cause.errno
        name = errno.errorcode.get(code, str(code))
        where = cause.filename if cause.filename is not None else "(a file of the run)"
        super().__init__(f"cannot write {where}: {cause.strerror or os.strerror(code)} "
                         f"({name}, errno {code}); {STORAGE_ERRNOS[code]}. Nothing was "
                         "recorded for the trial: it runs again once this is fixed")


def storage_fault(error: BaseException | None) -> StorageFault | None:
    """The StorageFault behind ``error`` (itself, or an OSError it was raised from), else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, StorageFault):
            return error
        if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
            return StorageFault(error)
        error = error.__cause__ or error.__context__
    return None
