/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encoder and parser of the STT wire format (Documentation/wire.rst): the
 * packet header and every frame.  Pure code (see pure.h): it never allocates,
 * never sleeps, and a parsed frame points into the buffer it came from, so
 * stream data is never copied here.
 */
#ifndef _STT_CODEC_H
#define _STT_CODEC_H

#include "pure.h"
#include "proto.h"

/**
 * struct stt_hdr - the cleartext packet header
 * @type: packet type, %STT_PKT_HANDSHAKE or %STT_PKT_PROTECTED
 * @key_phase: low bit of the key generation (protected packets)
 * @dst_session: the receiver's session id
 * @pn: packet number
 */
struct stt_hdr {
	u8 type;
	u8 key_phase;
	u32 dst_session;
	u64 pn;
};

/**
 * struct stt_range - an inclusive range of packet numbers
 * @lo: smallest number in the range
 * @hi: largest number in the range
 */
struct stt_range {
	u64 lo;
	u64 hi;
};

/**
 * struct stt_frame - one parsed frame
 * @type: the frame type, an %STT_FRAME_* value
 * @hello: HELLO
 * @challenge: CHALLENGE
 * @auth_proof: AUTH_PROOF
 * @reject: REJECT
 * @cookie: COOKIE
 * @ack: ACK; its ranges through stt_ack_range()
 * @nack: NACK; its ranges through stt_nack_range()
 * @open: STREAM_OPEN
 * @data: DATA
 * @fin: STREAM_FIN
 * @reset: STREAM_RESET
 * @window: WINDOW_UPDATE
 * @keepalive: KEEPALIVE and KEEPALIVE_ACK
 * @close: SESSION_CLOSE
 * @key_update: KEY_UPDATE
 *
 * Only the member of the union that @type names is valid.  Pointers point
 * into the parsed buffer.  Field meanings are those of Documentation/wire.rst.
 */
struct stt_frame {
	u8 type;
	union {
		struct {
			u8 suites, preferred;
			u32 session;
			const u8 *pub;		/* STT_X25519_LEN bytes */
			const u8 *nonce;	/* STT_HS_NONCE_LEN bytes */
		} hello;
		struct {
			u8 suite;
			u32 session;
			const u8 *pub, *nonce;
			const u8 *proof;	/* STT_MAC_LEN bytes */
		} challenge;
		struct {
			const u8 *proof;
		} auth_proof;
		struct {
			u32 reason;
			const u8 *nonce;
		} reject;
		struct {
			const u8 *nonce;	/* STT_HS_NONCE_LEN bytes */
			const u8 *mac;		/* STT_COOKIE_MAC_LEN bytes */
		} cookie;
		struct {
			u64 largest;
			u32 delay_us;
			u32 first_range;
			u16 nranges;		/* further ranges */
			const u8 *raw;		/* nranges (gap, length) pairs */
		} ack;
		struct {
			u16 nranges;
			const u8 *raw;		/* nranges (first, count) pairs */
		} nack;
		struct {
			u16 stream;
			u8 kind, priority;
			u16 max_frame;
			u32 window;
			u32 number;
			u8 label_len;
			const u8 *label;
		} open;
		struct {
			u16 stream;
			u8 flags;
			u64 offset;
			u16 len;
			const u8 *data;
		} data;
		struct {
			u16 stream;
			u64 final_size;
		} fin;
		struct {
			u16 stream;
			u32 code;
			u64 final_size;
		} reset;
		struct {
			u16 stream;
			u64 max_data;
		} window;
		struct {
			u64 opaque;
		} keepalive;
		struct {
			u32 reason;
			u16 text_len;
			const u8 *text;
		} close;
		struct {
			u32 generation;
		} key_update;
	};
};

int stt_hdr_decode(const u8 *buf, size_t len, struct stt_hdr *hdr);
void stt_hdr_encode(u8 *buf, const struct stt_hdr *hdr);

int stt_frame_decode(const u8 *buf, size_t len, struct stt_frame *f);
int stt_frames_check(const u8 *p, size_t len, int *eliciting);
int stt_frame_encode(u8 *buf, size_t cap, const struct stt_frame *f);
int stt_data_hdr_encode(u8 *buf, const struct stt_frame *f);

/* How soon a received packet wants an acknowledgment. */
enum {
	STT_ACK_NONE,
	STT_ACK_DELAYED,
	STT_ACK_NOW,
};

int stt_ack_encode(u8 *buf, size_t cap, u32 delay_us,
		   const struct stt_range *ranges, unsigned int n);
int stt_nack_encode(u8 *buf, size_t cap, const struct stt_range *gaps,
		    unsigned int n);
void stt_ack_range(const struct stt_frame *f, unsigned int i,
		   struct stt_range *r);
void stt_ack_range_next(const struct stt_frame *f, unsigned int i,
			struct stt_range *r);
void stt_nack_range(const struct stt_frame *f, unsigned int i,
		    struct stt_range *r);

#endif /* _STT_CODEC_H */
