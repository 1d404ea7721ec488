"""Linguistic assets an organization keeps across jobs: translation memory, later glossaries."""
