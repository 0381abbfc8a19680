# SPDX-License-Identifier: GPL-2.0
"""An STT v1 session over a UDP socket: handshake, streams, acknowledgements.

Written from Documentation/wire.rst alone.  The high-level part (Session's
open_stream(), send(), run()) is an honest, simple peer: it acknowledges
what it receives, resends what is lost, and keeps to the windows the other
node grants.  The low-level part (Session.seal(), send_raw(),
send_frames()) seals any bytes as the payload of the next protected packet,
so that a test can send any frame, valid or not, at any rate.
"""

import os
import select
import socket
import struct
import time

import wire
from wire import FrameError
import crypto

RCV_WINDOW = 256 * 1024        # what we grant each stream
SESSION_BUDGET = 4 << 20       # what we grant the session beyond what we read
MAX_PAYLOAD = wire.MIN_DGRAM - wire.HDR_LEN - wire.TAG_LEN
MAX_IN_FLIGHT = 64             # packets; a crude congestion window
MAX_FRAMES = wire.PKT_FRAMES_MAX
ACK_RANGES = 16


class HandshakeError(Exception):
    """The handshake failed: REJECT, bad proof or timeout."""


class RangeSet:
    """Received packet numbers as sorted, disjoint [lo, hi] intervals."""

    def __init__(self, keep=256):
        self.iv = []
        self.keep = keep

    def __contains__(self, pn):
        for lo, hi in self.iv:
            if lo <= pn <= hi:
                return True
        return False

    def add(self, pn):
        """Add @pn; the lowest intervals go when there are too many."""
        iv = self.iv
        i = 0
        while i < len(iv) and iv[i][1] < pn - 1:
            i += 1
        if i < len(iv) and iv[i][0] - 1 <= pn <= iv[i][1] + 1:
            iv[i][0] = min(iv[i][0], pn)
            iv[i][1] = max(iv[i][1], pn)
            if i + 1 < len(iv) and iv[i + 1][0] <= iv[i][1] + 1:
                iv[i][1] = iv[i + 1][1]
                del iv[i + 1]
        else:
            iv.insert(i, [pn, pn])
        if len(iv) > self.keep:
            del iv[0]

    def ack_frame(self, delay=0, nranges=ACK_RANGES):
        """An ACK frame of the @nranges highest intervals."""
        top = self.iv[::-1][:nranges]
        largest = top[0][1]
        s = top[0][0]
        ranges = []
        for lo, hi in top[1:]:
            ranges.append((s - hi - 2, hi - lo))
            s = lo
        return wire.ack(largest, largest - top[0][0], ranges, delay)


def pattern(off, n, seed):
    """@n bytes of a test stream from offset @off: pair.h's pattern()."""
    m = (1 << 64) - 1
    first = off // 8
    last = (off + n + 7) // 8
    out = bytearray()
    for b in range(first, last):
        x = ((b + 1) * 0x9e3779b97f4a7c15 + seed) & m
        x ^= x >> 29
        x = (x * 0xbf58476d1ce4e5b9) & m
        x ^= x >> 32
        out += x.to_bytes(8, "little")
    skip = off - first * 8
    return bytes(out[skip:skip + n])


class Stream:
    """One stream: what arrived (in order) and what is to be sent."""

    def __init__(self, sid, kind=wire.KIND_BYTES, label=b"", mine=True):
        self.sid = sid
        self.kind = kind
        self.label = label
        self.mine = mine              # we opened it
        self.accepted = not mine      # its opener has a window
        self.chunks = {}              # offset -> bytes held ahead of a gap
        self.rx = bytearray()         # delivered in order
        self.rx_final = None
        self.rx_adv = RCV_WINDOW      # the edge we granted
        self.reset_in = None          # code of the peer's STREAM_RESET
        self.tx = bytearray()         # everything written
        self.tx_sent = 0              # highest offset sent
        self.tx_fin = False           # the writer is done
        self.tx_max = None            # the window the peer granted
        self.tx_acked = set()         # (offset, len) acknowledged chunks
        self.fin_sent = False
        self.open_sent = 0.0
        self.open_backoff = 0.2
        self.open_nr = 0              # the open number of its STREAM_OPEN

    @property
    def rx_done(self):
        """Everything up to the final size arrived."""
        return self.rx_final is not None and len(self.rx) >= self.rx_final

    def take(self, off, payload, fin):
        """Place DATA; return the bytes newly delivered in order."""
        if fin:
            self.rx_final = off + len(payload)
        base = len(self.rx)
        if off + len(payload) <= base:
            return 0
        if off > base:
            old = self.chunks.get(off, b"")
            if len(payload) > len(old):
                self.chunks[off] = payload
            return 0
        self.rx += payload[base - off:]
        while self.chunks:
            base = len(self.rx)
            ready = [o for o in self.chunks if o <= base]
            if not ready:
                break
            for o in ready:
                c = self.chunks.pop(o)
                if o + len(c) > len(self.rx):
                    self.rx += c[len(self.rx) - o:]
        return len(self.rx) - base


class Session:
    """An established session: keys, packet numbers, streams."""

    def __init__(self, sock, addr, client, local_sid, remote_sid, suite,
                 c2s, s2c):
        self.sock = sock
        self.addr = addr
        self.client = client
        self.local_sid = local_sid
        self.remote_sid = remote_sid
        self.suite = suite
        send, recv = (c2s, s2c) if client else (s2c, c2s)
        self.txk = crypto.Direction(suite, send)
        self.rxk = crypto.Direction(suite, recv)
        self.tx_gen = 0
        self.tx_gen_ok = 0            # highest generation the peer can open
        self.rx_gen = 0
        self.rx_first = {0: 0}        # first packet number opened per gen
        self.next_pn = 0
        self.received = RangeSet()
        self.ack_due = False
        self.ack_time = 0.0
        self.sent = {}                # pn -> (time, [what to resend])
        self.largest_acked = -1
        self.srtt = 0.1
        self.ctl = []                 # control frames to send (reliably)
        self.streams = {}
        self.new_streams = []         # the peer's streams, not yet taken
        self.next_sid = 1 if client else 2
        self.next_open = 0            # our next open number
        self.peer_opens = set()       # the peer's open numbers dealt with
        self.peer_open_top = -1       # the highest of them
        self.sess_tx_max = wire.SESSION_WINDOW_INITIAL
        self.sess_tx_used = 0
        self.sess_rx_adv = wire.SESSION_WINDOW_INITIAL
        self.closed = None            # (reason, text) of a SESSION_CLOSE
        self.keepalive_acks = []
        self.stats = {"rx_packets": 0, "tx_packets": 0, "rx_auth_fail": 0,
                      "rx_bad_frames": 0, "rx_replay": 0, "rx_handshake": 0,
                      "rx_frames": 0, "resent": 0, "resets_in": 0,
                      "open_stale": 0}
        self.resend_final = None      # server: our FINAL, for a repeated
        self.resend_auth = None       # client: AUTH_PROOF, for a CHALLENGE
        self.resend_q = []            # lost DATA to send again
        self.rekey_every = 0          # packets per sending key (0: never)
        self.gen_start = 0
        self.ctl.append(wire.window_update(0, SESSION_BUDGET))
        self.sess_rx_adv = SESSION_BUDGET
        self.ctl.append(wire.key_update(1))

    # ---------------------------------------------------- low-level API

    def seal(self, payload, pn=None, gen=None, key_phase=None, dst=None):
        """A protected packet of @payload (any bytes) under the next number.

        @pn, @gen (key generation), @key_phase and @dst override what the
        header says and what seals it.
        """
        if pn is None:
            pn = self.next_pn
            self.next_pn += 1
        gen = self.tx_gen if gen is None else gen
        phase = gen & 1 if key_phase is None else key_phase
        hdr = wire.header(wire.PKT_PROTECTED,
                          self.remote_sid if dst is None else dst, pn, phase)
        return hdr + self.txk.seal(gen, hdr, pn, payload)

    def send_raw(self, datagram):
        """Send one datagram to the peer as it is."""
        try:
            self.sock.sendto(datagram, self.addr)
        except (BlockingIOError, InterruptedError):
            pass
        self.stats["tx_packets"] += 1

    def send_frames(self, payload, resend=None):
        """Seal @payload into the next packet and send it.

        @resend lists what to send again if the packet is lost; None sends
        it untracked.  Returns the packet number.
        """
        pn = self.next_pn
        self.send_raw(self.seal(payload))
        if resend is not None:
            self.sent[pn] = (time.monotonic(), resend)
        return pn

    # ---------------------------------------------------- streams

    def open_stream(self, kind=wire.KIND_BYTES, label=b"", sid=None,
                    priority=0, max_frame=16384):
        """Open a stream (STREAM_OPEN); data waits for its window."""
        if sid is None:
            sid = self.next_sid
            self.next_sid += 2
        st = Stream(sid, kind, label, mine=True)
        st.max_frame = max_frame
        st.priority = priority
        st.open_nr = self.next_open
        self.next_open += 1
        self.streams[sid] = st
        self._send_open(st)
        return st

    def _send_open(self, st):
        frame = wire.stream_open(st.sid, RCV_WINDOW, st.kind, st.priority,
                                 st.max_frame, st.label, number=st.open_nr)
        self.send_frames(frame, [])
        st.open_sent = time.monotonic()

    def accept(self):
        """The next stream the peer opened, or None."""
        return self.new_streams.pop(0) if self.new_streams else None

    def send(self, st, payload, fin=False):
        """Queue @payload on stream @st; @fin ends the stream after it."""
        st.tx += payload
        st.tx_fin = st.tx_fin or fin

    def tx_done(self, st):
        """Everything written on @st, and its end, was acknowledged."""
        return (st.tx_fin and st.fin_sent and st.tx_sent == len(st.tx) and
                not any(("data", st.sid) == r[:2] for _, rs in
                        self.sent.values() for r in rs))

    # ---------------------------------------------------- receive path

    def handle_datagram(self, buf):
        """Process one datagram from the peer."""
        try:
            hdr = wire.parse_header(buf)
        except FrameError:
            return
        if hdr["type"] == wire.PKT_HANDSHAKE:
            self._handshake_again(buf)
            return
        if hdr["dst"] != self.local_sid:
            return
        pn = hdr["pn"]
        gen = self.rx_gen
        if hdr["key_phase"] != gen & 1:
            if gen > 0 and pn < self.rx_first[gen]:
                gen -= 1
            else:
                gen += 1
        try:
            plain = self.rxk.open(gen, buf[:wire.HDR_LEN], pn,
                                  buf[wire.HDR_LEN:])
        except Exception:
            self.stats["rx_auth_fail"] += 1
            return
        if pn in self.received:
            self.stats["rx_replay"] += 1
            return
        if gen > self.rx_gen:
            self.rx_gen = gen
            self.rx_first[gen] = pn
            self.ctl.append(wire.key_update(gen + 1))
        try:
            frames = wire.parse_frames(plain, caps=True)
        except FrameError:
            self.stats["rx_bad_frames"] += 1
            return
        self.received.add(pn)
        self.stats["rx_packets"] += 1
        eliciting = False
        for f in frames:
            self.stats["rx_frames"] += 1
            if f["type"] not in (wire.F_ACK, wire.F_NACK):
                eliciting = True
            self._frame(f)
        if eliciting:
            if not self.ack_due:
                self.ack_time = time.monotonic()
            self.ack_due = True

    def _handshake_again(self, buf):
        """A repeated AUTH_PROOF or CHALLENGE: our last answer lost."""
        self.stats["rx_handshake"] += 1
        try:
            frames = wire.parse_frames(buf[wire.HDR_LEN:])
        except FrameError:
            return
        for f in frames:
            if f["type"] == wire.F_AUTH_PROOF and self.resend_final:
                if f["proof"] == self.resend_final[0]:
                    self.send_frames(wire.final(), [])
            if f["type"] == wire.F_CHALLENGE and self.resend_auth:
                self.send_raw(self.resend_auth())

    def _frame(self, f):
        t = f["type"]
        if t == wire.F_ACK:
            self._on_ack(f["packets"])
        elif t == wire.F_NACK:
            now = time.monotonic()
            for first, cnt in f["ranges"]:
                for pn in [p for p in self.sent if first <= p < first + cnt]:
                    self._lost(pn, now)
        elif t == wire.F_STREAM_OPEN:
            self._on_open(f)
        elif t == wire.F_DATA:
            st = self.streams.get(f["sid"])
            if st is None:
                return
            fin = bool(f["flags"] & wire.DATA_FIN)
            got = st.take(f["offset"], f["data"], fin)
            if got:
                self._credit(st)
        elif t == wire.F_STREAM_FIN:
            st = self.streams.get(f["sid"])
            if st is not None:
                st.rx_final = f["final_size"]
        elif t == wire.F_STREAM_RESET:
            st = self.streams.get(f["sid"])
            if st is not None:
                st.reset_in = f["code"]
                st.rx_final = f["final_size"]
                self.stats["resets_in"] += 1
        elif t == wire.F_WINDOW_UPDATE:
            if f["sid"] == 0:
                self.sess_tx_max = max(self.sess_tx_max, f["max_data"])
            else:
                st = self.streams.get(f["sid"])
                if st is not None:
                    st.accepted = True
                    st.tx_max = max(st.tx_max or 0, f["max_data"])
        elif t == wire.F_KEEPALIVE:
            self.ctl.append(wire.keepalive_ack(f["value"]))
        elif t == wire.F_KEEPALIVE_ACK:
            self.keepalive_acks.append(f["value"])
        elif t == wire.F_SESSION_CLOSE:
            self.closed = (f["reason"], f["text"])
        elif t == wire.F_KEY_UPDATE:
            self.tx_gen_ok = max(self.tx_gen_ok, f["generation"])

    def _open_seen(self, n):
        """Record the peer's open number @n; False if it was dealt with
        (wire.rst, "Which open a STREAM_OPEN is", rule 2)."""
        if n in self.peer_opens or n <= self.peer_open_top - wire.OPEN_WINDOW:
            return False
        self.peer_opens.add(n)
        if n > self.peer_open_top:
            self.peer_open_top = n
            floor = n - wire.OPEN_WINDOW
            self.peer_opens = {x for x in self.peer_opens if x > floor}
        return True

    def _on_open(self, f):
        st = self.streams.get(f["sid"])
        if st is not None and not st.mine and st.open_nr == f["number"]:
            self.ctl.append(wire.window_update(st.sid, st.rx_adv))
            return
        if not self._open_seen(f["number"]):
            self.stats["open_stale"] += 1
            return
        if st is not None and st.mine:
            if self.client:
                return          # the server's open lost the collision
            if not st.accepted:
                st.reset_in = wire.RESET_COLLISION
        st = Stream(f["sid"], f["kind"], f["label"], mine=False)
        st.open_nr = f["number"]
        st.tx_max = f["window"]
        self.streams[st.sid] = st
        self.new_streams.append(st)
        self.ctl.append(wire.window_update(st.sid, st.rx_adv))

    def _credit(self, st):
        """Grant more window as the application (us) read everything."""
        if len(st.rx) + RCV_WINDOW - st.rx_adv >= RCV_WINDOW // 2:
            st.rx_adv = len(st.rx) + RCV_WINDOW
            self.ctl.append(wire.window_update(st.sid, st.rx_adv))
        used = sum(len(s.rx) for s in self.streams.values())
        if used + SESSION_BUDGET - self.sess_rx_adv >= SESSION_BUDGET // 2:
            self.sess_rx_adv = used + SESSION_BUDGET
            self.ctl.append(wire.window_update(0, self.sess_rx_adv))

    def _on_ack(self, packets):
        now = time.monotonic()
        top = packets[0][1]
        if top in self.sent:
            self.srtt = 0.875 * self.srtt + 0.125 * (now - self.sent[top][0])
        for lo, hi in packets:
            if hi - lo < len(self.sent):
                gone = range(lo, hi + 1)
            else:
                gone = [p for p in self.sent if lo <= p <= hi]
            for pn in gone:
                self.sent.pop(pn, None)
        self.largest_acked = max(self.largest_acked, top)

    def _lost(self, pn, now):
        """Packet @pn is lost: queue what it carried again."""
        _, what = self.sent.pop(pn)
        for w in what:
            self.stats["resent"] += 1
            if w[0] == "data":
                self.resend_q.append(w)
            elif w[0] == "fin":
                self.streams[w[1]].fin_sent = False
            elif w[0] == "ctl":
                self.ctl.append(w[1])

    # ---------------------------------------------------- send path

    def _detect_losses(self, now):
        rto = max(0.25, 3 * self.srtt)
        for pn in list(self.sent):
            t, _ = self.sent[pn]
            if pn + 3 <= self.largest_acked or now - t > rto:
                self._lost(pn, now)

    def flush(self):
        """Send what is due: ACK, control frames, data, retransmissions."""
        now = time.monotonic()
        self._detect_losses(now)
        for st in self.streams.values():
            if st.mine and not st.accepted and \
                    now - st.open_sent > st.open_backoff:
                st.open_backoff = min(2.0, st.open_backoff * 2)
                self._send_open(st)
        if self.tx_gen_ok > self.tx_gen and self.rekey_every \
                and self.next_pn - self.gen_start >= self.rekey_every:
            self.tx_gen += 1
            self.gen_start = self.next_pn
        out, what, n = b"", [], 0
        if self.ack_due:
            delay = int((now - self.ack_time) * 1e6)
            out, n = self.received.ack_frame(delay), 1
            self.ack_due = False
        for c in self.ctl:
            if len(out) + len(c) > MAX_PAYLOAD or n == MAX_FRAMES:
                self._emit(out, what)
                out, what, n = b"", [], 0
            out += c
            n += 1
            if c[0] != wire.F_KEEPALIVE_ACK:
                what.append(("ctl", c))
        self.ctl = []
        for chunk in self._data_chunks():
            frame, w = chunk
            if len(out) + len(frame) > MAX_PAYLOAD or n == MAX_FRAMES:
                self._emit(out, what)
                out, what, n = b"", [], 0
            out += frame
            n += 1
            what.append(w)
        if out:
            self._emit(out, what)

    def _emit(self, out, what):
        self.send_frames(out, what if what else None)

    def _data_chunks(self):
        """DATA frames that may go now: lost ones first, then new data."""
        room = MAX_PAYLOAD - 14 - 20
        while self.resend_q and len(self.sent) < MAX_IN_FLIGHT:
            w = self.resend_q.pop(0)
            _, sid, off, n, fin = w
            st = self.streams[sid]
            yield (wire.data(sid, off, bytes(st.tx[off:off + n]),
                             wire.DATA_FIN if fin else 0), w)
        for st in list(self.streams.values()):
            while len(self.sent) < MAX_IN_FLIGHT and st.accepted and \
                    st.tx_max is not None:
                avail = len(st.tx) - st.tx_sent
                win = min(st.tx_max - st.tx_sent,
                          self.sess_tx_max - self.sess_tx_used)
                n = min(avail, win, room)
                last = st.tx_fin and st.tx_sent + n == len(st.tx)
                if n <= 0 and not (last and not st.fin_sent):
                    break
                off = st.tx_sent
                st.tx_sent += n
                self.sess_tx_used += n
                if last:
                    st.fin_sent = True
                w = ("data", st.sid, off, n, last)
                yield (wire.data(st.sid, off, bytes(st.tx[off:off + n]),
                                 wire.DATA_FIN if last else 0), w)
                if last:
                    break

    # ---------------------------------------------------- event loop

    def pump(self, timeout=0.01):
        """Receive for up to @timeout, then send what is due."""
        r, _, _ = select.select([self.sock], [], [], timeout)
        if r:
            for _ in range(256):
                try:
                    buf, src = self.sock.recvfrom(65535)
                except (BlockingIOError, InterruptedError):
                    break
                if src[:2] == self.addr[:2]:
                    self.handle_datagram(buf)
        self.flush()

    def run(self, until, timeout=30.0):
        """Pump until @until() is true; False if @timeout passed first."""
        end = time.monotonic() + timeout
        while not until():
            if time.monotonic() > end or self.closed:
                return until()
            self.pump(0.005)
        return True

    def close(self, reason=wire.CLOSE_SHUTDOWN, text=b""):
        """Send SESSION_CLOSE."""
        self.send_frames(wire.session_close(reason, text))


# -------------------------------------------------------- handshakes

def _udp(family, bind):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(bind)
    s.setblocking(False)
    return s


def _recv(sock, deadline):
    """One datagram before @deadline, or None."""
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    r, _, _ = select.select([sock], [], [], left)
    if not r:
        return None
    try:
        return sock.recvfrom(65535)
    except (BlockingIOError, InterruptedError):
        return None


def _hs_packet(dst, pn, frames, pad_to=0):
    pkt = wire.header(wire.PKT_HANDSHAKE, dst, pn) + frames
    if len(pkt) < pad_to:
        pkt += wire.padding(pad_to - len(pkt))
    return pkt


def connect(sock, addr, psk, suites=wire.SUITE_CHACHA, preferred=None,
            timeout=10.0, retry=0.2):
    """Run the client handshake on @sock to @addr; returns a Session."""
    eph = crypto.Ephemeral()
    sid = struct.unpack(">I", os.urandom(4))[0] | 1
    cnonce = os.urandom(32)
    hello = wire.hello(sid, eph.pub, cnonce, suites, preferred)
    echo = b""
    pn = 0
    deadline = time.monotonic() + timeout
    wait = retry
    sched = None
    chal = None
    while chal is None:
        sock.sendto(_hs_packet(0, pn, hello + echo, wire.HELLO_MIN_DGRAM),
                    addr)
        pn += 1
        until = min(deadline, time.monotonic() + wait)
        wait = min(2.0, wait * 2)
        while time.monotonic() < until and chal is None:
            got = _recv(sock, until)
            if got is None or got[1][:2] != addr[:2]:
                continue
            buf = got[0]
            try:
                hdr = wire.parse_header(buf)
                frames = wire.parse_frames(buf[wire.HDR_LEN:])
            except FrameError:
                continue
            if hdr["type"] != wire.PKT_HANDSHAKE or hdr["dst"] != sid:
                continue
            for f in frames:
                if f["type"] == wire.F_COOKIE and f["nonce"] == cnonce:
                    echo = wire.cookie(f["nonce"], f["cookie"])
                    until = 0
                elif f["type"] == wire.F_REJECT and f["nonce"] == cnonce:
                    raise HandshakeError("REJECT reason %d" % f["reason"])
                elif f["type"] == wire.F_CHALLENGE:
                    cf = buf[wire.HDR_LEN:wire.HDR_LEN + 105]
                    if cf[0] != wire.F_CHALLENGE:
                        continue
                    s = crypto.Schedule(psk, eph.shared(f["pubkey"]), hello,
                                        bytes(cf))
                    if s.proof_s == f["proof"]:
                        chal, sched = f, s
        if time.monotonic() >= deadline and chal is None:
            raise HandshakeError("timed out")
    proof = wire.auth_proof(sched.proof_c)
    c2s, s2c = sched.traffic(proof)
    sess = Session(sock, addr, True, sid, chal["sid"], chal["suite"], c2s,
                   s2c)
    hs_pn = [pn]

    def auth_packet():
        hs_pn[0] += 1
        return _hs_packet(chal["sid"], hs_pn[0] - 1, proof)

    sess.resend_auth = auth_packet
    wait = retry
    while True:
        sock.sendto(auth_packet(), addr)
        until = min(deadline, time.monotonic() + wait)
        wait = min(2.0, wait * 2)
        while time.monotonic() < until:
            got = _recv(sock, until)
            if got is None or got[1][:2] != addr[:2]:
                continue
            before = sess.stats["rx_packets"]
            sess.handle_datagram(got[0])
            if sess.stats["rx_packets"] > before:
                sess.flush()
                return sess
        if time.monotonic() >= deadline:
            raise HandshakeError("no FINAL")


def accept(sock, psk, suites=wire.SUITE_CHACHA, timeout=30.0):
    """Run the server handshake for the next HELLO on @sock; a Session."""
    deadline = time.monotonic() + timeout
    pending = {}
    while True:
        got = _recv(sock, deadline)
        if got is None:
            raise HandshakeError("timed out")
        buf, src = got
        try:
            hdr = wire.parse_header(buf)
            frames = wire.parse_frames(buf[wire.HDR_LEN:])
        except FrameError:
            continue
        if hdr["type"] != wire.PKT_HANDSHAKE or not frames:
            continue
        f = frames[0]
        if f["type"] == wire.F_HELLO and hdr["dst"] == 0 and \
                len(buf) >= wire.HELLO_MIN_DGRAM:
            common = f["offered"] & suites
            if not common:
                sock.sendto(_hs_packet(f["sid"], 0, wire.reject(
                    3, f["nonce"])), src)
                continue
            suite = f["preferred"] if f["preferred"] & common else \
                common & -common
            key = (src, f["nonce"])
            if key not in pending:
                eph = crypto.Ephemeral()
                sid = struct.unpack(">I", os.urandom(4))[0] | 2
                snonce = os.urandom(32)
                hf = bytes(buf[wire.HDR_LEN:wire.HDR_LEN + 73])
                partial = wire.challenge(sid, eph.pub, snonce, b"\0" * 32,
                                         suite)
                s = crypto.Schedule(psk, eph.shared(f["pubkey"]), hf,
                                    partial)
                cf = partial[:-32] + s.proof_s
                s.challenge = cf        # th2 covers the whole CHALLENGE
                pending[key] = (sid, f["sid"], suite, s, cf, [0])
            sid, csid, suite, s, cf, pn = pending[key]
            sock.sendto(_hs_packet(csid, pn[0], cf), src)
            pn[0] += 1
        elif f["type"] == wire.F_AUTH_PROOF:
            for (psrc, _), (sid, csid, suite, s, cf, pn) in pending.items():
                if psrc == src and sid == hdr["dst"] and \
                        f["proof"] == s.proof_c:
                    proof = wire.auth_proof(f["proof"])
                    c2s, s2c = s.traffic(proof)
                    sess = Session(sock, src, False, sid, csid, suite, c2s,
                                   s2c)
                    sess.resend_final = (f["proof"],)
                    sess.ctl.insert(0, wire.final())
                    sess.flush()
                    return sess
