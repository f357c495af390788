"""The approval service's JSON routes (CONTRACT.md, Approval)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from services.approval import handlers, officials
from services.approval.workflow import Workflow
from shared.errors import ApiError, ErrorItem
from shared.service import AdminDep, RuntimeDep, SessionDep, StaffDep

router = APIRouter(prefix="/api/v1", tags=["approval"])


def workflow(request: Request) -> Workflow:
    return request.app.state.rt.state["workflow"]  # type: ignore[no-any-return]


@router.post("/officials", status_code=201)
def create_official(body: Annotated[Any, Body()], session: SessionDep, _: AdminDep) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, [ErrorItem("body", "not_an_object", "body: harus objek", "body: must be an object")])
    return officials.public(officials.create_official(session, body))


@router.post("/login")
def login(body: Annotated[Any, Body()], session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("username"), str)
        or not isinstance(body.get("password"), str)
    ):
        raise ApiError(
            422,
            [
                ErrorItem(
                    "username", "required", "username dan password wajib diisi", "username and password are required"
                )
            ],
        )
    official, token = officials.login(session, rt.settings, body["username"], body["password"])
    return {"token": token, "official": officials.public(official)}


@router.get("/drafts")
def list_drafts(
    request: Request,
    session: SessionDep,
    caller: StaffDep,
    tahun: int | None = Query(None),
    periode: str | None = Query(None),
) -> list[dict[str, Any]]:
    who = handlers.official_of(session, caller) if caller.kind == "official" else None
    return handlers.list_drafts(session, workflow(request), who, tahun, periode)


@router.get("/drafts/{draft_id}")
def get_draft(draft_id: str, request: Request, session: SessionDep, caller: StaffDep) -> dict[str, Any]:
    who = handlers.official_of(session, caller) if caller.kind == "official" else None
    found = [d for d in handlers.list_drafts(session, workflow(request), who, None, None) if d["id"] == draft_id]
    if not found:
        raise ApiError(404, [ErrorItem("id", "not_found", "Draf tidak ditemukan.", "Draft not found.")])
    return {**found[0], "history": handlers.history(session, draft_id)}


@router.post("/drafts/{draft_id}/decision")
def post_decision(
    draft_id: str, body: Annotated[Any, Body()], request: Request, session: SessionDep, rt: RuntimeDep, caller: StaffDep
) -> dict[str, Any]:
    return handlers.decide(session, rt, workflow(request), caller, draft_id, body)
