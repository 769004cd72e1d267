"""Leadership brief: a PDF and a PowerPoint deck a lead forwards as is. The scope once, an
executive summary computed from the data, each element against its target and the last period,
then the chosen charts with their headlines in words; charts with nothing to show left out."""

import streamlit as st

from analysis import brief, export, snapshots
from analysis.errors import MentoringError
from pages import common

common.route_through_dashboard()

st.title("Leadership brief")
filters = common.current_filters()
st.caption(f"Uses the filters in the sidebar: {filters.describe()}.")
chosen = st.multiselect(
    "Charts",
    list(snapshots.CHARTS),
    default=list(brief.DEFAULT_CHARTS),
    format_func=lambda name: snapshots.CHARTS[name][0],
    key="brief-charts",
)
names = common.current_actor().is_admin and st.checkbox(
    "Include mentors' names",
    value=False,
    key="brief-names",
    help="Off by default. Respondents are never named in any case.",
)
title = st.text_input("Title", value="Mentoring program health", max_chars=120, key="brief-title")

if not export.browser_available():
    st.warning(
        "PDF and PowerPoint briefs need the Chromium browser on the server to draw the charts. "
        "Run scripts/install-browser.sh; CSV and HTML downloads on each page still work."
    )
elif st.button("Build the brief", type="primary", disabled=not chosen):
    bar = st.progress(0.0, text="Reading the data...")
    try:
        made = brief.build(common.store(), filters, chosen, title, include_names=bool(names))
        total = 2 * max(1, len(made.sections))

        def step(offset: int):
            return lambda done, _n: bar.progress(
                (offset + done) / total, text=f"Drawing chart {done} of {_n}"
            )

        pdf = export.brief_pdf(made, progress=step(0))
        pptx = export.brief_pptx(made, progress=step(len(made.sections)))
        bar.progress(1.0, text="Done")
        st.session_state["brief"] = {
            "pdf": pdf,
            "pptx": pptx,
            "summary": made.summary,
            "left_out": made.left_out,
            "scope": f"{made.period} · {made.scope}",
            "what": f"The leadership brief '{title}' ({', '.join(chosen)}; {filters.describe()})",
            "names": names,
        }
    except MentoringError as exc:
        common.show_error(exc)

ready = st.session_state.get("brief")
if ready:
    st.subheader("Ready")
    st.caption(ready["scope"])
    st.markdown("**Summary, as it opens the brief**")
    for line in ready["summary"]:
        st.text(f"- {line}")
    if ready["left_out"]:
        st.info(ready["left_out"])
    slug = export.slugify(title)
    cols = st.columns(2)
    common.download_button(
        cols[0],
        "PDF brief",
        lambda: ready["pdf"],
        f"{slug}.pdf",
        "application/pdf",
        "dl-pdf",
        ready["what"],
        ready["names"],
    )
    common.download_button(
        cols[1],
        "PowerPoint deck",
        lambda: ready["pptx"],
        f"{slug}.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "dl-pptx",
        ready["what"],
        ready["names"],
    )
