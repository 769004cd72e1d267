"""Writes roster.csv and mentoring-pulse.csv: a small programme as an L&D lead would export it
(an HR roster with its own column names and a Microsoft Forms pulse survey of 34 mentees about
8 mentors, one question worded negatively, one about the programme). Run from this folder."""

import csv
import random
from datetime import datetime, timedelta

rng = random.Random(7)
mentors = [
    ("Priya Raman", "Sales", "London"),
    ("Tom Becker", "Sales", "London"),
    ("Aisha Bello", "Sales", "Lagos"),
    ("Marco Rossi", "Sales", "Milan"),
    ("Yuki Tanaka", "Engineering", "Tokyo"),
    ("Liam O'Connor", "Engineering", "Dublin"),
    ("Sofia Lind", "Engineering", "Stockholm"),
    ("Daniel Kim", "Engineering", "Seoul"),
]
first = "Alex Jordan Casey Riley Morgan Taylor Jamie Avery Quinn Rowan Sasha Robin Drew Emery Hayden Kendall Logan Parker Reese Skyler".split()
last = "Hughes Patel Nguyen Garcia Muller Silva Cohen Novak Ito Okafor Berg Costa".split()
mentees = []
with open("roster.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(
        [
            "Full name",
            "Work email",
            "Programme role",
            "Department",
            "Office",
            "Cohort",
            "Mentor's email",
            "Matched on",
        ]
    )
    for n, d, o in mentors:
        e = n.lower().replace("'", "").replace(" ", ".") + "@acme.example"
        w.writerow([n, e, "Mentor", d, o, "2026 Cohort A", "", ""])
    i = 0
    for n, d, o in mentors:
        me = n.lower().replace("'", "").replace(" ", ".") + "@acme.example"
        for _ in range(5):
            nm = f"{first[i % len(first)]} {last[(i * 5) % len(last)]}"
            em = f"{nm.lower().replace(' ', '.')}{i}@acme.example"
            mentees.append((nm, em, n))
            w.writerow([nm, em, "Mentee", d, o, "2026 Cohort A", me, "03/02/2026"])
            i += 1
items = [
    (
        "My mentor agrees the outcome and the deadline with me, then leaves the approach to me",
        0.75,
        False,
    ),
    ("My mentor checks on my work more often than I need", 0.35, True),
    ("My mentor encourages me to take on assignments I am not sure I can do", 0.45, False),
    ("My mentor backs me when I try something new and it does not work out", 0.55, False),
    ("After a setback my mentor asks what I would do differently next time", 0.7, False),
    ("We talk through what went well and what did not, without blame", 0.65, False),
    ("My mentor asks how our mentoring sessions are going for me", 0.5, False),
    ("My mentor helps me think about how I work with colleagues", 0.6, False),
    ("The mentoring programme is well organised", 0.6, False),
]
scale = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
comments = [
    "She lets me run with things and asks what I learned.",
    "",
    "More time on how I deal with my team, please.",
    "",
    "He tends to redo my slides himself.",
    "",
    "Pushed me to lead the client pitch, which was scary but good.",
    "",
]
rows = rng.sample(mentees, 34)
with open("mentoring-pulse.csv", "w", newline="", encoding="utf-8-sig") as f:
    w = csv.writer(f)
    w.writerow(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Last modified time",
            "Who is your mentor?",
            *[q for q, _, _ in items],
            "What is one thing your mentor could do differently?",
        ]
    )
    t0 = datetime(2026, 10, 5, 9, 0)
    for k, (nm, em, mentor) in enumerate(rows, 1):
        t = t0 + timedelta(hours=7 * k + rng.randint(0, 5))
        ans = []
        for _question, p, neg in items:
            fav = rng.random() < p
            if neg:
                fav = not fav
            ans.append(rng.choice(scale[3:]) if fav else rng.choice(scale[:3]))
        w.writerow(
            [
                k,
                f"{t:%-m/%-d/%Y %-H:%M}",
                f"{t + timedelta(minutes=6):%-m/%-d/%Y %-H:%M}",
                em,
                nm,
                "",
                mentor,
                *ans,
                rng.choice(comments),
            ]
        )
