"""The baseline for the ingest benchmark: a bare FastAPI endpoint that only validates the same body and XADDs it."""

from __future__ import annotations

import os
from decimal import Decimal

from fastapi import FastAPI
from pydantic import BaseModel, Field
from redis.asyncio import BlockingConnectionPool, Redis

app = FastAPI()
redis = Redis(connection_pool=BlockingConnectionPool.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                                                              max_connections=100))
STREAM = os.environ.get("BASELINE_STREAM", "bench.baseline")


class Item(BaseModel):
    indikator: str
    nilai: Decimal = Field(ge=0)


class Body(BaseModel):
    tahun: int
    triwulan: int = Field(ge=1, le=4)
    unit: str
    realisasi: list[Item]
    anggaran: dict[str, str] | None = None


@app.post("/api/v1/laporan-triwulan", status_code=202)
async def submit(body: Body) -> dict[str, str]:
    entry = await redis.xadd(STREAM, {"data": body.model_dump_json()})
    return {"id": entry.decode()}
