"""What a final report's Lembar Pengesahan carries beyond its approval table (templates/_pengesahan.html): a QR code
linking to the public verification page, and the box of the office's electronic signature, applied to the PDF after
WeasyPrint drew it (shared/signing.py).

The link cannot name the signed PDF's own SHA-256 (the link is inside the bytes the hash covers): it names the
document (`/verifikasi/dokumen/{document_id}`), whose page lists every final file with its SHA-256, each of which
resolves at `/verifikasi/{sha256}`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno

from shared.signing import Credential, SignatureBox

BOX_ID = "ttd-elektronik"  # the element of _pengesahan.html the visible signature covers
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF counts points (1/72 in)
QR_SCALE, QR_BORDER = 4, 2  # pixels per module; quiet zone in modules


@dataclass(frozen=True)
class Seal:
    """The verification link of a final, and the office's credential to sign it with (None: it stays unsigned, and
    its Lembar Pengesahan says so). `signing_time`: the approval's moment, in the office's zone."""

    url: str
    credential: Credential | None
    signing_time: datetime
    location: str | None = None

    def context(self) -> dict[str, Any]:
        """What _pengesahan.html reads as `sah`."""
        return {
            "url": self.url,
            "qr": qr_data_uri(self.url),
            "signed": self.credential is not None,
            "signer": self.credential.signer_name if self.credential else "",
            "box_id": BOX_ID,
        }


def qr_code(url: str) -> segno.QRCode:
    """The QR code of a verification link (error correction M: a printed, stamped page stays readable)."""
    return segno.make(url, error="m", micro=False)


def qr_data_uri(url: str) -> str:
    return str(qr_code(url).png_data_uri(scale=QR_SCALE, border=QR_BORDER))


def box_on(pages: list[Any]) -> SignatureBox | None:
    """Where the signature box was laid out (the page's anchor `BOX_ID`), in PDF points; None when the page has
    none (the signature is then invisible)."""
    for number, page in enumerate(pages):
        anchor = page.anchors.get(BOX_ID)
        if anchor is None or len(anchor) != 4:
            continue
        x1, y1, x2, y2 = (v * PX_TO_PT for v in anchor)
        height = page.height * PX_TO_PT
        return SignatureBox(page=number, box=(x1, height - y2, x2, height - y1))
    return None
