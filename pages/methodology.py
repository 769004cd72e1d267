"""Methodology: how every number is computed, in plain words, with the thresholds in force."""

import pandas as pd
import streamlit as st

from analysis import readiness
from analysis.elements import learned_words, load_rubric, word_model
from analysis.ingest import upkeep
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

st.markdown(f"**In the surveys loaded now**: {common.read(readiness.favourable).sentence()}")

st.header("Which questions count, and negatively worded ones")
st.markdown(
    """
Each scale question is mapped to one element, or to none, when a survey is loaded. The dashboard
suggests the mapping from the question's wording (paraphrases included: "lets me decide how to
approach my work" is Trust & confidence, "gives me stretch assignments" is Risk-taking) and the
Upload page shows it for you to confirm. Questions about the programme, the platform, the mentor's
expertise, or how likely you are to recommend the programme measure none of the elements and stay
unmapped; so does a question whose wording is unclear: it is named, never guessed.

Some questions are **worded negatively**: agreeing means the mentor does the *opposite* of the
element, for example "My mentor checks every detail of my work" (Trust & confidence) or "My mentor
treats my mistakes as failures" (Learning from everything). Such a question is marked *worded
negatively* (suggested automatically, editable on the Upload page), and its favourable end is the
**bottom** of its scale: "Disagree" and "Strongly disagree" count as the element shown.

*Example*: on a 1-5 agreement scale, "Strongly disagree" with "My mentor checks every detail of my
work" is favourable for Trust & confidence; "Agree" with it is not.
"""
)

st.header("Who is who")
st.markdown(
    """
Mentors and mentees are worked out from **all** loaded files together, never from the order in
which they were loaded, and worked out again after every load and every undo. The participant
roster is the authority where there is one; an **email beats a name** (a session log's mentor email,
or a self-assessment respondent's own email). When a survey names a mentor only by a name that
several mentors share, the respondent's own pairing decides: the roster says which mentor each
mentee (known by email) has, and session logs say who met whom.

When nothing tells namesakes apart, the response or session is **unattributed**: it is counted for
no mentor, and the Upload page lists it with the name and the mentors it could be, so you can add
what is missing (the mentor's email in the export, or respondents' emails and a roster).
"""
)

st.header("Each source as itself")
st.markdown(
    f"""
Three sources say different things and are never added into one ratio:

- **Mentees' ratings**: of the answers to the questions mapped to an element, the share that are
  favourable.
- **Session notes**: of the notes a mentor logged, the share in which the element is described.
  A note that does not mention risk-taking is not evidence against it, so notes run far lower than
  ratings (about 19% against 40% for risk-taking in the sample): the two are different measures.
- **Mentors' self-assessments**: shown only against their own mentees' ratings (the perception gap).

**Coverage** is the estimated share of mentors whose own rate reaches **{s.mentor_shown_share:.0%}**
(adjustable), per source. Each mentor's rate is **partially pooled**: a mentor with 4 observations
is pulled towards the programme's rate, one with 80 barely moves, so chance alone does not make
anyone look like 0% or 100%. Coverage adds up each mentor's probability of clearing the threshold;
the Elements page shows it at 30% to 70% too, since where the line is drawn matters.

*Example*: if mentors' rates spread like a Beta(2, 8) (mean 20%), a mentor with 0 of 4 notes
showing an element is estimated at 2 / (10 + 4) = 14%, not 0%.

For scripts written against earlier versions, `summary --json` still carries the old pooled
figures beside the sources (`frequency_pct`: ratings and notes in one ratio; `coverage_pct`: the
share of mentors with at least **{s.min_observations_per_mentor}** observations who show the element
at least half the time), marked as such; the pages use the sources.
"""
)

st.header("Intervals")
st.markdown(
    """
Every level carries a **95% interval that counts mentors, not notes**: sixty notes of one mentor
are not sixty independent facts about the programme. The interval is Wilson's score interval at
an *effective* number of observations (observations divided by the design effect, the ratio of
the mentor-clustered variance to that of independent answers), with Student's t over
mentors - 1 degrees of freedom, so a figure from few mentors says so.

*Example*: 7 of 10 favourable answers from 6 mentors (3/3, 1/1, 0/1, 1/1, 0/1, 2/3) is 70%,
interval 30% to 93%. Read as ten independent answers it would be 40% to 89%: too sure.

A headline claims a difference only where the intervals support it; otherwise it says the
elements or groups are not distinguishable.
"""
)

st.header("Perception gap")
st.markdown(
    """
Each mentor's self-assessment is paired with **their own mentees'** ratings in the same survey
round (a round is the quarter the survey ran in), survey questions only, each side favourable by
its own scale (Agree or Strongly agree; Often or Always). The gap is self minus mentees, averaged
over the pairs, with an interval clustered by mentor and the number of pairs.
"""
)

st.header("Who to coach on what")
st.markdown(
    """
A mentor is compared like with like: their session notes with every other mentor's notes, their
mentees' ratings with every other mentor's ratings (only when at least 5 mentees answered, and
each mentee counting once). The test asks whether their rate is below that benchmark by more than
chance would make it. Every mentor-element comparison on the page is corrected together
(Benjamini-Hochberg, a 5% false discovery rate): of the mentors listed, about 1 in 20 at most is
there by chance. In a simulated programme where no mentor differs, the list comes out empty.
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
- Respondents' names and emails are never stored in clear: a keyed hash is kept only to recognise
  the same person twice (and to match a mentee to the roster's pairing). Comments are shown as
  plain text.
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
    "Month by month, the Trends line follows **session notes**: survey answers arrive only in "
    "survey months, so they are compared **wave by wave**."
)
st.markdown(
    """
A period's share is compared with the previous period's, each mentor against themself where
they appear in both, with the mentor-clustered variance of the difference. A page runs many such
tests at once (4 elements x 18 months = 72 on the monthly chart), and at the 5% level about 3.6 of
72 would look significant by chance alone. So the tests on a view are **corrected together**
(Benjamini-Hochberg): a change is called *up* or *down* only when its q-value is below 0.05, and
the page says how many tests it ran. Periods with fewer than 30 observations are not tested.
"""
)

st.header("Did a programme event make a difference?")
st.markdown(
    """
On Trends, choose an event (a mentor training, say), when it happened and whom it applied to.
The **difference-in-differences** compares how much the treated mentors changed after it with how
much the other mentors changed: what happened to everyone (the season, the survey) cancels out.
Each mentor is compared with themself (mentor fixed effects); the 95% interval is clustered by
mentor, and the four elements' tests are corrected together. Only mentors seen before and after
count. Before the event, the two groups' lines should run together (the **pre-trend**, drawn
beside it): if they were already drifting apart, the difference is not the event's doing.

*Example (the sample)*: the training on 2 March 2026 for two cohorts raised risk-taking in
session notes by 4.7 points [1.0 to 8.3] and learning by 8.3 [4.1 to 12.5] more than in the other
cohort; trust changed by 0.7 [-4.5 to 5.8]: no effect, as the sample was built. A placebo event
on 1 December 2025 finds nothing on any element.
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
st.markdown(
    f"""
6. **Then a learned model.** Where the phrases find nothing for an element, a model learned from
   **{word_model().trained_texts}** hand-labelled notes and comments may still read it. For each
   element there is one model for *shown* and one for *the opposite*: a weight for each word and
   each pair of neighbouring words, summed over the same clauses the phrases read (traps and
   someone else's behaviour already set aside, never a clause about the past, never a wish for
   *shown*). A word shortly after a negation counts as a different word ("¬asks" in "never
   asks"). The model gives a reading only when the sum clears a threshold chosen by testing it on
   labelled texts it had not been fitted on, and only where at least 65% of its readings were
   right there; its evidence is the sentence that weighs most. The phrases decide whenever
   they say something. Set `"learned": false` in the rubric to read with the phrases alone.
"""
)
st.markdown("*Worked example*")
st.code(
    "Her manager checks every slide she makes. I left the approach to her; I would like to "
    "debrief more, but we never looked back at what went wrong.",
    language=None,
    wrap_lines=True,
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

Measured on 457 labelled notes and comments written by people who never saw the rubric or the
model (the frozen half of `tests/data/generalisation/`), phrases and model together find about
three in four of the notes that show trust, risk-taking or process & relationship and nearly nine
in ten for learning (the phrases alone: three in five, and four in five for learning), and about
half of the described opposites; when they say an element is there, they are right about four
times in five. Figures built on notes therefore still undercount the elements, less than before;
survey answers do not have this limit.
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
st.markdown(
    "**The words that weigh most** for each reading of the learned model, heaviest first "
    "(¬ marks a word within four words after a negation such as *never* or *didn't*). Some "
    "everyday words weigh too: the model learned from a few hundred texts, and they come with the "
    "ways its writers described each element."
)
words = learned_words(12)
st.dataframe(
    pd.DataFrame(
        {
            "element": words["element"].map(ELEMENT_LABELS),
            "reading": words["reading"],
            "words": [
                ", ".join(w.replace("not_", "¬") for w in found)
                or "none: in testing it was not right often enough to give this reading"
                for found in words["words"]
            ],
        }
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
if not upkeep.rubric_is_current(store) and common.current_actor().is_admin:
    st.warning(
        "The stored notes and comments were read with an earlier version of the rubric. Re-score "
        "them so every figure uses the current one."
    )
    if st.button("Re-score stored notes and comments", key="rescore"):
        with st.spinner("Re-reading every note and comment..."):
            count = upkeep.rescore_text(store, actor=common.current_actor())
        st.success(f"Re-scored {count:,} notes and comments.")
