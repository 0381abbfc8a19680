# SPDX-License-Identifier: GPL-2.0
"""STT wire format v1: constants, frame encoders and the frame parser.

Written from Documentation/wire.rst alone.  Every encoder takes every field
of its frame as an argument, including the reserved ones and the length and
count fields, so that a caller can build any frame, valid or not; the
defaults give the valid frame.  parse_frames() checks what wire.rst says a
receiver checks and raises FrameError otherwise.
"""

import struct

VERSION = 1
HDR_LEN = 16
TAG_LEN = 16
HELLO_MIN_DGRAM = 256
MIN_DGRAM = 1200
SESSION_WINDOW_INITIAL = 1 << 20

PKT_HANDSHAKE = 1
PKT_PROTECTED = 2

SUITE_CHACHA = 0x01
SUITE_AES = 0x02

F_PADDING = 0x00
F_HELLO = 0x01
F_CHALLENGE = 0x02
F_AUTH_PROOF = 0x03
F_FINAL = 0x04
F_REJECT = 0x05
F_COOKIE = 0x06
F_ACK = 0x10
F_NACK = 0x11
F_STREAM_OPEN = 0x12
F_DATA = 0x13
F_STREAM_FIN = 0x14
F_STREAM_RESET = 0x15
F_WINDOW_UPDATE = 0x16
F_KEEPALIVE = 0x17
F_KEEPALIVE_ACK = 0x18
F_SESSION_CLOSE = 0x19
F_KEY_UPDATE = 0x1a

FRAME_NAMES = {
    F_PADDING: "PADDING", F_HELLO: "HELLO", F_CHALLENGE: "CHALLENGE",
    F_AUTH_PROOF: "AUTH_PROOF", F_FINAL: "FINAL", F_REJECT: "REJECT",
    F_COOKIE: "COOKIE", F_ACK: "ACK", F_NACK: "NACK",
    F_STREAM_OPEN: "STREAM_OPEN", F_DATA: "DATA", F_STREAM_FIN: "STREAM_FIN",
    F_STREAM_RESET: "STREAM_RESET", F_WINDOW_UPDATE: "WINDOW_UPDATE",
    F_KEEPALIVE: "KEEPALIVE", F_KEEPALIVE_ACK: "KEEPALIVE_ACK",
    F_SESSION_CLOSE: "SESSION_CLOSE", F_KEY_UPDATE: "KEY_UPDATE",
}

DATA_FIN = 0x01
DATA_MSG_END = 0x02

KIND_BYTES = 1
KIND_MESSAGES = 2
OPEN_WINDOW = 2048      # open numbers a receiver remembers below the highest
RESET_COLLISION = 4

ACK_MAX_RANGES = 32
NACK_MAX_RANGES = 32
LABEL_MAX = 64
CLOSE_TEXT_MAX = 128

(CLOSE_NONE, CLOSE_IDLE, CLOSE_PROTOCOL, CLOSE_SHUTDOWN,
 CLOSE_TIMEOUT) = range(5)

U64 = (1 << 64) - 1


class FrameError(ValueError):
    """A payload that wire.rst says a receiver must drop."""


# ---------------------------------------------------------------- header

def header(ptype, dst, pn, key_phase=0, version=VERSION, reserved=0,
           flags=None):
    """The 16-byte packet header; @flags overrides the computed flags byte."""
    if flags is None:
        flags = (ptype & 0x0f) | ((key_phase & 1) << 4)
    return struct.pack(">BBHIQ", version, flags, reserved, dst & 0xffffffff,
                       pn & U64)


def parse_header(buf):
    """Decode a header: a dict, or FrameError if the receiver must drop it."""
    if len(buf) < HDR_LEN:
        raise FrameError("truncated header")
    version, flags, reserved, dst, pn = struct.unpack_from(">BBHIQ", buf)
    if version != VERSION:
        raise FrameError("version %d" % version)
    if reserved or flags & 0xe0:
        raise FrameError("reserved bits set")
    ptype = flags & 0x0f
    if ptype not in (PKT_HANDSHAKE, PKT_PROTECTED):
        raise FrameError("packet type %d" % ptype)
    return {"version": version, "flags": flags, "type": ptype,
            "key_phase": (flags >> 4) & 1, "dst": dst, "pn": pn}


# ---------------------------------------------------------------- encoders

def padding(n=1):
    """@n PADDING frames (n zero bytes)."""
    return b"\x00" * n


def hello(sid, pubkey, nonce, offered=SUITE_CHACHA, preferred=None,
          reserved=0):
    """HELLO: 72-byte body."""
    if preferred is None:
        preferred = offered & -offered
    return struct.pack(">BBBHI", F_HELLO, offered, preferred, reserved,
                       sid) + pubkey + nonce


def challenge(sid, pubkey, nonce, proof, suite=SUITE_CHACHA, reserved1=0,
              reserved2=0):
    """CHALLENGE: 104-byte body."""
    return struct.pack(">BBBHI", F_CHALLENGE, suite, reserved1, reserved2,
                       sid) + pubkey + nonce + proof


def auth_proof(proof):
    """AUTH_PROOF: the 32-byte client proof."""
    return bytes([F_AUTH_PROOF]) + proof


def final():
    """FINAL: no body."""
    return bytes([F_FINAL])


def reject(reason, nonce):
    """REJECT: reason and the refused HELLO's client nonce."""
    return struct.pack(">BI", F_REJECT, reason) + nonce


def cookie(nonce, mac):
    """COOKIE: the client nonce it answers and the 16-byte cookie."""
    return bytes([F_COOKIE]) + nonce + mac


def ack(largest, first, ranges=(), delay=0, count=None):
    """ACK: @first packets below @largest, then (gap, length) @ranges.

    @count overrides N, the number of ranges written in the frame.
    """
    n = len(ranges) if count is None else count
    out = struct.pack(">BQIHI", F_ACK, largest & U64, delay & 0xffffffff,
                      n & 0xffff, first & 0xffffffff)
    for gap, length in ranges:
        out += struct.pack(">II", gap & 0xffffffff, length & 0xffffffff)
    return out


def nack(ranges, count=None):
    """NACK: (first missing packet, count) ranges; @count overrides N."""
    n = len(ranges) if count is None else count
    out = struct.pack(">BH", F_NACK, n & 0xffff)
    for first, cnt in ranges:
        out += struct.pack(">QI", first & U64, cnt & 0xffffffff)
    return out


def stream_open(sid, window, kind=KIND_BYTES, priority=0, max_frame=16384,
                label=b"", reserved=0, label_len=None, number=0):
    """STREAM_OPEN of stream @sid granting @window to the peer, the
    opener's open number @number."""
    n = len(label) if label_len is None else label_len
    return struct.pack(">BHBBHHIIB", F_STREAM_OPEN, sid & 0xffff, kind,
                       priority, max_frame & 0xffff, reserved,
                       window & 0xffffffff, number & 0xffffffff,
                       n & 0xff) + label


def data(sid, offset, payload, flags=0, reserved=0, length=None):
    """DATA of @payload at @offset; @length overrides the length field."""
    n = len(payload) if length is None else length
    return struct.pack(">BHBBQH", F_DATA, sid & 0xffff, flags, reserved,
                       offset & U64, n & 0xffff) + payload


def stream_fin(sid, final_size):
    """STREAM_FIN: the stream's final size."""
    return struct.pack(">BHQ", F_STREAM_FIN, sid & 0xffff, final_size & U64)


def stream_reset(sid, code, final_size):
    """STREAM_RESET with @code and @final_size."""
    return struct.pack(">BHIQ", F_STREAM_RESET, sid & 0xffff,
                       code & 0xffffffff, final_size & U64)


def window_update(sid, max_data):
    """WINDOW_UPDATE: stream @sid (0: the session) up to @max_data."""
    return struct.pack(">BHQ", F_WINDOW_UPDATE, sid & 0xffff, max_data & U64)


def keepalive(value):
    """KEEPALIVE with an opaque 64-bit value."""
    return struct.pack(">BQ", F_KEEPALIVE, value & U64)


def keepalive_ack(value):
    """KEEPALIVE_ACK echoing @value."""
    return struct.pack(">BQ", F_KEEPALIVE_ACK, value & U64)


def session_close(reason, text=b"", text_len=None):
    """SESSION_CLOSE with @reason and @text."""
    n = len(text) if text_len is None else text_len
    return struct.pack(">BIH", F_SESSION_CLOSE, reason & 0xffffffff,
                       n & 0xffff) + text


def key_update(generation):
    """KEY_UPDATE: we hold the opening key of the peer's @generation."""
    return struct.pack(">BI", F_KEY_UPDATE, generation & 0xffffffff)


# ---------------------------------------------------------------- parser

_FIXED = {
    F_HELLO: 72, F_CHALLENGE: 104, F_AUTH_PROOF: 32, F_FINAL: 0,
    F_REJECT: 36, F_COOKIE: 48, F_STREAM_FIN: 10, F_STREAM_RESET: 14,
    F_WINDOW_UPDATE: 10, F_KEEPALIVE: 8, F_KEEPALIVE_ACK: 8,
    F_KEY_UPDATE: 4,
}


def _need(buf, pos, n):
    if pos + n > len(buf):
        raise FrameError("truncated frame")


def ack_packets(largest, first, ranges):
    """The (low, high) packet number intervals an ACK acknowledges."""
    if first > largest:
        raise FrameError("ACK first range below 0")
    out = [(largest - first, largest)]
    s = largest - first
    for gap, length in ranges:
        hi = s - gap - 2
        lo = hi - length
        if lo < 0:
            raise FrameError("ACK range below 0")
        out.append((lo, hi))
        s = lo
    return out


def parse_frame(buf, pos):
    """Decode the frame at @pos: (dict with "type" and fields, next pos)."""
    t = buf[pos]
    pos += 1
    f = {"type": t}
    if t == F_PADDING:
        return f, pos
    if t in _FIXED:
        _need(buf, pos, _FIXED[t])
        b = buf[pos:pos + _FIXED[t]]
        pos += _FIXED[t]
        if t == F_HELLO:
            (f["offered"], f["preferred"], f["reserved"],
             f["sid"]) = struct.unpack_from(">BBHI", b)
            f["pubkey"], f["nonce"] = b[8:40], b[40:72]
        elif t == F_CHALLENGE:
            (f["suite"], f["reserved1"], f["reserved2"],
             f["sid"]) = struct.unpack_from(">BBHI", b)
            f["pubkey"], f["nonce"], f["proof"] = b[8:40], b[40:72], b[72:]
        elif t == F_AUTH_PROOF:
            f["proof"] = b
        elif t == F_REJECT:
            f["reason"] = struct.unpack_from(">I", b)[0]
            f["nonce"] = b[4:]
        elif t == F_COOKIE:
            f["nonce"], f["cookie"] = b[:32], b[32:]
        elif t == F_STREAM_FIN:
            f["sid"], f["final_size"] = struct.unpack(">HQ", b)
        elif t == F_STREAM_RESET:
            f["sid"], f["code"], f["final_size"] = struct.unpack(">HIQ", b)
        elif t == F_WINDOW_UPDATE:
            f["sid"], f["max_data"] = struct.unpack(">HQ", b)
        elif t in (F_KEEPALIVE, F_KEEPALIVE_ACK):
            f["value"] = struct.unpack(">Q", b)[0]
        elif t == F_KEY_UPDATE:
            f["generation"] = struct.unpack(">I", b)[0]
        return f, pos
    if t == F_ACK:
        _need(buf, pos, 18)
        (f["largest"], f["delay"], n,
         f["first"]) = struct.unpack_from(">QIHI", buf, pos)
        pos += 18
        if n > ACK_MAX_RANGES:
            raise FrameError("ACK with %d ranges" % n)
        _need(buf, pos, 8 * n)
        f["ranges"] = [struct.unpack_from(">II", buf, pos + 8 * i)
                       for i in range(n)]
        pos += 8 * n
        f["packets"] = ack_packets(f["largest"], f["first"], f["ranges"])
        return f, pos
    if t == F_NACK:
        _need(buf, pos, 2)
        n = struct.unpack_from(">H", buf, pos)[0]
        pos += 2
        if n < 1 or n > NACK_MAX_RANGES:
            raise FrameError("NACK with %d ranges" % n)
        _need(buf, pos, 12 * n)
        f["ranges"] = [struct.unpack_from(">QI", buf, pos + 12 * i)
                       for i in range(n)]
        pos += 12 * n
        if any(c < 1 for _, c in f["ranges"]):
            raise FrameError("NACK range of 0 packets")
        return f, pos
    if t == F_STREAM_OPEN:
        _need(buf, pos, 17)
        (f["sid"], f["kind"], f["priority"], f["max_frame"], f["reserved"],
         f["window"], f["number"], n) = struct.unpack_from(">HBBHHIIB", buf,
                                                           pos)
        pos += 17
        if n > LABEL_MAX:
            raise FrameError("label of %d bytes" % n)
        _need(buf, pos, n)
        f["label"] = bytes(buf[pos:pos + n])
        return f, pos + n
    if t == F_DATA:
        _need(buf, pos, 14)
        (f["sid"], f["flags"], f["reserved"], f["offset"],
         n) = struct.unpack_from(">HBBQH", buf, pos)
        pos += 14
        _need(buf, pos, n)
        f["data"] = bytes(buf[pos:pos + n])
        return f, pos + n
    if t == F_SESSION_CLOSE:
        _need(buf, pos, 6)
        f["reason"], n = struct.unpack_from(">IH", buf, pos)
        pos += 6
        if n > CLOSE_TEXT_MAX:
            raise FrameError("close text of %d bytes" % n)
        _need(buf, pos, n)
        f["text"] = bytes(buf[pos:pos + n])
        return f, pos + n
    raise FrameError("unknown frame type 0x%02x" % t)


def check_fields(f):
    """FrameError if a field is outside what wire.rst's tables allow."""
    t = f["type"]
    if f.get("reserved") or f.get("reserved1") or f.get("reserved2"):
        raise FrameError("reserved field set")
    if t == F_STREAM_OPEN and (
            not f["sid"] or f["kind"] not in (KIND_BYTES, KIND_MESSAGES) or
            f["priority"] > 7 or f["max_frame"] < 1024):
        raise FrameError("STREAM_OPEN field out of range")
    if t == F_DATA and f["flags"] & ~(DATA_FIN | DATA_MSG_END):
        raise FrameError("DATA flags 0x%02x" % f["flags"])
    if t == F_DATA and f["offset"] + len(f["data"]) > U64:
        raise FrameError("DATA past offset 2^64 - 1")
    if t == F_NACK and any(c - 1 > U64 - first for first, c in f["ranges"]):
        raise FrameError("NACK range past 2^64 - 1")


PKT_FRAMES_MAX = 32     # frames other than PADDING in a protected packet
PKT_ACKS_MAX = 4        # of which ACK and NACK frames


def parse_frames(buf, caps=False):
    """Every frame of a payload, PADDING left out; FrameError if invalid.

    With @caps, a protected packet's limits on its frames apply too.
    """
    out = []
    pos = 0
    while pos < len(buf):
        f, pos = parse_frame(buf, pos)
        check_fields(f)
        if f["type"] != F_PADDING:
            out.append(f)
    if caps and (len(out) > PKT_FRAMES_MAX or PKT_ACKS_MAX < sum(
            1 for f in out if f["type"] in (F_ACK, F_NACK))):
        raise FrameError("too many frames")
    return out
