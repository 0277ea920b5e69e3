"""What makes a stored record usable: the rules collect, compact and restore share.

A record is usable when its bytes parse as a JSON object (schema-1 names read in
today's, ``upgraded``) that carries every required key with the right types and,
when it has one, a matching checksum (``check``). ``content_key`` names a file's
content independently of how it was serialised (indented in runs/, compact in the
archive), so two copies of one record are recognised by content, not by times.
"""
from __future__ import annotations

import hashlib
import json

from mabbench.files.integrity import CHECKSUM_KEY, record_checksum

# Keys every record must have for a row to be built from it.
REQUIRED = ("task", "dataset", "model", "policy", "kind", "seed", "config_hash", "metric",
            "dense", "curve", "target", "selected")
TEXT_KEYS = ("task", "dataset", "model", "policy", "kind", "config_hash", "metric")
# Named points of a record; each level row says with ``is_<point>`` whether it is that point.
POINTS = ("dense", "target", "selected")


def upgraded(record):
    """A schema-1 record (points scored ``val``, selected point ``best_val``) in
    today's names (``select``, ``selected``); anything else unchanged."""
    if not isinstance(record, dict) or "best_val" not in record or "selected" in record:
        return record

    def point(p):
        if not isinstance(p, dict):
            return p
        return {("select" + k[3:] if k == "val" or k.startswith("val_") else k): v
                for k, v in p.items()}

    record = {k: v for k, v in record.items() if k != "best_val"} | {
        "selected": record["best_val"]}
    for key in ("dense", "target", "selected"):
        record[key] = point(record[key])
    if isinstance(record.get("curve"), list):
        record["curve"] = [point(p) for p in record["curve"]]
    return record


def check(record) -> str | None:
    """Why a parsed record cannot be used, or None."""
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        return f"missing keys {', '.join(missing)}"
    if CHECKSUM_KEY in record:
        try:
            if record[CHECKSUM_KEY] != record_checksum(record):
                return "checksum mismatch (edited or damaged after it was written)"
        except ValueError:  # a NaN or infinity: never written by the runner
            return "holds a non-finite number"
    wrong = [key for key in TEXT_KEYS if not isinstance(record.get(key), str)]
    if wrong:
        return f"{wrong[0]}={record.get(wrong[0])!r}: expected a string"
    if isinstance(record["seed"], bool) or not isinstance(record["seed"], int):
        return f"seed={record['seed']!r}: expected an integer"
    curve = record["curve"]
    if not isinstance(curve, list) or not all(isinstance(p, dict) for p in curve):
        return "curve is not a list of points"
    for key in POINTS:
        if not isinstance(record[key], dict):
            return f"{key} is not a point"
    return None



def parsed(data: bytes):
    """The JSON value of a file's bytes, or None where they are not JSON."""
    try:
        return json.loads(data.decode())
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def problem(data: bytes | None) -> str | None:
    """Why a file's bytes are not a usable record (None: unreadable), or None."""
    if data is None:
        return "unreadable"
    record = parsed(data)
    if record is None:
        return "not JSON"
    try:
        return check(upgraded(record))
    except (TypeError, KeyError, AttributeError) as error:
        return f"unusable ({type(error).__name__})"


def content_key(data: bytes | None) -> str:
    """A digest of what a file says: of its JSON value when it parses (key order and
    spacing do not count), else of its bytes."""
    if data is None:
        return "unreadable"
    value = parsed(data)
    if value is None:
        return "bytes:" + hashlib.sha256(data).hexdigest()
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return "json:" + hashlib.sha256(text.encode()).hexdigest()
