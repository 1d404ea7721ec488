"""The Python SDK for Dragoman's native API; needs only httpx."""

from dragoman.client.calls import DragomanAPIError
from dragoman.client.native import AsyncClient, Client

__all__ = ["AsyncClient", "Client", "DragomanAPIError"]
