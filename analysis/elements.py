"""Detect the four elements in free text (session notes, survey comments) with the editable rubric
in rubric.json: 1 shown, 0 not mentioned, -1 the opposite described, with the sentences behind each
detection. Evaluated column-wise with RE2 regular expressions (pyarrow), never one call per text, and
each distinct sentence of a batch once."""

from __future__ import annotations

import hashlib
import json
import re
import re._parser as _regex_parser  # type: ignore[import-not-found]  # typeshed has no stub for it
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sparse

from analysis.errors import MentoringError
from analysis.model import ELEMENTS

RUBRIC_PATH = Path(__file__).with_name("rubric.json")
# Written by bench/train_reader.py from the hand-labelled texts; used when the rubric says "learned".
MODEL_PATH = Path(__file__).with_name("word_model.json")
_SENTENCE = r"[.!?]+(?:\s+|$)|\n+|;\s*|\s+[-–•*]\s+|^\s*[-–•*]\s+"
# A word inside a cue's reach: no punctuation, so "No blame, we debriefed" is not negated.
_WORD = r"[^\s,;:.!?()]+"
_NOTHING = r"\b\B"  # matches nowhere (RE2 has no lookahead)
_NAMED_WORD = re.compile(r"\{([a-z_]+)\}")
_REQUIRED = ("negation_cues", "contrast_cues", "past_cues", "no_longer_cues", "traps", "elements")
# RE2 builds one automaton per pattern within a fixed memory budget; a union of hundreds of phrases
# with gaps overflows it and falls back to a scan hundreds of times slower, so phrases are matched
# in groups of at most this cost (see _cost), and only in clauses that contain a word they need.
_GROUP = 40
_GAP = re.compile(r"\{0,\d+\}|\.\*|\\S\+|\]\+|\\w\+|\\w\*")
_SPECIAL = set("\\.^$|?*+()[]{}")
# Words too common to narrow anything down: a phrase is looked for by its rarer words.
_COMMON = frozenset(
    "a an the and or but to of in on at for with by from about as is are was were be been it its "
    "this that these those i me my we our you your he him his she her they them their who what "
    "how why when where which all any some one not no never do does did done have has had will "
    "would can could should 'd 'll 's 're 'm up out over off so just only very more most".split()
)


def _alternation(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")" if patterns else _NOTHING


def _cues(words: list[str]) -> str:
    escaped = [w.replace("'", "['’]") for w in sorted(words, key=len, reverse=True)]
    return r"(?:^|[^\w])(?:" + "|".join(escaped) + r")(?:$|[^\w])"


def _required_words(pattern: str) -> set[str] | None:
    """Words of which every match of the pattern contains at least one ("left|leaves" in
    "(left|leaves) it to"), or None when no such words can be named."""
    try:
        parsed = _regex_parser.parse(pattern)
    except (re.error, ValueError, TypeError):
        return None
    words = _sequence_words(list(parsed))
    return {w.strip() for w in words} if words else None


def _sequence_words(items: list[Any]) -> set[str] | None:
    """Each stretch of words and small alternations spells out a set of strings ("le(ft|aves)" ->
    left, leaves); the stretch whose shortest string is longest is the most selective."""
    stretches: list[set[str]] = []
    current = {""}
    for op, value in [*items, (None, None)]:
        words = {chr(value)} if op is _regex_parser.LITERAL else _node_words(op, value)
        if words and len(current) * len(words) <= 64:
            current = {c + w for c in current for w in words}
            continue
        if all(c.strip() for c in current):
            stretches.append(current)
        current = words or {""}
    if not stretches:
        return None
    return max(stretches, key=_selectivity)


def _selectivity(words: set[str]) -> tuple[int, int]:
    """How well a set of strings narrows clauses down: by its shortest string, with the common
    words of a string not counted ('how she' is no better than 'she')."""
    shortest = min(
        len(" ".join(part for part in w.split() if part not in _COMMON).strip()) for w in words
    )
    return shortest, -len(words)


def _node_words(op: Any, value: Any) -> set[str] | None:
    if op is _regex_parser.SUBPATTERN:
        return _sequence_words(list(value[-1]))
    if op is _regex_parser.BRANCH:
        words: set[str] = set()
        for branch in value[1]:
            found = _sequence_words(list(branch))
            if not found:
                return None
            words |= found
        return words
    if op in (_regex_parser.MAX_REPEAT, _regex_parser.MIN_REPEAT) and value[0] >= 1:
        return _sequence_words(list(value[2]))
    if op is _regex_parser.IN and all(kind is _regex_parser.LITERAL for kind, _ in value):
        return {chr(code) for _, code in value}
    return None


def _literal(word: str) -> str:
    return "".join("\\" + c if c in _SPECIAL else c for c in word.lower())


def _cost(pattern: str) -> int:
    """How much a phrase adds to its group's automaton: gaps ("(\\S+ ){0,3}", ".*") cost most."""
    return 1 + 3 * len(_GAP.findall(pattern))


def _groups(patterns: list[str]) -> tuple[tuple[str | None, str], ...]:
    """Phrases in groups of about equal automaton size, each with a pattern for the words one of
    which a clause must contain to match any phrase of the group (None: any clause may)."""
    groups: list[list[str]] = [[]]
    for pattern in sorted(patterns, key=_cost):
        if groups[-1] and sum(map(_cost, groups[-1])) + _cost(pattern) > _GROUP:
            groups.append([])
        groups[-1].append(pattern)
    return tuple((_word_key(g), _alternation(g)) for g in groups if g)


def _word_key(patterns: list[str]) -> str | None:
    """A pattern found inside every word (text between spaces) that could be part of a match of
    one of the patterns: each pattern's required strings, by their longest piece between word
    breaks."""
    pieces: set[str] = set()
    for pattern in patterns:
        found = _required_words(pattern)
        if not found:
            return None
        for words in found:
            longest = max(
                re.split(r"[^\w']+", words.lower()), key=lambda w: (w not in _COMMON, len(w))
            )
            if not longest:
                return None
            pieces.add(longest)
    return "(?:" + "|".join(sorted(_literal(p) for p in pieces)) + ")" if pieces else _NOTHING


@dataclass(frozen=True)
class CompiledRubric:
    traps: str
    contrast: str
    past: str
    no_longer_rewrite: str
    no_longer_alone: str
    negated_prefix: str  # a negation cue and up to three words, before a phrase
    negation_cue: str
    wish_cue: str
    cue_words: tuple[tuple[str | None, str], ...]  # negation cues, wish cues: their words
    any_word: str  # a word any group or cue needs (narrows the words each group's key is tried on)
    someone_as_object: str
    someone_else_acts: str
    shown: dict[str, dict[float, tuple[tuple[str | None, str], ...]]]
    opposite: dict[str, tuple[tuple[str | None, str], ...]]
    learned: bool  # the learned word model reads what the phrases leave at 0
    digest: str


def load_rubric(path: Path | None = None) -> dict[str, Any]:
    """Read and validate a rubric; every problem is named in plain words."""
    source = Path(path) if path else RUBRIC_PATH
    try:
        rubric: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MentoringError(f"The rubric {source.name} could not be read: {exc}") from exc
    _compile(json.dumps(rubric, sort_keys=True))
    return rubric


def rubric_hash(rubric: dict[str, Any]) -> str:
    """Changes whenever any phrase, weight or cue changes, or the learned model's weights when the
    rubric uses it (stored text is then re-scored)."""
    text = json.dumps(rubric, sort_keys=True)
    if rubric.get("learned") is True:
        text += word_model().checksum
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check(pattern: str, where: str) -> None:
    try:
        pc.match_substring_regex(pa.array(["x"]), pattern=pattern, ignore_case=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise MentoringError(f"The rubric pattern {where} is not a valid pattern: {exc}") from exc


def _expander(words: dict[str, str]) -> Callable[[str, str], str]:
    """Patterns may name a word list as {name} (the rubric's 'words' section)."""

    def expand(pattern: str, where: str) -> str:
        def one(found: re.Match[str]) -> str:
            if found[1] not in words:
                raise MentoringError(
                    f"The rubric pattern {where} uses {{{found[1]}}}, which is not defined "
                    "under 'words'."
                )
            return f"(?:{words[found[1]]})"

        expanded = _NAMED_WORD.sub(one, pattern)
        _check(expanded, where)
        return expanded

    return expand


def _uncaptured(pattern: str) -> str:
    """The same pattern with every group non-capturing (extract_regex names its only group)."""
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern)


def _reach(words: int) -> str:
    return rf"(?:{_WORD}[ '’]+){{0,{words}}}"


@lru_cache(maxsize=8)
def _compile(text: str) -> CompiledRubric:
    rubric = json.loads(text)
    for key in _REQUIRED:
        if key not in rubric:
            raise MentoringError(f"The rubric has no '{key}' section.")
    missing = [e for e in ELEMENTS if e not in rubric["elements"]]
    if missing:
        raise MentoringError(f"The rubric has no entry for: {', '.join(missing)}.")
    learned = rubric.get("learned", False)
    if not isinstance(learned, bool):
        raise MentoringError("The rubric's 'learned' must be true or false.")
    if learned:
        word_model()
    words = rubric.get("words", {})
    for name, pattern in words.items():
        if _NAMED_WORD.search(pattern):
            raise MentoringError(f"The rubric's word list {{{name}}} may not name another list.")
        _check(pattern, f"'{pattern}' (words, {name})")
    expand = _expander(words)
    shown: dict[str, dict[float, tuple[tuple[str | None, str], ...]]] = {}
    opposite: dict[str, tuple[tuple[str | None, str], ...]] = {}
    for element in ELEMENTS:
        entry = rubric["elements"][element]
        by_weight: dict[float, list[str]] = {}
        for i, item in enumerate(entry.get("shown", [])):
            pattern, weight = (
                (item, 1.0)
                if isinstance(item, str)
                else (item.get("pattern"), float(item.get("weight", 1)))
            )
            if not isinstance(pattern, str) or not pattern:
                raise MentoringError(
                    f"The rubric's {element} 'shown' entry {i + 1} has no pattern."
                )
            by_weight.setdefault(weight, []).append(
                expand(pattern, f"'{pattern}' ({element}, shown)")
            )
        shown[element] = {w: _groups(p) for w, p in by_weight.items()}
        patterns = [
            expand(
                p if isinstance(p, str) else p.get("pattern", ""), f"'{p}' ({element}, opposite)"
            )
            for p in entry.get("opposite", [])
        ]
        opposite[element] = _groups(patterns)
    traps = [expand(t, f"'{t}' (traps)") for t in rubric["traps"]]
    others = rubric.get("someone_else", {})
    someone = _alternation([expand(p, f"'{p}' (someone_else, who)") for p in others.get("who", [])])
    before_object = _cues(others.get("before_object", [])) if others.get("before_object") else ""
    no_longer = "|".join(rubric["no_longer_cues"])
    negation = rubric["negation_cues"] + rubric["no_longer_cues"]
    wishes = [expand(w, f"'{w}' (wish_cues)") for w in rubric.get("wish_cues", [])]
    cue_words = (
        (_word_key([_alternation(negation)]), ""),
        (_word_key([_alternation(wishes)]) if wishes else _NOTHING, ""),
    )
    groups = [
        *(g for e in ELEMENTS for gs in shown[e].values() for g in gs),
        *(g for e in ELEMENTS for g in opposite[e]),
        *cue_words,
    ]
    return CompiledRubric(
        traps=_alternation(traps),
        contrast=r"\s*,?\s*" + _cues(rubric["contrast_cues"]) + r"\s*",
        past=_cues(rubric["past_cues"]),
        no_longer_rewrite=r"(?:used to|solía|früher)\s+([^.!?;\n]{1,80}?),?\s+(?:but|pero|mais|aber)\s+(?:"
        + no_longer
        + ")",
        no_longer_alone=r"^\s*(?:" + no_longer + r")\W*$",
        negated_prefix=_cues(negation) + _reach(3),
        negation_cue=_cues(negation),
        wish_cue=_cues(wishes) if wishes else _NOTHING,
        cue_words=cue_words,
        any_word=_alternation([key for key, _ in groups if key is not None]),
        someone_as_object=(
            "(" + before_object + r")(" + someone + r")" if before_object else _NOTHING
        ),
        someone_else_acts=r"(?:^|[^\w])(?:" + someone + r")(?:$|[^\w]).*$",
        shown=shown,
        opposite=opposite,
        learned=learned,
        digest=rubric_hash(rubric),
    )


def _match(values: pa.Array, pattern: str) -> np.ndarray:
    found: np.ndarray = pc.match_substring_regex(
        values, pattern=pattern, ignore_case=True
    ).to_numpy(zero_copy_only=False)
    return found


def _distinct_sentences(
    original: pa.Array, owner: np.ndarray, no_longer_alone: str
) -> tuple[pa.Array, np.ndarray]:
    """Each distinct sentence once, lowered as the rubric reads it, and which one each sentence is:
    real notes repeat many sentences, and each is read once. A bare 'Not anymore.' is appended to
    the sentence before it (same text), so 'We used to debrief. Not anymore.' reads as one."""
    distinct = pc.dictionary_encode(original)
    unit = distinct.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    lowered = pc.utf8_lower(distinct.dictionary)
    curly = pc.match_substring(lowered, "’")
    if pc.any(curly).as_py():
        lowered = pc.replace_with_mask(
            lowered, curly, pc.replace_substring(lowered.filter(curly), "’", "'")
        )
    alone = _match(lowered, no_longer_alone)[unit]
    joins = np.flatnonzero(alone[1:] & (owner[1:] == owner[:-1]))
    if len(joins):
        joined = pc.binary_join_element_wise(
            lowered.take(pa.array(unit[joins])),
            lowered.take(pa.array(unit[joins + 1])),
            pa.scalar(", but ", lowered.type),
        )
        unit[joins] = len(lowered) + np.arange(len(joins))
        lowered = pa.concat_arrays([lowered, joined])
    return lowered, unit


@dataclass(frozen=True)
class _Clauses:
    """Every clause of a list of distinct sentences, as the rubric reads it, in order."""

    text: pa.Array
    unit: np.ndarray  # the sentence each clause comes from (ascending)
    words: pa.Array  # the distinct words of all clauses
    word_codes: np.ndarray  # each word occurrence as a position in `words`, clause by clause
    word_starts: np.ndarray  # where each clause's words start in `word_codes`
    keyed: np.ndarray  # the positions in `words` of those a group or cue could need


def _clauses(lowered: pa.Array, compiled: CompiledRubric) -> _Clauses:
    lowered = pc.replace_substring_regex(
        lowered, pattern=compiled.no_longer_rewrite, replacement=r"no longer \1"
    )
    lowered = pc.replace_substring_regex(lowered, pattern=compiled.traps, replacement=" ~ ")
    # "asks how I get on with my manager": the manager is only talked about, not acting; the
    # underscore keeps the words but stops them reading as someone else acting below.
    if compiled.someone_as_object != _NOTHING:
        lowered = pc.replace_substring_regex(
            lowered, pattern=compiled.someone_as_object, replacement=r"\1_\2"
        )
    clauses = pc.split_pattern_regex(lowered, pattern=compiled.contrast)
    # "Her manager micromanages her": from someone else's name to the end of the clause, what is
    # described is not the mentor's behaviour.
    text = pc.replace_substring_regex(
        pc.list_flatten(clauses), pattern=compiled.someone_else_acts, replacement=" ~ "
    )
    # Words cut at spaces only: a phrase's word is looked for inside them, so a word with
    # punctuation attached ("hover,") still counts, and cutting at spaces is several times cheaper
    # than cutting at every non-letter. Every clause has at least one (maybe empty) word.
    tokens = pc.split_pattern(text, " ")
    encoded = pc.dictionary_encode(pc.list_flatten(tokens))
    keyed = np.flatnonzero(_match(encoded.dictionary, compiled.any_word))
    return _Clauses(
        text,
        pc.list_parent_indices(clauses).to_numpy(),
        encoded.dictionary,
        encoded.indices.to_numpy(zero_copy_only=False),
        tokens.offsets.to_numpy()[:-1],
        keyed,
    )


def _possible(clauses: _Clauses, groups: list[tuple[str | None, str]]) -> np.ndarray:
    """Per clause, a bit per group (at most 64): set when the clause has a word the group needs.
    The word patterns run once over the distinct words, not over every clause."""
    by_word = np.zeros(len(clauses.words), dtype=np.uint64)
    keyed = clauses.words.take(pa.array(clauses.keyed, type=pa.int64()))
    always = np.uint64(0)
    for i, (key, _) in enumerate(groups):
        bit = np.uint64(1 << i)
        if key is None:
            always |= bit
        elif len(keyed):
            by_word[clauses.keyed[_match(keyed, key)]] |= bit
    if not len(clauses.word_codes):
        return np.full(len(clauses.text), always, dtype=np.uint64)
    return always | np.bitwise_or.reduceat(by_word[clauses.word_codes], clauses.word_starts)


@dataclass(frozen=True)
class _Hits:
    """One element's phrase groups ('shown' by weight, then 'opposite', weight None) and, per
    group, the clauses that contain one of its phrases."""

    weights: tuple[float | None, ...]
    patterns: tuple[str, ...]
    rows: tuple[np.ndarray, ...]


def _hits(clauses: _Clauses, element: str, compiled: CompiledRubric) -> _Hits:
    """Each group is tried only on the clauses that have a word its phrases need."""
    shown = compiled.shown[element]
    groups: list[tuple[float | None, tuple[str | None, str]]] = [
        (w, g) for w, gs in shown.items() for g in gs
    ]
    groups += [(None, g) for g in compiled.opposite[element]]
    possible = _possible(clauses, [g for _, g in groups])
    rows = []
    for i, (_, (_, pattern)) in enumerate(groups):
        where = np.flatnonzero(possible & np.uint64(1 << i))
        if len(where):
            where = where[_match(clauses.text.take(pa.array(where)), pattern)]
        rows.append(where)
    return _Hits(tuple(w for w, _ in groups), tuple(p for _, (_, p) in groups), tuple(rows))


@dataclass(frozen=True)
class _AfterCue:
    """For some clauses, the text after their first and second cue (negation or wish; '' without
    one), so that "a phrase within reach of a cue" is an anchored match there: far cheaper than
    searching for cue, gap and phrase together."""

    slot: np.ndarray  # per clause, its position in `rests` (-1: it has no cue)
    rests: tuple[pa.Array, ...]
    reach: str

    def cued(self, rows: np.ndarray, pattern: str) -> np.ndarray:
        """Those of `rows` with a phrase of the pattern within reach after a cue."""
        rows = rows[self.slot[rows] >= 0]
        if not len(rows):
            return rows
        positions = pa.array(self.slot[rows])
        found = np.zeros(len(rows), dtype=bool)
        for rest in self.rests:
            found |= _match(rest.take(positions), self.reach + pattern)
        return rows[found]


def _after_cue(text: pa.Array, rows: np.ndarray, cue: str, words: int) -> _AfterCue:
    slot = np.full(len(text), -1, dtype=np.int64)
    slot[rows] = np.arange(len(rows))
    current = text.take(pa.array(rows, type=pa.int64()))
    rests = []
    for _ in range(2):
        found = pc.extract_regex(current, pattern=f"(?i){_uncaptured(cue)}(?P<rest>.*)")
        current = pc.fill_null(pc.struct_field(found, [0]), "")
        rests.append(current)
    return _AfterCue(slot, tuple(rests), "^" + _reach(words))


def _reading(
    hits: _Hits, negation: _AfterCue, wish: _AfterCue, text: pa.Array, past: str
) -> np.ndarray:
    """Per clause: its positive weight (> 0) or -1 for a concern, 0 when it says nothing."""
    n = len(text)
    positive = np.zeros(n)
    negated_positive = np.zeros(n, dtype=bool)
    opposite = np.zeros(n, dtype=bool)
    negated_opposite = np.zeros(n, dtype=bool)
    by_weight: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    for weight, pattern, rows in zip(hits.weights, hits.patterns, hits.rows, strict=True):
        hit, cued = (
            (opposite, negated_opposite)
            if weight is None
            else by_weight.setdefault(weight, (np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)))
        )
        hit[rows] = True
        cued[negation.cued(rows, pattern)] = True
    for weight, (hit, flipped) in by_weight.items():
        positive = np.maximum(positive, np.where(hit & ~flipped, weight, 0.0))
        negated_positive |= flipped
    positive = np.maximum(positive, np.where(negated_opposite, 1.0, 0.0))
    # "I'd like more stretch": a wish or a plan describes nothing the mentor did. A clause with both
    # a phrase and its opposite reads as the opposite ("people stuff never comes up").
    hopeful = positive > 0
    if hopeful.any():
        wished = np.zeros(n, dtype=bool)
        for pattern, rows in zip(hits.patterns, hits.rows, strict=True):
            wished[wish.cued(rows[hopeful[rows]], pattern)] = True
        positive[wished] = 0.0
    negative = (opposite & ~negated_opposite) | (negated_positive & (positive == 0))
    said = np.where(negative, -1.0, positive)
    speaking = np.flatnonzero(said != 0)
    if len(speaking):
        said[speaking[_match(text.take(pa.array(speaking)), past)]] = 0.0
    return said


def _readings(clauses: _Clauses, compiled: CompiledRubric) -> np.ndarray:
    """Per clause and element (columns in ELEMENTS order): its reading. Negation and wishes are
    only looked for in clauses where some phrase was found."""
    hits = [_hits(clauses, element, compiled) for element in ELEMENTS]
    cues = _possible(clauses, list(compiled.cue_words))
    found = np.zeros(len(clauses.text), dtype=bool)
    for element_hits in hits:
        for rows in element_hits.rows:
            found[rows] = True
    negation = _after_cue(
        clauses.text,
        np.flatnonzero(found & ((cues & np.uint64(1)) != 0)),
        compiled.negation_cue,
        3,
    )
    wish = _after_cue(
        clauses.text, np.flatnonzero(found & ((cues & np.uint64(2)) != 0)), compiled.wish_cue, 5
    )
    return np.column_stack([_reading(h, negation, wish, clauses.text, compiled.past) for h in hits])


@dataclass(frozen=True)
class WordModel:
    """The learned part of the reader: per element, one logistic model for 'shown' and one for
    'opposite' over the words and word pairs of the clauses the rubric reads (word_model.json,
    written by bench/train_reader.py). Columns: per element in ELEMENTS order, shown then opposite.
    """

    vocabulary: pa.Array  # every word the model knows; 'not_' + word within a negation's reach
    word_weights: np.ndarray  # (words in vocabulary, 8)
    pair_keys: np.ndarray  # each word pair as first * len(vocabulary) + second, ascending
    pair_set: pa.Array  # the same, for look-ups
    pair_weights: np.ndarray  # (pairs, 8)
    bias: np.ndarray  # (8,)
    cutoff: np.ndarray  # (8,): the score (log-odds) from which it gives a reading; inf: never
    negation_words: pa.Array  # words that put the next `reach` words within a negation's reach
    reach: int
    trained_texts: int  # how many hand-labelled texts it was fitted on
    checksum: str  # of the model file: part of rubric_hash


@lru_cache(maxsize=1)
def word_model(path: Path = MODEL_PATH) -> WordModel:
    """The learned model in analysis/word_model.json (read once)."""
    try:
        raw = path.read_bytes()
        model = json.loads(raw)
    except (OSError, json.JSONDecodeError) as exc:
        raise MentoringError(f"The learned model {path.name} could not be read: {exc}") from exc
    words: dict[str, list[float]] = model["words"]
    pairs: dict[str, list[float]] = model["pairs"]
    split = [pair.split(" ") for pair in pairs]
    vocabulary = sorted(set(words) | {w for pair in split for w in pair})
    position = {w: i for i, w in enumerate(vocabulary)}
    word_weights = np.zeros((len(vocabulary), 2 * len(ELEMENTS)))
    for word, weights in words.items():
        word_weights[position[word]] = weights
    keys = np.array([position[a] * len(vocabulary) + position[b] for a, b in split], dtype=np.int64)
    order = np.argsort(keys)
    return WordModel(
        vocabulary=pa.array(vocabulary, type=pa.large_string()),
        word_weights=word_weights,
        pair_keys=keys[order],
        pair_set=pa.array(keys[order]),
        pair_weights=np.asarray(list(pairs.values()), dtype=float).reshape(-1, 8)[order],
        bias=np.asarray(model["bias"], dtype=float),
        cutoff=np.array([np.log(t / (1 - t)) if t < 1 else np.inf for t in model["threshold"]]),
        negation_words=pa.array(model["negation_words"], type=pa.large_string()),
        reach=int(model["negation_reach"]),
        trained_texts=int(model["trained_on"]["texts"]),
        checksum=hashlib.sha256(raw).hexdigest(),
    )


def learned_words(count: int = 12) -> pd.DataFrame:
    """Per element and reading (shown, opposite), the words and word pairs that weigh most towards
    it, heaviest first ('not_' marks a word within a negation's reach); no words for a reading the
    model never gives."""
    model = word_model()
    vocabulary = model.vocabulary.to_numpy(zero_copy_only=False)
    size = len(vocabulary)
    terms = np.concatenate(
        [
            vocabulary,
            [f"{vocabulary[k // size]} {vocabulary[k % size]}" for k in model.pair_keys],
        ]
    )
    weights = np.vstack([model.word_weights, model.pair_weights])
    rows = []
    for column in range(weights.shape[1]):
        element, reading = ELEMENTS[column // 2], ("shown", "opposite")[column % 2]
        heaviest = np.argsort(-weights[:, column], kind="stable")[:count]
        used = np.isfinite(model.cutoff[column])
        rows.append(
            {
                "element": element,
                "reading": reading,
                "words": [str(terms[i]) for i in heaviest if used and weights[i, column] > 0],
            }
        )
    return pd.DataFrame(rows)


def bare_words(words: pa.Array) -> pa.Array:
    """Words as the model knows them: without the punctuation at their ends ("hover," -> "hover",
    "~" -> "")."""
    return pc.replace_substring_regex(
        words, pattern=r"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$", replacement=""
    )


@dataclass(frozen=True)
class _Terms:
    """The words of every clause in order (punctuation at their ends removed, empty ones left out),
    as positions in a vocabulary (-1: not in it), and each pair of neighbouring words."""

    clause: np.ndarray  # per word, its clause
    word: np.ndarray  # per word, its position in the vocabulary, or -1
    pair_clause: np.ndarray  # per pair of neighbours in one clause, its clause
    first: np.ndarray
    second: np.ndarray


def _terms(clauses: _Clauses, vocabulary: pa.Array, negation_words: pa.Array, reach: int) -> _Terms:
    """Words within `reach` words after a negation word ("never", "didn't") are looked up as
    'not_' + word, so that "asks" and "never asks" weigh differently. Worked out on the distinct
    words, then spread to every occurrence."""
    bare = bare_words(clauses.words)
    plain = pc.fill_null(pc.index_in(bare, value_set=vocabulary), -1).to_numpy()
    negated = pc.fill_null(
        pc.index_in(
            pc.binary_join_element_wise(
                pa.scalar("not_", bare.type), bare, pa.scalar("", bare.type)
            ),
            value_set=vocabulary,
        ),
        -1,
    ).to_numpy()
    negation = pc.is_in(bare, value_set=negation_words).to_numpy(zero_copy_only=False)
    spoken = pc.greater(pc.binary_length(bare), 0).to_numpy(zero_copy_only=False)
    kept = spoken[clauses.word_codes]
    codes = clauses.word_codes[kept]
    counts = np.add.reduceat(kept, clauses.word_starts) if len(kept) else kept.astype(int)
    clause = np.repeat(np.arange(len(clauses.text), dtype=np.int32), counts)
    word = plain[codes]
    negating = negation[codes]
    if negating.any():
        # the last negation word before each word, if it is in the same clause and within reach
        at = np.arange(len(codes), dtype=np.int32)
        last = np.maximum.accumulate(np.where(negating, at, -1))
        before = np.append(np.int32(-1), last[:-1])
        within = (before >= 0) & (at - before <= reach) & ~negating
        within[within] = clause[before[within]] == clause[within]
        word[within] = negated[codes[within]]
    neighbours = np.flatnonzero(clause[1:] == clause[:-1])
    return _Terms(clause, word, clause[neighbours], word[neighbours], word[neighbours + 1])


def _clause_masks(clauses: _Clauses, compiled: CompiledRubric) -> tuple[np.ndarray, np.ndarray]:
    """Which clauses the model may read for 'shown' and for 'opposite': never a clause about the
    past ('used to'), and not a wish or plan for 'shown'."""
    past = _match(clauses.text, compiled.past)
    wish = _match(clauses.text, compiled.wish_cue)
    return ~past & ~wish, ~past


def _clause_scores(clauses: _Clauses, compiled: CompiledRubric, model: WordModel) -> np.ndarray:
    """Per clause, what its words and word pairs add to each of the model's eight scores."""
    terms = _terms(clauses, model.vocabulary, model.negation_words, model.reach)
    n = len(clauses.text)
    scores = _summed(terms.clause, terms.word, model.word_weights, n)
    paired = np.flatnonzero((terms.first >= 0) & (terms.second >= 0))
    keys = terms.first[paired].astype(np.int64) * len(model.vocabulary) + terms.second[paired]
    pair = np.full(len(terms.pair_clause), -1, dtype=np.int64)
    found = pc.index_in(pa.array(keys), value_set=model.pair_set)
    pair[paired] = pc.fill_null(found, -1).to_numpy()
    scores += _summed(terms.pair_clause, pair, model.pair_weights, n)
    shown, opposite = _clause_masks(clauses, compiled)
    scores[:, 0::2] *= shown[:, None]
    scores[:, 1::2] *= opposite[:, None]
    return scores


def _summed(clause: np.ndarray, term: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per clause (n), the weights of its terms (-1: none) added up; `clause` is ascending, so the
    terms form a sparse clauses x terms matrix without sorting."""
    known = term >= 0
    rows = np.zeros(n + 1, dtype=np.int64)
    rows[1:] = np.cumsum(np.bincount(clause[known], minlength=n))
    counts = sparse.csr_matrix(
        (np.ones(int(rows[-1])), term[known], rows), shape=(n, weights.shape[0])
    )
    return np.asarray(counts @ weights)


def _learned(
    clauses: _Clauses, compiled: CompiledRubric, unit: np.ndarray, owner: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The model's reading of each text and element (1, -1 or 0) and, for each reading, the
    sentence whose clause weighs most towards it (-1 without a reading). A text's score is the sum
    of its clauses'; each distinct sentence is scored once."""
    model = word_model()
    scores = _clause_scores(clauses, compiled, model)
    # every distinct sentence has at least one clause and every text at least one sentence
    unit_starts = np.searchsorted(clauses.unit, np.arange(int(clauses.unit[-1]) + 1))
    sentence_sum = np.add.reduceat(scores, unit_starts, axis=0)[unit]
    sentence_best = np.maximum.reduceat(scores, unit_starts, axis=0)[unit]
    text_starts = np.searchsorted(owner, np.arange(n))
    margin = model.bias + np.add.reduceat(sentence_sum, text_starts, axis=0) - model.cutoff
    best = np.maximum.reduceat(sentence_best, text_starts, axis=0)
    # a reading needs a clause that counts towards it, not only the sum
    fires = (margin >= 0) & (best > 0)
    shown, opposite = fires[:, 0::2], fires[:, 1::2]
    value = np.where(
        shown & (~opposite | (margin[:, 0::2] >= margin[:, 1::2])), 1, np.where(opposite, -1, 0)
    ).astype(np.int8)
    sentence = np.full(value.shape, -1, dtype=np.int64)
    for e in range(len(ELEMENTS)):
        for label, column in ((1, 2 * e), (-1, 2 * e + 1)):
            read = value[:, e] == label
            if not read.any():
                continue
            top = np.flatnonzero(read[owner] & (sentence_best[:, column] == best[owner, column]))
            texts, first = np.unique(owner[top], return_index=True)
            sentence[texts, e] = top[first]
    return value, sentence


def _decide(reading: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """A text's value from its clauses: shown when the weights reach 1 and nothing contradicts it,
    a concern when only concerns were said, and the last clause that said something when both."""
    said = np.flatnonzero(reading != 0)
    value = np.zeros(n, dtype=np.int8)
    if not len(said):
        return value
    who = owner[said]
    weight = np.where(reading[said] > 0, reading[said], 0.0)
    shown = np.bincount(who, weights=weight, minlength=n) >= 1.0
    concern = np.bincount(who, weights=(reading[said] < 0), minlength=n) > 0
    last = np.zeros(n, dtype=np.int8)
    ends = np.flatnonzero(np.append(who[1:] != who[:-1], True))
    last[who[ends]] = np.sign(reading[said][ends]).astype(np.int8)
    value[shown & ~concern] = 1
    value[concern & ~shown] = -1
    both = shown & concern
    value[both] = last[both]
    return value


def _evidence(
    reading: np.ndarray,
    value: np.ndarray,
    sentence: np.ndarray,
    owner: np.ndarray,
    original: pa.Array,
    n: int,
) -> np.ndarray:
    """The original sentences whose clauses agree with the text's value, joined with ' … '."""
    evidence = np.full(n, "", dtype=object)
    agrees = (reading != 0) & (np.sign(reading) == value[owner]) & (value[owner] != 0)
    sentences, first = np.unique(sentence[agrees], return_index=True)
    if not len(sentences):
        return evidence
    owners = owner[agrees][first]
    spans = pc.utf8_trim_whitespace(original.take(pa.array(sentences)))
    starts = np.flatnonzero(np.insert(owners[1:] != owners[:-1], 0, True))
    offsets = pa.array(np.append(starts, len(sentences)).astype(np.int32))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, spans), pa.scalar(" … ", spans.type))
    evidence[owners[starts]] = np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)
    return evidence


def _read(texts: pa.Array, compiled: CompiledRubric) -> tuple[np.ndarray, np.ndarray]:
    """Values (texts x elements) and their evidence for one batch of texts."""
    n = len(texts)
    # Sentences are cut from the original text, so evidence is always a real substring of it; the
    # rewrites then work on a lowered copy of each distinct sentence.
    sentences = pc.split_pattern_regex(texts, pattern=_SENTENCE)
    original = pc.list_flatten(sentences)
    owner = pc.list_parent_indices(sentences).to_numpy()
    lowered, unit = _distinct_sentences(original, owner, compiled.no_longer_alone)
    clauses = _clauses(lowered, compiled)
    readings = _readings(clauses, compiled)
    # Back from distinct sentences to every sentence of every text, in text order: only the
    # clauses that say something for some element are needed.
    said = np.flatnonzero(readings.any(axis=1))
    said_unit = clauses.unit[said]
    count = np.bincount(said_unit, minlength=len(lowered))[unit]
    first = np.searchsorted(said_unit, np.arange(len(lowered)))
    rows = np.flatnonzero(count)
    repeats = count[rows]
    sentence = np.repeat(rows, repeats)
    offset = np.repeat(first[unit[rows]] - (np.cumsum(repeats) - repeats), repeats)
    reading = readings[said[offset + np.arange(len(sentence))]]
    clause_owner = owner[sentence]
    values = np.zeros((n, len(ELEMENTS)), dtype=np.int8)
    evidence = np.full((n, len(ELEMENTS)), "", dtype=object)
    for column in range(len(ELEMENTS)):
        values[:, column] = _decide(reading[:, column], clause_owner, n)
        evidence[:, column] = _evidence(
            reading[:, column], values[:, column], sentence, clause_owner, original, n
        )
    if compiled.learned and n:
        # The phrases decide when they say something; the model reads only what they leave at 0.
        learned, behind = _learned(clauses, compiled, unit, owner, n)
        texts, columns = np.nonzero((values == 0) & (learned != 0))
        values[texts, columns] = learned[texts, columns]
        spans = pc.utf8_trim_whitespace(original.take(pa.array(behind[texts, columns])))
        evidence[texts, columns] = np.asarray(spans.to_numpy(zero_copy_only=False), dtype=object)
    return values, evidence


# Texts read at once: bounds memory (a million notes are read in a few batches) while each batch
# stays large enough that compiling the rubric's patterns costs little.
_BATCH = 250_000


def classify_frame(df: pd.DataFrame, rubric: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per text and element: text_id, element, value (-1, 0, 1), evidence (the sentences
    that produced a non-zero value, '' otherwise)."""
    compiled = _compile(json.dumps(rubric if rubric is not None else load_rubric(), sort_keys=True))
    ids = df["text_id"].to_numpy()
    # a column of pandas' own strings is handed over without a copy (in pieces after a concat)
    column = pa.array(df["text"].fillna("").astype(str))
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    texts = column.cast(pa.large_string())
    n = len(texts)
    values = np.zeros((n, len(ELEMENTS)), dtype=np.int8)
    evidence = np.full((n, len(ELEMENTS)), "", dtype=object)
    for start in range(0, n, _BATCH):
        stop = min(n, start + _BATCH)
        values[start:stop], evidence[start:stop] = _read(texts.slice(start, stop - start), compiled)
    return pd.DataFrame(
        {
            "text_id": np.repeat(ids, len(ELEMENTS)),
            "element": np.tile(np.asarray(ELEMENTS, dtype=object), n),
            "value": values.ravel(),
            "evidence": evidence.ravel(),
        }
    )


def classify_records(
    texts: list[str], rubric: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The `python -m analysis classify` shape: text, elements {e: -1|0|1}, evidence {e: [spans]}."""
    frame = classify_frame(pd.DataFrame({"text_id": range(len(texts)), "text": texts}), rubric)
    records = []
    for position, text in enumerate(texts):
        part = frame[frame["text_id"] == position].set_index("element")
        records.append(
            {
                "text": text,
                "elements": {e: int(part.at[e, "value"]) for e in ELEMENTS},
                "evidence": {
                    e: [s for s in str(part.at[e, "evidence"]).split(" … ") if s] for e in ELEMENTS
                },
            }
        )
    return records
