"""What the native surface's upload routes share: the multipart form they read (a file, a
source locale, target locales), its OpenAPI description, and core field names in errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from dragoman.content.formats import registry
from dragoman.core.service import Core
from dragoman.errors import DragomanError, ValidationError
from dragoman.http_limits import MULTIPART_OVERHEAD
from dragoman.surfaces.base import read_multipart
from dragoman.surfaces.native import schemas

# Core field names (snake case) and this surface's.
NATIVE_FIELDS = {
    "source_locale": "sourceLocale",
    "target_locales": "targetLocales",
    "callback_url": "callbackUrl",
    "idempotency_key": "idempotencyKey",
    "engine_id": "engineId",
    "service_level": "serviceLevel",
}


@dataclass(frozen=True, slots=True)
class Upload:
    """A file upload's file and form fields, checked for presence."""

    data: bytes
    filename: str
    source_locale: str
    target_locales: list[str]
    fields: dict[str, str]

    def field(self, name: str) -> str | None:
        """An optional form field (empty means absent)."""
        return self.fields.get(name) or None


async def read_upload(request: Request, core: Core) -> Upload:
    """The multipart form: `file`, `sourceLocale`, `targetLocales` (422 naming a missing one)."""
    body = await read_multipart(
        request, max_bytes=core.settings.max_upload_bytes + MULTIPART_OVERHEAD
    )
    upload = body.files.get("file")
    if upload is None:
        raise ValidationError("file is required (a multipart file part named `file`)", field="file")
    fields = dict(body.fields)
    source = fields.get("sourceLocale")
    if not source:
        raise ValidationError(
            "sourceLocale is required (a BCP-47 tag or `auto`)", field="sourceLocale"
        )
    targets = [t.strip() for t in fields.get("targetLocales", "").split(",") if t.strip()]
    if not targets:
        raise ValidationError("targetLocales must list at least one locale", field="targetLocales")
    return Upload(upload.data, upload.filename or "upload", source, targets, fields)


def in_native_names(exc: DragomanError) -> DragomanError:
    """The error with the core's field names turned into this surface's."""
    for core_name, native in NATIVE_FIELDS.items():
        if exc.field is not None and exc.field.startswith(core_name):
            exc.field = native + exc.field[len(core_name) :]
        exc.message = exc.message.replace(core_name, native)
    exc.args = (exc.message,)
    return exc


def upload_doc(**extra: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of an upload route: the shared fields and `extra` ones."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    # The file's name picks its format when nothing else names one.
                    "encoding": {"file": {"headers": {"Content-Disposition": schemas.DISPOSITION}}},
                    "schema": {
                        "type": "object",
                        # Other named parts are ignored; a part without a name is a 422.
                        "propertyNames": {"minLength": 1},
                        "required": ["file", "sourceLocale", "targetLocales"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "sourceLocale": {
                                "type": "string",
                                "description": "BCP-47 tag, or `auto` to detect it.",
                                "anyOf": [schemas.LOCALE, {"const": "auto"}],
                            },
                            "targetLocales": {
                                "type": "string",
                                "format": "bcp47-list",
                                "pattern": "[^,\\s]",
                                "description": "Comma-separated BCP-47 tags, e.g. `es,fr`: at "
                                "least one, none the source locale.",
                            },
                            "format": {
                                "type": "string",
                                "description": "Codec name; by default from the extension/content.",
                                "enum": registry.names(),
                            },
                            "engineId": {"type": "string"},
                            **extra,
                        },
                    },
                }
            },
        }
    }
