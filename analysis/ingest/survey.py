"""Survey exports: suggest which column is what (mentor, role, date, response id, respondent,
segments, comments, and which items measure which element), then parse responses into long form,
hashing respondents and setting aside rows that cannot be counted, with the reason."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from analysis.ingest import likert
from analysis.ingest.identity import email_key, name_key, pseudonym
from analysis.ingest.items import suggest_item
from analysis.ingest.mapping import ItemMapping, MappingSuggestion, SurveyMapping
from analysis.ingest.readers import Column, RawExport, SetAside, parse_dates

SEGMENT_CUES = {
    "department": re.compile(r"\b(department|dept|team|division|function|business unit)\b"),
    "cohort": re.compile(r"\bcohort\b"),
    "location": re.compile(r"\b(location|office|site|region|country|city)\b"),
}
IDENTITY_HEADERS = re.compile(
    r"^(email address|emailaddress|email|e-mail|name|your email|respondent email|recipientemail|recipientfirstname|"
    r"recipientlastname|first name|last name|respondent name|full name)$"
)
# What the tools record about the response itself (Qualtrics, with its legacy layout naming these in
# the second header row; SurveyMonkey; Microsoft Forms): never an item, a segment or a comment.
# Compared without case, spaces or underscores.
TOOL_METADATA = frozenset(
    {
        "startdate",
        "enddate",
        "status",
        "responsetype",
        "ipaddress",
        "progress",
        "duration(inseconds)",
        "finished",
        "recordeddate",
        "responseid",
        "responseset",
        "recipientlastname",
        "recipientfirstname",
        "recipientemail",
        "externalreference",
        "externaldatareference",
        "locationlatitude",
        "locationlongitude",
        "distributionchannel",
        "userlanguage",
        "collectorid",
        "customdata1",
        "starttime",
        "lastmodifiedtime",
        "id",
    }
)
COMMENT_CUES = re.compile(
    r"\b(comment|what|why|how could|anything else|describe|suggest|differently|helps)\b"
)


@dataclass
class ParsedSurvey:
    responses: pd.DataFrame
    answers: pd.DataFrame
    comments: pd.DataFrame
    segments: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    notes: list[str] = field(default_factory=list)


def _is_tool_metadata(column: Column) -> bool:
    return any(
        re.sub(r"[\s_]+", "", text.casefold()) in TOOL_METADATA
        for text in (column.key, column.text)
    )


def _is_free_text(values: pd.Series) -> bool:
    answered = values[values.str.strip().str.len() > 0]
    if answered.empty:
        return False
    return bool(answered.str.len().mean() >= 12 or answered.nunique() > max(5, len(answered) // 2))


def _agreement_blocks_on_one_scale(
    raw: RawExport, items: list[ItemMapping], notes: list[str]
) -> None:
    """A block of agreement questions side by side (a matrix, a Likert) shares one scale, but a
    statement nobody answered 'Somewhat ...' on reads as 5-point by its answers alone, and its
    'Agree' would score 0.75 instead of 5/6: such a block is read on 7 points throughout."""
    by_column = {item.column: item for item in items}
    blocks: list[list[ItemMapping]] = [[]]
    for column in raw.columns:
        item = by_column.get(column.key)
        if item is not None and item.scale in ("agree5", "agree7"):
            blocks[-1].append(item)
        elif blocks[-1]:
            blocks.append([])
    for block in blocks:
        if not any(item.scale == "agree7" for item in block):
            continue
        widened = [item for item in block if item.scale == "agree5"]
        for item in widened:
            item.scale = "agree7"
        if widened:
            notes.append(
                f"{len(widened)} agreement question(s) sit beside 7-point ones (a 'Somewhat agree' "
                "was answered nearby) and are read on the same 7-point scale: "
                + "; ".join(f"'{item.question}'" for item in widened)
                + "."
            )


def suggest_mapping(raw: RawExport) -> MappingSuggestion:
    """Everything that can be told from the headers, question texts and answers."""
    mapping = SurveyMapping()
    notes: list[str] = []
    taken: set[str] = set()
    lowered = {c.key: c.text.lower() for c in raw.columns}
    first_person = 0
    about_mentor = 0
    unsure: list[str] = []
    for column in raw.columns:
        text = lowered[column.key]
        scale = likert.detect_scale(raw.frame[column.key], column.text)
        if scale is not None and not _is_tool_metadata(column):
            question = column.sub or column.header
            suggestion = suggest_item(question)
            if suggestion.element is None and column.sub:
                # A grid's row may lean on its question ("... about your mentor? [Rarely asks]").
                suggestion = suggest_item(column.text)
            mapping.items.append(
                ItemMapping(
                    column=column.key,
                    question=question,
                    element=suggestion.element,
                    reversed=suggestion.reversed,
                    scale=scale,
                )
            )
            if suggestion.element is None and suggestion.why.startswith(("could", "unclear")):
                unsure.append(f"'{question}' ({suggestion.why})")
            taken.add(column.key)
            item_text = question.lower()
            first_person += bool(re.match(r"^(i|we)\b", item_text)) or "your mentee" in text
            about_mentor += "my mentor" in text or "your mentor" in text
    for column in raw.columns:
        key, text = column.key, lowered[column.key]
        if key in taken:
            continue
        bare = text.strip()
        if mapping.response_id_column is None and bare in (
            "responseid",
            "response id",
            "respondent id",
            "id",
        ):
            mapping.response_id_column = key
        elif mapping.date_column is None and bare in (
            "timestamp",
            "enddate",
            "end date",
            "recordeddate",
            "completion time",
            "date",
            "submitted",
            "submission date",
        ):
            mapping.date_column = key
        elif (
            mapping.mentor_column is None
            and "mentor" in text
            and "mentee" not in text
            and ("name" in text or "who" in text or "email" in text or bare == "mentor")
        ):
            mapping.mentor_column = key
            mapping.mentor_match = "email" if "email" in text else "name"
        elif mapping.role_column is None and re.search(
            r"\brole\b|mentor or (a )?mentee|are you a", text
        ):
            mapping.role_column = key
        elif (
            IDENTITY_HEADERS.match(bare)
            or IDENTITY_HEADERS.match(key.lower())
            or bare in ("your name", "your email")
        ):
            mapping.respondent_columns.append(key)
            if mapping.respondent_email_column is None and re.search(r"e-?mail", bare):
                mapping.respondent_email_column = key
        elif _is_tool_metadata(column):
            continue
        elif any(cue.search(text) for cue in SEGMENT_CUES.values()) and not _is_free_text(
            raw.frame[key]
        ):
            segment = next(name for name, cue in SEGMENT_CUES.items() if cue.search(text))
            mapping.segment_columns[key] = segment
        else:
            continue
        taken.add(key)
    if mapping.date_column is None:
        for column in raw.columns:
            if column.key not in taken and re.search(r"\b(date|time)\b", lowered[column.key]):
                mapping.date_column = column.key
                taken.add(column.key)
                break
    if mapping.role_column is None:
        if first_person > about_mentor:
            mapping.fixed_role = "mentor_self"
        elif about_mentor:
            mapping.fixed_role = "mentee"
    if mapping.mentor_column is None and mapping.fixed_role == "mentor_self":
        for key in mapping.respondent_columns:
            if "name" in lowered[key]:
                mapping.mentor_column = key
                mapping.mentor_match = "name"
                notes.append(
                    f"A self-assessment: the mentor is the respondent ('{raw.column(key).text}')."
                )
                break
        else:
            for key in mapping.respondent_columns:
                if "email" in lowered[key]:
                    mapping.mentor_column, mapping.mentor_match = key, "email"
                    break
    for column in raw.columns:
        if column.key in taken or _is_tool_metadata(column):
            continue
        if COMMENT_CUES.search(lowered[column.key]) or _is_free_text(raw.frame[column.key]):
            mapping.comment_columns.append(column.key)
    missing = []
    if mapping.mentor_column is None:
        missing.append("the mentor being rated")
    if mapping.date_column is None:
        missing.append("the response date")
    if mapping.role_column is None and mapping.fixed_role is None:
        missing.append("who answered (mentee or the mentor themself)")
    if not any(i.element for i in mapping.items):
        missing.append("which questions measure which element")
    _agreement_blocks_on_one_scale(raw, mapping.items, notes)
    reversed_items = [i.question for i in mapping.items if i.reversed]
    if reversed_items:
        notes.append(
            f"{len(reversed_items)} question(s) are worded negatively and are scored reversed "
            "(disagreeing is favourable): " + "; ".join(f"'{q}'" for q in reversed_items) + "."
        )
    if unsure:
        notes.append(
            f"{len(unsure)} question(s) left unmapped because the wording is unclear: "
            + "; ".join(unsure)
            + ". Map them on the Upload page if they measure an element."
        )
    unmapped = [i for i in mapping.items if not i.element]
    if len(unmapped) > len(unsure):
        notes.append(
            f"{len(unmapped) - len(unsure)} scale question(s) measure none of the four elements "
            "(the programme, the platform, the mentor's profile) and are kept unmapped."
        )
    return MappingSuggestion(mapping, missing, notes)


def _respondents(
    frame: pd.DataFrame, mapping: SurveyMapping, key: bytes
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(keyed hash, what it is a hash of: 'email' or 'name' or None, the email in clear).
    A respondent with an email is known by it, so the same person is recognised across waves and
    matched to the roster's mentee of that email; the clear email serves only to match a
    mentor's own self-assessment and is never stored for mentees."""
    empty = pd.Series(None, index=frame.index, dtype="object")
    if not mapping.respondent_columns:
        return empty, empty, empty
    email_column = mapping.respondent_email_column
    emails = (
        frame[email_column].map(email_key)
        if email_column and email_column in frame.columns
        else pd.Series("", index=frame.index)
    )
    names = [c for c in mapping.respondent_columns if c != email_column and c in frame.columns]
    joined = pd.Series("", index=frame.index)
    for number, column in enumerate(names):
        keyed = frame[column].map(name_key)
        joined = keyed if number == 0 else joined + "\x1f" + keyed
    has_email = emails.str.contains("@", regex=False)
    has_name = joined.str.strip("\x1f").str.len() > 0
    hashes = [
        pseudonym(key, e) if by_email else (pseudonym(key, n) if by_name else None)
        for e, n, by_email, by_name in zip(emails, joined, has_email, has_name, strict=True)
    ]
    kinds = [
        "email" if e else ("name" if n else None) for e, n in zip(has_email, has_name, strict=True)
    ]
    return (
        pd.Series(hashes, index=frame.index, dtype="object"),
        pd.Series(kinds, index=frame.index, dtype="object"),
        emails.where(has_email, None),
    )


def _role_of(value: str) -> str | None:
    lowered = value.casefold()
    if "mentee" in lowered or "protégé" in lowered or "protege" in lowered:
        return "mentee"
    if "mentor" in lowered or "self" in lowered:
        return "mentor_self"
    return None


# Qualtrics' response types that are not a participant's answers, by label and by the code a
# "numeric values" export writes (1 preview, 2 test, 8 spam, 9 preview spam, 12 imported spam,
# 17 offline preview).
_NOT_PARTICIPANTS = {
    "survey preview": "a Survey Preview (someone trying the survey out)",
    "survey test": "a Survey Test (generated test data)",
    "spam": "flagged as spam by Qualtrics",
    "preview spam": "a Survey Preview flagged as spam",
    "imported spam": "flagged as spam by Qualtrics",
    "offline survey preview": "a Survey Preview taken offline",
}
_NOT_PARTICIPANT_CODES = {
    "1": "survey preview",
    "2": "survey test",
    "8": "spam",
    "9": "preview spam",
    "12": "imported spam",
    "17": "offline survey preview",
}


def _metadata_column(raw: RawExport, *names: str) -> str | None:
    for column in raw.columns:
        if any(
            re.sub(r"[\s_]+", "", text.casefold()) in names for text in (column.key, column.text)
        ):
            return column.key
    return None


def _set_aside_tests_and_note_unfinished(
    raw: RawExport, set_aside: SetAside, notes: list[str]
) -> None:
    """Qualtrics records previews, test runs and spam beside real responses: they are set aside,
    each with its reason. A response closed before the end (Finished False) holds real answers to
    the questions reached: it is counted, and a note says how many there are."""
    if not raw.format.startswith("qualtrics"):
        return
    frame = raw.frame
    status_key = _metadata_column(raw, "status", "responsetype")
    if status_key is not None:
        status = frame[status_key].str.strip().str.casefold()
        status = status.map(lambda v: _NOT_PARTICIPANT_CODES.get(v, v))
        flagged = status.index[status.isin(list(_NOT_PARTICIPANTS))]
        set_aside.add(
            flagged,
            raw.column(status_key).text,
            lambda r: f"Row {r}: {_NOT_PARTICIPANTS[status.loc[r]]}, not a participant's response",
            frame[status_key],
        )
    finished_key = _metadata_column(raw, "finished")
    if finished_key is not None:
        finished = frame[finished_key].str.strip().str.casefold()
        unfinished = set_aside.kept(finished.index[finished.isin(["false", "0"])])
        if len(unfinished):
            notes.append(
                f"{len(unfinished)} response(s) were recorded before the respondent reached the "
                "end of the survey (Finished = False): the questions they answered are counted, "
                "the rest are left blank."
            )


def parse_survey(
    raw: RawExport,
    mapping: SurveyMapping,
    hash_key: bytes,
    progress: Callable[[float], None] | None = None,
) -> ParsedSurvey:
    """Responses in long form; a row that cannot be counted whole is set aside with its reasons."""
    frame = raw.frame
    notes: list[str] = []
    set_aside = SetAside(raw)
    mentor = (
        frame[mapping.mentor_column].str.strip()
        if mapping.mentor_column
        else pd.Series("", index=frame.index)
    )
    mentor_label = raw.column(mapping.mentor_column).text if mapping.mentor_column else None
    set_aside.add(
        mentor.index[mentor == ""], mentor_label, lambda r: f"Row {r}: no mentor is named", None
    )
    if mapping.date_column:
        dates = parse_dates(frame[mapping.date_column], raw.format, notes)
        date_label = raw.column(mapping.date_column).text
        unreadable = dates.index[dates.isna()]
        set_aside.add(
            unreadable,
            date_label,
            lambda r: f"Row {r}: the date '{frame.at[r, mapping.date_column]}' could not be read",
            frame[mapping.date_column],
        )
    else:
        dates = pd.Series(pd.NaT, index=frame.index)
    if mapping.role_column:
        roles = frame[mapping.role_column].map(_role_of)
        set_aside.add(
            roles.index[roles.isna()],
            raw.column(mapping.role_column).text,
            lambda r: (
                f"Row {r}: the role '{frame.at[r, mapping.role_column]}' is neither mentee nor mentor"
            ),
            frame[mapping.role_column],
        )
    else:
        roles = pd.Series(mapping.fixed_role, index=frame.index, dtype="object")
    _set_aside_tests_and_note_unfinished(raw, set_aside, notes)

    scored: dict[str, pd.Series] = {}
    items = {i.column: i for i in mapping.items if i.column in frame.columns}
    for done, (key, item) in enumerate(items.items()):
        column = raw.column(key)
        scale = item.scale or likert.detect_scale(frame[key], column.text)
        if scale is None:
            continue
        values, unknown = likert.score(frame[key], scale)
        # A negatively worded item's favourable end is the bottom of its scale.
        scored[key] = 1.0 - values if item.reversed else values

        def unrecognised(
            r: int, k: str = key, name: str = likert.SCALE_NAMES[scale], t: str = column.text
        ) -> str:
            return f"Row {r}, column '{t}': '{frame.at[r, k]}' is not a recognised answer on {name}"

        set_aside.add(unknown.index[unknown], column.text, unrecognised, frame[key])
        if progress:
            progress((done + 1) / max(1, len(items)))

    identity, identity_kind, respondent_email = _respondents(frame, mapping, hash_key)
    if mapping.response_id_column:
        own = frame[mapping.response_id_column].str.strip()
        response_ids = raw.layout_key + ":" + own
    else:
        # canonical order: a remembered mapping (saved as sorted JSON) must give the same ids
        columns = [mapping.date_column, *sorted(mapping.respondent_columns), *sorted(items)]
        used = [c for c in columns if c]
        basis = frame[used[0]].astype(str)
        for name in used[1:]:
            basis = basis + "\x1f" + frame[name].astype(str)
        response_ids = pd.Series(
            [
                raw.layout_key + ":" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
                for text in basis
            ],
            index=frame.index,
        )
    keep = set_aside.kept(frame.index)
    responses = pd.DataFrame(
        {
            "response_id": response_ids.loc[keep].astype(str),
            "respondent_hash": identity.loc[keep],
            "respondent_ref_kind": identity_kind.loc[keep],
            "respondent_role": roles.loc[keep],
            "mentor_ref": mentor.loc[keep],
            # A mentor rating themself is known by their own email; a mentee's never leaves here.
            "self_email": respondent_email.loc[keep].where(roles.loc[keep] == "mentor_self", None),
            "response_date": dates.loc[keep].dt.date,
        }
    ).reset_index(drop=True)

    answer_parts = []
    for key, values in scored.items():
        kept = values.loc[keep]
        present = kept.notna()
        column = raw.column(key)
        answer_parts.append(
            pd.DataFrame(
                {
                    "response_id": response_ids.loc[keep][present].astype(str).values,
                    "item_id": key,
                    "item_text": column.sub or column.header,
                    "element": items[key].element,
                    "reversed": items[key].reversed,
                    "answer_raw": frame.loc[keep, key][present].str.strip().values,
                    "score_01": kept[present].values,
                }
            )
        )
    answers = (
        pd.concat(answer_parts, ignore_index=True)
        if answer_parts
        else pd.DataFrame(
            columns=[
                "response_id",
                "item_id",
                "item_text",
                "element",
                "reversed",
                "answer_raw",
                "score_01",
            ]
        )
    )
    comment_parts = []
    for key in mapping.comment_columns:
        if key not in frame.columns:
            continue
        text = frame.loc[keep, key].str.strip()
        useful = (text.str.len() > 0) & ~likert.normalise(text).isin(likert.NON_ANSWERS)
        column = raw.column(key)
        comment_parts.append(
            pd.DataFrame(
                {
                    "response_id": response_ids.loc[keep][useful].astype(str).values,
                    "item_id": key,
                    "item_text": column.text,
                    "text": text[useful].values,
                }
            )
        )
    comments = (
        pd.concat(comment_parts, ignore_index=True)
        if comment_parts
        else pd.DataFrame(columns=["response_id", "item_id", "item_text", "text"])
    )
    segment_parts = []
    for key, segment in mapping.segment_columns.items():
        if key not in frame.columns:
            continue
        value = frame.loc[keep, key].str.strip()
        present = value.str.len() > 0
        segment_parts.append(
            pd.DataFrame(
                {
                    "response_id": response_ids.loc[keep][present].astype(str).values,
                    "segment": segment,
                    "value": value[present].values,
                }
            )
        )
    segments = (
        pd.concat(segment_parts, ignore_index=True)
        if segment_parts
        else pd.DataFrame(columns=["response_id", "segment", "value"])
    )
    return ParsedSurvey(
        responses=responses,
        answers=answers,
        comments=comments,
        segments=segments,
        rejected=set_aside.frame(),
        rows_read=len(frame) + len(raw.rejected),
        notes=notes,
    )
