"""Month arithmetic: the model's step 1 is the scenario's start month."""

from __future__ import annotations

import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """Parse "YYYY-MM" into (year, month).

    Raises:
        ValueError: not a valid "YYYY-MM" month.
    """
    m = _MONTH.match(text) if isinstance(text, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f'expected a month as "YYYY-MM" (e.g. "2015-06"), got {text!r}')
    return int(m.group(1)), int(m.group(2))


def month_index(text: str) -> int:
    """Months since year 0 (for differences)."""
    y, m = parse_month(text)
    return y * 12 + (m - 1)


def step_of(month: str, start: str) -> int:
    """Model step at which ``month`` is simulated when the run starts at ``start``."""
    return month_index(month) - month_index(start) + 1


def date_of(step: int, start: str) -> str:
    """The "YYYY-MM" simulated at ``step`` (step 1 = ``start``)."""
    i = month_index(start) + step - 1
    return f"{i // 12:04d}-{i % 12 + 1:02d}"
