"""One trial, wired in run.py: config -> data -> dense model (training.py,
early_stopping.py) -> method -> removal -> equal-compute endpoints (endpoints.py)
under a regime (regimes/, one file each) -> curve (curve.py, curve_summary.py) ->
record, with the memory check (resources.py), range checks (validate.py), resuming
(resume.py), console lines (report.py) and optional wandb logging (tracking.py).
A classical comparator's trial (comparator.py) and the allocation x order control
(control.py, reading two methods' records) share the same record contract; kinds.py
tells the three apart.

May import every folder below it (config, runtime, files, store, tasks, models,
policies, pruning, reference, baselines); nothing above (experiments, the CLI).
"""
