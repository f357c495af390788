"""Memory under hostile load (issue 12, item 6): the approval and collector services as processes, each sent rounds
of 50 concurrent hostile requests, and each one's peak resident memory (VmHWM) before and after.

- logins with random usernames (every one an argon2 verification against the dummy hash: 64 MiB while it runs),
  each of the 50 clients from its own loopback address, so that with few attempts per address and name (and the
  per-client login limit off, `LAPKIN_LOGIN_RATE_PER_MINUTE=0`) only the hashing slots
  (`LAPKIN_PASSWORD_HASH_CONCURRENCY`) bound it;
- Excel uploads whose sheet XML unpacks to 99 MiB (about 100 KiB sent): refused before parsing;
- Excel uploads just under the unpacked limit, built to cost the parser most: 7.5 MiB of tiny shared strings.

    .venv/bin/python bench/hostile_memory.py [--rounds 4] [--concurrency 50]

Prints one line per phase and a Markdown table for docs/security.md. DATABASE_URL as for bench/ingest.py.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import secrets
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import Running, running_system, setup_office  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SERVICES = ("collector", "approval")


def vm_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workbook(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return out.getvalue()


BASE = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-'
    b'types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name='
    b'"Laporan" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b"</Relationships>",
}
SHEET_HEAD = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def sheet_bomb(unpacked: int) -> bytes:
    """A sheet whose XML unpacks to `unpacked` bytes of rows (the issue's 99 MiB)."""
    row = b'<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>'
    rows = row * (unpacked // len(row))
    sheet = SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    return workbook({**BASE, "xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": b"<sst/>"})


def strings_bomb(unpacked: int) -> bytes:
    """Just under the limit, as costly to parse as it gets: tiny shared strings (one Python object each)."""
    n = unpacked // len(b"<si><t>a</t></si>")
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"<si><t>a</t></si>" * n
    sheet = SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    return workbook({**BASE, "xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst + b"</sst>"})


async def rounds(send: Any, total: int, concurrency: int) -> tuple[Counter[int], float]:
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def worker(n: int) -> None:
        # each worker from its own loopback address (127.0.1.n): an attacker with many addresses, whom no
        # per-client limit or throttle slows down
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.1.{n + 1}")
        async with httpx.AsyncClient(timeout=120, transport=transport) as client:
            while not queue.empty():
                i = queue.get_nowait()
                try:
                    statuses[(await send(client, i)).status_code] += 1
                except httpx.HTTPError as exc:
                    statuses[exc.__class__.__name__] += 1  # type: ignore[index]

    start = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return statuses, time.perf_counter() - start


def phase(system: Running, name: str, service: str, send: Any, total: int, concurrency: int) -> dict[str, Any]:
    pid = system.pids()[service]
    before_rss, before_hwm = vm_rss_mib(pid), system.peak_rss_mib()[service]
    statuses, seconds = asyncio.run(rounds(send, total, concurrency))
    row = {
        "phase": name, "service": service, "requests": total, "concurrency": concurrency,
        "statuses": dict(sorted(statuses.items(), key=str)), "seconds": round(seconds, 1),
        "rss_before_mib": round(before_rss), "peak_before_mib": round(before_hwm),
        "peak_after_mib": round(system.peak_rss_mib()[service]), "rss_after_mib": round(vm_rss_mib(pid)),
    }  # fmt: skip
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="requests per client and phase")
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("BENCH_SERVICES", ",".join(SERVICES))
    os.environ.setdefault("LAPKIN_LOGIN_RATE_PER_MINUTE", "0")  # many addresses: only the hashing slots bound it
    total = args.rounds * args.concurrency
    pk = json.loads((ROOT / "examples" / "pk-2024.json").read_text())
    with running_system(os.environ.get("DATABASE_URL")) as system, httpx.Client(timeout=60) as client:
        key = {"Authorization": f"Bearer {setup_office(system, client, pk)['BPS']}"}
        login_url = system.url("approval", "/api/v1/login")
        upload_url = system.url("collector", "/api/v1/laporan-triwulan/upload")
        limit = system.settings.max_xlsx_unpacked_bytes
        big, heavy = sheet_bomb(99 * 1024 * 1024), strings_bomb(limit - 512 * 1024)
        print(f"payloads: sheet bomb {len(big) / 1024:.0f} KiB sent (99 MiB unpacked); shared-strings workbook "
              f"{len(heavy) / 1024:.0f} KiB sent ({(limit - 512 * 1024) / 2**20:.1f} MiB unpacked)", flush=True)

        async def login(c: httpx.AsyncClient, i: int) -> httpx.Response:
            return await c.post(login_url, json={"username": secrets.token_hex(8), "password": secrets.token_hex(8)})

        def uploader(data: bytes) -> Any:
            async def send(c: httpx.AsyncClient, i: int) -> httpx.Response:
                return await c.post(upload_url, files={"file": ("laporan.xlsx", data, XLSX)}, headers=key)

            return send

        rows = [
            phase(system, "logins, random usernames", "approval", login, total, args.concurrency),
            phase(system, "xlsx, sheet unpacking to 99 MiB", "collector", uploader(big), total, args.concurrency),
            phase(system, "xlsx, just under the unpacked limit", "collector", uploader(heavy), total, args.concurrency),
        ]
    print("\n| phase | service | requests (concurrent) | answers | peak RSS before → after |")
    print("|---|---|---|---|---|")
    for r in rows:
        answers = ", ".join(f"{n}× {s}" for s, n in r["statuses"].items())
        print(f"| {r['phase']} | {r['service']} | {r['requests']} ({r['concurrency']}) | {answers} | "
              f"{r['peak_before_mib']} → {r['peak_after_mib']} MiB |")


if __name__ == "__main__":
    main()
