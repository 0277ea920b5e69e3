"""The one exception type the command line turns into a one-line message."""


class ConfigError(ValueError):
    """Bad user input: the message names the key or file and what is allowed."""


def did_you_mean(word: str, known) -> str:
    """`` (did you mean X?)`` for the closest of ``known`` to a misspelt ``word``, else ''."""
    import difflib

    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1)
    return f" (did you mean {close[0]}?)" if close else ""
