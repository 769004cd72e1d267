"""Who is who, resolved from everything loaded so far: mentors, mentees and pairs are derived from
the roster rows, session logs and survey responses in the database, never from the order in which
files arrived, and re-derived inside every load and undo. The roster is the authority where there is
one; an email beats a name; a name shared by several mentors is resolved through the respondent's
own pairing, and otherwise held as unattributed and reported, never guessed."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from analysis.store import execute, load_sql


def per_value(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """`function` of each value, worked out once per distinct value (a log names the same
    mentors and mentees on thousands of rows)."""
    distinct = pd.unique(values.to_numpy(dtype=object))
    found = {value: function(value) for value in distinct}
    return pd.Series(
        [found[value] for value in values.to_numpy(dtype=object)], index=values.index, dtype=object
    )


def name_key(name: object) -> str:
    """How names are matched: case, accents and spacing forgiven."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def email_key(email: object) -> str:
    return str(email).strip().casefold()


def pseudonym(key: bytes, text: str) -> str:
    """A keyed hash: recognises the same person again without keeping who they are."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def initials(name: object) -> str:
    return "".join(part[0].upper() + "." for part in str(name).split()[:3] if part) or "?"


def mentor_id_for(email: str | None, name: str | None) -> str:
    """A mentor's id: from their email when known, else from their name (stable across loads)."""
    return f"mentor:{email}" if email else f"mentor:{name}"


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""


def _text(value: object) -> str | None:
    return str(value) if _present(value) else None


def _pick(values: Iterable[object]) -> str | None:
    """The value most rows agree on; ties go to the first in sort order (never to load order)."""
    counted = Counter(str(v) for v in values if _present(v))
    if not counted:
        return None
    return sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@dataclass
class _Mentor:
    mentor_id: str
    email: str | None
    names: Counter[str] = field(default_factory=Counter)
    name_keys: Counter[str] = field(default_factory=Counter)
    in_roster: bool = False
    rows: list[dict[str, object]] = field(default_factory=list)

    @property
    def name_key(self) -> str | None:
        return _pick(self.name_keys.elements())


@dataclass
class Resolution:
    """The outcome of one resolution pass, for the load report."""

    ambiguous: pd.DataFrame
    unrostered: pd.DataFrame
    conflicts: pd.DataFrame


class _Resolver:
    """Holds every reference to a mentor and answers "who is this?" for each."""

    def __init__(
        self,
        roster: pd.DataFrame,
        session_refs: pd.DataFrame,
        survey_refs: pd.DataFrame,
    ) -> None:
        self.mentors: dict[str, _Mentor] = {}
        self.roster_by_name: dict[str, set[str]] = defaultdict(set)
        self.linked_by_name: dict[str, set[str]] = defaultdict(set)
        # Names and emails written side by side outside the roster (a log's mentor name and email
        # columns, a self-assessment's name and email) link a name to an email.
        links: dict[str, set[str]] = defaultdict(set)
        for frame in (session_refs, survey_refs):
            both = frame[frame["mentor_email"].notna() & frame["mentor_name_key"].notna()]
            for name, email in zip(both["mentor_name_key"], both["mentor_email"], strict=True):
                links[str(name)].add(str(email))
        mentors = roster[roster["role"] == "mentor"]
        rostered_emails = {str(e) for e in mentors["email_key"] if _present(e)}
        for row in mentors.to_dict("records"):
            email, key = _text(row["email_key"]), _text(row["name_key"])
            if email is None and key is not None:
                # A roster without emails: a name that other files tie to one email is that email.
                outside = links.get(key, set()) - rostered_emails
                email = next(iter(outside)) if len(outside) == 1 else None
            person = self._person(mentor_id_for(email, key), email, key)
            person.in_roster = True
            person.names[str(row["display_name"])] += 1
            person.rows.append(row)
            if key:
                self.roster_by_name[key].add(person.mentor_id)
        for name, emails in links.items():
            for email in emails:
                self.linked_by_name[name].add(
                    self._person(mentor_id_for(email, None), email, name).mentor_id
                )

    def _person(self, mentor_id: str, email: str | None, key: str | None) -> _Mentor:
        if mentor_id not in self.mentors:
            self.mentors[mentor_id] = _Mentor(mentor_id, email)
        person = self.mentors[mentor_id]
        if key:
            person.name_keys[key] += 1
        return person

    def candidates(self, key: str) -> set[str]:
        """The people a bare name can mean: roster mentors first, else people linked elsewhere."""
        return set(self.roster_by_name.get(key) or self.linked_by_name.get(key) or ())

    def mentor(
        self, email: object, key: object, shown: object, context: set[str] | None = None
    ) -> tuple[str | None, set[str]]:
        """(mentor_id, candidates when ambiguous). `context` holds the mentors the respondent or
        mentee is known to be paired with, used only to tell namesakes apart."""
        if _present(email):
            person = self._person(mentor_id_for(str(email), None), str(email), _text(key))
            if _present(shown) and not person.in_roster:
                person.names[str(shown)] += 1
            return person.mentor_id, set()
        if not _present(key):
            return None, set()
        found = self.candidates(str(key))
        if len(found) == 1:
            return next(iter(found)), set()
        if not found:
            person = self._person(mentor_id_for(None, str(key)), None, str(key))
            if _present(shown):
                person.names[str(shown)] += 1
            return person.mentor_id, set()
        narrowed = found & (context or set())
        if len(narrowed) == 1:
            return next(iter(narrowed)), set()
        return None, found


def _refs(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return execute(con, sql).df()


def _roster_mentor_of(resolver: _Resolver, mentees: pd.DataFrame) -> pd.Series:
    """Each roster mentee's mentor id (None where the roster's own reference is ambiguous)."""
    return pd.Series(
        [
            resolver.mentor(email, key, None)[0]
            for email, key in zip(mentees["mentor_email"], mentees["mentor_name_key"], strict=True)
        ],
        index=mentees.index,
        dtype="object",
    )


def resolve(con: duckdb.DuckDBPyConnection) -> Resolution:
    """Re-derive mentors, mentees, pairs and every fact's mentor from all loaded data, inside the
    caller's transaction. Deterministic: the same facts give the same result in any load order."""
    roster = _refs(
        con,
        "SELECT role, display_name, name_key, email_key, department, location, cohort, "
        "mentor_name_key, mentor_email, started_on, batch_id FROM roster_entries ORDER BY ALL",
    )
    session_refs = _refs(
        con,
        "SELECT mentor_display, mentor_name_key, mentor_email, mentee_ref_kind, mentee_key, "
        "min(mentee_display) AS mentee_shown, min(session_date) AS first_on, "
        "count(*) AS row_count, batch_id FROM sessions "
        "GROUP BY mentor_display, mentor_name_key, mentor_email, mentee_ref_kind, mentee_key, "
        "batch_id ORDER BY ALL",
    )
    survey_refs = _refs(
        con,
        "SELECT mentor_display, mentor_name_key, mentor_email, respondent_ref_kind, "
        "respondent_hash, respondent_role, count(*) AS row_count, batch_id "
        "FROM survey_responses GROUP BY mentor_display, mentor_name_key, mentor_email, "
        "respondent_ref_kind, respondent_hash, respondent_role, batch_id ORDER BY ALL",
    )
    resolver = _Resolver(roster, session_refs, survey_refs)
    roster_mentees = roster[roster["role"] == "mentee"].copy()
    roster_mentees["mentor_id"] = _roster_mentor_of(resolver, roster_mentees)

    # Who each mentee is paired with, by every key they are known under: roster pairings, and the
    # session log's rows that name the mentor by email.
    paired: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in roster_mentees.to_dict("records"):
        if row["mentor_id"]:
            for kind in ("email", "name"):
                key = row[f"{kind}_key"]
                if _present(key):
                    paired[(kind, str(key))].add(str(row["mentor_id"]))
    for row in session_refs[session_refs["mentor_email"].notna()].to_dict("records"):
        if _present(row["mentee_key"]):
            kind = str(row["mentee_ref_kind"])
            paired[(kind, str(row["mentee_key"]))].add(
                mentor_id_for(str(row["mentor_email"]), None)
            )
    # A respondent known by email is also known by the name the roster gives them.
    name_of_email = {
        str(e): str(n)
        for e, n in zip(roster_mentees["email_key"], roster_mentees["name_key"], strict=True)
        if _present(e) and _present(n)
    }

    def context(kind: object, key: object) -> set[str]:
        if not _present(key):
            return set()
        found = set(paired.get((str(kind), str(key)), ()))
        if kind == "email" and str(key) in name_of_email:
            found |= paired.get(("name", name_of_email[str(key)]), set())
        return found

    ambiguous: list[_Ambiguity] = []
    session_map = session_refs.copy()
    session_ids: list[str | None] = []
    for row in session_refs.to_dict("records"):
        found, among = resolver.mentor(
            row["mentor_email"],
            row["mentor_name_key"],
            row["mentor_display"],
            context(row["mentee_ref_kind"], row["mentee_key"]),
        )
        session_ids.append(found)
        if among:
            ambiguous.append(_ambiguity("session log", row, among))
    session_map["mentor_id"] = session_ids

    survey_map = survey_refs.copy()
    survey_ids: list[str | None] = []
    for row in survey_refs.to_dict("records"):
        found, among = resolver.mentor(
            row["mentor_email"],
            row["mentor_name_key"],
            row["mentor_display"],
            context(row["respondent_ref_kind"], row["respondent_hash"]),
        )
        survey_ids.append(found)
        if among:
            ambiguous.append(_ambiguity("survey", row, among))
    survey_map["mentor_id"] = survey_ids

    session_map["mentee_id"] = _mentee_ids(session_map, roster_mentees)
    session_map["pair_id"] = [
        f"{m}|{e}" if m and e else None
        for m, e in zip(session_map["mentor_id"], session_map["mentee_id"], strict=True)
    ]

    used = {*session_map["mentor_id"].dropna(), *survey_map["mentor_id"].dropna()}
    used |= set(roster_mentees["mentor_id"].dropna())
    _write_people(con, resolver, roster_mentees, session_map, used)
    _update_facts(con, session_map, survey_map)
    resolution = Resolution(
        ambiguous=_named_candidates(resolver, ambiguous),
        unrostered=_unrostered(resolver, session_map, survey_map, bool(len(roster))),
        conflicts=_conflicts(resolver),
    )
    _write_issues(con, resolution)
    return resolution


@dataclass(frozen=True)
class _Ambiguity:
    """Rows of one load that name a mentor several mentors could be."""

    source: str
    batch_id: int
    reference: str
    among: list[str]
    row_count: int


def _ambiguity(source: str, row: dict[str, Any], among: set[str]) -> _Ambiguity:
    return _Ambiguity(
        source=source,
        batch_id=int(row["batch_id"]),
        reference=str(row["mentor_display"] or row["mentor_name_key"]),
        among=sorted(among),
        row_count=int(row["row_count"]),
    )


def _mentee_ids(session_map: pd.DataFrame, roster_mentees: pd.DataFrame) -> list[str | None]:
    """A mentee named in a log is the roster's mentee of that key; namesake mentees are told apart
    by their mentor; anyone else is known by the key the log gives."""
    by_key: dict[tuple[str, str], list[tuple[str, str | None]]] = defaultdict(list)
    for row in roster_mentees.to_dict("records"):
        mentee = _roster_mentee_id(row)
        for kind in ("email", "name"):
            if _present(row[f"{kind}_key"]):
                by_key[(kind, str(row[f"{kind}_key"]))].append((mentee, row["mentor_id"]))
    found: list[str | None] = []
    for kind, key, mentor in zip(
        session_map["mentee_ref_kind"],
        session_map["mentee_key"],
        session_map["mentor_id"],
        strict=True,
    ):
        if not _present(key):
            found.append(None)
            continue
        if kind == "legacy":
            found.append(str(key))
            continue
        options = sorted(set(by_key.get((str(kind), str(key)), [])))
        ids = sorted({m for m, _ in options})
        if len(ids) > 1:
            ids = sorted({m for m, paired_with in options if paired_with == mentor})
        found.append(ids[0] if len(ids) == 1 else f"mentee:{key}")
    return found


def _roster_mentee_id(row: dict[str, object]) -> str:
    return f"mentee:{row['email_key'] if _present(row['email_key']) else row['name_key']}"


def _roster_mentee_ids(rows: pd.DataFrame) -> pd.Series:
    return "mentee:" + rows["email_key"].fillna(rows["name_key"]).astype(str)


def _modes(frame: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    """Per `key`, each column's most common value (ties: first in sort order; blanks only when
    there is nothing else), vectorised: the deterministic choice of _pick for many people."""
    result = pd.DataFrame({key: pd.Series(sorted(frame[key].unique()), dtype=object)})
    if result.empty:
        return result.assign(**{column: pd.Series(dtype=object) for column in columns})
    for column in columns:
        present = frame[frame[column].notna() & (frame[column].astype(str) != "")]
        counted = present.groupby([key, column]).size().reset_index(name="n")
        best = counted.sort_values(
            [key, "n", column], ascending=[True, False, True]
        ).drop_duplicates(key)
        result = result.merge(best[[key, column]], on=key, how="left")
    return result


def _write_people(
    con: duckdb.DuckDBPyConnection,
    resolver: _Resolver,
    roster_mentees: pd.DataFrame,
    session_map: pd.DataFrame,
    used: set[str],
) -> None:
    mentor_rows = []
    for person in sorted(resolver.mentors.values(), key=lambda p: p.mentor_id):
        if not person.in_roster and person.mentor_id not in used:
            continue
        rows = person.rows
        shown = _pick(person.names.elements()) or (
            person.email.split("@")[0] if person.email else person.name_key or "?"
        )
        mentor_rows.append(
            {
                "mentor_id": person.mentor_id,
                "display_name": shown,
                "name_key": person.name_key or name_key(shown),
                "email": person.email,
                "department": _pick(r["department"] for r in rows),
                "location": _pick(r["location"] for r in rows),
                "cohort": _pick(r["cohort"] for r in rows),
                "in_roster": person.in_roster,
            }
        )
    mentors = pd.DataFrame(
        mentor_rows,
        columns=[
            "mentor_id",
            "display_name",
            "name_key",
            "email",
            "department",
            "location",
            "cohort",
            "in_roster",
        ],
    )

    rostered = _modes(
        roster_mentees.assign(mentee_id=_roster_mentee_ids(roster_mentees)),
        "mentee_id",
        ["display_name", "department", "location", "cohort"],
    ).assign(in_roster=True)
    rostered["display_name"] = rostered["display_name"].fillna("?")
    logged = (
        session_map[session_map["mentee_id"].notna()][["mentee_id", "mentee_shown"]]
        .sort_values(["mentee_id", "mentee_shown"])
        .drop_duplicates("mentee_id")
    )
    logged = logged[~logged["mentee_id"].isin(set(rostered["mentee_id"]))]
    mentees = pd.concat(
        [
            rostered,
            pd.DataFrame(
                {
                    "mentee_id": logged["mentee_id"],
                    "display_name": logged["mentee_shown"].fillna("?"),
                    "department": None,
                    "location": None,
                    "cohort": None,
                    "in_roster": False,
                }
            ),
        ],
        ignore_index=True,
    )[["mentee_id", "display_name", "department", "location", "cohort", "in_roster"]]

    pair_parts = []
    with_mentor = roster_mentees[roster_mentees["mentor_id"].notna()]
    if len(with_mentor):
        pair_parts.append(
            pd.DataFrame(
                {
                    "mentor_id": with_mentor["mentor_id"].astype(str),
                    "mentee_id": _roster_mentee_ids(with_mentor),
                    "started_on": pd.to_datetime(with_mentor["started_on"]),
                    "from_roster": True,
                }
            )
        )
    logged = session_map[session_map["pair_id"].notna()]
    if len(logged):
        pair_parts.append(
            pd.DataFrame(
                {
                    "mentor_id": logged["mentor_id"].astype(str),
                    "mentee_id": logged["mentee_id"].astype(str),
                    "started_on": pd.to_datetime(logged["first_on"]),
                    "from_roster": False,
                }
            )
        )
    if pair_parts:
        every = pd.concat(pair_parts, ignore_index=True)
        # The roster's start date when it gives one, else the first session.
        every["roster_start"] = every["started_on"].where(every["from_roster"])
        pairs = every.groupby(["mentor_id", "mentee_id"], as_index=False, sort=True).agg(
            roster_start=("roster_start", "min"), first_seen=("started_on", "min")
        )
        pairs["started_on"] = pairs["roster_start"].fillna(pairs["first_seen"]).dt.date
        pairs["pair_id"] = pairs["mentor_id"] + "|" + pairs["mentee_id"]
        pairs = pairs[["pair_id", "mentor_id", "mentee_id", "started_on"]]
    else:
        pairs = pd.DataFrame(columns=["pair_id", "mentor_id", "mentee_id", "started_on"])

    for table, frame in (("mentors", mentors), ("mentees", mentees), ("pairs", pairs)):
        execute(con, f"DELETE FROM {table}")  # noqa: S608 (fixed names)
        if len(frame):
            con.register("_people", frame)
            columns = ", ".join(frame.columns)
            execute(con, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _people")  # noqa: S608
            con.unregister("_people")


_SESSION_KEYS = ("batch_id", "mentor_name_key", "mentor_email", "mentee_ref_kind", "mentee_key")
_SURVEY_KEYS = (
    "batch_id",
    "mentor_name_key",
    "mentor_email",
    "respondent_ref_kind",
    "respondent_hash",
    "respondent_role",
)


def _update_facts(
    con: duckdb.DuckDBPyConnection, session_map: pd.DataFrame, survey_map: pd.DataFrame
) -> None:
    """Write each fact's resolved mentor (and mentee and pair), touching only rows that change."""
    for name, frame, keys, extra in (
        ("_session_map", session_map, _SESSION_KEYS, ["mentor_id", "mentee_id", "pair_id"]),
        ("_survey_map", survey_map, _SURVEY_KEYS, ["mentor_id"]),
    ):
        if not len(frame):
            continue
        plain = frame[[*keys, *extra]].astype(object)
        con.register(name, plain.where(plain.notna(), None))
        sql = "resolve_session_people" if name == "_session_map" else "resolve_response_mentors"
        execute(con, load_sql(f"write/{sql}"))
        con.unregister(name)
    for statement in load_sql("write/resolve_evidence_mentors").split(";"):
        if statement.strip():
            execute(con, statement)


def _describe(resolver: _Resolver, mentor_id: str, departments: dict[str, str | None]) -> str:
    person = resolver.mentors[mentor_id]
    shown = _pick(person.names.elements()) or mentor_id.removeprefix("mentor:")
    extra = [part for part in (person.email, departments.get(mentor_id)) if part]
    return f"{shown} ({', '.join(extra)})" if extra else shown


def _named_candidates(resolver: _Resolver, ambiguous: list[_Ambiguity]) -> pd.DataFrame:
    departments = {
        p.mentor_id: _pick(r["department"] for r in p.rows) for p in resolver.mentors.values()
    }
    rows = []
    grouped: dict[tuple[str, int, str], tuple[str, int]] = {}
    for item in ambiguous:
        key = (item.source, item.batch_id, item.reference)
        named = "; ".join(_describe(resolver, m, departments) for m in item.among)
        candidates, row_count = grouped.get(key, (named, 0))
        grouped[key] = (candidates, row_count + item.row_count)
    for (source, batch_id, reference), (candidates, row_count) in sorted(grouped.items()):
        rows.append(
            {
                "kind": "ambiguous",
                "source": source,
                "batch_id": batch_id,
                "reference": reference,
                "candidates": candidates,
                "row_count": row_count,
            }
        )
    return pd.DataFrame(rows, columns=_ISSUE_COLUMNS)


def _unrostered(
    resolver: _Resolver, session_map: pd.DataFrame, survey_map: pd.DataFrame, has_roster: bool
) -> pd.DataFrame:
    """Mentors named in logs or surveys whom the roster does not list (only when there is one)."""
    if not has_roster:
        return pd.DataFrame(columns=_ISSUE_COLUMNS)
    rows = []
    for source, frame in (("session log", session_map), ("survey", survey_map)):
        known = frame[frame["mentor_id"].notna()]
        outside = known[
            known["mentor_id"].map(lambda m: not resolver.mentors[m].in_roster).astype(bool)
        ]
        for (batch_id, mentor_id), group in outside.groupby(["batch_id", "mentor_id"], sort=True):
            rows.append(
                {
                    "kind": "unrostered",
                    "source": source,
                    "batch_id": int(batch_id),
                    "reference": _describe(resolver, str(mentor_id), {}),
                    "candidates": None,
                    "row_count": int(group["row_count"].sum()),
                }
            )
    return pd.DataFrame(rows, columns=_ISSUE_COLUMNS)


def _conflicts(resolver: _Resolver) -> pd.DataFrame:
    """Roster files that disagree on a mentor's department, location or cohort."""
    rows = []
    for person in sorted(resolver.mentors.values(), key=lambda p: p.mentor_id):
        for attribute in ("department", "location", "cohort"):
            values = sorted({str(r[attribute]) for r in person.rows if _present(r[attribute])})
            if len(values) > 1:
                rows.append(
                    {
                        "kind": "roster_conflict",
                        "source": "roster",
                        "batch_id": None,
                        "reference": _describe(resolver, person.mentor_id, {}),
                        "candidates": f"{attribute}: {' / '.join(values)} (showing "
                        f"{_pick(r[attribute] for r in person.rows)})",
                        "row_count": len(person.rows),
                    }
                )
    return pd.DataFrame(rows, columns=_ISSUE_COLUMNS)


_ISSUE_COLUMNS = ["kind", "source", "batch_id", "reference", "candidates", "row_count"]


def _write_issues(con: duckdb.DuckDBPyConnection, resolution: Resolution) -> None:
    execute(con, "DELETE FROM identity_issues")
    frames = [
        f for f in (resolution.ambiguous, resolution.unrostered, resolution.conflicts) if len(f)
    ]
    if frames:
        issues = pd.concat(frames, ignore_index=True).astype({"batch_id": "Int64"})
        con.register("_issues", issues)
        execute(
            con,
            "INSERT INTO identity_issues (kind, source, batch_id, reference, candidates, row_count) "
            "SELECT kind, source, batch_id, reference, candidates, row_count FROM _issues",
        )
        con.unregister("_issues")
