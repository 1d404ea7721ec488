"""One root for every error Dragoman raises; each docstring is its default message."""

from __future__ import annotations

from typing import Any


class DragomanError(Exception):
    """Something went wrong in Dragoman."""

    status_code = 500

    def __init__(self, message: str | None = None, *, field: str | None = None, **extra: Any):
        self.message = message or (self.__doc__ or "").strip()
        self.field = field
        self.extra = extra
        super().__init__(self.message)


class ValidationError(DragomanError):
    """The request is invalid."""

    status_code = 422


class BadRequestError(DragomanError):
    """The request cannot be accepted as sent."""

    status_code = 400


class PayloadTooLargeError(DragomanError):
    """The request content is larger than this server accepts."""

    status_code = 413


class AuthenticationError(DragomanError):
    """A valid API key is required (send it in the X-API-Key header)."""

    status_code = 401


class NotFoundError(DragomanError):
    """No such resource."""

    status_code = 404


class GoneError(NotFoundError):
    """The resource existed but its data has expired under the retention policy."""


class ConflictError(DragomanError):
    """The request conflicts with an earlier one."""

    status_code = 409


class IdempotencyMismatchError(ValidationError):
    """This idempotencyKey was already used with a different request body."""


class EngineError(DragomanError):
    """The translation engine failed."""


class UnsupportedLanguagePairError(EngineError):
    """No engine of this organization serves the language pair."""


class EngineUnavailableError(EngineError):
    """The engine's backend is not installed or not running."""


class ServiceUnavailableError(DragomanError):
    """The server cannot answer this now (an engine failed or is restarting); retry shortly."""

    status_code = 503


class PlaceholderMismatchError(DragomanError):
    """A translated unit does not carry exactly its source's placeholders."""


class MissingExtraError(DragomanError):
    """An optional dependency is not installed."""


class CallbackURLError(BadRequestError):
    """The callback URL is not allowed: it must be https:// and reach only public addresses."""


class FileFormatError(ValidationError):
    """The file cannot be read as the format it claims to be."""

    def __init__(self, message: str | None = None, *, line: int | None = None, **extra: Any):
        if line is not None and message is not None:
            message = f"{message} (line {line})"
        super().__init__(message, line=line, **extra)
        self.line = line


class UnsupportedFormatError(ValidationError):
    """This server has no codec for that file format."""


class InvalidTransitionError(ConflictError):
    """The job is not in a state that allows this action."""


class QuotaExceededError(DragomanError):
    """The organization has used up a quota; retry after `retry_after` seconds."""

    status_code = 429


class RateLimitedError(QuotaExceededError):
    """Too many requests from this organization; retry after `retry_after` seconds."""


class InvalidClientError(AuthenticationError):
    """The OAuth2 client is unknown, revoked, or its secret is wrong."""


class InvalidTokenError(AuthenticationError):
    """The access token is missing, expired, revoked or malformed."""


class UnsupportedGrantTypeError(BadRequestError):
    """This server grants tokens for `client_credentials` only."""


class InsufficientCreditsError(DragomanError):
    """The organization's balance does not cover this order."""

    status_code = 402


class InvalidGrantError(BadRequestError):
    """The authorization code or refresh token is invalid, expired, used or revoked."""


class ForbiddenError(DragomanError):
    """The caller may not act on this resource (a job another translator holds)."""

    status_code = 403
