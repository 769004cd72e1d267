"""Named periods, counted back from the last day with data, in whole months."""

from __future__ import annotations

from datetime import date

import pytest

from analysis import periods

D = date


@pytest.mark.parametrize(
    "first, last, expected",
    [
        (
            D(2025, 5, 19),
            D(2026, 11, 20),
            {
                # 20 November is inside Q4: the latest quarter the data covers to its end is Q3
                "Last quarter": (D(2026, 7, 1), D(2026, 9, 30)),
                "This year": (D(2026, 1, 1), D(2026, 11, 20)),
                "Last 12 months": (D(2025, 12, 1), D(2026, 11, 20)),
                "All data": (D(2025, 5, 19), D(2026, 11, 20)),
            },
        ),
        (
            # data that ends on a quarter's last day: that quarter is the last one, and being
            # the first of the year it is this year too, offered under the broader name
            D(2025, 1, 1),
            D(2026, 3, 31),
            {
                "This year": (D(2026, 1, 1), D(2026, 3, 31)),
                "Last 12 months": (D(2025, 4, 1), D(2026, 3, 31)),
                "All data": (D(2025, 1, 1), D(2026, 3, 31)),
            },
        ),
        (
            # a pulse of one June: no earlier quarter holds data, and the other names, cut to the
            # data's own first day, would all be the same month: only the broadest is offered
            D(2026, 6, 1),
            D(2026, 6, 28),
            {"All data": (D(2026, 6, 1), D(2026, 6, 28))},
        ),
        (
            D(2026, 2, 3),
            D(2026, 11, 20),
            {
                "Last quarter": (D(2026, 7, 1), D(2026, 9, 30)),
                # this year and the last 12 months both start with the data, in February
                "All data": (D(2026, 2, 3), D(2026, 11, 20)),
            },
        ),
    ],
)
def test_presets_count_back_from_the_last_day_with_data(first, last, expected):
    assert periods.presets(first, last) == expected


def test_data_ending_on_a_quarters_last_day_makes_that_quarter_the_last_one():
    named = periods.presets(D(2025, 1, 1), D(2026, 6, 30))
    assert named["Last quarter"] == (D(2026, 4, 1), D(2026, 6, 30))


def test_the_preset_in_force_is_read_back_in_whole_months():
    named = periods.presets(D(2025, 5, 19), D(2026, 11, 20))
    assert periods.matching((D(2026, 7, 1), D(2026, 9, 30)), named) == "Last quarter"
    # the same whole months, typed with other days: the filters read them alike
    assert periods.matching((D(2026, 7, 15), D(2026, 9, 2)), named) == "Last quarter"
    assert periods.matching((D(2026, 7, 1), D(2026, 10, 31)), named) is None
    assert periods.matching((D(2026, 7, 1),), named) is None  # half-chosen range
