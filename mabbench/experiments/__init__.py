"""Many trials: an experiment's grid as a list of jobs (grid.py), the Hydra sweeper
that runs it (sweeper.py, shown to Hydra by hydra_plugins/), one job of a multirun
and the sweep's summary (sweep.py), composing job configs once per shape
(composition.py), the checks before Hydra starts (preflight.py), schema
registration (registration.py), and the development suite that chooses defaults
(dev_suite.py).

May import everything below it; only the command line imports it.
"""
