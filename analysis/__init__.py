"""Mentoring Program Health: the measurement core. Never imports streamlit (a test proves it)."""
