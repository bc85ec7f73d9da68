"""Bearer secrets: 256 random bits, shown once, kept only as their SHA-256 (a plain hash is enough for a secret that
long: nothing to guess, nothing to stretch). Used by the SCIM tokens and the API tokens alike."""

import hashlib
import secrets


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    """A new secret that says what it is for (`lwpat_…`), so a leaked one is recognised by secret scanners."""
    return prefix + secrets.token_urlsafe(32)
