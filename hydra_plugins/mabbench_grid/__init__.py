"""mabbench's Hydra sweeper: see grid_sweeper.py."""
