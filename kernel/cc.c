// SPDX-License-Identifier: GPL-2.0
/*
 * NewReno congestion control.  Owns the congestion window arithmetic: slow
 * start (the window grows by every byte acknowledged) until the first loss
 * or the slow start threshold, then congestion avoidance (one datagram per
 * window acknowledged); a loss of a packet sent after the last reduction
 * halves the window and starts a recovery period, in which further losses
 * of older packets do not shrink it again, and which is undone when every
 * loss it counted turns out to have been reordering (the packets were
 * acknowledged after all); persistent congestion (retransmission timeouts
 * in a row without progress) collapses it to the minimum.  Pure code: see
 * pure.h.
 */
#include "cc.h"

/**
 * stt_cc_init() - start a session's congestion state
 * @c: the state
 * @mss: the largest datagram the session sends, bytes
 */
void stt_cc_init(struct stt_cc *c, u32 mss)
{
	memset(c, 0, sizeof(*c));
	c->mss = mss;
	c->cwnd = (u64)STT_CC_INITIAL * mss;
	c->ssthresh = ~0ULL;
}

/**
 * stt_cc_can_send() - whether a packet may leave now
 * @c: the state
 * @bytes: its size
 *
 * Return: true if it fits in the window.  With nothing in flight one packet
 * always may, whatever its size.
 */
bool stt_cc_can_send(const struct stt_cc *c, u32 bytes)
{
	return !c->in_flight || c->in_flight + bytes <= c->cwnd;
}

/**
 * stt_cc_sent() - a packet that counts against the window left
 * @c: the state
 * @bytes: its size
 */
void stt_cc_sent(struct stt_cc *c, u32 bytes)
{
	c->in_flight += bytes;
}

static void stt_cc_leave(struct stt_cc *c, u32 bytes)
{
	c->in_flight = c->in_flight > bytes ? c->in_flight - bytes : 0;
}

/**
 * stt_cc_acked() - a packet in flight was acknowledged
 * @c: the state
 * @bytes: its size
 * @pn: its number
 */
void stt_cc_acked(struct stt_cc *c, u32 bytes, u64 pn)
{
	stt_cc_leave(c, bytes);
	if (pn < c->recovery_pn)
		return;		/* sent before the last reduction */
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
 * stt_cc_lost() - a packet in flight was declared lost
 * @c: the state
 * @bytes: its size
 * @pn: its number
 * @next_pn: the number the next packet sent will have
 * @now: the time, on any clock the caller keeps using
 */
void stt_cc_lost(struct stt_cc *c, u32 bytes, u64 pn, u64 next_pn, u64 now)
{
	u64 min = (u64)STT_CC_MIN * c->mss;

	stt_cc_leave(c, bytes);
	if (pn >= c->recovery_pn) {
		/* A new congestion event. */
		c->prior_cwnd = c->cwnd;
		c->prior_ssthresh = c->ssthresh;
		c->undo_ok = true;
		c->event_time = now;
		c->event_lost = 0;
		c->event_spurious = 0;
		c->recovery_pn = next_pn;
		c->ssthresh = c->cwnd / 2 > min ? c->cwnd / 2 : min;
		c->cwnd = c->ssthresh;
		c->acked_frac = 0;
	}
	c->event_lost++;
}

/**
 * stt_cc_spurious() - a packet declared lost was acknowledged after all
 * @c: the state
 * @lost_at: the @now of the stt_cc_lost() that declared it lost
 *
 * Once every packet declared lost in the current recovery period was, its
 * reduction was a mistake (reordering, not congestion) and is undone.
 */
void stt_cc_spurious(struct stt_cc *c, u64 lost_at)
{
	if (!c->undo_ok || lost_at < c->event_time ||
	    ++c->event_spurious < c->event_lost)
		return;
	if (c->prior_cwnd > c->cwnd) {
		c->cwnd = c->prior_cwnd;
		c->ssthresh = c->prior_ssthresh;
	}
	c->undo_ok = false;
}

/**
 * stt_cc_collapse() - a retransmission timeout fired: persistent congestion
 * @c: the state
 * @next_pn: the number the next packet sent will have
 *
 * The packets in flight were declared lost one by one before this call.
 */
void stt_cc_collapse(struct stt_cc *c, u64 next_pn)
{
	u64 min = (u64)STT_CC_MIN * c->mss;

	if (c->ssthresh == ~0ULL || c->ssthresh < c->cwnd / 2)
		c->ssthresh = c->cwnd / 2 > min ? c->cwnd / 2 : min;
	c->cwnd = min;
	c->recovery_pn = next_pn;
	c->acked_frac = 0;
	c->undo_ok = false;	/* a timeout is not undone */
}
