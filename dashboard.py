"""Mentoring Program Health: the router and the shared frame."""

import streamlit as st

from pages import common

st.set_page_config(
    page_title="Mentoring Program Health", page_icon=":material/diversity_3:", layout="wide"
)

pages = {
    "Program": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/elements.py", title="Elements", icon=":material/stacked_bar_chart:"),
        st.Page("pages/trends.py", title="Trends", icon=":material/trending_up:"),
        st.Page("pages/segments.py", title="Segments", icon=":material/grid_view:"),
        st.Page("pages/health.py", title="Program health", icon=":material/monitor_heart:"),
    ],
    "Admin": [
        st.Page("pages/mentors.py", title="Mentors", icon=":material/person_search:"),
        st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"),
        st.Page("pages/brief.py", title="Leadership brief", icon=":material/slideshow:"),
    ],
    "About": [st.Page("pages/methodology.py", title="Methodology", icon=":material/menu_book:")],
}
navigation = st.navigation(pages)
common.sidebar_filters()
navigation.run()
