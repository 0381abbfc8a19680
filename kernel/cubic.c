// SPDX-License-Identifier: GPL-2.0
/*
 * CUBIC congestion control (RFC 9438), counted in bytes, in integer
 * arithmetic.  Owns CUBIC's growth and reductions.  After a congestion event
 * the window grows along W_cubic(t) = C (t - K)^3 + W_max, t the time since
 * congestion avoidance began (the epoch), K the time it takes to grow back
 * to W_max, the window before the reduction: concave up to W_max, convex
 * beyond it.  Each acknowledgment moves the window towards W_cubic one RTT
 * ahead (at most 1.5 times the window), unless Reno would have a larger one
 * by now (W_est, the Reno-friendly region).  A congestion event takes the
 * window to 0.7 of itself, and W_max to 0.85 of it when the window had not
 * grown back to the last W_max (fast convergence).  The first slow start
 * is HyStart++'s (hystart.c).  Time is the caller's clock in ns; the cubic
 * function counts it in 2^-10 s, as Linux TCP does, with an integer cube
 * root.  Recovery periods and their undoing are cc.c's.  Pure code: see
 * pure.h.
 */
#include "cc.h"

#define STT_CUBIC_NS_PER_SEC	1000000000ULL
/* Largest |t - K| the cubic function takes, in its time unit (1024 s). */
#define STT_CUBIC_T_MAX		0x100000ULL
/* Largest W_max - cwnd that K is computed for, bytes. */
#define STT_CUBIC_DIFF_MAX	0x10000000ULL

/**
 * stt_cubic_root() - integer cube root
 * @x: any value
 *
 * Return: the largest y with y^3 <= @x, found a bit at a time.
 */
u64 stt_cubic_root(u64 x)
{
	u64 y = 0, b;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		y <<= 1;
		b = 3 * y * (y + 1) + 1;	/* (y + 1)^3 - y^3 */
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return y;
}

/* ns to the cubic function's unit, 2^-STT_CUBIC_TIME_SHIFT s, capped. */
static u64 stt_cubic_units(u64 ns)
{
	u64 u;

	if (ns >= STT_CUBIC_T_MAX * STT_CUBIC_NS_PER_SEC >> STT_CUBIC_TIME_SHIFT)
		return STT_CUBIC_T_MAX;
	u = (ns << STT_CUBIC_TIME_SHIFT) / STT_CUBIC_NS_PER_SEC;
	return u;
}

/* C * d^3 in bytes, for d in the cubic function's unit. */
static u64 stt_cubic_offset(u64 d, u32 mss)
{
	u64 m = (u64)STT_CUBIC_C_NUM * mss, q = d * d * d;

	if (q <= ~0ULL / m)
		return q * m / ((u64)STT_CUBIC_C_DEN <<
				 (3 * STT_CUBIC_TIME_SHIFT));
	return (q >> (3 * STT_CUBIC_TIME_SHIFT)) * m / STT_CUBIC_C_DEN;
}

/**
 * stt_cubic_window() - W_cubic(t) (RFC 9438 section 4.2)
 * @c: the state, in an epoch
 * @t: time since the epoch began, ns
 *
 * Return: C (t - K)^3 + W_max, in bytes (C scaled by the datagram size);
 * not below 0.
 */
u64 stt_cubic_window(const struct stt_cc *c, u64 t)
{
	const struct stt_cubic *cb = &c->cubic;
	u64 off;

	if (t >= cb->k)
		return cb->w_max + stt_cubic_offset(stt_cubic_units(t - cb->k),
						    c->mss);
	off = stt_cubic_offset(stt_cubic_units(cb->k - t), c->mss);
	return cb->w_max > off ? cb->w_max - off : 0;
}

/**
 * stt_cubic_init() - CUBIC's state for a new session
 * @c: the state, whose window is the initial one
 */
void stt_cubic_init(struct stt_cc *c)
{
	memset(&c->cubic, 0, sizeof(c->cubic));
	stt_hystart_init(&c->cubic.hs);
}

/*
 * Congestion avoidance begins: K from how far below W_max the window is
 * (K = cbrt((W_max - cwnd) / C)); with W_max unknown or below the window,
 * W_max is the window and K is 0.  W_est starts at the window.
 */
static void stt_cubic_epoch(struct stt_cc *c, u64 now)
{
	struct stt_cubic *cb = &c->cubic;
	u64 diff, k;

	cb->in_epoch = true;
	cb->epoch = now;
	cb->w_est = c->cwnd;
	cb->est_frac = 0;
	c->acked_frac = 0;
	if (cb->w_max <= c->cwnd) {
		cb->w_max = c->cwnd;
		cb->k = 0;
		return;
	}
	diff = cb->w_max - c->cwnd;
	if (diff > STT_CUBIC_DIFF_MAX)
		diff = STT_CUBIC_DIFF_MAX;
	k = stt_cubic_root((diff * STT_CUBIC_C_DEN <<
			    (3 * STT_CUBIC_TIME_SHIFT)) /
			   ((u64)STT_CUBIC_C_NUM * c->mss));
	cb->k = k * STT_CUBIC_NS_PER_SEC >> STT_CUBIC_TIME_SHIFT;
}

/* Congestion avoidance: one acknowledgment's growth (RFC 9438 4.2 to 4.4). */
static void stt_cubic_avoid(struct stt_cc *c, u32 bytes, u64 now, u64 srtt)
{
	struct stt_cubic *cb = &c->cubic;
	u64 t, unit, target, max, inc;

	if (!cb->in_epoch)
		stt_cubic_epoch(c, now);
	t = now > cb->epoch ? now - cb->epoch : 0;

	/* Reno's window: alpha_cubic per window, 1 once past cwnd_prior. */
	cb->est_frac += (u64)bytes * c->mss *
			(cb->w_est >= cb->cwnd_prior ? STT_CUBIC_ALPHA_DEN :
						       STT_CUBIC_ALPHA_NUM);
	unit = c->cwnd * STT_CUBIC_ALPHA_DEN;
	cb->w_est += cb->est_frac / unit;
	cb->est_frac %= unit;
	if (stt_cubic_window(c, t) < cb->w_est) {
		if (cb->w_est > c->cwnd)
			c->cwnd = cb->w_est;
		return;
	}

	/* Towards W_cubic one RTT ahead, by at most half the window. */
	target = stt_cubic_window(c, t + srtt);
	max = c->cwnd + c->cwnd / 2;
	if (target <= c->cwnd)
		return;
	if (target > max)
		target = max;
	c->acked_frac += (target - c->cwnd) * bytes;
	inc = c->acked_frac / c->cwnd;
	c->acked_frac -= inc * c->cwnd;
	c->cwnd += inc;
}

/**
 * stt_cubic_acked() - grow the window for a packet acknowledged
 * @c: the state, outside a recovery period
 * @bytes: the packet's size
 * @pn: its number
 * @next_pn: the number the next packet sent will have
 * @now: the time, ns
 * @srtt: the smoothed RTT, ns
 *
 * In the first slow start HyStart++ may slow the growth, and end slow start
 * (the threshold becomes the window, W_max is unknown).
 */
void stt_cubic_acked(struct stt_cc *c, u32 bytes, u64 pn, u64 next_pn,
		     u64 now, u64 srtt)
{
	struct stt_cubic *cb = &c->cubic;

	if (c->ssthresh == ~0ULL && stt_hystart_round(&cb->hs, pn, next_pn)) {
		c->ssthresh = c->cwnd;
		cb->cwnd_prior = c->cwnd;
		cb->w_max = 0;
		cb->in_epoch = false;
	}
	if (!stt_cc_window_used(c))
		return;
	if (c->cwnd < c->ssthresh) {
		c->cwnd += c->ssthresh == ~0ULL ?
			   stt_hystart_grow(&cb->hs, bytes) : bytes;
		return;
	}
	stt_cubic_avoid(c, bytes, now, srtt);
}

/**
 * stt_cubic_restart() - a packet leaves after nothing was in flight
 * @c: the state; @c->idle_since is when the last one in flight left
 * @now: the time, ns
 *
 * The idle time does not count as time of the epoch (RFC 9438 section
 * 5.8): the window does not jump for time it was not used.
 */
void stt_cubic_restart(struct stt_cc *c, u64 now)
{
	struct stt_cubic *cb = &c->cubic;
	u64 idle = c->idle_since > cb->epoch ? c->idle_since : cb->epoch;

	if (cb->in_epoch && now > idle)
		cb->epoch += now - idle;
}

/**
 * stt_cubic_reduce() - a congestion event (RFC 9438 sections 4.6 and 4.7)
 * @c: the state
 *
 * W_max is the window, or 0.85 of it when it had not grown back to the last
 * W_max; the window and the threshold become 0.7 of it; a new epoch begins
 * with the next growth.
 */
void stt_cubic_reduce(struct stt_cc *c)
{
	struct stt_cubic *cb = &c->cubic;
	u64 min = (u64)STT_CC_MIN * c->mss;

	if (cb->w_max && c->cwnd < cb->w_max)
		cb->w_max = c->cwnd * STT_CUBIC_FC_NUM / STT_CUBIC_FC_DEN;
	else
		cb->w_max = c->cwnd;
	cb->cwnd_prior = c->cwnd;
	cb->in_epoch = false;
	c->ssthresh = c->cwnd * STT_CUBIC_BETA_NUM / STT_CUBIC_BETA_DEN;
	if (c->ssthresh < min)
		c->ssthresh = min;
	c->cwnd = c->ssthresh;
}

/**
 * stt_cubic_collapse() - the threshold after a retransmission timeout
 * @c: the state; the caller then takes the window to the minimum
 *
 * The threshold is 0.7 of the window, unless it is higher already; the
 * epoch after the slow start that follows starts with W_max unknown
 * (RFC 9438 section 4.8: K = 0, W_max and W_est the window it starts with).
 */
void stt_cubic_collapse(struct stt_cc *c)
{
	struct stt_cubic *cb = &c->cubic;
	u64 min = (u64)STT_CC_MIN * c->mss;
	u64 th = c->cwnd * STT_CUBIC_BETA_NUM / STT_CUBIC_BETA_DEN;

	if (th < min)
		th = min;
	if (c->ssthresh == ~0ULL || c->ssthresh < th)
		c->ssthresh = th;
	cb->w_max = 0;
	cb->in_epoch = false;
}
