// SPDX-License-Identifier: GPL-2.0
/*
 * NewReno congestion control (RFC 9002 section 7), counted in bytes.  Owns
 * its growth and reductions: slow start (the window grows by every byte
 * acknowledged) until the first loss or the slow start threshold, then
 * congestion avoidance (one datagram per window acknowledged); a congestion
 * event halves the window.  Recovery periods and their undoing are cc.c's.
 * Pure code: see pure.h.
 */
#include "cc.h"

/**
 * stt_newreno_acked() - grow the window for a packet acknowledged
 * @c: the state, outside a recovery period
 * @bytes: the packet's size
 */
void stt_newreno_acked(struct stt_cc *c, u32 bytes)
{
	if (c->cwnd < c->ssthresh) {
		c->cwnd += bytes;
		return;
	}
	c->acked_frac += bytes;
	if (c->acked_frac >= c->cwnd) {
		c->acked_frac -= c->cwnd;
		c->cwnd += c->mss;
	}
}

/**
 * stt_newreno_reduce() - a congestion event: halve the window
 * @c: the state
 */
void stt_newreno_reduce(struct stt_cc *c)
{
	u64 min = (u64)STT_CC_MIN * c->mss;

	c->ssthresh = c->cwnd / 2 > min ? c->cwnd / 2 : min;
	c->cwnd = c->ssthresh;
}

/**
 * stt_newreno_collapse() - the threshold after a retransmission timeout
 * @c: the state; the caller then takes the window to the minimum
 *
 * Half the window, unless the threshold is higher already (a probe's loss
 * may have halved the window just before).
 */
void stt_newreno_collapse(struct stt_cc *c)
{
	u64 min = (u64)STT_CC_MIN * c->mss;

	if (c->ssthresh == ~0ULL || c->ssthresh < c->cwnd / 2)
		c->ssthresh = c->cwnd / 2 > min ? c->cwnd / 2 : min;
}
