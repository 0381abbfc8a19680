/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Congestion control: NewReno as RFC 9002 section 7 describes it, counted in
 * bytes.  Pure code: see pure.h.
 */
#ifndef _STT_CC_H
#define _STT_CC_H

#include "pure.h"

/* Initial window, in datagrams (RFC 9002: 10). */
#define STT_CC_INITIAL		10
/* Smallest window, in datagrams. */
#define STT_CC_MIN		2

/**
 * struct stt_cc - one session's congestion state
 * @mss: the largest datagram, bytes
 * @cwnd: congestion window, bytes
 * @ssthresh: slow start threshold, bytes (~0 until the first loss)
 * @in_flight: bytes sent and neither acknowledged nor declared lost
 * @recovery_pn: packets numbered below this were sent before the current
 *	recovery period began; their loss does not shrink the window again
 * @acked_frac: bytes acknowledged in congestion avoidance not yet turned
 *	into window growth
 * @prior_cwnd: @cwnd before the current recovery period's reduction
 * @prior_ssthresh: @ssthresh before it
 * @event_time: when the current recovery period began (the caller's clock)
 * @event_pn: the number of the first packet declared lost in it; packets
 *	are declared lost oldest first, so one below it was lost earlier
 * @event_lost: packets declared lost in the current recovery period
 * @event_spurious: of those, how many were acknowledged after all; when
 *	all of them were, the reduction is undone
 * @undo_ok: the current reduction, or collapse, may still be undone
 *
 * The caller locks; the functions never sleep.
 */
struct stt_cc {
	u32 mss;
	u64 cwnd;
	u64 ssthresh;
	u64 in_flight;
	u64 recovery_pn;
	u64 acked_frac;
	u64 prior_cwnd;
	u64 prior_ssthresh;
	u64 event_time;
	u64 event_pn;
	u32 event_lost;
	u32 event_spurious;
	bool undo_ok;
};

void stt_cc_init(struct stt_cc *c, u32 mss);
bool stt_cc_can_send(const struct stt_cc *c, u32 bytes);
void stt_cc_sent(struct stt_cc *c, u32 bytes);
void stt_cc_acked(struct stt_cc *c, u32 bytes, u64 pn);
void stt_cc_lost(struct stt_cc *c, u32 bytes, u64 pn, u64 next_pn, u64 now);
void stt_cc_probed(struct stt_cc *c, u32 bytes);
void stt_cc_spurious(struct stt_cc *c, u64 pn);
void stt_cc_collapse(struct stt_cc *c, u64 next_pn, u64 first_pn);

#endif /* _STT_CC_H */
