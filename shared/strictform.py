"""Multipart text parts read strictly: a part that is not valid UTF-8 keeps its bad bytes visible instead of being
read as Latin-1 (Starlette's fallback, which turned b"\\xe9" into "é" — valid text nobody typed). Its bytes decode
with `surrogateescape`, so the field holds lone surrogates (U+DC80–U+DCFF) and `inputguard.check_text` refuses it
(422 `invalid_character` naming the field) as it refuses a lone surrogate in JSON. For the routes that read a
multipart result (`StrictFormRoute`, on a router of their own); nothing else changes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import aclosing
from typing import Any

from fastapi.routing import APIRoute
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response


class _StrictParser(MultiPartParser):
    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None:
            raw = bytes(part.data)
            try:
                raw.decode(self._charset or "utf-8")
            except (UnicodeDecodeError, LookupError):
                self.items.append((part.field_name, raw.decode("utf-8", "surrogateescape")))
                return
        super().on_part_end()


class StrictFormRequest(Request):
    async def _get_form(
        self, *, max_files: int | float = 1000, max_fields: int | float = 1000, max_part_size: int = 1024 * 1024
    ) -> FormData:
        ctype = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if self._form is None and ctype == "multipart/form-data":
            try:
                async with aclosing(self.stream()) as stream:
                    parser = _StrictParser(
                        self.headers, stream, max_files=max_files, max_fields=max_fields, max_part_size=max_part_size
                    )
                    self._form = await parser.parse()
            except MultiPartException as exc:  # as Starlette answers it
                raise HTTPException(status_code=400, detail=exc.message) from exc
        return await super()._get_form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)


class StrictFormRoute(APIRoute):
    """An APIRoute whose multipart form is read by `_StrictParser`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictFormRequest(request.scope, request.receive))

        return strict
