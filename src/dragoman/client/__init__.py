"""The Python SDK for Dragoman's native API; needs only httpx."""

from dragoman.client.native import Client, DragomanAPIError

__all__ = ["Client", "DragomanAPIError"]
