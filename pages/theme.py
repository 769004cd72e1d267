"""What .streamlit/config.toml cannot set for WCAG 2 AA: the track of a switched-off toggle, which
Streamlit draws in the text colour at 20% (1.5:1 on white, where a control's state needs 3:1).
The frame (dashboard.py) applies it once per run, before any page."""

import streamlit as st

# The theme's borderColor: 3.4:1 on white and on the sidebar, and the white knob 3.4:1 on it.
_OFF_TOGGLE_TRACK = """<style>
[data-testid="stCheckbox"] label:has(> span > input[role="switch"]:not(:checked)) > span + div {
  background-color: #858b94;
}
</style>"""


def apply() -> None:
    st.html(_OFF_TOGGLE_TRACK)
