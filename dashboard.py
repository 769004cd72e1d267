"""Mentoring Program Health: the entry point. The frame (menu, filters) lives in pages/common.py."""

from pages import common

common.run_app()
