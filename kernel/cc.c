// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control: what every controller shares, and the dispatch to the
 * session's controller.  Owns the bytes in flight and the recovery periods:
 * a loss of a packet sent after the last reduction is a new congestion event,
 * which the controller answers with a reduction (NewReno halves the window,
 * CUBIC takes it to 0.7 of itself) and which starts a recovery period, in
 * which further losses of older packets do not shrink the window again and
 * their acknowledgments do not grow it; the reduction is undone, with the
 * controller's state, when every loss it counted turns out to have been
 * reordering (the packets were acknowledged after all); persistent congestion
 * (retransmission timeouts in a row without progress) collapses the window to
 * the minimum, which is undone in the same way when every packet the
 * timeouts gave up on is acknowledged after all (the path got slower, it did
 * not lose them).  Growth outside recovery is the controller's.  Also the
 * names by which users choose a controller.  Pure code: see pure.h.
 */
#include "cc.h"

static const char * const stt_cc_names[STT_CC_ALGOS + 1] = {
	[STT_CONGESTION_NEWRENO]	= "newreno",
	[STT_CONGESTION_CUBIC]		= "cubic",
};

/**
 * stt_cc_find() - a controller by name
 * @name: as users write it (NUL-terminated)
 *
 * Return: its &enum stt_congestion number, or -%ENOENT.
 */
int stt_cc_find(const char *name)
{
	int i;

	for (i = 1; i <= STT_CC_ALGOS; i++)
		if (!strcmp(name, stt_cc_names[i]))
			return i;
	return -ENOENT;
}

/**
 * stt_cc_name() - a controller's name
 * @algo: its &enum stt_congestion number
 *
 * Return: the name, or "" for a number that names none.
 */
const char *stt_cc_name(int algo)
{
	return algo >= 1 && algo <= STT_CC_ALGOS ? stt_cc_names[algo] : "";
}

static bool stt_cc_cubic(const struct stt_cc *c)
{
	return c->algo == STT_CONGESTION_CUBIC;
}

/**
 * stt_cc_init() - start a session's congestion state
 * @c: the state
 * @mss: the largest datagram the session sends, bytes
 * @algo: the controller, an &enum stt_congestion; another number means
 *	NewReno
 */
void stt_cc_init(struct stt_cc *c, u32 mss, u8 algo)
{
	memset(c, 0, sizeof(*c));
	c->algo = algo == STT_CONGESTION_CUBIC ? algo : STT_CONGESTION_NEWRENO;
	c->mss = mss;
	c->cwnd = (u64)STT_CC_INITIAL * mss;
	c->ssthresh = ~0ULL;
	if (stt_cc_cubic(c))
		stt_cubic_init(c);
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
 * @pn: its number
 * @acked: one more than the largest packet number acknowledged so far; 0
 *	for none
 * @now: the time, on the clock the caller keeps using, ns
 *
 * A packet that leaves with nothing in flight ends an idle period, which
 * CUBIC's growth does not count (RFC 9438 section 5.8).
 *
 * Also keeps track of how much of the window is used, as Linux's
 * tcp_cwnd_validate() does: whether the window was full at some point of the
 * last round trip (a round ends when a packet sent after it began is
 * acknowledged), else the most that was in flight in it.  The strongest
 * signal is kept until a round passes without it.
 */
void stt_cc_sent(struct stt_cc *c, u32 bytes, u64 pn, u64 acked, u64 now)
{
	bool full;

	if (!c->in_flight && stt_cc_cubic(c))
		stt_cubic_restart(c, now);
	c->in_flight += bytes;
	full = c->in_flight + c->mss > c->cwnd;
	if (acked > c->usage_pn || full ||
	    (!c->cwnd_limited && c->in_flight > c->max_in_flight)) {
		c->cwnd_limited = full;
		c->max_in_flight = c->in_flight;
		c->usage_pn = pn;
	}
}

/**
 * stt_cc_window_used() - whether acknowledgments may grow the window
 * @c: the state
 *
 * RFC 9002 section 7.8 (and RFC 7661): a window the sender does not fill
 * (the application, the send buffer, the peer's flow control or the local
 * queue limit holds it back) must not grow, or it grows without bound on
 * no evidence that the path carries it, and the pacing rate and the local
 * queue limit, which follow it, with it.  In slow start the window may be
 * up to twice what was in flight, as in Linux's tcp_is_cwnd_limited().
 *
 * Return: true if the window was full in the last round trip, or (in slow
 * start) is less than twice the most that was in flight.
 */
bool stt_cc_window_used(const struct stt_cc *c)
{
	if (c->cwnd_limited)
		return true;
	return c->cwnd < c->ssthresh && c->cwnd < 2 * c->max_in_flight;
}

static void stt_cc_leave(struct stt_cc *c, u32 bytes, u64 now)
{
	if (!c->in_flight)
		return;
	c->in_flight = c->in_flight > bytes ? c->in_flight - bytes : 0;
	if (!c->in_flight)
		c->idle_since = now;
}

/**
 * stt_cc_acked() - a packet in flight was acknowledged
 * @c: the state
 * @bytes: its size
 * @pn: its number
 * @next_pn: the number the next packet sent will have
 * @now: the time, ns
 * @srtt: the smoothed RTT, ns; 0 before the first sample
 */
void stt_cc_acked(struct stt_cc *c, u32 bytes, u64 pn, u64 next_pn, u64 now,
		  u64 srtt)
{
	stt_cc_leave(c, bytes, now);
	if (pn < c->recovery_pn)
		return;		/* sent before the last reduction */
	if (stt_cc_cubic(c))
		stt_cubic_acked(c, bytes, pn, next_pn, now, srtt);
	else if (stt_cc_window_used(c))
		stt_newreno_acked(c, bytes);
}

/**
 * stt_cc_rtt_sample() - an RTT sample was taken
 * @c: the state
 * @rtt: the sample, ns, as measured (not less the peer's ack delay)
 *
 * HyStart++ watches the samples during CUBIC's first slow start.
 */
void stt_cc_rtt_sample(struct stt_cc *c, u64 rtt)
{
	if (stt_cc_cubic(c) && c->ssthresh == ~0ULL)
		stt_hystart_sample(&c->cubic.hs, rtt);
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
	stt_cc_leave(c, bytes, now);
	if (pn >= c->recovery_pn) {
		/* A new congestion event. */
		c->prior_cwnd = c->cwnd;
		c->prior_ssthresh = c->ssthresh;
		c->prior_cubic = c->cubic;
		c->undo_ok = true;
		c->event_time = now;
		c->event_pn = pn;
		c->event_lost = 0;
		c->event_spurious = 0;
		c->recovery_pn = next_pn;
		c->acked_frac = 0;
		if (stt_cc_cubic(c))
			stt_cubic_reduce(c);
		else
			stt_newreno_reduce(c);
	}
	c->event_lost++;
}

/**
 * stt_cc_probed() - a probe timeout gave a packet in flight up
 * @c: the state
 * @bytes: its size
 * @now: the time, ns
 *
 * It leaves the window, which does not shrink: a timeout alone is no sign
 * of congestion (RFC 9002 section 6.2).
 */
void stt_cc_probed(struct stt_cc *c, u32 bytes, u64 now)
{
	stt_cc_leave(c, bytes, now);
}

/**
 * stt_cc_spurious() - a packet declared lost was acknowledged after all
 * @c: the state
 * @pn: its number
 *
 * Once every packet declared lost in the current recovery period was, its
 * reduction was a mistake (reordering or a slower path, not congestion)
 * and is undone: the window, the threshold and the controller's state
 * (CUBIC's W_max, K, epoch and Reno estimate, HyStart++'s rounds) go back
 * to what they were before it (RFC 9438 section 4.9).  A packet below the
 * period's first loss was declared lost in an earlier period, whose
 * reduction stays.
 */
void stt_cc_spurious(struct stt_cc *c, u64 pn)
{
	if (!c->undo_ok || pn < c->event_pn ||
	    ++c->event_spurious < c->event_lost)
		return;
	if (c->prior_cwnd > c->cwnd) {
		c->cwnd = c->prior_cwnd;
		c->ssthresh = c->prior_ssthresh;
		c->cubic = c->prior_cubic;
		c->acked_frac = 0;
	}
	c->undo_ok = false;
}

/**
 * stt_cc_collapse() - retransmission timeouts in a row: persistent congestion
 * @c: the state
 * @next_pn: the number the next packet sent will have
 * @first_pn: the oldest packet in flight, which is declared lost first
 *
 * The window goes to the minimum and slow start begins again, up to a
 * threshold the controller sets.  The packets in flight are declared lost
 * one by one after this call, as part of the current recovery period if it
 * may still be undone, else of a new one.  Either way the whole is undone
 * if every one of them turns out acknowledged after all.
 */
void stt_cc_collapse(struct stt_cc *c, u64 next_pn, u64 first_pn)
{
	if (!c->undo_ok) {
		c->prior_cwnd = c->cwnd;
		c->prior_ssthresh = c->ssthresh;
		c->prior_cubic = c->cubic;
		c->event_pn = first_pn;
		c->event_lost = 0;
		c->event_spurious = 0;
		c->undo_ok = true;
	}
	if (stt_cc_cubic(c))
		stt_cubic_collapse(c);
	else
		stt_newreno_collapse(c);
	c->cwnd = (u64)STT_CC_MIN * c->mss;
	c->recovery_pn = next_pn;
	c->acked_frac = 0;
}

/**
 * stt_cc_phase() - where the controller is, for %STT_INFO
 * @c: the state
 *
 * Return: an &enum stt_cc_phase.
 */
u8 stt_cc_phase(const struct stt_cc *c)
{
	if (c->cwnd >= c->ssthresh)
		return STT_CC_PHASE_AVOIDANCE;
	if (stt_cc_cubic(c) && c->ssthresh == ~0ULL && c->cubic.hs.css)
		return STT_CC_PHASE_CONSERVATIVE;
	return STT_CC_PHASE_SLOW_START;
}

/**
 * stt_cc_w_max() - CUBIC's W_max, for %STT_INFO
 * @c: the state
 *
 * Return: the window before the last reduction, bytes; 0 for NewReno or
 * when unknown.
 */
u64 stt_cc_w_max(const struct stt_cc *c)
{
	return stt_cc_cubic(c) ? c->cubic.w_max : 0;
}
