"""The certificate the server's agent listener presents: self-signed, made in the data dir at first start.

Agents pin it: they are given the certificate and its SHA-256 thumbprint when they register, and trust
nothing else on every connection after (no CA, no host name: the thumbprint is the identity).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT_FILE = "agent-listener.crt"
KEY_FILE = "agent-listener.key"
VALID_YEARS = 100  # a pinned certificate is replaced by re-registering, never by expiry


@dataclass(frozen=True)
class ServerCertificate:
    cert_file: Path
    key_file: Path
    pem: str

    @property
    def thumbprint(self) -> str:
        return thumbprint_of(self.pem)


def thumbprint_of(pem: str) -> str:
    """The SHA-256 of the certificate's DER bytes, in hex (what `openssl x509 -fingerprint -sha256` shows,
    without its colons)."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def same_thumbprint(a: str, b: str) -> bool:
    return a.replace(":", "").strip().lower() == b.replace(":", "").strip().lower()


def load_or_create(data_dir: Path) -> ServerCertificate:
    cert_file, key_file = data_dir / CERT_FILE, data_dir / KEY_FILE
    if not cert_file.is_file() or not key_file.is_file():
        cert_pem, key_pem = new_self_signed(socket.gethostname())
        _write_private(key_file, key_pem)
        cert_file.write_bytes(cert_pem)
    return ServerCertificate(cert_file, key_file, cert_file.read_text(encoding="ascii"))


def new_self_signed(common_name: str) -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) of a new self-signed P-256 certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Seaway agent listener {common_name}"[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
