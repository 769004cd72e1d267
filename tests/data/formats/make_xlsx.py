"""Rebuild the .xlsx fixtures in this folder: python tests/data/formats/make_xlsx.py

Each workbook mirrors what the tool writes: SurveyMonkey's two header rows, Microsoft Forms'
ID / Start time / Completion time / Email / Name columns with real date-times, and a plain
sheet with one header row and Excel dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
TRUST = "My mentor tells me the result and the deadline, then leaves the how to me"
RISK = "My mentor encourages me to take on work that stretches me"
LEARNING = "My mentor asks what I will do differently next time"
RELATIONSHIP = "My mentor helps me think about how I work with other people"
QUESTION = "How much do you agree with each statement about your mentor?"
ITEMS = [TRUST, RISK, LEARNING, RELATIONSHIP]


def _save(name: str, sheet_title: str, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    # a fixed creation time keeps the rebuilt file byte-for-byte stable
    book.properties.created = book.properties.modified = datetime(2026, 5, 1)
    book.save(HERE / name)


def surveymonkey() -> None:
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address"]
    meta += ["Email Address", "First Name", "Last Name", "Custom Data 1"]
    head = [*meta, "Who is your mentor?", QUESTION, None, None, None]
    head.append("What could your mentor do differently?")
    sub = [None] * len(meta) + ["Response", *ITEMS, "Open-Ended Response"]
    answers = [
        ("Ana Moreno", "Agree", "Agree", "Strongly agree", "Neither agree nor disagree"),
        ("Ben Okafor", "Strongly agree", "N/A", "Disagree", "Agree"),
        ("Chen Wei", "Disagree", "Strongly disagree", "Agree", "Agree"),
        ("Dara Singh", "Agree", "Neither agree nor disagree", "N/A", "Strongly agree"),
        ("Ana Moreno", "Neither agree nor disagree", "Agree", "Agree", "Disagree"),
    ]
    rows: list[list[object]] = [head, sub]
    for i, (mentor, *scale) in enumerate(answers, start=1):
        end = datetime(2026, 5, 3 + i, 9, 12, 33)
        rows.append(
            [118000000000 + i, 400000001, end, end, f"203.0.113.{i}", None, None, None, None]
            + [mentor, *scale, None]
        )
    _save("surveymonkey.xlsx", "Sheet", rows)


def microsoft_forms() -> None:
    head = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    head += ["Who is your mentor?", *ITEMS, "What could your mentor do differently?"]
    answers = [
        ("Ana Moreno", "Agree", "Strongly agree", "Neither agree nor disagree", "Agree"),
        ("Ben Okafor", "Strongly disagree", "Agree", "Agree", None),
        ("Chen Wei", "Agree", "Neither agree nor disagree", "Strongly agree", "Disagree"),
        ("Dara Singh", "Strongly agree", "Disagree", "Agree", "Agree"),
    ]
    rows: list[list[object]] = [head]
    for i, (mentor, *scale) in enumerate(answers, start=1):
        start = datetime(2026, 5, 3 + i, 9, 2, 0)
        done = datetime(2026, 5, 3 + i, 9, 12, 30)
        rows.append([i, start, done, "anonymous", None, None, mentor, *scale, None])
    _save("microsoft_forms.xlsx", "Form1", rows)


def plain() -> None:
    head = ["Date", "Mentor", "Cohort", *ITEMS]
    answers = [
        ("Ana Moreno", "Agree", "Agree", "Disagree", "Strongly agree"),
        ("Ben Okafor", "Neither agree nor disagree", "Strongly agree", "Agree", "Agree"),
        ("Chen Wei", "Strongly agree", "Disagree", "Don't know", "Disagree"),
        ("Dara Singh", "Disagree", "Agree", "Agree", "Neither agree nor disagree"),
    ]
    rows: list[list[object]] = [head]
    for i, (mentor, *scale) in enumerate(answers, start=1):
        rows.append([date(2026, 5, 3 + i), mentor, "2026 Spring", *scale])
    _save("plain.xlsx", "Responses", rows)


if __name__ == "__main__":
    surveymonkey()
    microsoft_forms()
    plain()
