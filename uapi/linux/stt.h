/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * STT: multi-stream encrypted transport, user API.
 *
 * Each STT stream is a socket: socket(AF_STT, SOCK_STREAM or SOCK_SEQPACKET, 0).
 * Streams between the same two nodes share one encrypted session over UDP.
 * See Documentation/stt.rst and stt(7).
 */
#ifndef _UAPI_LINUX_STT_H
#define _UAPI_LINUX_STT_H

#include <linux/types.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>

/**
 * define AF_STT - address family number of STT
 *
 * AF_MAX cannot grow outside the kernel tree, so STT takes a family slot that no
 * Linux kernel implements (25 was AF_WANPIPE, removed long ago and never used by
 * a protocol in the tree).  The module parameter ``family`` can move it; this is
 * the number the module uses, and autoloads for, by default.
 */
#define AF_STT		25
/** define PF_STT - protocol family, the same number as AF_STT */
#define PF_STT		AF_STT

/**
 * define SOL_STT - socket option level of STT
 *
 * Options at this level are handled by the STT socket itself.  The number is
 * far from the kernel's own SOL_* sequence so that it cannot collide with it.
 */
#define SOL_STT		0x5354

/**
 * define STT_PSK - socket option setting the secret key of the sessions
 *
 * The 256-bit pre-shared key,
 * ``setsockopt(fd, SOL_STT, STT_PSK, key, STT_PSK_LEN)``, set on a listening
 * socket before listen() and on a connecting socket before connect().  Both
 * ends of a session must hold the same key; connect() to a node with another
 * key fails with %EKEYREJECTED, and without a key with %ENOKEY.  Setting it
 * after listen() or connect() fails with %EISCONN: a session belongs to the
 * key that authenticated it, and only a listener holding that key gets the
 * streams the peer opens on it.  Reading the option back fails with %EPERM.
 */
#define STT_PSK		1
/** define STT_PSK_LEN - length of a pre-shared key, in bytes */
#define STT_PSK_LEN	32

/**
 * define STT_CIPHER - socket option choosing the AEADs a socket may use
 *
 * An int of %STT_CIPHER_CHACHA20_POLY1305 and %STT_CIPHER_AES_256_GCM bits.
 * The default is the sysctl ``net.stt.suites``.  A connecting socket prefers
 * the lowest bit it offers; a listener picks the client's preference if it
 * accepts it.
 */
#define STT_CIPHER	2
/** define STT_CIPHER_CHACHA20_POLY1305 - ChaCha20-Poly1305 (RFC 8439) */
#define STT_CIPHER_CHACHA20_POLY1305	0x01
/** define STT_CIPHER_AES_256_GCM - AES-256 in Galois/Counter Mode */
#define STT_CIPHER_AES_256_GCM		0x02

/**
 * define STT_LABEL - socket option naming the stream (the seed's purpose)
 *
 * Up to %STT_LABEL_MAX bytes of any content, set before connect().  The label
 * travels in STREAM_OPEN; on the accepting side getsockopt() of the accepted
 * socket reads it.  Longer labels are refused with %EINVAL; after connect()
 * setting it fails with %EISCONN.
 */
#define STT_LABEL	3
/** define STT_LABEL_MAX - longest label, in bytes */
#define STT_LABEL_MAX	64

/**
 * define STT_MAX_FRAME - socket option setting the stream's maximum frame size
 *
 * An int from %STT_MAX_FRAME_MIN to %STT_MAX_FRAME_MAX bytes; the default is
 * the sysctl ``net.stt.max_frame`` (16384).  It is how many bytes the stream
 * sends in one turn of the session's scheduler before the next stream with
 * data gets its turn: small frames interleave finely, large ones spend less
 * per byte.  Set before connect(); it travels in STREAM_OPEN.  Data is
 * carried in as many datagrams as a frame needs, each within the path MTU.
 */
#define STT_MAX_FRAME	4
/** define STT_MAX_FRAME_MIN - smallest maximum frame size */
#define STT_MAX_FRAME_MIN	1024
/** define STT_MAX_FRAME_MAX - largest maximum frame size */
#define STT_MAX_FRAME_MAX	65535

/**
 * define STT_NODELAY - socket option sending every write at once
 *
 * An int, 0 or 1.  By default a short write that finds earlier data of the
 * stream still waiting to be sent is coalesced with it into a full datagram
 * (like Nagle's algorithm in TCP); with %STT_NODELAY each write is sent as it
 * comes.  Setting it also sends whatever is held back.
 */
#define STT_NODELAY	5

/**
 * define STT_CORK - socket option holding partial datagrams back
 *
 * An int, 0 or 1.  While set, data that does not fill a datagram is held
 * until more comes; clearing it sends what is held (the seed's flush()).
 * ``send(..., MSG_MORE)`` does the same for one call.
 */
#define STT_CORK	6

/**
 * define STT_PRIORITY - socket option setting the stream's scheduling priority
 *
 * An int from 0 (the default) to %STT_PRIORITY_MAX.  In each round of the
 * session's scheduler a stream of priority p may send p + 1 frames, so that
 * higher priorities get a larger share and no stream with data starves.
 * Can be changed at any time.
 */
#define STT_PRIORITY	7
/** define STT_PRIORITY_MAX - highest priority */
#define STT_PRIORITY_MAX	7

/**
 * define STT_MAX_STREAMS - socket option capping a session's open streams
 *
 * An int from 1 to 65535.  connect() on this socket, and a listener accepting
 * streams, refuse to go beyond min(this, ``net.stt.max_concurrent_streams``)
 * open streams on the session: connect() fails with %ENOSR (the seed's
 * TooManyStreamsError), and succeeds again once a stream of the session is
 * closed.  Reading it returns the cap in force.
 */
#define STT_MAX_STREAMS	8

/**
 * define STT_INFO - socket option reading a &struct stt_info
 */
#define STT_INFO	9

/**
 * define STT_INFO_VERSION - the &struct stt_info layout this header describes
 */
#define STT_INFO_VERSION	3

/**
 * enum stt_state - a stream's state in &struct stt_info
 * @STT_STATE_CLOSED: not connected, or fully closed
 * @STT_STATE_LISTEN: a listening socket
 * @STT_STATE_CONNECTING: connect() is under way
 * @STT_STATE_OPEN: both directions open
 * @STT_STATE_SEND_CLOSED: this side sent its end of the stream
 * @STT_STATE_RECV_CLOSED: the peer sent its end of the stream
 * @STT_STATE_RESET: the stream was aborted
 */
enum stt_state {
	STT_STATE_CLOSED,
	STT_STATE_LISTEN,
	STT_STATE_CONNECTING,
	STT_STATE_OPEN,
	STT_STATE_SEND_CLOSED,
	STT_STATE_RECV_CLOSED,
	STT_STATE_RESET,
};

/**
 * struct stt_info - what getsockopt(%SOL_STT, %STT_INFO) reports of a stream
 * @stti_version: %STT_INFO_VERSION; later versions only add fields at the end
 * @stti_state: an &enum stt_state
 * @stti_priority: the stream's %STT_PRIORITY
 * @stti_kind: 1 for a byte stream, 2 for a message stream
 * @stti_reserved: zero
 * @stti_stream: the stream id
 * @stti_max_frame: this side's maximum frame size
 * @stti_peer_max_frame: the peer's maximum frame size
 * @stti_session: our session id (the one in sockaddr_stt of getsockname())
 * @stti_peer_session: the peer's session id
 * @stti_mtu: largest datagram payload the session sends, in bytes
 * @stti_srtt_us: smoothed round-trip time of the session, in microseconds
 *	(0 until measured)
 * @stti_rttvar_us: its variation, in microseconds
 * @stti_bytes_sent: stream bytes sent (first transmissions)
 * @stti_bytes_received: stream bytes received in order
 * @stti_bytes_retrans: stream bytes sent again after a loss
 * @stti_frames_sent: DATA frames sent
 * @stti_frames_received: DATA frames received
 * @stti_frames_retrans: DATA frames sent again after a loss
 * @stti_snd_queued: bytes written and not yet sent
 * @stti_snd_window: bytes the peer lets us send beyond what we sent
 * @stti_rcv_queued: bytes received and not yet read
 * @stti_rcv_window: bytes we let the peer send beyond what it sent
 * @stti_cwnd: the session's congestion window, in bytes (version 2)
 * @stti_ssthresh: its slow start threshold, in bytes; ~0 before the first
 *	loss (version 2)
 * @stti_in_flight: bytes the session sent that are neither acknowledged nor
 *	lost (version 2)
 * @stti_rto_us: the session's current retransmission timeout, in
 *	microseconds (version 2)
 * @stti_congestion: the session's congestion controller, an
 *	&enum stt_congestion; before connect(), the one the socket would use
 *	(version 3)
 * @stti_cc_phase: where the session's controller is, an
 *	&enum stt_cc_phase; 0 without a session (version 3)
 * @stti_reserved2: zero
 * @stti_cc_w_max: CUBIC's W_max, the congestion window before the last
 *	reduction, in bytes; 0 for NewReno, or before CUBIC knows one
 *	(version 3)
 *
 * getsockopt() copies at most the length it is given and returns the length
 * it copied, so that old programs keep working with newer kernels.
 */
struct stt_info {
	__u32	stti_version;
	__u8	stti_state;
	__u8	stti_priority;
	__u8	stti_kind;
	__u8	stti_reserved;
	__u16	stti_stream;
	__u16	stti_max_frame;
	__u16	stti_peer_max_frame;
	__u16	stti_mtu;
	__u32	stti_session;
	__u32	stti_peer_session;
	__u32	stti_srtt_us;
	__u32	stti_rttvar_us;
	__u64	stti_bytes_sent;
	__u64	stti_bytes_received;
	__u64	stti_bytes_retrans;
	__u64	stti_frames_sent;
	__u64	stti_frames_received;
	__u64	stti_frames_retrans;
	__u64	stti_snd_queued;
	__u64	stti_snd_window;
	__u64	stti_rcv_queued;
	__u64	stti_rcv_window;
	__u32	stti_cwnd;
	__u32	stti_ssthresh;
	__u32	stti_in_flight;
	__u32	stti_rto_us;
	__u8	stti_congestion;
	__u8	stti_cc_phase;
	__u16	stti_reserved2;
	__u32	stti_cc_w_max;
};

/**
 * define STT_RETRANSMIT_TIMEOUT - socket option setting the initial timeout
 *
 * An int from %STT_RETRANSMIT_TIMEOUT_MIN to %STT_RETRANSMIT_TIMEOUT_MAX
 * milliseconds (the seed's retransmit_timeout); the default is the sysctl
 * ``net.stt.rto_initial_ms`` as it was when the socket was made, and an
 * accepted stream takes its listener's.  It is the retransmission timeout
 * used before any round-trip time is measured: the stream's STREAM_OPEN is
 * sent again after it (then with backoff), and a session that connect() on
 * this socket creates, or that a listener with it accepts, starts its loss
 * recovery with it.  A session keeps the value it was created with;
 * connect() on a session that exists already does not change it.  It may be
 * set at any time, but after connect() it only affects the stream's later
 * STREAM_OPEN retransmissions.
 */
#define STT_RETRANSMIT_TIMEOUT	10
/** define STT_RETRANSMIT_TIMEOUT_MIN - smallest initial timeout, in ms */
#define STT_RETRANSMIT_TIMEOUT_MIN	1
/** define STT_RETRANSMIT_TIMEOUT_MAX - largest initial timeout, in ms */
#define STT_RETRANSMIT_TIMEOUT_MAX	60000

/**
 * define STT_CONGESTION - socket option choosing the session's congestion control
 *
 * The controller's name, a string (like %TCP_CONGESTION):
 * ``setsockopt(fd, SOL_STT, STT_CONGESTION, "cubic", 5)``; a terminating NUL
 * may be included.  ``"cubic"`` is CUBIC (RFC 9438) with HyStart++ (RFC 9406)
 * in its first slow start, ``"newreno"`` is NewReno (RFC 9002 section 7).
 * The default is the sysctl ``net.stt.congestion_control`` as it was when
 * the socket was made, and an accepted stream takes its listener's.  An
 * unknown name fails with %ENOENT.
 *
 * Congestion control belongs to the session, which all streams between the
 * two nodes share: a session that connect() on this socket creates, or that
 * a listener with it accepts, uses the socket's controller for its whole
 * life.  connect() that joins a session that exists already leaves it the
 * controller it has.  Setting the option after connect() fails with
 * %EISCONN; on a listener it applies to the sessions accepted afterwards.
 * Reading it returns the name, NUL-padded to at most
 * %STT_CONGESTION_NAME_MAX bytes, of the session's controller once the
 * socket has a session, else of the socket's.
 */
#define STT_CONGESTION		11
/** define STT_CONGESTION_NAME_MAX - room for a controller's name and its NUL */
#define STT_CONGESTION_NAME_MAX	16

/**
 * enum stt_congestion - the congestion controllers, as %STT_INFO numbers them
 * @STT_CONGESTION_NEWRENO: NewReno, named ``"newreno"``
 * @STT_CONGESTION_CUBIC: CUBIC with HyStart++, named ``"cubic"``
 */
enum stt_congestion {
	STT_CONGESTION_NEWRENO = 1,
	STT_CONGESTION_CUBIC = 2,
};

/**
 * enum stt_cc_phase - where a session's congestion controller is
 * @STT_CC_PHASE_SLOW_START: slow start: the window grows by what is
 *	acknowledged
 * @STT_CC_PHASE_CONSERVATIVE: HyStart++'s conservative slow start (CUBIC's
 *	first slow start, after the RTT rose): a quarter of that
 * @STT_CC_PHASE_AVOIDANCE: congestion avoidance (or a recovery period)
 */
enum stt_cc_phase {
	STT_CC_PHASE_SLOW_START = 1,
	STT_CC_PHASE_CONSERVATIVE = 2,
	STT_CC_PHASE_AVOIDANCE = 3,
};

/**
 * define STT_STREAM_ANY - stream id that asks the kernel to assign one
 */
#define STT_STREAM_ANY	0

/**
 * struct sockaddr_stt - address of an STT stream
 * @sstt_family: always %AF_STT.
 * @sstt_addr_family: family of @sstt_addr: %AF_INET or %AF_INET6.
 * @sstt_port: UDP port of the node, in network byte order.  0 in bind()
 *	asks for an ephemeral port; connect() needs a real port.
 * @sstt_stream: stream id within the session, 1 to 65535.  In connect(),
 *	%STT_STREAM_ANY (0) asks the kernel to assign one: odd ids on the
 *	session's client side (the node that started the handshake), even ones
 *	on its server side, so that the two peers never pick the same id.  An id
 *	asked for explicitly may be of either parity; one in use fails with
 *	%EADDRINUSE.  Must be 0 in bind().
 * @sstt_scope_id: IPv6 scope (interface index) for link-local addresses;
 *	must be 0 for IPv4.
 * @sstt_session: session id.  Reported by getsockname() and getpeername();
 *	must be 0 when passed to bind() or connect().
 * @sstt_addr: the node's IP address.
 * @sstt_addr.v4: IPv4 address, when @sstt_addr_family is %AF_INET.
 * @sstt_addr.v6: IPv6 address, when @sstt_addr_family is %AF_INET6.
 *
 * The structure is 32 bytes on every architecture.  Callers pass its full size
 * as the address length; a shorter length is refused with %EINVAL.
 */
struct sockaddr_stt {
	__kernel_sa_family_t	sstt_family;
	__u16			sstt_addr_family;
	__be16			sstt_port;
	__u16			sstt_stream;
	__u32			sstt_scope_id;
	__u32			sstt_session;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} sstt_addr;
};

#endif /* _UAPI_LINUX_STT_H */
