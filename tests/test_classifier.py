"""The rubric classifier: hard cases one by one, whose behaviour is described, the quality floors on
the old labelled set and on the frozen split of the blind-written set, rubric edits and the
`python -m analysis classify` JSON-lines contract."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from analysis import elements
from analysis.errors import MentoringError
from analysis.model import ELEMENTS
from bench import train_reader
from bench.classify_quality import (
    false_alarms,
    load_generalisation,
    load_labelled,
    macro_f1,
    opposite_precision,
    opposite_share,
    predict,
    scores,
)

ROOT = Path(__file__).resolve().parent.parent


def _values(text: str, rubric: dict | None = None) -> dict[str, int]:
    return elements.classify_records([text], rubric)[0]["elements"]


def _only(**expected: int) -> dict[str, int]:
    return {e: expected.get(e, 0) for e in ELEMENTS}


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    return load_labelled()


def _phrases_only() -> dict:
    return {**elements.load_rubric(), "learned": False}


@pytest.fixture(scope="module")
def test_split_scores(labelled: pd.DataFrame) -> pd.DataFrame:
    # The word model is fitted on the whole old set, so its test split is held out only for the
    # rubric's phrases: that is what these floors guard.
    held_out = labelled[labelled["split"] == "test"].reset_index(drop=True)
    return scores(held_out, predict(held_out, _phrases_only()))


@pytest.fixture(scope="module")
def frozen_split_scores() -> pd.DataFrame:
    """Aggregate scores on the blind-written set's frozen split (its texts are never shown)."""
    frozen = load_generalisation("test")
    return scores(frozen, predict(frozen))


# None of these sentences is in tests/data/labelled_texts.csv: they check that the rubric reads
# ideas, not the labelled set's wording.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # paraphrase: the element's name never appears
        (
            "Handed the whole supplier onboarding to Kim and only asked to see the result by the 30th.",
            _only(trust=1),
        ),
        (
            "Talked her into running the customer webinar even though she swore she couldn't.",
            _only(risk=1),
        ),
        (
            "Sat down after the failed bid and went over what she would do differently.",
            _only(learning=1),
        ),
        ("Asked how she's getting along with the new product owner.", _only(relationship=1)),
        ("He encouraged me to start mentoring a new joiner myself.", _only(relationship=1)),
        (
            "We talked through what went well at the launch and what she'd repeat.",
            _only(learning=1),
        ),
        # negation
        ("She doesn't hover at all.", _only(trust=1)),
        ("He never asks how I'm finding the work.", _only(relationship=-1)),
        ("No debrief, nothing, after the demo crashed.", _only(learning=-1)),
        ("Won't let me anywhere near the big accounts.", _only(risk=-1)),
        ("She rewrites every email before I send it.", _only(trust=-1)),
        # contrast and the past
        (
            "She used to check every line I wrote, but now she leaves the whole report to me.",
            _only(trust=1),
        ),
        ("At first he hovered, but these days he leaves me to it.", _only(trust=1)),
        ("We used to have proper retros. Not anymore.", _only(learning=-1)),
        (
            "He used to push me to take on big things; lately he keeps me on safe work.",
            _only(risk=-1),
        ),
        # keyword traps
        ("Updated the risk register and the LMS enrolment list.", _only()),
        ("Call with the relationship manager about the trust fund paperwork.", _only()),
        ("Machine learning study group on Thursdays.", _only()),
        ("We did the annual risk assessment for the warehouse.", _only()),
        # several elements at once, with opposite signs
        (
            "Pushed him to pitch to the board although he was nervous; I'll back him. "
            "Afterwards he still never asks how I'm doing.",
            _only(risk=1, relationship=-1),
        ),
    ],
)
def test_hard_english_cases_are_read_by_meaning(text, expected):
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nunca me pregunta cómo me llevo con mi jefe.", _only(relationship=-1)),
        pytest.param(
            "Me animó a liderar la reunión con el cliente aunque yo dudaba, y me respaldó.",
            _only(risk=1),
            # leading the client meeting also reads as ownership to the learned model
            marks=pytest.mark.xfail(
                reason="the learned model also reads trust (probability 0.67, threshold 0.65)",
                strict=True,
            ),
        ),
        ("Nos culpó a todos por el retraso.", _only(learning=-1)),
        ("On a fait le bilan du lancement raté, sans reproches.", _only(learning=1)),
        ("Il vérifie chaque ligne que j'écris, c'est du micromanagement.", _only(trust=-1)),
        (
            "Elle me demande souvent comment se passe ma relation avec mon manager.",
            _only(relationship=1),
        ),
        ("Sie hat mir die Präsentation komplett überlassen.", _only(trust=1)),
        ("Er hat mich ermutigt, den Workshop zu leiten, obwohl ich unsicher war.", _only(risk=1)),
        ("Sie fragt nie, wie ich mit den Kollegen zurechtkomme.", _only(relationship=-1)),
    ],
    ids=[
        "es-relationship",
        "es-risk",
        "es-learning",
        "fr-learning",
        "fr-trust",
        "fr-relationship",
        "de-trust",
        "de-risk",
        "de-relationship",
    ],
)
def test_spanish_french_and_german_notes_are_read(text, expected):
    assert _values(text) == expected


# Written for these tests, not taken from any labelled split: whose behaviour a text describes.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a third party's behaviour, not the mentor's
        ("She complained that her own boss micromanages her.", _only()),
        ("Her boss blamed her for the outage in front of everyone.", _only()),
        ("A colleague of his rewrote his slides the night before the review.", _only()),
        ("Ihr Chef kontrolliert jede E-Mail von ihr.", _only()),
        ("The mentee's team lead never asks how she is doing.", _only()),
        # a previous mentor's habit, contrasted with this one's
        (
            "My old mentor never debriefed; this one reviews every launch with me.",
            _only(learning=1),
        ),
        ("Son ancien mentor ne faisait jamais de bilan.", _only()),
        (
            "His previous mentor never let him present. I put him forward for the town hall even "
            "though he's terrified.",
            _only(risk=1),
        ),
        # the third party named after the mentor's behaviour, or as the one talked about
        (
            "My manager wants to sign off everything, but my mentor leaves the approach to me.",
            _only(trust=1),
        ),
        ("Mi jefe revisa todo lo que hago; mi mentora confía en mí.", _only(trust=1)),
        ("We talked about how he handles his new manager.", _only(relationship=1)),
        (
            "Her line manager checks every email she sends; I have stopped asking to see her "
            "drafts.",
            _only(trust=1),
        ),
    ],
)
def test_behaviour_of_someone_other_than_the_mentor_is_not_counted(text, expected):
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd like her to get more stretch work next year.", _only()),
        ("We plan to debrief the launch next week.", _only()),
        ("I stopped hovering over his rollout plan in March.", _only(trust=1)),
        ("She no longer lets me run the client calls.", _only(trust=-1)),
        ("People stuff never comes up in our sessions.", _only(relationship=-1)),
    ],
)
def test_wishes_plans_and_stopped_habits_are_read_for_what_happened(text, expected):
    assert _values(text) == expected


# Sentences of our own in which the rubric's phrases find nothing: only the learned model reads
# them, and its readings follow the rubric's rules on whose behaviour, wishes and the past.
OWNS = "He owns the deadline and the call on how to get there."
ON_TOP = "She stays on top of every detail of my work."


def test_the_learned_model_reads_what_the_phrases_leave_at_nothing():
    phrases_only = _phrases_only()
    assert _values(OWNS, phrases_only) == _only()
    assert _values(ON_TOP, phrases_only) == _only()
    assert _values(OWNS) == _only(trust=1)
    assert _values(ON_TOP) == _only(trust=-1)


@pytest.mark.parametrize(
    "text",
    [
        "His manager owns the deadline and the call on how to get there.",
        "Her boss stays on top of every detail of her work.",
        "My previous mentor stays on top of every detail of my work.",
        "I'd like him to own the deadline and the call on how to get there.",
        "Previously he owns the deadline and the call on how to get there.",
        "In the past she stays on top of every detail of my work.",
    ],
)
def test_the_learned_model_does_not_read_someone_elses_behaviour_a_wish_or_the_past(text):
    assert _values(text) == _only()


def test_the_learned_models_evidence_is_the_sentence_that_weighs_most_towards_it():
    [record] = elements.classify_records([f"Budget review first. {ON_TOP} Then lunch."])
    assert record["elements"] == _only(trust=-1)
    assert record["evidence"]["trust"] == [ON_TOP.rstrip(".")]


def test_the_rubric_hash_follows_the_learned_models_weights_only_when_it_is_used(monkeypatch):
    rubric = elements.load_rubric()
    phrases_only = {**rubric, "learned": False}
    before = elements.rubric_hash(rubric), elements.rubric_hash(phrases_only)
    other = dataclasses.replace(elements.word_model(), checksum="other weights")
    monkeypatch.setattr(elements, "word_model", lambda: other)
    assert elements.rubric_hash(rubric) != before[0]
    assert elements.rubric_hash(phrases_only) == before[1]


@pytest.mark.slow
def test_the_shipped_word_model_is_a_regeneration_from_the_labelled_texts():
    shipped = json.loads(elements.MODEL_PATH.read_text(encoding="utf-8"))
    fresh = train_reader.train()
    assert fresh["trained_on"] == shipped["trained_on"]
    assert fresh["threshold"] == shipped["threshold"]
    assert fresh["words"].keys() == shipped["words"].keys()
    assert fresh["pairs"].keys() == shipped["pairs"].keys()
    # the fit is deterministic; a last rounded decimal may differ on another machine's numerics
    for kind in ("words", "pairs"):
        weights = np.array(list(fresh[kind].values())) - np.array(list(shipped[kind].values()))
        assert np.abs(weights).max() <= 2e-4
    assert np.abs(np.array(fresh["bias"]) - shipped["bias"]).max() <= 2e-4


def test_the_word_model_was_fitted_on_the_current_labelled_texts_and_clause_rules():
    # Editing the labelled texts or the rubric's traps, cues or 'someone else' list changes what
    # the model should learn: refit with `python bench/train_reader.py`. Phrases need no refit.
    shipped = json.loads(elements.MODEL_PATH.read_text(encoding="utf-8"))
    checksum = train_reader.inputs_checksum(train_reader.training_texts(), elements.load_rubric())
    assert shipped["trained_on"]["inputs_checksum"] == checksum


def test_evidence_is_the_original_sentence_with_its_case_and_punctuation():
    [record] = elements.classify_records(
        ["Q3 planning. Then SHE Left The Client Call entirely to her!"]
    )
    assert record["elements"]["trust"] == 1
    assert record["evidence"]["trust"] == ["Then SHE Left The Client Call entirely to her"]
    assert record["evidence"]["risk"] == []


def test_every_evidence_span_in_a_mixed_batch_is_a_substring_of_its_own_text(labelled):
    # traps and "used to ... Not anymore." rewrite text; no text's evidence may come out rewritten
    records = elements.classify_records(labelled["text"].tolist())
    spans = [(r["text"], s) for r in records for e in ELEMENTS for s in r["evidence"][e]]
    assert len(spans) > 200
    assert [(t, s) for t, s in spans if s not in t] == []
    assert all(bool(r["evidence"][e]) == (r["elements"][e] != 0) for r in records for e in ELEMENTS)


def test_classify_frame_returns_one_row_per_text_and_element_in_order():
    frame = elements.classify_frame(
        pd.DataFrame({"text_id": [10, 11, 12], "text": ["We never debrief.", None, ""]})
    )
    assert list(frame.columns) == ["text_id", "element", "value", "evidence"]
    assert frame["text_id"].tolist() == [10] * 4 + [11] * 4 + [12] * 4
    assert frame["element"].tolist() == list(ELEMENTS) * 3
    assert frame["value"].tolist() == [0, 0, -1, 0] + [0] * 8


def test_a_frame_put_together_from_pieces_reads_like_one_built_at_once():
    texts = ["We never debrief.", "She leaves the whole client call to me.", None, "Ok"]
    whole = pd.DataFrame({"text_id": range(4), "text": texts})
    pieces = pd.concat([whole.iloc[:2], whole.iloc[2:]], ignore_index=True)
    pd.testing.assert_frame_equal(elements.classify_frame(pieces), elements.classify_frame(whole))


def test_a_batch_without_a_single_word_reads_as_nothing():
    frame = elements.classify_frame(pd.DataFrame({"text_id": [1, 2], "text": ["", "... !"]}))
    assert frame["value"].tolist() == [0] * 8
    assert frame["evidence"].tolist() == [""] * 8
    assert len(elements.classify_frame(pd.DataFrame({"text_id": [], "text": []}))) == 0


def test_adding_a_phrase_to_a_copy_of_the_rubric_changes_only_that_reading():
    rubric = elements.load_rubric()
    edited = copy.deepcopy(rubric)
    edited["elements"]["learning"]["shown"].append("talked over the near miss")
    text = "We talked over the near miss on the crane."
    assert _values(text, rubric) == _only()
    assert _values(text, edited) == _only(learning=1)
    assert elements.rubric_hash(edited) != elements.rubric_hash(rubric)
    assert _values(text) == _only()


def test_removing_a_trap_lets_the_phrase_count_again():
    rubric = elements.load_rubric()
    edited = copy.deepcopy(rubric)
    edited["traps"] = [t for t in edited["traps"] if t != "retro board"]
    text = "The retro board tool was down."
    assert _values(text, rubric)["learning"] == 0
    assert _values(text, edited)["learning"] == 1


def test_a_half_weight_cue_needs_a_second_cue_in_the_same_text():
    rubric = copy.deepcopy(elements.load_rubric())
    rubric["elements"]["risk"]["shown"] = [
        {"pattern": "volunteered for the panel", "weight": 0.5},
        {"pattern": "i'll coach", "weight": 0.5},
    ]
    assert _values("He volunteered for the panel.", rubric)["risk"] == 0
    assert _values("He volunteered for the panel. I'll coach him.", rubric)["risk"] == 1


def test_a_rubric_with_a_broken_pattern_is_refused_in_plain_words(tmp_path):
    rubric = copy.deepcopy(elements.load_rubric())
    rubric["elements"]["trust"]["shown"].append("(unclosed")
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(rubric), encoding="utf-8")
    with pytest.raises(
        MentoringError, match=r"'\(unclosed' \(trust, shown\) is not a valid pattern"
    ):
        elements.load_rubric(path)


def _synthetic_mix(texts: list[str], n: int) -> list[str]:
    """n notes of one to three labelled texts joined in varied ways, some with a bare 'Not
    anymore.' sentence, shouted, with curly apostrophes, or with numbers that make every sentence
    unique."""
    rng = np.random.default_rng(13)
    joins = [" ", "\n", "; ", " - ", "\n- ", ". ", " • "]
    extras = ["Not anymore.", "nicht mehr", "Ya no.", "We used to debrief.", "", "..."]
    notes = []
    for _ in range(n):
        parts = [texts[i] for i in rng.integers(0, len(texts), size=rng.integers(1, 4))]
        if rng.random() < 0.15:
            parts.insert(int(rng.integers(0, len(parts) + 1)), extras[rng.integers(len(extras))])
        note = parts[0]
        for part in parts[1:]:
            note += joins[rng.integers(len(joins))] + part
        style = rng.random()
        if style < 0.05:
            note = note.upper()
        elif style < 0.1:
            note = note.replace("'", "’")
        elif style < 0.15:
            note = re.sub(r"([.!?])(\s|$)", lambda m: f" {rng.integers(10**6)}{m[1]}{m[2]}", note)
        notes.append(note)
    return notes


def _every_sentence(
    original: pa.Array, owner: np.ndarray, no_longer_alone: str
) -> tuple[pa.Array, np.ndarray]:
    """The reader's sentence step without its shortcut: every sentence read on its own, however
    often it repeats (as before issue 13's speed work)."""
    lowered = pc.replace_substring(pc.utf8_lower(original), "’", "'")
    alone = elements._match(lowered, no_longer_alone)
    joins = np.zeros(len(lowered), dtype=bool)
    joins[:-1] = alone[1:] & (owner[1:] == owner[:-1])
    following = pa.concat_arrays([lowered.slice(1), pa.array([""], type=lowered.type)])
    joined = pc.binary_join_element_wise(lowered, following, pa.scalar(", but ", lowered.type))
    return pc.if_else(pa.array(joins), joined, lowered), np.arange(len(lowered))


@pytest.mark.slow
def test_the_reading_shortcuts_never_change_a_reading(labelled, monkeypatch):
    # Phrases are only tried on clauses that have a word they need, each distinct sentence is read
    # once, and texts are read in batches. Without those shortcuts every sentence is read on its
    # own and every clause is tried against every phrase: both must read the labelled texts and a
    # large mix of them (repeated, joined, rewritten) the same way.
    texts = pd.concat([labelled, load_generalisation("dev")])["text"].tolist()
    texts += _synthetic_mix(texts, 40_000)
    frame = pd.DataFrame({"text_id": range(len(texts)), "text": texts})
    rubric = elements.load_rubric()
    quick = elements.classify_frame(frame, rubric)
    monkeypatch.setattr(elements, "_word_key", lambda patterns: None)
    monkeypatch.setattr(elements, "_distinct_sentences", _every_sentence)
    monkeypatch.setattr(elements, "_BATCH", 5_000)
    elements._compile.cache_clear()
    thorough = elements.classify_frame(frame, rubric)
    elements._compile.cache_clear()
    pd.testing.assert_frame_equal(quick, thorough)


def _digest(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256(frame["value"].to_numpy().astype(np.int8).tobytes())
    digest.update("\x1e".join(frame["evidence"]).encode("utf-8"))
    return digest.hexdigest()


def test_readings_are_those_of_the_reader_before_its_speed_work(labelled):
    # Values and evidence of the old set and the blind-written dev split, read with the rubric
    # before issue 13 (a file that never changes) by the reader as it was before it deduplicated
    # sentences and cut words at spaces (commit b4a466b). A change here is a change of reading.
    texts = pd.concat([labelled, load_generalisation("dev")])["text"].tolist()
    frame = pd.DataFrame({"text_id": range(len(texts)), "text": texts})
    rubric = json.loads((ROOT / "bench" / "rubric_v1.json").read_text(encoding="utf-8"))
    assert (
        _digest(elements.classify_frame(frame, rubric))
        == "b1b5b6d2f4259547345ded88e0249e5e6d05bd3d9d828d07a95413f98cda71c6"
    )


def test_a_rubric_naming_an_undefined_word_list_is_refused_in_plain_words(tmp_path):
    rubric = copy.deepcopy(elements.load_rubric())
    rubric["elements"]["risk"]["shown"].append("pushed {nobody_defined} to")
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(rubric), encoding="utf-8")
    with pytest.raises(MentoringError, match=r"uses \{nobody_defined\}, which is not defined"):
        elements.load_rubric(path)


def test_labelled_set_is_big_varied_and_split_for_held_out_measurement(labelled):
    assert len(labelled) >= 320
    assert labelled["text"].is_unique
    assert set(labelled["split"]) == {"dev", "test"}
    assert abs((labelled["split"] == "dev").mean() - 0.5) < 0.05
    assert 0.12 <= (labelled["lang"] != "en").mean() <= 0.2
    assert (labelled[list(ELEMENTS)] == 0).all(axis=1).mean() > 0.25
    for split, part in labelled.groupby("split"):
        for element in ELEMENTS:
            assert set(part[element]) == {-1, 0, 1}, (split, element)


# Old set, test split (181 texts), committed rubric's phrases: F1 for label 1 trust 0.94, risk 0.88,
# learning 0.85, relationship 0.98 (macro 0.911); label -1 macro 0.926. Before issue 13: 0.862 and
# 0.883. With the word model (fitted on these texts, so not held out): 0.922 and 0.935.
@pytest.mark.parametrize(
    ("element", "floor"),
    [("trust", 0.90), ("risk", 0.84), ("learning", 0.81), ("relationship", 0.94)],
)
def test_held_out_f1_for_shown_stays_above_its_floor(test_split_scores, element, floor):
    row = test_split_scores[
        (test_split_scores["element"] == element) & (test_split_scores["label"] == 1)
    ]
    assert row["f1"].item() >= floor


def test_held_out_macro_f1_stays_above_its_floors(test_split_scores):
    assert macro_f1(test_split_scores, 1) >= 0.88
    assert macro_f1(test_split_scores, -1) >= 0.90


# The blind-written set's frozen split (457 texts), measured once with the committed reader (phrases
# and word model): label 1 P/R/F1 trust .79/.73/.76, risk .77/.77/.77, learning .81/.88/.84,
# relationship .82/.74/.78; macro F1 0.785; 52% of the -1 labels read as -1, 72% of -1 readings
# right; 19% of the texts labelled 0 throughout get some reading. Phrases alone: macro 0.723, 49%,
# 75%, 17%. Before issue 13: macro 0.513, 14%.
# These floors are BELOW the targets (macro F1 >= 0.85, recall >= 0.75 for every element,
# >= 70% of -1 read as -1), which are not reached (trust and relationship recall .73 and .74, macro
# 0.785, 52%); they guard what was reached.
@pytest.mark.parametrize(
    ("element", "f1_floor", "recall_floor"),
    [
        ("trust", 0.73, 0.70),
        ("risk", 0.74, 0.74),
        ("learning", 0.81, 0.85),
        ("relationship", 0.75, 0.71),
    ],
)
def test_frozen_split_f1_and_recall_for_shown_stay_above_their_floors(
    frozen_split_scores, element, f1_floor, recall_floor
):
    row = frozen_split_scores[
        (frozen_split_scores["element"] == element) & (frozen_split_scores["label"] == 1)
    ]
    assert row["f1"].item() >= f1_floor
    assert row["recall"].item() >= recall_floor


def test_frozen_split_macro_f1_and_opposites_stay_above_their_floors(frozen_split_scores):
    assert macro_f1(frozen_split_scores, 1) >= 0.76
    assert opposite_share(frozen_split_scores) >= 0.49
    # more opposites found must not come from reading concerns into texts that have none
    assert opposite_precision(frozen_split_scores) >= 0.68


def test_frozen_split_texts_without_any_element_rarely_get_a_reading():
    frozen = load_generalisation("test")
    assert false_alarms(frozen, predict(frozen)) <= 0.22


def test_held_out_texts_without_any_element_rarely_raise_a_false_alarm(labelled):
    quiet = labelled[(labelled[list(ELEMENTS)] == 0).all(axis=1) & (labelled["split"] == "test")]
    predicted = predict(quiet.reset_index(drop=True), _phrases_only())
    # measured (phrases; the model was fitted on these texts): 6 of 63 quiet test texts get some
    # element (9.5%), as before issue 13
    assert (predicted != 0).any(axis=1).mean() <= 0.13


def test_classify_command_writes_one_json_line_per_input_line():
    lines = [
        "left the client call entirely to her",
        "",
        "Er lässt mich nie etwas Neues ausprobieren.",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "classify"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["text"] for r in records] == lines
    for record in records:
        assert set(record) == {"text", "elements", "evidence"}
        assert list(record["elements"]) == list(ELEMENTS)
        assert set(record["elements"].values()) <= {-1, 0, 1}
        assert list(record["evidence"]) == list(ELEMENTS)
        assert all(
            isinstance(s, str) and s in record["text"]
            for v in record["evidence"].values()
            for s in v
        )
    assert records[0]["elements"] == _only(trust=1)
    assert records[0]["evidence"]["trust"] == ["left the client call entirely to her"]
    assert records[1]["elements"] == _only()
    assert records[2]["elements"] == _only(risk=-1)
    assert "ä" in done.stdout.splitlines()[2]
