"""`python -m mabbench [-m] task=... policy=... seed=...`: see mabbench.cli."""
from mabbench.cli import main

if __name__ == "__main__":
    main()
