"""Suppression that survives subtraction. A view (a set of filters) is shown only when at least
`anonymity_min` mentors stand behind it (and as many respondents where survey answers do), and
every view that differs from it by one filter value (a department, cohort or location added or
removed, a period bound moved by a month) differs from it by no one or by at least
`anonymity_min` people: otherwise the two views, side by side, would give away the answers of
the few people between them. Of two such views, the one further from no filter is the one
hidden (Sales + a three-mentor department, not Sales; everyone but that department, not
everyone), so one small department does not empty every view. Periods count in whole months, so
the neighbours are finite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.model import DEFAULT_SETTINGS, Settings

if TYPE_CHECKING:
    from analysis.queries import Filters

DIMENSIONS = (("department", "departments"), ("cohort", "cohorts"), ("location", "locations"))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    end: date = (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()
    return end


@dataclass(frozen=True)
class Protection:
    """Whether a view may be shown; when not, `reason` says why in plain words."""

    shown: bool
    reason: str
    mentors: int
    respondents: int


class People:
    """Who stands behind every (department, cohort, location, month) cell of the data, so that
    the people behind any filter combination, and behind the difference of two, are counted
    exactly (sets, not sums: a respondent who answered twice is one person). Each cell's people
    are a bitset (a Python integer, one bit per person), so a union is one OR however many
    mentors there are."""

    def __init__(self, presence: pd.DataFrame) -> None:
        self.cells: dict[tuple[str, str, str, date], tuple[int, int]] = {}
        keys = ["department", "cohort", "location", "month"]
        if len(presence):
            mentor_bit, mentor_ids = pd.factorize(presence["mentor_id"])
            respondent_bit, respondent_ids = pd.factorize(presence["respondent_hash"])
            cell_of, found = pd.factorize(pd.MultiIndex.from_frame(presence[keys]), sort=True)
            # the rows of each cell, cell by cell, as slices of one sort
            order = np.argsort(cell_of, kind="stable")
            starts = np.searchsorted(cell_of[order], np.arange(len(found) + 1))
            for i, (department, cohort, location, month) in enumerate(found):
                rows = order[starts[i] : starts[i + 1]]
                respondents = respondent_bit[rows]
                self.cells[(department, cohort, location, pd.Timestamp(month).date())] = (
                    _bits(mentor_bit[rows], len(mentor_ids)),
                    _bits(respondents[respondents >= 0], len(respondent_ids)),
                )
        self.values: dict[str, list[str]] = {
            "department": sorted({department for department, _, _, _ in self.cells}),
            "cohort": sorted({cohort for _, cohort, _, _ in self.cells}),
            "location": sorted({location for _, _, location, _ in self.cells}),
        }
        self.months = sorted({key[3] for key in self.cells})
        # The cells as columns, so that choosing the cells of a view is one vectorised test.
        keys_list = list(self.cells)
        self._columns = {
            name: np.array([key[i] for key in keys_list], dtype=object)
            for i, (name, _) in enumerate(DIMENSIONS)
        }
        self._month = np.array([key[3] for key in keys_list], dtype=object)
        self._bits = [self.cells[key] for key in keys_list]
        self._counted: dict[object, tuple[int, int]] = {}

    def count(
        self, chosen: dict[str, set[str] | None], months: tuple[date, date] | None
    ) -> tuple[int, int]:
        """Distinct mentors and respondents in the cells matching `chosen` (None: any value) and
        within `months` (first and last month, inclusive; None: every month)."""
        memo = (
            tuple((k, frozenset(v) if v is not None else None) for k, v in chosen.items()),
            months,
        )
        if memo in self._counted:
            return self._counted[memo]
        mask = np.ones(len(self._bits), dtype=bool)
        for name, allowed in chosen.items():
            if allowed is not None:
                mask &= np.isin(self._columns[name], list(allowed))
        if months is not None:
            mask &= (self._month >= months[0]) & (self._month <= months[1])
        mentors = respondents = 0
        for index in np.flatnonzero(mask):
            m, r = self._bits[index]
            mentors |= m
            respondents |= r
        found = (mentors.bit_count(), respondents.bit_count())
        self._counted[memo] = found
        return found


def _bits(indices: np.ndarray, size: int) -> int:
    """A bitset (of `size` bits) with a bit set for each index."""
    flags = np.zeros(max(size, 1), dtype=bool)
    flags[indices] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def _view(filters: Filters) -> tuple[dict[str, set[str] | None], tuple[date, date] | None]:
    chosen: dict[str, set[str] | None] = {
        name: set(getattr(filters, field)) or None for name, field in DIMENSIONS
    }
    start, end = filters.start, filters.end
    if start is None and end is None:
        return chosen, None
    return chosen, (month_start(start or date.min), month_start(end or date.max))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def protect(people: People, filters: Filters, settings: Settings = DEFAULT_SETTINGS) -> Protection:
    """The anonymity rule for the view `filters` selects (a Filters: start, end, departments,
    cohorts, locations), against every view one filter value away."""
    k = settings.anonymity_min
    chosen, months = _view(filters)
    mentors, respondents = people.count(chosen, months)
    if mentors < k:
        return Protection(False, f"fewer than {k} mentors are in this view", mentors, respondents)
    if 0 < respondents < k:
        return Protection(
            False, f"fewer than {k} people answered the surveys in this view", mentors, respondents
        )
    for what, neighbour, difference in _neighbours(people, chosen, months):
        if _further(people, neighbour[0], chosen):
            continue  # the narrower of the two is the one hidden (when its turn comes)
        nm, nr = people.count(*neighbour)
        if nm < k or 0 < nr < k:
            continue  # hidden itself (too few people): nothing to subtract
        dm, dr = people.count(*difference)
        if 0 < dm < k or 0 < dr < k:
            few = (
                _plural(dm, "mentor", "mentors")
                if 0 < dm < k
                else _plural(dr, "survey respondent", "survey respondents")
            )
            return Protection(
                False,
                f"{what} would change this view by only {few}: shown side by side, the two "
                "views would give away their answers",
                mentors,
                respondents,
            )
    return Protection(True, "", mentors, respondents)


View = tuple[dict[str, set[str] | None], tuple[date, date] | None]


def _steps(selected: set[str] | None, values: list[str]) -> tuple[int, int]:
    """How many one-value changes a dimension's selection is from no filter at all (none chosen
    or every value is 0, one value chosen or one left out is 1, and so on), then how many values
    are chosen (of two selections as many steps away, the one naming fewer values is nearer)."""
    if selected is None:
        return 0, 0
    chosen = len(set(selected) & set(values))
    return min(chosen, len(values) - chosen), chosen


def _further(
    people: People, neighbour: dict[str, set[str] | None], chosen: dict[str, set[str] | None]
) -> bool:
    """Whether `neighbour` is further from no filter than `chosen` in the one dimension they
    differ in. Of two views a few people apart, the further one is hidden and the nearer one
    (a department on its own, everyone) stays: the pair is safe either way, and the views people
    ask for first stay visible even when a department of three mentors exists. A change of period
    is always compared (both views hidden)."""
    for name, _ in DIMENSIONS:
        if neighbour[name] != chosen[name]:
            values = people.values[name]
            return _steps(neighbour[name], values) > _steps(chosen[name], values)
    return False


def _neighbours(
    people: People,
    chosen: dict[str, set[str] | None],
    months: tuple[date, date] | None,
) -> list[tuple[str, View, View]]:
    """Each view one filter value away, as (what changes, that view, the cells the two views
    differ by)."""
    found: list[tuple[str, View, View]] = []
    for name, _ in DIMENSIONS:
        selected = chosen[name]
        every = set(people.values[name])
        for value in people.values[name]:
            inside = selected is None or value in selected
            if inside and selected is not None and len(selected) == 1:
                # removing the only value clears the filter: the rest of this dimension joins
                found.append(
                    (
                        f"Clearing the {name} filter",
                        ({**chosen, name: None}, months),
                        ({**chosen, name: every - {value}}, months),
                    )
                )
                continue
            if inside:
                rest = (selected if selected is not None else every) - {value}
                found.append(
                    (
                        f"Removing the {name} '{value}'",
                        ({**chosen, name: rest}, months),
                        ({**chosen, name: {value}}, months),
                    )
                )
            else:
                found.append(
                    (
                        f"Adding the {name} '{value}'",
                        ({**chosen, name: (selected or set()) | {value}}, months),
                        ({**chosen, name: {value}}, months),
                    )
                )
    if people.months:
        first, last = months if months is not None else (people.months[0], people.months[-1])
        first, last = max(first, people.months[0]), min(last, people.months[-1])
        within = [m for m in people.months if first <= m <= last]
        before = [m for m in people.months if m < first]
        after = [m for m in people.months if m > last]
        moves: list[tuple[str, tuple[date, date] | None, date]] = []
        if within:
            later = (within[1], within[-1]) if len(within) > 1 else None
            earlier = (within[0], within[-2]) if len(within) > 1 else None
            moves += [
                ("Starting a month later", later, within[0]),
                ("Ending a month earlier", earlier, within[-1]),
            ]
            if before:
                moves.append(("Starting a month earlier", (before[-1], within[-1]), before[-1]))
            if after:
                moves.append(("Ending a month later", (within[0], after[0]), after[0]))
        for what, span, month in moves:
            if span is None:
                continue  # a one-month view has no narrower neighbour
            found.append((what, (chosen, span), (chosen, (month, month))))
    return found
