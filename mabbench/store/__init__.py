"""The result store under ``runtime.results_dir``: a run's identity and folders
(identity.py), failure records (failures.py), provenance (provenance.py), and the
commands over stored records: ``python -m mabbench.store.compact`` packs them into
one Parquet archive, ``... .restore`` unpacks an archive back into folders, and
``... .collect`` writes one results table.

May import config, runtime, files, tasks, models and policies (a run's identity
reads the data version and whether a method pulls); nothing that trains or prunes.
"""
