"""Ed25519 signatures on tree heads, with ``cryptography`` (ADR 0015). The server signs with
its private key, kept in a file it creates on first use (mode 0600); anyone verifies with the
public half, which the API and the /open-data page publish with its key id."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sunlit.disclosure.opendata.model import TreeHead

ALGORITHM = "Ed25519"


def key_id(public: bytes) -> str:
    """A short name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return public_bytes(self.private.public_key())

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, head: TreeHead) -> TreeHead:
        unsigned = replace(head, signature=b"", key_id=self.key_id)
        return replace(unsigned, signature=self.private.sign(unsigned.message()))

    @classmethod
    def from_file(cls, path: Path) -> Signer:
        """The key in ``path`` (PEM, PKCS #8), made there first if there is none."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:  # two processes starting at once: the first one's key wins
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(pem)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return cls(loaded)


def verify_head(public: bytes, head: TreeHead) -> bool:
    """Whether ``head`` carries a good signature by the key ``public`` (32 raw bytes)."""
    if head.key_id != key_id(public):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(head.signature, head.message())
    except (InvalidSignature, ValueError):
        return False
    return True
