"""The office's electronic signature on final PDFs (PAdES, pyHanko) and its verification.

The office's certificate is a PKCS#12 file with its password (settings `signing_p12`, `signing_password` or
`signing_password_file`; without them `<data_dir>/signing/kantor.p12` and `kantor.pass` when present, which is where
`lapkin demo` puts a self-signed one). A BSrE certificate is installed the same way. No certificate: finals are not
signed (`office_credential` is None) and the Lembar Pengesahan says so. A certificate that is configured but cannot
be read (wrong password, not a PKCS#12 file) is an error, never a silent unsigned final; the password is never logged
nor put in an error.

`sign_pdf` adds one PAdES signature (ETSI.CAdES.detached, SHA-256) as an incremental update: visible in a box on a
page when given one, invisible otherwise. Its signing time is the caller's (the moment the document was approved), and
the file identifier is derived from the input, so the same PDF signed at the same moment with an RSA key gives the
same bytes.
`verify_pdf` checks a PDF's signatures with pyHanko's validator, trusting the office certificate (and any extra
trust anchors, e.g. the BSrE root, from `signing_trust`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from shared import clock
from shared.config import Settings
from shared.formatting import fmt_date

log = logging.getLogger("lapkin.signing")

FIELD_NAME = "Pengesahan"
DEFAULT_DIR = "signing"
DEFAULT_P12 = "kantor.p12"
DEFAULT_PASS = "kantor.pass"
ORGANIZATION = "Pemerintah Kota Tangerang"
STAMP_TEXT = {  # the visible box; `waktu` as the document's language writes a moment (stamp_time)
    "id": "Ditandatangani secara elektronik oleh:\n%(signer)s\nWaktu: %(waktu)s",
    "en": "Signed electronically by:\n%(signer)s\nTime: %(waktu)s",
}


class SigningConfigError(Exception):
    """The office's certificate is configured but cannot be used (the message names the file, never the password)."""


@dataclass(frozen=True)
class Credential:
    """The office's private key and certificate, read from its PKCS#12 file."""

    p12: bytes
    password: bytes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def signer_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()

    def __repr__(self) -> str:  # never the key nor the password
        return f"Credential({self.signer_name!r})"


def credential_paths(settings: Settings) -> tuple[Path, Path | None] | None:
    """The PKCS#12 file and the password file in use, or None when no certificate is configured or installed."""
    folder = settings.data_dir / DEFAULT_DIR
    p12 = settings.signing_p12 or (folder / DEFAULT_P12)
    if settings.signing_p12 is None and not p12.is_file():
        return None
    pass_file = settings.signing_password_file
    if pass_file is None and settings.signing_password is None and (folder / DEFAULT_PASS).is_file():
        pass_file = folder / DEFAULT_PASS
    return p12, pass_file


def office_credential(settings: Settings) -> Credential | None:
    """The office's certificate and key from the settings (module docstring); None: none configured."""
    paths = credential_paths(settings)
    if paths is None:
        return None
    p12_path, pass_file = paths
    if settings.signing_password is not None:
        password = settings.signing_password.get_secret_value().encode()
    elif pass_file is not None:
        try:
            password = pass_file.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise SigningConfigError(f"cannot read the signing password file {pass_file}: {exc.strerror}") from None
    else:
        password = b""
    try:
        data = p12_path.read_bytes()
    except OSError as exc:
        raise SigningConfigError(f"cannot read the signing certificate {p12_path}: {exc.strerror}") from None
    return load_credential(data, password, str(p12_path))


def load_credential(data: bytes, password: bytes, name: str = "PKCS#12") -> Credential:
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError:
        raise SigningConfigError(
            f"{name}: not a PKCS#12 file, or the password does not open it (LAPKIN_SIGNING_PASSWORD / "
            "LAPKIN_SIGNING_PASSWORD_FILE)"
        ) from None
    if key is None or cert is None:
        raise SigningConfigError(f"{name}: the PKCS#12 file holds no private key with its certificate")
    return Credential(p12=data, password=password, certificate=cert, chain=tuple(others))


def make_office_certificate(
    common_name: str, password: bytes, *, organization: str = ORGANIZATION, now: datetime | None = None, years: int = 10
) -> bytes:
    """A self-signed office certificate as a PKCS#12 file (RSA 2048, SHA-256; CN = the instansi, O = the Pemda):
    what `lapkin demo` installs so that finals are signed out of the box. An office replaces it by its BSrE one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        ]
    )
    start = (now or datetime.now(UTC)) - timedelta(days=1)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=True, crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(common_name.encode(), key, cert, None, encryption)


def install_office_certificate(settings: Settings, common_name: str) -> Path | None:
    """`lapkin demo`: a self-signed certificate for `common_name` into `<data_dir>/signing/` (the PKCS#12 file and its
    random password, both readable by the owner only), unless a certificate is configured or installed already.
    Returns the new file's path, or None."""
    if credential_paths(settings) is not None:
        return None
    import secrets

    folder = settings.data_dir / DEFAULT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24).encode()
    _write_private(folder / DEFAULT_PASS, password)
    p12 = folder / DEFAULT_P12
    tmp = p12.with_suffix(".tmp")
    _write_private(tmp, make_office_certificate(common_name, password))
    tmp.replace(p12)  # the password first, the certificate last: a reader never finds a file without its password
    return p12


def _write_private(path: Path, data: bytes) -> None:
    """Created readable by the owner only (never world-readable, not even for a moment)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


# ---- signing ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureBox:
    """Where the visible signature goes: page index (0-based) and (x1, y1, x2, y2) in PDF points from the page's
    lower left corner."""

    page: int
    box: tuple[float, float, float, float]


def sign_pdf(
    pdf: bytes,
    credential: Credential,
    *,
    signing_time: datetime,
    box: SignatureBox | None = None,
    reason: str = "Pengesahan dokumen final",
    location: str | None = None,
    lang: str = "id",
) -> bytes:
    """`pdf` with the office's PAdES signature (module docstring): visible in `box`, invisible without one; the box's
    text in `lang` ("id" or "en"), its time as that language writes it, in the zone `signing_time` carries."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    when = signing_time if signing_time.tzinfo else signing_time.replace(tzinfo=UTC)

    class _AtTime(signers.PdfSigner):
        """The signing time is the caller's (pyHanko takes the wall clock otherwise)."""

        def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = when
            return session

    signer = signers.SimpleSigner.load_pkcs12_data(credential.p12, other_certs=(), passphrase=credential.password)
    if signer is None:  # pragma: no cover - load_credential already opened it
        raise SigningConfigError("the PKCS#12 file could not be opened for signing")

    class _Writer(IncrementalPdfFileWriter):
        """The document's modification date is the signing time (pyHanko stamps the wall clock)."""

        def _update_meta(self) -> None:
            super()._update_meta()
            if self._info is not None:
                self._info.get_object()[generic.pdf_name("/ModDate")] = generic.pdf_date(when)

    writer = _Writer(io.BytesIO(pdf))
    seed = hashlib.sha256(pdf).digest()
    # pyHanko draws the file identifier at random; derived from the content and the moment it is reproducible
    writer._document_id = generic.ArrayObject(  # noqa: SLF001
        [
            generic.ByteStringObject(seed[:16]),
            generic.ByteStringObject(hashlib.sha256(seed + when.isoformat().encode()).digest()[:16]),
        ]
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=credential.signer_name,
    )
    if box is not None:
        x1, y1, x2, y2 = (round(v) for v in box.box)  # whole points: pyHanko's field rectangle
        spec = fields.SigFieldSpec(FIELD_NAME, on_page=box.page, box=(x1, y1, x2, y2))
    else:
        spec = fields.SigFieldSpec(FIELD_NAME)
    style = TextStampStyle(stamp_text=STAMP_TEXT.get(lang, STAMP_TEXT["id"]), border_width=0)
    pdf_signer = _AtTime(meta, signer=signer, new_field_spec=spec, stamp_style=style)
    out = pdf_signer.sign_pdf(writer, appearance_text_params={"waktu": stamp_time(when, lang)})
    return bytes(out.getvalue())


def stamp_time(when: datetime, lang: str = "id") -> str:
    """A moment as the signature box writes it, in the zone it carries: "6 Desember 2026 pukul 21.39 WIB" (id),
    "6 December 2026, 21:39 WIB" (en); WITA and WIT for offices there, the zone's abbreviation elsewhere."""
    label = clock.LABELS.get(getattr(when.tzinfo, "key", None) or "") or when.tzname() or "UTC"
    day = fmt_date(when, lang)
    return f"{day}, {when:%H:%M} {label}" if lang == "en" else f"{day} pukul {when:%H.%M} {label}"


# ---- verification ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF as pyHanko's validator judged it against the office's trust anchors.

    intact: the signed bytes are unchanged (digest and signature value check out); trusted: the signer's
    certificate leads to the office certificate (or a configured anchor); covers_all: nothing was appended after
    the signature; valid: all three."""

    field: str
    signer: str
    signed_at: datetime | None
    intact: bool
    trusted: bool
    covers_all: bool

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.covers_all


@dataclass(frozen=True)
class PdfCheck:
    """A PDF's verdict: readable as PDF at all, and its signatures (none: unsigned)."""

    readable: bool
    signatures: tuple[SignatureCheck, ...]

    @property
    def signed_valid(self) -> bool:
        return self.readable and bool(self.signatures) and all(s.valid for s in self.signatures)


def trust_anchors(settings: Settings) -> list[x509.Certificate]:
    """The office certificate (from its PKCS#12 file) and any extra anchors in `signing_trust` (PEM or DER)."""
    anchors: list[x509.Certificate] = []
    try:
        cred = office_credential(settings)
    except SigningConfigError as exc:
        log.warning("signature verification without the office certificate: %s", exc)
        cred = None
    if cred is not None:
        anchors.append(cred.certificate)
    if settings.signing_trust is not None:
        try:
            raw = settings.signing_trust.read_bytes()
        except OSError as exc:
            log.warning("cannot read LAPKIN_SIGNING_TRUST %s: %s", settings.signing_trust, exc.strerror)
        else:
            anchors.extend(
                x509.load_pem_x509_certificates(raw) if b"-----BEGIN" in raw else [x509.load_der_x509_certificate(raw)]
            )
    return anchors


class _PyHankoLog(logging.Handler):
    """pyHanko's own log records, made the app's: its validator logs every signature it cannot accept (a forged
    certificate, a changed byte) at WARNING with a multi-line traceback, which a public upload form would let anyone
    write into the service's log at will. Inside `verify_pdf` (per thread) a record is kept as the reason of that
    verdict, which `verify_pdf` logs as one structured line; elsewhere (signing) it is one line of `lapkin.signing`,
    never a traceback."""

    local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        reason = _one_line(record.getMessage())
        reasons: list[str] | None = getattr(self.local, "reasons", None)
        if reasons is not None:
            if reason not in reasons:
                reasons.append(reason)
            return
        log.log(record.levelno, "pyHanko: %s", reason, extra={"pyhanko_logger": record.name})


def _one_line(text: str, limit: int = 300) -> str:
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= limit else f"{first[: limit - 1]}…"


@functools.cache
def _pyhanko_logs_as_ours() -> _PyHankoLog:
    handler = _PyHankoLog()
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False  # not to the root logger's handlers (stderr: the service's log file)
    return handler


def verify_pdf(data: bytes, anchors: list[x509.Certificate]) -> PdfCheck:
    """Every signature of `data` validated by pyHanko against `anchors`, offline (no revocation fetching). A file
    pyHanko cannot read as a PDF is `readable=False`, never an exception. A file that is not a valid signed PDF is
    one log line (`lapkin.signing`, INFO: `pdf_verification`, the SHA-256, and per signature why), no traceback."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    local = _pyhanko_logs_as_ours().local
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in anchors]
    local.reasons = []
    try:
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            embedded = list(reader.embedded_signatures)
        except Exception as exc:  # noqa: BLE001 - any parse failure of a hostile upload is "not a readable PDF"
            _log_verdict(data, [f"not readable as a PDF: {exc.__class__.__name__}: {_one_line(str(exc))}"])
            return PdfCheck(readable=False, signatures=())
        checks, reasons = [], []
        for sig in embedded:
            local.reasons = []
            try:
                status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False))
            except Exception as exc:  # noqa: BLE001 - a damaged signature container is an invalid signature
                checks.append(SignatureCheck(str(sig.field_name), "", None, False, False, False))
                reasons.append(f"{sig.field_name}: {exc.__class__.__name__}: {_one_line(str(exc))}")
                continue
            cert = status.signing_cert
            signer = cert.subject.native.get("common_name", cert.subject.human_friendly) if cert else ""
            check = SignatureCheck(
                field=str(sig.field_name),
                signer=str(signer),
                signed_at=status.signer_reported_dt,
                intact=bool(status.intact and status.valid),
                trusted=bool(status.trusted),
                covers_all=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            )
            checks.append(check)
            if not check.valid:
                why = [k for k, ok in (("not intact", check.intact), ("not trusted", check.trusted),
                                       ("content appended", check.covers_all)) if not ok]  # fmt: skip
                reasons.append(f"{check.field} ({_one_line(check.signer, 120)}): {', '.join(why)}"
                               + "".join(f"; {r}" for r in local.reasons))  # fmt: skip
        if reasons:
            _log_verdict(data, reasons)
        return PdfCheck(readable=True, signatures=tuple(checks))
    finally:
        local.reasons = None


def _log_verdict(data: bytes, reasons: list[str]) -> None:
    log.info(
        "PDF verification: not valid: %s",
        " | ".join(reasons),
        extra={"event": "pdf_verification", "sha256": hashlib.sha256(data).hexdigest(), "reasons": reasons},
    )
