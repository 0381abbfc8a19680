/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every constant of the STT wire format, version 1: the packet header, packet
 * and frame types, their fixed sizes, the handshake's labels and limits.
 * Documentation/wire.rst describes each byte; this header is the only place
 * the numbers live.  Pure: included by kernel and user-space code alike.
 */
#ifndef _STT_PROTO_H
#define _STT_PROTO_H

#define STT_VERSION		1

/* Packet header: version, flags, reserved, destination session, number. */
#define STT_HDR_LEN		16
#define STT_HDR_TYPE_MASK	0x0f
#define STT_HDR_KEY_PHASE	0x10
#define STT_HDR_FLAGS_MBZ	0xe0

/* Packet types (low four bits of the flags byte). */
#define STT_PKT_HANDSHAKE	1	/* cleartext handshake frames */
#define STT_PKT_PROTECTED	2	/* AEAD-sealed frames */

/* AEAD */
#define STT_TAG_LEN		16
#define STT_NONCE_LEN		12
#define STT_KEY_LEN		32

/* Cipher suites, as bits of HELLO's offer and values of CHALLENGE's choice. */
#define STT_SUITE_CHACHA20_POLY1305	0x01
#define STT_SUITE_AES_256_GCM		0x02
#define STT_SUITES_ALL		(STT_SUITE_CHACHA20_POLY1305 | STT_SUITE_AES_256_GCM)

/* Frame types. */
#define STT_FRAME_PADDING	0x00
#define STT_FRAME_HELLO		0x01
#define STT_FRAME_CHALLENGE	0x02
#define STT_FRAME_AUTH_PROOF	0x03
#define STT_FRAME_FINAL		0x04
#define STT_FRAME_REJECT	0x05
#define STT_FRAME_COOKIE	0x06
#define STT_FRAME_ACK		0x10
#define STT_FRAME_NACK		0x11
#define STT_FRAME_STREAM_OPEN	0x12
#define STT_FRAME_DATA		0x13
#define STT_FRAME_STREAM_FIN	0x14
#define STT_FRAME_STREAM_RESET	0x15
#define STT_FRAME_WINDOW_UPDATE	0x16
#define STT_FRAME_KEEPALIVE	0x17
#define STT_FRAME_KEEPALIVE_ACK	0x18
#define STT_FRAME_SESSION_CLOSE	0x19
#define STT_FRAME_KEY_UPDATE	0x1a

/* Frame body sizes (after the type byte) of the fixed-size frames. */
#define STT_X25519_LEN		32
#define STT_HS_NONCE_LEN	32
#define STT_MAC_LEN		32
#define STT_HELLO_LEN		(4 + 4 + STT_X25519_LEN + STT_HS_NONCE_LEN)
#define STT_CHALLENGE_LEN	(4 + 4 + STT_X25519_LEN + STT_HS_NONCE_LEN + STT_MAC_LEN)
#define STT_AUTH_PROOF_LEN	STT_MAC_LEN
#define STT_FINAL_LEN		0
#define STT_REJECT_LEN		(4 + STT_HS_NONCE_LEN)
#define STT_COOKIE_MAC_LEN	16
#define STT_COOKIE_LEN		(STT_HS_NONCE_LEN + STT_COOKIE_MAC_LEN)
#define STT_ACK_MIN_LEN		(8 + 4 + 2 + 4)
#define STT_ACK_RANGE_LEN	(4 + 4)
#define STT_NACK_MIN_LEN	2
#define STT_NACK_RANGE_LEN	(8 + 4)
#define STT_STREAM_OPEN_MIN_LEN	(2 + 1 + 1 + 2 + 2 + 4 + 4 + 1)
#define STT_DATA_HDR_LEN	(2 + 1 + 1 + 8 + 2)
#define STT_STREAM_FIN_LEN	(2 + 8)
#define STT_STREAM_RESET_LEN	(2 + 4 + 8)
#define STT_WINDOW_UPDATE_LEN	(2 + 8)
#define STT_KEEPALIVE_LEN	8
#define STT_SESSION_CLOSE_MIN_LEN (4 + 2)
#define STT_KEY_UPDATE_LEN	4

/* Limits. */
#define STT_ACK_MAX_RANGES	32	/* ranges after the first */
#define STT_NACK_MAX_RANGES	32
/*
 * Frames one protected packet may carry, PADDING aside, and how many of
 * them may be ACK or NACK frames: bounds on the work one datagram makes
 * (a full 8 KiB packet could otherwise hold 430 ACK frames of 19 bytes, or
 * 8000 one-byte FINAL frames).  Our own packets carry one or two frames.
 */
#define STT_PKT_FRAMES_MAX	32
#define STT_PKT_ACKS_MAX	4
#define STT_LABEL_MAX		64
#define STT_PRIO_MAX		7
#define STT_MAX_FRAME_MIN	1024	/* smallest maximum frame size */
#define STT_CLOSE_TEXT_MAX	128
#define STT_HELLO_MIN_DGRAM	256	/* a HELLO datagram is padded to this */
#define STT_MIN_DGRAM		1200	/* every path carries this much UDP payload */
#define STT_MAX_DGRAM		8192	/* largest datagram STT sends */

/*
 * The session window each side grants before its first WINDOW_UPDATE for
 * stream 0: the most stream data, summed over all streams, the peer may
 * send.
 */
#define STT_SESSION_WINDOW_INITIAL	(1024 * 1024)

/* DATA flags. */
#define STT_DATA_FIN		0x01	/* the last byte of the stream is here */
#define STT_DATA_MSG_END	0x02	/* the last byte of a SEQPACKET message is here */
#define STT_DATA_FLAGS_ALL	(STT_DATA_FIN | STT_DATA_MSG_END)

/* STREAM_OPEN stream kinds. */
#define STT_KIND_BYTES		1	/* SOCK_STREAM */
#define STT_KIND_MESSAGES	2	/* SOCK_SEQPACKET */

/*
 * STREAM_OPEN open numbers: a receiver remembers which of the peer's opens
 * it has dealt with, the highest and the STT_OPEN_WINDOW - 1 below it (the
 * window of struct stt_replay); an open further below is a late copy.
 */
#define STT_OPEN_WINDOW		2048

/* REJECT reasons. */
#define STT_REJECT_NO_LISTENER	1
#define STT_REJECT_VERSION	2
#define STT_REJECT_NO_SUITE	3
#define STT_REJECT_BUSY		4

/* STREAM_RESET codes. */
#define STT_RESET_ABORT		0	/* the application aborted the stream */
#define STT_RESET_NO_LISTENER	1	/* nothing accepts streams on that node */
#define STT_RESET_TOO_MANY	2	/* the session's stream limit is reached */
#define STT_RESET_KIND		3	/* the listener is of the other kind */
#define STT_RESET_COLLISION	4	/* both peers opened this id at once */
#define STT_RESET_BACKLOG	5	/* the listener's accept queue is full */
#define STT_RESET_CLOSED	6	/* data for a stream already closed */
#define STT_RESET_FLOW		7	/* the peer sent beyond its window */
#define STT_RESET_FINAL_SIZE	8	/* a final size against the data or another */

/*
 * No stream offset + length, final size or maximum data goes beyond this
 * (2^62), so that sums of them cannot wrap a u64.
 */
#define STT_OFFSET_MAX		0x4000000000000000ULL

/* SESSION_CLOSE reasons. */
#define STT_CLOSE_NONE		0	/* orderly close */
#define STT_CLOSE_IDLE		1
#define STT_CLOSE_PROTOCOL	2	/* the peer broke the protocol */
#define STT_CLOSE_SHUTDOWN	3	/* module unload or namespace exit */
#define STT_CLOSE_TIMEOUT	4	/* the peer stopped acknowledging */

/* Key schedule labels (HKDF-Expand info prefixes; no NUL). */
#define STT_LABEL_AUTH		"stt1 auth"
#define STT_LABEL_C2S		"stt1 c2s"
#define STT_LABEL_S2C		"stt1 s2c"
#define STT_LABEL_KEY		"stt1 key"
#define STT_LABEL_UPDATE	"stt1 upd"
#define STT_LABEL_SERVER	"stt1 server"
#define STT_LABEL_CLIENT	"stt1 client"

#endif /* _STT_PROTO_H */
