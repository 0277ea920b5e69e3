"""``python -m mabbench.compare``: a method of one's own against the stored reference.

Runs only the new method, on exactly the reference grid's jobs of a suite (the
grid sweeper, so the same dense models and settings), reads every other method's
records straight from the committed archive, and writes one report folder.
A command-level folder: it may import anything below it (paper_figures for the
tables), and nothing imports it but its ``__main__`` and the bench.

options.py  the command's keys (conf/compare.yaml holds the defaults)
command.py  one compare start to end, timed by phase
run.py      the new method's jobs, through ``python -m mabbench -m +experiment=...``
records.py  the archive's slice and the new records as one store
judge.py    the verdict step: subject vs each rival (one function, to be swapped)
report.py   rank tables, CD diagrams, verdicts, summary.md
curves.py   the subject's curves beside its best rivals'
"""
