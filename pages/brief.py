"""Leadership brief: pick charts; get a one-page PDF and a PowerPoint deck with a headline
sentence, period, filters and n for each chart, and the anonymity rule in a footnote."""

import streamlit as st

from analysis import export, snapshots
from analysis.errors import MentoringError
from pages import common

common.route_through_dashboard()

st.title("Leadership brief")
filters = common.current_filters()
st.caption(f"Uses the filters in the sidebar: {filters.describe()}.")
chosen = st.multiselect(
    "Charts",
    list(snapshots.CHARTS),
    default=["element-overview", "trend-quarter", "segments-department", "perception-gap"],
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
    bar = st.progress(0.0, text="Building charts...")
    try:
        built = [common.chart(name, filters, include_names=names) for name in chosen]
        snaps = [
            snapshots.to_snapshot(chart, filters, data_range=common.data_range()) for chart in built
        ]
        total = 2 * len(snaps)

        def step(offset: int):
            return lambda done, _n: bar.progress(
                (offset + done) / total, text=f"Drawing chart {done} of {_n}"
            )

        pdf = export.brief_pdf(snaps, title, progress=step(0))
        pptx = export.brief_pptx(snaps, title, progress=step(len(snaps)))
        bar.progress(1.0, text="Done")
        st.session_state["brief"] = {
            "pdf": pdf,
            "pptx": pptx,
            "headlines": [s.headline for s in snaps],
            "what": (f"The leadership brief '{title}' ({', '.join(chosen)}; {filters.describe()})"),
            "names": names,
        }
    except MentoringError as exc:
        common.show_error(exc)

ready = st.session_state.get("brief")
if ready:
    st.subheader("Ready")
    for line in ready["headlines"]:
        st.text(f"- {line}")
    slug = export.slugify(title)
    cols = st.columns(2)
    common.download_button(
        cols[0],
        "One-page PDF",
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
