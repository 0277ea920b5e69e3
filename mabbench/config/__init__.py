"""What a config is: the typed schemas of every config node (schemas.py), where
conf/ lives (location.py), the name registry every plugin kind uses (registry.py)
and the one error type the command line turns into a one-line message (errors.py).

The bottom of the house: imports nothing else from mabbench, so every other folder
may import it.
"""
