"""Checks that a transcription of a report is faithful and complete (issue 3)."""
