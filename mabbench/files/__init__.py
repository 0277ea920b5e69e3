"""Files that are whole or absent: atomic writes (atomic.py), checksummed JSON and
validated reads (integrity.py), and an inter-process lock around building a shared
artefact (locks.py). Used by the result store and by the data caches alike.

May import mabbench.config only.
"""
