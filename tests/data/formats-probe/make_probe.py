"""Rebuild the probe fixtures in this folder: python tests/data/formats-probe/make_probe.py

Exports written from the outside in, as the tools write them today, with instruments worded
unlike the ones the importers were built on: Qualtrics with a frequency matrix, preview and
unfinished responses; SurveyMonkey with an extent scale; a Google Forms grid; a Microsoft Forms
workbook with Rating and 7-point Likert questions."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def _csv(name: str, rows: list[list[str]], bom: bool = False) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    (HERE / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


# Qualtrics: a frequency matrix (Q5), a programme/platform matrix (Q6), metadata, a preview
# response, an unfinished one, and recipients named from a contact list.
Q5 = "How often does your mentor do the following?"
Q5_ITEMS = [
    "Agrees what good looks like and by when - then lets me decide how to do my work",
    "Tells me exactly how to do each task",
    "Puts me forward for assignments that are a stretch for me",
    "Talks through what went wrong without looking for someone to blame",
    "Asks what I would do differently next time",
    "Asks how our mentoring sessions are going for me",
]
Q6 = "Thinking about the programme overall, how much do you agree?"
Q6_ITEMS = [
    "The mentoring platform is easy to use",
    "I would recommend the programme to a colleague",
]
META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/London"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/London"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/London"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def qualtrics() -> None:
    keys = [m[0] for m in META] + ["Q2", "Q3"]
    texts = [m[1] for m in META] + ["Your mentor's name", "Which office are you based in?"]
    imports = [m[2] for m in META] + ['{"ImportId":"QID2_TEXT"}', '{"ImportId":"QID3"}']
    for i, item in enumerate(Q5_ITEMS, start=1):
        keys.append(f"Q5_{i}")
        texts.append(f"{Q5} - {item}")
        imports.append(json.dumps({"ImportId": f"QID5_{i}"}, separators=(",", ":")))
    for i, item in enumerate(Q6_ITEMS, start=1):
        keys.append(f"Q6_{i}")
        texts.append(f"{Q6} - {item}")
        imports.append(json.dumps({"ImportId": f"QID6_{i}"}, separators=(",", ":")))
    keys.append("Q7")
    texts.append("Is there anything else you would like to tell us about your mentoring?")
    imports.append('{"ImportId":"QID7_TEXT"}')
    # status, progress, finished, last, first, email, mentor, office, Q5 x6, Q6 x2, comment
    people = [
        (
            "IP Address",
            100,
            True,
            "Khan",
            "Aisha",
            "aisha.khan@example.org",
            "Ana Moreno",
            "London",
            ["Always", "Rarely", "Often", "Often", "Sometimes", "Often"],
            ["Agree", "Strongly agree"],
            "Monthly works well for us.",
        ),
        (
            "IP Address",
            100,
            True,
            "Lopez",
            "Bruno",
            "bruno.lopez@example.org",
            "Ben Okafor",
            "Leeds",
            ["Sometimes", "Often", "Sometimes", "Never", "Rarely", "Sometimes"],
            ["Disagree", "Neither agree nor disagree"],
            "",
        ),
        (
            "IP Address",
            100,
            True,
            "Nowak",
            "Celia",
            "celia.nowak@example.org",
            "Ana Moreno",
            "London",
            ["Often", "Never", "Always", "Always", "Always", "Always"],
            ["Strongly agree", "Agree"],
            "I got a lot out of it, thank you.",
        ),
        (
            "IP Address",
            100,
            True,
            "",
            "",
            "",
            "Chen Wei",
            "Leeds",
            ["Often", "Sometimes", "Rarely", "Sometimes", "Often", "Rarely"],
            ["Agree", "Agree"],
            "",
        ),
        (
            "IP Address",
            43,
            False,
            "Osei",
            "Dan",
            "dan.osei@example.org",
            "Chen Wei",
            "London",
            ["Never", "Always", "", "", "", ""],
            ["", ""],
            "",
        ),
        (
            "Survey Preview",
            100,
            True,
            "",
            "",
            "",
            "Test Mentor",
            "London",
            ["Always", "Always", "Always", "Always", "Always", "Always"],
            ["Strongly agree", "Strongly agree"],
            "test",
        ),
    ]
    rows = [keys, texts, imports]
    for n, (
        status,
        progress,
        finished,
        last,
        first,
        email,
        mentor,
        office,
        q5,
        q6,
        comment,
    ) in enumerate(people, start=1):
        start = datetime(2026, 3, 2 + n, 9, 10, 5)
        end = start.replace(minute=20)
        meta = [
            start.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            status,
            "" if status == "Survey Preview" else f"198.51.100.{n}",
            str(progress),
            "610",
            str(finished),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            f"R_3probe{n:04d}Xy",
            last,
            first,
            email,
            "",
            "51.5072",
            "-0.1276",
            "preview" if status == "Survey Preview" else "email",
            "EN-GB",
        ]
        rows.append([*meta, mentor, office, *q5, *q6, comment])
    _csv("qualtrics_matrix_frequency.csv", rows, bom=True)


# SurveyMonkey: a matrix on an extent scale, a dropdown for the mentor, a cohort question.
SM_Q = "To what extent does your mentor..."
SM_ITEMS = [
    "Give you room to work out your own approach",
    "Check in on every small step of your work",
    "Encourage you to take on challenges you are not sure you can do",
    "Help you reflect on setbacks without blame",
    "Help you think about how you work with colleagues and stakeholders",
]
EXTENT = [
    "Not at all",
    "To a small extent",
    "To some extent",
    "To a great extent",
    "To a very great extent",
]


def surveymonkey() -> None:
    meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ]
    head = [
        *meta,
        "Who is your mentor?",
        "Which cohort are you in?",
        SM_Q,
        "",
        "",
        "",
        "",
        "How satisfied are you with the mentoring programme overall?",
        "What is one thing your mentor could do differently?",
    ]
    sub = [""] * len(meta) + ["Response", "Response", *SM_ITEMS, "Response", "Open-Ended Response"]
    people = [
        (
            "aisha.khan@example.org",
            "Aisha",
            "Khan",
            "Ana Moreno",
            "Spring 2026",
            [4, 1, 3, 4, 2],
            "Very satisfied",
            "More time on stakeholder mapping.",
        ),
        (
            "bruno.lopez@example.org",
            "Bruno",
            "Lopez",
            "Ben Okafor",
            "Spring 2026",
            [1, 4, 0, 2, 1],
            "Dissatisfied",
            "",
        ),
        (
            "celia.nowak@example.org",
            "Celia",
            "Nowak",
            "Ana Moreno",
            "Autumn 2025",
            [3, 0, 4, 3, 4],
            "Satisfied",
            "Keep going as we are.",
        ),
        ("", "", "", "Chen Wei", "Autumn 2025", [2, 2, 2, None, 3], "Neutral", ""),
    ]
    rows = [head, sub]
    for n, (email, first, last, mentor, cohort, scores, sat, comment) in enumerate(people, start=1):
        start = datetime(2026, 3, 2 + n, 13, 5, 0)
        answers = ["" if s is None else EXTENT[s] for s in scores]
        rows.append(
            [
                f"1182{n:07d}",
                "405123456",
                start.strftime("%m/%d/%Y %I:%M:%S %p"),
                start.replace(minute=14).strftime("%m/%d/%Y %I:%M:%S %p"),
                f"203.0.113.{40 + n}",
                email,
                first,
                last,
                "",
                mentor,
                cohort,
                *answers,
                sat,
                comment,
            ]
        )
    _csv("surveymonkey_extent.csv", rows)


# Google Forms: a grid titled "Rate your mentor", a frequency scale, a 1-5 linear scale about
# the platform, the respondent's name asked in the form, collected emails.
GF_ITEMS = [
    "My mentor trusts me to get on with things my own way",
    "My mentor steps in and takes over when I am struggling",
    "My mentor backs me when I try something new and it doesn't work out",
    "My mentor helps me learn from mistakes without judging me",
    "My mentor encourages me to mentor others in turn",
]


def google_forms() -> None:
    head = ["Timestamp", "Email address", "Your name", "Mentor's name"]
    head += [f"Rate your mentor [{item}]" for item in GF_ITEMS]
    head += [
        "How easy is the mentoring app to use? (1 = very hard, 5 = very easy)",
        "Any other comments?",
    ]
    people = [
        (
            "2026/03/04 9:15:02 AM GMT+1",
            "aisha.khan@example.org",
            "Aisha Khan",
            "Ana Moreno",
            ["Always", "Rarely", "Often", "Always", "Sometimes"],
            "4",
            "Great pairing.",
        ),
        (
            "2026/03/04 1:40:55 PM GMT+1",
            "bruno.lopez@example.org",
            "Bruno Lopez",
            "Ben Okafor",
            ["Rarely", "Often", "Sometimes", "Rarely", "Never"],
            "2",
            "",
        ),
        (
            "2026/03/05 10:02:11 AM GMT+1",
            "celia.nowak@example.org",
            "Celia Nowak",
            "Ana Moreno",
            ["Often", "Never", "Always", "Often", "Often"],
            "5",
            "",
        ),
        (
            "2026/03/12 4:20:00 PM GMT+1",
            "dan.osei@example.org",
            "Dan Osei",
            "Chen Wei",
            ["Sometimes", "Sometimes", "Never", "Sometimes", "Rarely"],
            "3",
            "Sessions keep moving.",
        ),
    ]
    rows = [head]
    for stamp, email, name, mentor, grid, app, comment in people:
        rows.append([stamp, email, name, mentor, *grid, app, comment])
    _csv("google_forms_grid.csv", rows)


# Microsoft Forms: Rating questions (1-5 stars exported as numbers) and a 7-point Likert.
MS_RATING = [
    "How well does your mentor let you make your own decisions about your work?",
    "How well does your mentor support you when you take a calculated risk?",
    "How useful is the mentoring app for booking sessions?",
]
MS_LIKERT = [
    "My mentor and I debrief after things go wrong, focusing on what to learn rather than who is at fault",
    "My mentor discourages me from volunteering for unfamiliar work",
    "My mentor takes an interest in how I handle relationships with my team",
]
AGREE7 = [
    "Strongly disagree",
    "Disagree",
    "Somewhat disagree",
    "Neutral",
    "Somewhat agree",
    "Agree",
    "Strongly agree",
]


def microsoft_forms() -> None:
    head = [
        "Id",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
        "Who is your mentor?",
        *MS_RATING,
        *MS_LIKERT,
        "What should your mentor keep doing?",
    ]
    people = [
        ("aisha.khan@example.org", "Aisha Khan", "Ana Moreno", [5, 4, 2], [6, 1, 5], "Listening."),
        ("bruno.lopez@example.org", "Bruno Lopez", "Ben Okafor", [2, 3, 4], [2, 5, 3], ""),
        (
            "celia.nowak@example.org",
            "Celia Nowak",
            "Ana Moreno",
            [4, 5, 3],
            [7, 1, 6],
            "The honest debriefs.",
        ),
        ("dan.osei@example.org", "Dan Osei", "Chen Wei", [3, 2, 5], [4, 3, 4], ""),
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(head)
    for n, (email, name, mentor, ratings, likert, comment) in enumerate(people, start=1):
        start = datetime(2026, 3, 3 + n, 8, 30, 0)
        sheet.append(
            [
                n,
                start,
                start.replace(minute=41),
                email,
                name,
                None,
                mentor,
                *ratings,
                *[AGREE7[v - 1] for v in likert],
                comment,
            ]
        )
    book.properties.created = book.properties.modified = datetime(2026, 3, 1)
    book.save(HERE / "microsoft_forms_rating.xlsx")


if __name__ == "__main__":
    qualtrics()
    surveymonkey()
    google_forms()
    microsoft_forms()
