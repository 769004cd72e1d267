"""A fictional but realistic mentoring program, deterministic for a seed: a roster, 18 months of
session logs with notes in many voices, and two survey waves exported as Google Forms CSV files."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from analysis.model import ELEMENTS

DEPARTMENTS = ["Engineering", "Sales", "Operations", "Finance"]
LOCATIONS = ["London", "Toronto", "Singapore"]
COHORTS = {
    "2025 Spring": date(2025, 5, 19),
    "2025 Autumn": date(2025, 9, 15),
    "2026 Spring": date(2026, 3, 16),
}
TRAINING_DAY = date(2026, 3, 2)
TRAINED_COHORTS = {"2025 Autumn", "2026 Spring"}
TRAINING_EFFECT = {"risk": 0.15, "learning": 0.15}
WAVES = {
    "2025-11": (date(2025, 11, 10), date(2025, 11, 28)),
    "2026-11": (date(2026, 11, 2), date(2026, 11, 20)),
}

BASE_RATE = {"trust": 0.70, "risk": 0.30, "learning": 0.46, "relationship": 0.55}
DEPARTMENT_SHIFT = {
    "Engineering": {"learning": 0.12, "relationship": -0.05},
    "Sales": {"risk": 0.15, "learning": -0.05},
    "Operations": {"trust": -0.08, "relationship": 0.06},
    "Finance": {"learning": -0.12, "risk": -0.06},
}
SELF_INFLATION = {"trust": 0.18, "risk": 0.20, "learning": 0.10, "relationship": 0.08}

FIRST = (
    "Aisha Amara Ana Andrés Anil Astrid Ben Bilal Camille Carlos Chen Chiara Chloe Dara David Deepa Diego "
    "Elena Emeka Emma Eun-ji Fatima Femi Finn Gabriel Grace Hana Hassan Ines Ivan Jamal James Jana Javier "
    "Jin Joao Julia Kai Kavya Kenji Keisha Lars Layla Leila Liam Lucia Mai Malik Marco Maria Mateo Maya "
    "Mehmet Mia Min-jun Nadia Naveen Nia Noah Olga Omar Oscar Priya Rafael Rahul Rania Rosa Ruth Sakura "
    "Samuel Sara Sofia Sven Tariq Thandiwe Tomas Valentina Vikram Wei Yara Yusuf Zara Zoe Zoë"
).split()
LAST = (
    "Abara Adeyemi Ahmed Alvarez Andersen Bakr Banerjee Bauer Chen Costa Da Silva Dlamini Dubois Eriksen "
    "Fernandez Fischer Garcia Gupta Haddad Hansen Hoang Ibrahim Ito Jensen Kaur Kim Kowalski Kruger Larsen "
    "Lee Li Lopez Mahlaba Martin Mbeki Mendes Moreau Morales Mwangi Nakamura Nguyen Novak Nunez O'Brien "
    "Okafor Okoye Olsen Park Patel Petrov Quispe Rahman Reyes Rossi Sato Schmidt Shah Silva Singh Sousa "
    "Suzuki Tanaka Torres Tran Walker Wang Watanabe Wilson Wong Yamamoto Yilmaz Zhang Zhou"
).split()

# Mentor-voice fragments, {n} = mentee's first name, {p} subject pronoun, {o} object, {s} possessive.
POSITIVE = {
    "trust": [
        "left the client call entirely to {n}",
        "told {o} what done looks like by Friday and stepped back",
        "gave {o} the goal and the deadline, how is up to {o}",
        "{n} owns the vendor review now, I'm only there if {p} asks",
        "didn't check in on the draft at all this week, {p} delivered",
        "agreed the outcome and the date, then let {o} run it",
        "resisted the urge to fix {s} slides, {p} sorted it",
        "{n} is running the sprint planning on {s} own now",
        "said I trust {s} call on the hiring shortlist",
        "handed over the budget forecast to {o} completely",
    ],
    "risk": [
        "talked {o} into volunteering for the keynote",
        "{n} doubted {p} could lead the migration; I said go for it and I'd back {o}",
        "pushed {o} to pitch the new region even though {p} feels unready",
        "encouraged {o} to apply for the stretch role",
        "suggested {p} take the customer escalation nobody wants",
        "{n} will present to the exec team next month, nervous but doing it",
        "nudged {o} outside {s} comfort zone with the cross-team project",
        "backed {s} bold proposal in front of the directors",
        "{n} said yes to leading the pilot, which scares {o} a bit",
    ],
    "learning": [
        "walked through what went wrong in the launch, no blame, what {p}'d do differently next time",
        "debrief after the win too: what made it work?",
        "asked {o} what {p} would do differently next time",
        "post-mortem on the missed deadline, focused on what {p} learned",
        "we unpacked the demo that flopped, no finger pointing",
        "reflected on the negotiation, {p} wrote down three lessons",
        "reviewed the good quarter to see what to repeat",
        "turned the mistake in the report into a lesson about checking sources",
    ],
    "relationship": [
        "talked about how {p} handles the friction with {s} team lead",
        "checked in on how our mentoring is going for {o}",
        "{n} is now mentoring an intern {o}self",
        "spent most of the time on how {p} works with the design team",
        "asked what {p} needs from me as a mentor",
        "discussed how {p} runs meetings, not just what gets decided",
        "talked about building trust with the new stakeholders",
        "we looked at how the work gets done, not only the result",
        "{n} wants to pay it forward and coach the new joiners",
    ],
}
NEGATIVE = {
    "trust": [
        "ended up rewriting {s} deck myself again",
        "I checked every step of the analysis, probably too much",
        "took the client call over from {o} halfway through",
        "I micromanaged the rollout, need to let go",
    ],
    "risk": [
        "told {o} to skip the conference talk, too risky this year",
        "kept {o} on the safe tasks for now",
    ],
    "learning": [
        "no time to debrief, straight to the next task",
        "didn't look back at the failed launch, just moved on",
    ],
    "relationship": [
        "only went through the task list, nothing on how things are going",
        "purely status update, no talk about the team",
    ],
}
NEUTRAL = [
    "went over the Q3 plan",
    "reviewed {s} OKRs",
    "talked about the reorg",
    "quick catch-up",
    "discussed the certification course",
    "looked at the roadmap",
    "covered the budget numbers",
    "{s} workload is high this month",
    "talked about the conference",
    "went through the onboarding checklist",
    "caught up after {s} holiday",
    "discussed career paths in the department",
]
TRAPS = [
    "updated the risk register together",
    "set up {s} learning management system account",
    "met the relationship manager at the bank",
    "sorted out the trust fund paperwork for the charity event",
    "reviewed the credit risk model",
    "finished the e-learning module on compliance",
    "talked about the zero trust rollout",
]
FOREIGN = {
    "es": [
        "le dejé la llamada con el cliente a {n}",
        "animé a {n} a presentar en la conferencia",
        "repasamos qué haría diferente la próxima vez, sin culpas",
        "hablamos de cómo trabaja con su equipo",
        "revisamos el plan del trimestre",
    ],
    "fr": [
        "j'ai laissé {n} gérer seul·e la réunion client",
        "je l'ai encouragé·e à se lancer sur le projet",
        "on a fait le bilan de l'échec, sans reproche",
        "on a parlé de sa relation avec son manager",
        "point rapide sur le planning",
    ],
    "de": [
        "habe {n} das Kundengespräch komplett überlassen",
        "habe {n} ermutigt, die Präsentation zu halten",
        "Nachbesprechung ohne Schuldzuweisung, was machen wir nächstes Mal anders",
        "wir haben über die Zusammenarbeit mit dem Team gesprochen",
        "kurzer Austausch zum Projektstand",
    ],
}
OPENERS = [
    "",
    "",
    "",
    "1:1. ",
    "Monthly. ",
    "Good session. ",
    "Short one today. ",
    "Video call - ",
    "Coffee chat: ",
]
CLOSERS = [
    "",
    "",
    "",
    " Next: follow up in two weeks.",
    " Good energy.",
    " {n} seemed tired.",
    " Will check back.",
    " Really pleased with progress.",
    " Bit rushed today.",
]

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
OFTEN = ["Never", "Rarely", "Sometimes", "Often", "Always"]
MENTEE_ITEMS = {
    "trust": [
        "My mentor tells me the result and the deadline, then leaves the how to me",
        "My mentor trusts me to make decisions without checking every step",
        "My mentor gives me room to do the work my own way",
    ],
    "risk": [
        "My mentor encourages me to take on work that stretches me",
        "My mentor pushed me toward something I doubted I could do",
        "My mentor backs me while I attempt stretch assignments",
    ],
    "learning": [
        "After a success or a setback, my mentor and I talk about what I learned",
        "My mentor asks what I will do differently next time",
        "Mistakes are discussed without blame",
    ],
    "relationship": [
        "My mentor helps me think about how I work with other people",
        "My mentor pays attention to how the work gets done, not only the result",
        "We talk about how our mentoring relationship is going",
    ],
}
SELF_ITEMS = {
    "trust": [
        "I tell my mentee the result and the deadline, then leave the how to them",
        "I trust my mentee to make decisions without checking every step",
        "I give my mentee room to do the work their own way",
    ],
    "risk": [
        "I encourage my mentee to take on work that stretches them",
        "I push my mentee toward something they doubt they can do",
        "I back my mentee while they attempt stretch assignments",
    ],
    "learning": [
        "After a success or a setback, my mentee and I talk about what they learned",
        "I ask my mentee what they will do differently next time",
        "Mistakes are discussed without blame",
    ],
    "relationship": [
        "I help my mentee think about how they work with other people",
        "I pay attention to how the work gets done, not only the result",
        "We talk about how our mentoring relationship is going",
    ],
}
MENTEE_MATRIX = "Thinking about the last few months, how much do you agree with each statement about your mentor? [{}]"
SELF_MATRIX = "How often did you do each of the following with your mentees this period? [{}]"
HELPS = "What does your mentor do that helps you most?"
DIFFERENTLY = "What would you like your mentor to do differently?"
SELF_COMMENT = "Anything else you'd like to share about your mentoring?"
MENTEE_COMMENTS = {
    "trust": [
        "She lets me run my own projects and trusts my judgement.",
        "gives me the goal and gets out of the way",
        "He never hovers, I know what's expected and when",
    ],
    "risk": [
        "Pushed me to lead the offsite, which I never thought I could do.",
        "encourages me to go for things that scare me",
    ],
    "learning": [
        "Every time something goes wrong we talk about what I'd do differently, no blame.",
        "the debriefs after each project",
    ],
    "relationship": [
        "Helps me think about how I work with my team, not just the tasks.",
        "asks how our mentoring is going and adjusts",
    ],
}
MENTEE_CONCERNS = {
    "trust": [
        "She checks my work every hour, it's exhausting.",
        "micromanages everything, I'd like more room",
    ],
    "risk": ["I'd like to be pushed more, we always play it safe."],
    "learning": ["We never debrief when things go wrong."],
    "relationship": ["Only talks about tasks, never about how I'm doing with the team."],
}


@dataclass
class Person:
    name: str
    email: str
    department: str
    location: str
    cohort: str
    pronouns: tuple[str, str, str] = ("they", "them", "their")
    propensity: dict[str, float] = field(default_factory=dict)
    concern: str | None = None
    trained: bool = False


def _clip(value: float) -> float:
    return min(0.97, max(0.03, value))


def _people(rng: random.Random, count: int, used: set[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    while len(found) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        base = base.encode("ascii", "ignore").decode() or "person"
        email, suffix = f"{base}@example.org", 2
        while email in used:
            email, suffix = f"{base}{suffix}@example.org", suffix + 1
        used.add(email)
        found.append((name, email))
    return found


def _rate(mentor: Person, element: str, day: date) -> float:
    """The chance that this mentor shows `element` on `day`: the truth the sample is built with."""
    rate = mentor.propensity[element]
    if mentor.trained and day >= TRAINING_DAY:
        rate += TRAINING_EFFECT.get(element, 0.0)
    return _clip(rate)


def _typos(rng: random.Random, text: str) -> str:
    if rng.random() < 0.25:
        text = text.lower()
    if rng.random() < 0.15 and len(text) > 20:
        i = rng.randrange(5, len(text) - 5)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if rng.random() < 0.1:
        text = text.replace(" the ", " teh ", 1)
    return text


def _fill(template: str, mentee: Person) -> str:
    first = mentee.name.split()[0]
    p, o, s = mentee.pronouns
    return template.format(n=first, p=p, o=o, s=s)


def _note(rng: random.Random, mentor: Person, mentee: Person, day: date) -> str:
    if rng.random() < 0.04:
        return ""
    if rng.random() < 0.06:
        language = rng.choice(list(FOREIGN))
        picks = rng.sample(FOREIGN[language], k=rng.choice([1, 2]))
        return ". ".join(_fill(p, mentee) for p in picks).capitalize() + "."
    parts = []
    for element in ELEMENTS:
        if mentor.concern == element and rng.random() < 0.35:
            parts.append(rng.choice(NEGATIVE[element]))
        elif rng.random() < _rate(mentor, element, day) * 0.55:
            parts.append(rng.choice(POSITIVE[element]))
        elif rng.random() < 0.03:
            parts.append(rng.choice(NEGATIVE[element]))
    if not parts or rng.random() < 0.5:
        parts.append(rng.choice(NEUTRAL))
    if rng.random() < 0.08:
        parts.append(rng.choice(TRAPS))
    rng.shuffle(parts)
    filled = [_fill(p, mentee) for p in parts]
    voice = rng.random()
    if voice < 0.3:
        body = "; ".join(filled)
    elif voice < 0.5:
        body = "\n".join(f"- {p}" for p in filled)
    elif voice < 0.8:
        body = ". ".join(p[0].upper() + p[1:] for p in filled) + "."
    else:
        body = (
            f"Long session with {mentee.name.split()[0]}. "
            + " Then ".join(filled)
            + ". Overall I think it's going well, though there's more to do."
        )
    closer = _fill(rng.choice(CLOSERS), mentee)
    if closer and body[-1] not in ".!?":
        body += "."
    text = _fill(rng.choice(OPENERS), mentee) + body + closer
    return _typos(rng, text)


def _timestamp(rng: random.Random, start: date, end: date) -> str:
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    moment = datetime(
        day.year, day.month, day.day, rng.randrange(7, 22), rng.randrange(60), rng.randrange(60)
    )
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}:{moment.second:02d}"


def _answer(rng: random.Random, rate: float, scale: list[str]) -> str:
    roll = rng.random()
    if roll < 0.015:
        return ""
    if roll < 0.025 and scale is AGREE:
        return "N/A"
    if rng.random() < rate:
        return scale[4] if rng.random() < 0.4 else scale[3]
    return scale[rng.choice([0, 1, 2, 2, 2, 1])]


def _write(path: Path, header: list[str], rows: Iterable[Sequence[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def generate(
    out_dir: Path,
    mentors: int = 150,
    seed: int = 2026,
    end: date = date(2026, 11, 20),
    mentor_differences: bool = True,
    truth: bool = False,
) -> list[Path]:
    """Write participants.csv, sessions.csv and two waves of mentee and mentor surveys (Google
    Forms CSV) into `out_dir`; the same arguments always give byte-identical files.

    `mentor_differences=False` writes a null programme of the same shape (the same people,
    pairings, sessions and waves) in which every mentor has the same propensities: no department
    or personal differences, no micromanagers, no training effect. `truth=True` also writes
    truth.csv: each mentor's true rate per element at each survey wave (mentees' and self view)."""
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    pronoun_sets = [("she", "her", "her"), ("he", "him", "his"), ("they", "them", "their")]
    mentor_list: list[Person] = []
    for name, email in _people(rng, mentors, used):
        department, cohort = rng.choice(DEPARTMENTS), rng.choice(list(COHORTS))
        person = Person(
            name, email, department, rng.choice(LOCATIONS), cohort, rng.choice(pronoun_sets)
        )
        strength = rng.gauss(0, 0.10)
        for element in ELEMENTS:
            shift = DEPARTMENT_SHIFT[department].get(element, 0.0)
            person.propensity[element] = _clip(
                BASE_RATE[element] + shift + strength + rng.gauss(0, 0.14)
            )
        if rng.random() < 0.08:
            person.concern = rng.choice(["trust", "trust", "learning", "relationship", "risk"])
        person.trained = cohort in TRAINED_COHORTS
        if not mentor_differences:
            # The same draws are made (so the shape is the same); only the truth is flattened.
            person.propensity = dict(BASE_RATE)
            person.concern = None
            person.trained = False
        mentor_list.append(person)

    pairs: list[tuple[Person, Person, date]] = []
    mentee_total = round(mentors * 2.67)
    mentee_names = _people(rng, mentee_total, used)
    for i, (name, email) in enumerate(mentee_names):
        mentor = mentor_list[i % mentors] if i < mentors else rng.choice(mentor_list)
        mentee = Person(
            name,
            email,
            rng.choice(DEPARTMENTS),
            mentor.location,
            mentor.cohort,
            rng.choice(pronoun_sets),
        )
        started = COHORTS[mentor.cohort] + timedelta(days=rng.randrange(0, 14))
        pairs.append((mentor, mentee, started))

    roster_rows = [
        [m.name, m.email, "Mentor", m.department, m.location, m.cohort, "", ""] for m in mentor_list
    ]
    roster_rows += [
        [
            e.name,
            e.email,
            "Mentee",
            e.department,
            e.location,
            e.cohort,
            m.email,
            started.isoformat(),
        ]
        for m, e, started in pairs
    ]
    written = [
        _write(
            out_dir / "participants.csv",
            [
                "Name",
                "Email",
                "Role",
                "Department",
                "Location",
                "Cohort",
                "Mentor Email",
                "Start Date",
            ],
            roster_rows,
        )
    ]

    silent = {m.email for m in mentor_list if rng.random() < 0.05}
    session_rows: list[tuple[date, str, str, str, int, str, str]] = []
    for mentor, mentee, started in pairs:
        if mentor.email in silent:
            continue
        stop = end
        if rng.random() < 0.13:
            stop = end - timedelta(days=rng.randrange(46, 200))
        cadence = rng.uniform(10, 24)
        day = started + timedelta(days=rng.randrange(0, 10))
        while day <= stop:
            session_rows.append(
                (
                    day,
                    mentor.name,
                    mentor.email,
                    mentee.name,
                    rng.choice([15, 20, 30, 30, 45, 45, 60, 60, 90]),
                    rng.choice(["Video", "Video", "In person", "In person", "Chat", "Phone"]),
                    _note(rng, mentor, mentee, day),
                )
            )
            day += timedelta(days=max(3, round(rng.gauss(cadence, cadence / 3))))
    session_rows.sort(key=lambda row: (row[0], row[2], row[3]))
    written.append(
        _write(
            out_dir / "sessions.csv",
            [
                "Session ID",
                "Meeting Date",
                "Mentor Name",
                "Mentor Email",
                "Mentee Name",
                "Duration (min)",
                "Meeting Type",
                "Notes",
            ],
            [
                [f"S-{i + 1:06d}", row[0].isoformat(), *row[1:]]
                for i, row in enumerate(session_rows)
            ],
        )
    )

    for wave, (first_day, last_day) in WAVES.items():
        mentee_rows = []
        for mentor, mentee, started in pairs:
            if started > first_day or rng.random() > 0.7:
                continue
            typed = mentor.name if rng.random() > 0.1 else f" {mentor.name.lower()} "
            answers = [
                _answer(rng, _rate(mentor, e, first_day), AGREE)
                for e in ELEMENTS
                for _ in MENTEE_ITEMS[e]
            ]
            helps = differently = ""
            if rng.random() < 0.45:
                element = max(
                    ELEMENTS, key=lambda e: _rate(mentor, e, first_day) + rng.random() * 0.3
                )
                helps = rng.choice(MENTEE_COMMENTS[element])
            if mentor.concern and rng.random() < 0.6:
                differently = rng.choice(MENTEE_CONCERNS[mentor.concern])
            elif rng.random() < 0.15:
                differently = rng.choice(
                    [
                        "Nothing really, it's great",
                        "More regular sessions would help",
                        "Maybe meet in person more often",
                        "n/a",
                    ]
                )
            mentee_rows.append(
                [
                    _timestamp(rng, first_day, last_day),
                    mentee.email,
                    typed,
                    *answers,
                    helps,
                    differently,
                ]
            )
        mentee_rows.sort(key=lambda row: datetime.strptime(row[0], "%m/%d/%Y %H:%M:%S"))
        header = ["Timestamp", "Email Address", "Who is your mentor? (full name)"]
        header += [MENTEE_MATRIX.format(item) for e in ELEMENTS for item in MENTEE_ITEMS[e]]
        written.append(
            _write(
                out_dir / f"mentee-feedback-{wave}.csv", [*header, HELPS, DIFFERENTLY], mentee_rows
            )
        )

        self_rows = []
        for mentor in mentor_list:
            if COHORTS[mentor.cohort] > first_day or rng.random() > 0.75:
                continue
            answers = [
                _answer(rng, _clip(_rate(mentor, e, first_day) + SELF_INFLATION[e]), OFTEN)
                for e in ELEMENTS
                for _ in SELF_ITEMS[e]
            ]
            comment = rng.choice(
                [
                    "",
                    "",
                    "",
                    "Finding it hard to make time this quarter.",
                    "I try to let my mentees own their work.",
                    "Would like more training on feedback.",
                ]
            )
            self_rows.append(
                [_timestamp(rng, first_day, last_day), mentor.email, mentor.name, *answers, comment]
            )
        self_rows.sort(key=lambda row: datetime.strptime(row[0], "%m/%d/%Y %H:%M:%S"))
        header = ["Timestamp", "Email Address", "Your name"]
        header += [SELF_MATRIX.format(item) for e in ELEMENTS for item in SELF_ITEMS[e]]
        written.append(
            _write(
                out_dir / f"mentor-self-assessment-{wave}.csv", [*header, SELF_COMMENT], self_rows
            )
        )
    if truth:
        rows = [
            [
                m.email,
                m.name,
                m.department,
                m.cohort,
                element,
                wave,
                round(m.propensity[element], 6),
                round(_rate(m, element, first_day), 6),
                round(_clip(_rate(m, element, first_day) + SELF_INFLATION[element]), 6),
                int(m.trained),
                m.concern == element,
            ]
            for m in mentor_list
            for element in ELEMENTS
            for wave, (first_day, _) in WAVES.items()
        ]
        written.append(
            _write(
                out_dir / "truth.csv",
                [
                    "mentor_email",
                    "mentor_name",
                    "department",
                    "cohort",
                    "element",
                    "wave",
                    "propensity",
                    "mentee_rate",
                    "self_rate",
                    "trained",
                    "concern",
                ],
                rows,
            )
        )
    return written
