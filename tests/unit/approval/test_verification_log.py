"""An upload whose signature was made with a forged certificate (same name as the office's, another key) is judged
"not trusted" and leaves one structured line in the service's log — the app's JSON format, with the reason — and no
pyHanko traceback: its validator logs every rejected signature at WARNING with a multi-line traceback, which the
public verification form would let anyone write into data/logs/approval.log at will."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime

from pypdf import PdfWriter

from shared.signing import SignatureBox, load_credential, make_office_certificate, sign_pdf

OFFICE = "Dinas Ketenagakerjaan Kota Tangerang"

SCRIPT = """
import sys
from shared.observability import configure_logging
from shared.signing import load_credential, verify_pdf
configure_logging("approval")
office = load_credential(open(sys.argv[1], "rb").read(), b"pw")
check = verify_pdf(open(sys.argv[2], "rb").read(), [office.certificate])
s = check.signatures[0]
print(f"RESULT intact={s.intact} trusted={s.trusted}", file=sys.stdout)
"""


def test_a_forged_certificate_is_one_json_log_line_without_a_traceback(tmp_path):
    office_p12 = make_office_certificate(OFFICE, b"pw")
    forged = load_credential(make_office_certificate(OFFICE, b"pw"), b"pw")  # same name, another key
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(blank)
    signed = sign_pdf(blank.getvalue(), forged, signing_time=datetime(2026, 12, 6, 14, 39, tzinfo=UTC),
                      box=SignatureBox(0, (50, 50, 300, 150)))  # fmt: skip
    (tmp_path / "kantor.p12").write_bytes(office_p12)
    (tmp_path / "palsu.pdf").write_bytes(signed)
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", SCRIPT, str(tmp_path / "kantor.p12"), str(tmp_path / "palsu.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "RESULT intact=True trusted=False" in done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # the whole log of that verification: one line
    record = json.loads(lines[0])
    assert record["logger"] == "lapkin.signing" and record["service"] == "approval"
    assert record["event"] == "pdf_verification" and len(record["sha256"]) == 64
    assert any("not trusted" in r and "could not be validated" in r for r in record["reasons"]), record
