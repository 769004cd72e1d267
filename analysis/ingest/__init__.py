"""Reading exports (readers, likert, survey, sessions, roster) and the one write path (load)."""
