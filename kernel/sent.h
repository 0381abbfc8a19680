/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring of records of the ack-eliciting packets a session sent, with two
 * bitmaps over its slots, and the arithmetic that maps a range of packet
 * numbers to the slice of records it covers.  Pure code: see pure.h.
 */
#ifndef _STT_SENT_H
#define _STT_SENT_H

#include "pure.h"
#include "codec.h"

/* What a sent packet carried, for struct stt_sent. */
enum {
	STT_SENT_OTHER,		/* only RTT and the user timeout care */
	STT_SENT_DATA,		/* a chunk of stream data */
	STT_SENT_FIN,		/* STREAM_FIN */
	STT_SENT_RESET,		/* STREAM_RESET */
	STT_SENT_WINDOW,	/* WINDOW_UPDATE */
	STT_SENT_KEY_UPDATE,	/* KEY_UPDATE */
	STT_SENT_GONE,		/* stream data of a stream that is gone */
};

/*
 * Where a record stands.  A probe timeout declares lost without signalling
 * congestion (RFC 9002: a timeout is not a loss): that record is PROBED,
 * which counts as lost everywhere else.
 */
enum {
	STT_SENT_INFLIGHT,
	STT_SENT_ACKED,
	STT_SENT_LOST,
	STT_SENT_PROBED,
};

/**
 * struct stt_sent - one ack-eliciting packet sent, until it settles
 * @pn: its packet number
 * @time: when it was sent, ktime_get_ns()
 * @offset: DATA: stream offset of its data; STREAM_FIN, STREAM_RESET: the
 *	final size; KEY_UPDATE: the generation
 * @len: DATA: bytes of stream data; STREAM_RESET: the code
 * @stream: the stream id, or 0
 * @kind: what it carried, an STT_SENT_* value
 * @state: in flight, acknowledged or lost (recovery.c); only
 *	stt_sent_set() changes it
 */
struct stt_sent {
	u64 pn;
	u64 time;
	u64 offset;
	u32 len;
	u16 stream;
	u8 kind;
	u8 state;
};

/* Records per session, a power of two: bounds the packets in flight. */
#define STT_SENT_MAX	4096
#define STT_SENT_WORDS	(STT_SENT_MAX / 64)

/**
 * struct stt_sent_ring - the records of a session's packets in flight
 * @rec: the records, by free-running index masked with %STT_SENT_MAX - 1;
 *	those between the owner's head and tail indexes are live, in
 *	increasing packet number order (a record is taken in the same step
 *	as its number)
 * @inflight: a bit per slot whose live record is in flight
 * @lost: a bit per slot whose live record was declared lost
 *
 * The bitmaps let a walk skip settled records 64 at a time, so that work
 * follows the records that change, not the ring's size.  The owner locks.
 */
struct stt_sent_ring {
	struct stt_sent rec[STT_SENT_MAX];
	u64 inflight[STT_SENT_WORDS];
	u64 lost[STT_SENT_WORDS];
};

/* The record at free-running index @i. */
static inline struct stt_sent *stt_sent_at(struct stt_sent_ring *ring, u32 i)
{
	return &ring->rec[i & (STT_SENT_MAX - 1)];
}

void stt_sent_set(struct stt_sent_ring *ring, u32 i, unsigned int state);
void stt_sent_forget(struct stt_sent_ring *ring, u32 i);
u32 stt_sent_lower(const struct stt_sent_ring *ring, u32 head, u32 tail,
		   u64 pn);
void stt_sent_slice(const struct stt_sent_ring *ring, u32 head, u32 tail,
		    const struct stt_range *r, u32 *from, u32 *to);
u32 stt_sent_next(const struct stt_sent_ring *ring, u32 from, u32 to,
		  bool lost_too);

#endif /* _STT_SENT_H */
