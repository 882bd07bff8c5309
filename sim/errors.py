"""Input errors: one exception and one "did you mean" helper for every kind of input.

Scenario files, experiment files, events, parameters and command-line options all report
bad input the same way: the file (or ``<command line>``), the key path inside it and what
is allowed, with a suggestion when a name is close to an allowed one. The CLI turns an
:class:`InputError` into exit code 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line imports this module before it needs pydantic
    from pydantic import BaseModel


class InputError(ValueError):
    """Invalid input, located precisely.

    Attributes:
        file: the file (or "<command line>").
        key: key path inside it (e.g. ``events[2].at``); "" for the whole file.
        message: what is wrong and what is allowed.
    """

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = message
        where = f"{self.file}: {key}: " if key else f"{self.file}: "
        super().__init__(where + message)


def did_you_mean(name: str, allowed: Iterable[str], *, cutoff: float = 0.5) -> str:
    """``"; did you mean 'x'?"`` for the closest allowed name, or "" if none is close."""
    close = difflib.get_close_matches(str(name), [str(a) for a in allowed], n=1, cutoff=cutoff)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown(name: str, allowed: Iterable[str], what: str, *, cutoff: float = 0.5) -> str:
    """The message for an unknown name: the suggestion, then every allowed name."""
    allowed = [str(a) for a in allowed]
    hint = did_you_mean(name, allowed, cutoff=cutoff)
    return f"unknown {what} {name!r}{hint} (allowed: {', '.join(allowed) or 'none'})"


def field_bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    """The (ge, le) bounds of a pydantic field (None where unbounded).

    The one home of a bound is the schema: messages and command-line checks read it here.
    """
    lo = hi = None
    for rule in model.model_fields[name].metadata:
        lo = getattr(rule, "ge", lo)
        hi = getattr(rule, "le", hi)
    return lo, hi


__all__ = ["InputError", "did_you_mean", "field_bounds", "unknown"]
