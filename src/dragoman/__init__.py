"""Dragoman: a self-hosted translation-job server."""

__version__ = "0.1.0"
