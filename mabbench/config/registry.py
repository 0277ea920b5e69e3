"""A name -> object registry that fails with the list of valid names."""
from __future__ import annotations

import importlib
from typing import Callable, Generic, Iterable, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to objects (classes, functions) for one concern.

    ``providers`` names modules that register entries when imported; they are
    imported on the first lookup, not before, so a registry whose entries need
    heavy libraries (pandas, torch) costs nothing to a command that never
    looks one up (``--help``, a bad override, a finished trial).

    >>> LOSSES = Registry("loss")
    >>> @LOSSES.register("mse")
    ... def mse(): ...
    >>> LOSSES.get("mse") is mse
    True
    """

    def __init__(self, kind: str, providers: Iterable[str] = ()) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._providers = tuple(providers)

    def register(self, name: str) -> Callable[[T], T]:
        def add(obj: T) -> T:
            if name in self._entries and self._entries[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = obj
            return obj

        return add

    def _import_providers(self) -> None:
        providers, self._providers = self._providers, ()  # once, even if one registers lookups
        for module in providers:
            importlib.import_module(module)

    def get(self, name: str) -> T:
        self._import_providers()
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(sorted(self._entries))}"
            ) from None

    def names(self) -> list[str]:
        self._import_providers()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        self._import_providers()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
