"""Named periods for the sidebar ("Last quarter", "This year", ...), counted back from the last
day with data rather than from today (exports arrive after the fact, so today's quarter is often
still empty), in whole months like every filter."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from analysis.privacy import month_end, month_start

Period = tuple[date, date]


def _months_before(day: date, months: int) -> date:
    before: date = (pd.Timestamp(month_start(day)) - pd.DateOffset(months=months)).date()
    return before


def presets(first: date, last: date) -> dict[str, Period]:
    """Each named period as (start, end), kept within the data's first and last day:

    - Last quarter: the latest calendar quarter the data covers to its end (the quarter of
      `last` when `last` is that quarter's last day, else the one before it);
    - This year: 1 January of `last`'s year to `last`;
    - Last 12 months: the twelve calendar months up to and including `last`'s month;
    - All data: `first` to `last`.

    A name whose period holds no day of data is left out, and so is one whose whole months a
    broader name (later in the list) covers alike: a pulse of one quarter offers "All data" only."""
    quarter = date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
    quarter_end = month_end(_months_before(quarter, -2))
    if last < quarter_end:
        quarter, quarter_end = _months_before(quarter, 3), quarter - timedelta(days=1)
    wanted = {
        "Last quarter": (quarter, quarter_end),
        "This year": (date(last.year, 1, 1), last),
        "Last 12 months": (_months_before(last, 11), last),
        "All data": (first, last),
    }
    found: dict[str, Period] = {}
    for name, (start, end) in wanted.items():
        start, end = max(start, first), min(end, last)
        if start > end:
            continue
        for narrower in [
            n for n, period in found.items() if matching(period, {name: (start, end)})
        ]:
            del found[narrower]
        found[name] = (start, end)
    return found


def matching(period: tuple[date, ...], named: dict[str, Period]) -> str | None:
    """The named period `period` is, counted in whole months as the filters count it."""
    if len(period) != 2:
        return None
    wanted = (month_start(period[0]), month_start(period[1]))
    for name, (start, end) in named.items():
        if (month_start(start), month_start(end)) == wanted:
            return name
    return None
