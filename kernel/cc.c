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
 * in a row without progress) collapses it to the minimum, which is undone
 * in the same way when every packet the timeouts gave up on is
 * acknowledged after all (the path got slower, it did not lose them).
 * Pure code: see pure.h.
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
		c->event_pn = pn;
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
 * stt_cc_probed() - a probe timeout gave a packet in flight up
 * @c: the state
 * @bytes: its size
 *
 * It leaves the window, which does not shrink: a timeout alone is no sign
 * of congestion (RFC 9002 section 6.2).
 */
void stt_cc_probed(struct stt_cc *c, u32 bytes)
{
	stt_cc_leave(c, bytes);
}

/**
 * stt_cc_spurious() - a packet declared lost was acknowledged after all
 * @c: the state
 * @pn: its number
 *
 * Once every packet declared lost in the current recovery period was, its
 * reduction was a mistake (reordering or a slower path, not congestion)
 * and is undone.  A packet below the period's first loss was declared
 * lost in an earlier period, whose reduction stays.
 */
void stt_cc_spurious(struct stt_cc *c, u64 pn)
{
	if (!c->undo_ok || pn < c->event_pn ||
	    ++c->event_spurious < c->event_lost)
		return;
	if (c->prior_cwnd > c->cwnd) {
		c->cwnd = c->prior_cwnd;
		c->ssthresh = c->prior_ssthresh;
	}
	c->undo_ok = false;
}

/**
 * stt_cc_collapse() - retransmission timeouts in a row: persistent congestion
 * @c: the state
 * @next_pn: the number the next packet sent will have
 * @first_pn: the oldest packet in flight, which is declared lost first
 *
 * The packets in flight are declared lost one by one after this call, as
 * part of the current recovery period if it may still be undone (the
 * timeouts' probes began it), else of a new one.  Either way the whole is
 * undone if every one of them turns out acknowledged after all.
 */
void stt_cc_collapse(struct stt_cc *c, u64 next_pn, u64 first_pn)
{
	u64 min = (u64)STT_CC_MIN * c->mss;

	if (!c->undo_ok) {
		c->prior_cwnd = c->cwnd;
		c->prior_ssthresh = c->ssthresh;
		c->event_pn = first_pn;
		c->event_lost = 0;
		c->event_spurious = 0;
		c->undo_ok = true;
	}
	if (c->ssthresh == ~0ULL || c->ssthresh < c->cwnd / 2)
		c->ssthresh = c->cwnd / 2 > min ? c->cwnd / 2 : min;
	c->cwnd = min;
	c->recovery_pn = next_pn;
	c->acked_frac = 0;
}
