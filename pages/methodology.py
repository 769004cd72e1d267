"""Methodology: how every number is computed, in plain words, with the thresholds in force."""

import pandas as pd
import streamlit as st

from analysis.elements import load_rubric
from analysis.ingest import load
from analysis.model import DEFAULT_SETTINGS, ELEMENT_DESCRIPTIONS, ELEMENT_LABELS, ELEMENTS
from pages import common

common.route_through_dashboard()

s = DEFAULT_SETTINGS
st.title("Methodology")
st.markdown(
    "This dashboard measures how often four elements of good mentoring show up across your mentors. "
    "They come from *Four Essential Elements of a Good Mentoring Relationship* (ATD, 2014)."
)
st.markdown("\n".join(f"- **{ELEMENT_LABELS[e]}**: {ELEMENT_DESCRIPTIONS[e]}" for e in ELEMENTS))

st.header("Observations")
st.markdown(
    f"""
An **observation** is one piece of evidence about one mentor and one element:

- **A survey answer** to an item mapped to an element (on the Upload page). It is *favourable* when the
  answer, rescaled to 0..1 over the item's scale, is at least **{s.favourable_threshold}**: 4-5 on a
  1-5 scale, 6-7 on 1-7, 8-10 on 0-10, "Often" or "Always" on Never..Always. Blank, "N/A",
  "Prefer not to say" and "Don't know" are **not answers**: they are left out, never counted as zero.
  An answer we do not recognise sets its whole response aside with the row and column named.
- **A session note** or **a survey comment**: each is one observation of every element. The text is
  read by an editable rubric of phrases and patterns (English, Spanish, French, German) that marks each
  element as shown (1), not mentioned (0) or **the opposite described** (-1, "she micromanages
  everything"). A -1 counts as *not shown* in frequencies and is listed separately as a **concern**.
  Every detection keeps the sentence that produced it, so each figure can be traced to its evidence.

Mentors' **self-assessments** are kept apart from the headline figures (self-ratings run high) and
are shown against mentees' ratings as the **perception gap**.
"""
)

st.header("The two headline measures")
st.markdown(
    f"""
- **Element frequency** = observations in which the element shows up / all observations of the element.
- **Mentor coverage** = of the mentors with at least **{s.min_observations_per_mentor}** observations
  of the element, the share in whose observations it shows up at least
  **{s.mentor_shown_share:.0%}** of the time.

*Example*: a mentor with 4 observations of Risk-taking, 2 of them favourable, shows it 50% of the
time, so counts as covered; a mentor with 2 observations is not measured for coverage at all.
"""
)

st.header("Privacy")
st.markdown(
    f"""
- No view or export shows a group behind fewer than **{s.anonymity_min}** people: at least
  {s.anonymity_min} mentors, and when survey answers are included, at least {s.anonymity_min}
  distinct respondents. Such cells read "fewer than {s.anonymity_min}".
- **Complementary suppression**: when one cell of a segment table is hidden, the next smallest is
  hidden too, so a hidden cell cannot be worked out from the total and the cells that are shown.
- Per-mentor views use a mentor's survey answers only when at least {s.anonymity_min} different
  respondents rated them; otherwise only their session notes count there.
- Respondents' names and emails are never stored in clear: a keyed hash (the key stays in the
  database file) is kept only to recognise the same person twice. Comments are shown as plain text.
"""
)

st.header("Program health")
st.markdown(
    f"""
Counted back from the latest day with data ("as of"):
**active pair** = a session in the last {s.active_pair_days} days; **pair at risk** = no session for
{s.at_risk_days} days or more (a pair that never met counts from its start date);
**sessions per pair per month** = sessions in the last 90 days / pairs / 3;
**median days between sessions** over consecutive sessions of the same pair;
**response rate** = responses / people invited, where the number invited was given at upload.
The two day thresholds are defaults: change them under **Thresholds** on the Program health page
(the link keeps them).
"""
)

st.header("Changes over time")
st.markdown(
    "Month by month, the Trends line follows **session notes** when both sources are chosen: "
    "survey answers arrive only in survey months and run higher, so mixing them in would turn "
    "every wave into a jump. Survey answers are compared **wave by wave**."
)
st.markdown(
    """
A period's frequency is compared with the previous period's by a pooled **two-proportion z-test**;
the change is called *up* or *down* only when p < 0.05. When either period has fewer than 30
observations, or fewer than 5 expected in any cell, it reads **not enough data**.
"""
)

st.header("The rubric that reads notes and comments")
st.markdown(
    "Phrases and patterns per element, in `analysis/rubric.json`; edit that file to teach the "
    "dashboard your program's words, then re-score (below, or `python -m analysis rescore`). "
    "A note is read sentence by sentence, and a sentence clause by clause (a new clause starts at "
    '"but", "however", "now" and their Spanish, French and German equivalents):'
)
st.markdown(
    """
1. **Traps** are set aside first: "risk register", "learning management system", "relationship
   manager", "zero trust" look like the elements but are not.
2. **Someone else's behaviour is not the mentor's.** From the name of another person ("her
   manager", "my old mentor", "a colleague of his", "nobody") to the end of the clause, nothing
   counts. The same person named after "with", "about", "unlike" and the like is only talked
   about: "we talked about how she handles her manager" still counts.
3. Each element has **shown** phrases (the mentor did it) and **opposite** phrases (the mentor did
   the reverse, a *concern*), grouped by idea: for trust, leaving the how to the mentee, stepping
   back, stating only the result and the date; for risk, pushing into stretch work, the mentee's
   doubts, backing them; for learning, debriefs, looking back, "what would you do differently",
   no blame; for process and relationship, how the mentee works with people, how the mentoring is
   going, paying it forward. `{name}` in a phrase stands for a word list (`{doubt}`: nervous,
   terrified, not ready...). Some phrases count half: a doubt alone is not risk-taking, a doubt
   and a push together are.
4. **Negation** shortly before a phrase turns it around ("never asks how I'm doing" is a concern,
   "didn't hover once" is shown), and so do "stopped" and "no longer". A **wish or plan** before a
   shown phrase cancels it ("I'd like more stretch", "we plan to debrief"). A clause about the
   **past** ("used to") is ignored. A clause that has both a phrase and its opposite reads as the
   opposite ("people stuff never comes up").
5. A note shows an element when its shown phrases add up to a whole one and nothing contradicts
   them; when a note says both, its last clause decides ("used to hover, but now leaves it to
   me"). Every reading keeps the sentences that produced it.
"""
)
st.markdown("*Worked example*")
st.code(
    "Her manager checks every slide she makes. I left the approach to her; I would like to "
    "debrief more, but we never looked back at what went wrong.",
    language=None,
)
st.markdown(
    """
- *Her manager checks every slide she makes*: checking every slide is an opposite of trust, but
  it is her manager's behaviour, so it does not count.
- *I left the approach to her*: a shown phrase of trust, so **trust 1**, with that sentence as the
  evidence.
- *I would like to debrief more*: a wish, so it is not a debrief; *but we never looked back at
  what went wrong*: "looked back" negated by "never", a concern, so **learning -1**.
- Risk and process & relationship: nothing said, **0**.

Measured on 457 labelled notes and comments written by people who never saw the rubric (the
frozen half of `tests/data/generalisation/`), the rubric finds about three in five of the notes
that show trust, risk-taking or process & relationship and four in five for learning, and about
half of the described opposites; when it says an element is there, it is right about four times
in five. Figures built on notes therefore undercount the elements; survey answers do not have
this limit.
"""
)
rubric = load_rubric()
rows = [
    {
        "element": ELEMENT_LABELS[e],
        "kind": kind,
        "phrase or pattern": str(x["pattern"] if isinstance(x, dict) else x),
        "weight": float(x.get("weight", 1)) if isinstance(x, dict) else 1.0,
    }
    for e in ELEMENTS
    for kind in ("shown", "opposite")
    for x in rubric["elements"][e].get(kind, [])
]
st.dataframe(pd.DataFrame(rows), hide_index=True, height=280)
st.dataframe(
    pd.DataFrame(
        [{"word list": f"{{{k}}}", "stands for": v} for k, v in rubric.get("words", {}).items()]
    ),
    hide_index=True,
)
st.caption(
    "Traps (never counted): "
    + ", ".join(str(t["pattern"] if isinstance(t, dict) else t) for t in rubric.get("traps", []))[
        :600
    ]
)
store = common.store()
if not load.rubric_is_current(store):
    st.warning(
        "The stored notes and comments were read with an earlier version of the rubric. Re-score "
        "them so every figure uses the current one."
    )
    if st.button("Re-score stored notes and comments", key="rescore"):
        with st.spinner("Re-reading every note and comment..."):
            count = load.rescore_text(store)
        st.success(f"Re-scored {count:,} notes and comments.")
