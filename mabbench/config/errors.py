"""The one exception type the command line turns into a one-line message."""


class ConfigError(ValueError):
    """Bad user input: the message names the key or file and what is allowed."""
