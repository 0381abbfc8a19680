# SPDX-License-Identifier: GPL-2.0
"""STT v1 key schedule and packet protection (Documentation/wire.rst).

HKDF and HMAC come from Python's standard library; X25519 and the two AEADs
from python3-cryptography (Debian 12's 38.0.4 is enough).
"""

import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import (
    AESGCM, ChaCha20Poly1305)

from wire import SUITE_AES, SUITE_CHACHA


def hkdf_extract(salt, ikm):
    """HKDF-Extract with SHA-256 (RFC 5869)."""
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    """HKDF-Expand with SHA-256 (RFC 5869)."""
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]),
                         hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def mac(key, msg):
    """HMAC-SHA256."""
    return hmac.new(key, msg, hashlib.sha256).digest()


def sha256(b):
    """SHA-256 digest."""
    return hashlib.sha256(b).digest()


class Ephemeral:
    """An X25519 key pair used for one handshake."""

    def __init__(self):
        self.priv = X25519PrivateKey.generate()
        self.pub = self.priv.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def shared(self, peer_pub):
        """The X25519 shared secret with @peer_pub (32 bytes)."""
        return self.priv.exchange(X25519PublicKey.from_public_bytes(peer_pub))


class Schedule:
    """The secrets of one handshake: K_auth, then the traffic secrets."""

    def __init__(self, psk, ss, hello_frame, challenge_frame):
        self.prk = hkdf_extract(psk, ss)
        th1 = sha256(hello_frame + challenge_frame[:-32])
        self.k_auth = hkdf_expand(self.prk, b"stt1 auth" + th1, 32)
        self.proof_s = mac(self.k_auth, b"stt1 server")
        self.proof_c = mac(self.k_auth, b"stt1 client")
        self.hello = hello_frame
        self.challenge = challenge_frame

    def traffic(self, auth_proof_frame):
        """(S_c2s(0), S_s2c(0)) once the AUTH_PROOF frame is known."""
        th2 = sha256(self.hello + self.challenge + auth_proof_frame)
        return (hkdf_expand(self.prk, b"stt1 c2s" + th2, 32),
                hkdf_expand(self.prk, b"stt1 s2c" + th2, 32))


def next_secret(secret):
    """S(g + 1) from S(g)."""
    return hkdf_expand(secret, b"stt1 upd", 32)


def packet_key(secret):
    """key(g) from S(g)."""
    return hkdf_expand(secret, b"stt1 key", 32)


def nonce(pn):
    """The 12-byte AEAD nonce of packet number @pn."""
    return b"\x00" * 4 + pn.to_bytes(8, "big")


class Direction:
    """One direction's keys: generation g and its traffic secret S(g)."""

    def __init__(self, suite, secret0):
        self.suite = suite
        self.keys = {}
        self.secrets = {0: secret0}

    def secret(self, gen):
        """S(gen), deriving the generations up to it on the way."""
        g = max(k for k in self.secrets if k <= gen)
        while g < gen:
            self.secrets[g + 1] = next_secret(self.secrets[g])
            g += 1
        return self.secrets[gen]

    def aead(self, gen):
        """The AEAD object of generation @gen."""
        if gen not in self.keys:
            k = packet_key(self.secret(gen))
            self.keys[gen] = (ChaCha20Poly1305(k) if self.suite == SUITE_CHACHA
                              else AESGCM(k))
        return self.keys[gen]

    def seal(self, gen, hdr, pn, plaintext):
        """ciphertext || tag of @plaintext under generation @gen."""
        return self.aead(gen).encrypt(nonce(pn), bytes(plaintext), hdr)

    def open(self, gen, hdr, pn, sealed):
        """The plaintext, or an exception if the tag does not verify."""
        return self.aead(gen).decrypt(nonce(pn), bytes(sealed), hdr)


SUITES = (SUITE_CHACHA, SUITE_AES)
