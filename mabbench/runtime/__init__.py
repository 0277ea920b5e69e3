"""The state of one process: seeding, device, threads and autocast (process.py),
where its time goes (timing.py), what it tells its user (progress.py), and what it
reuses across the trials it runs (memo.py).

May import mabbench.config only.
"""
