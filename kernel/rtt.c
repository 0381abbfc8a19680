// SPDX-License-Identifier: GPL-2.0
/*
 * RTT estimation.  Owns the arithmetic that turns acknowledgment times into
 * the smoothed RTT, its variation, the retransmission timeout (RFC 6298: the
 * first sample sets SRTT = R and RTTVAR = R / 2, later ones move them by 1/8
 * and 1/4; RTO = SRTT + max(G, 4 * RTTVAR) + max_ack_delay as RFC 9002's
 * PTO has it, clamped, doubled per backoff) and
 * the time threshold after which an unacknowledged packet older than a newer
 * acknowledged one counts as lost (RFC 9002: 9/8 of the larger of SRTT and
 * the latest sample).  Pure code: see pure.h.
 */
#include "rtt.h"

static u64 stt_absdiff(u64 a, u64 b)
{
	return a > b ? a - b : b - a;
}

/**
 * stt_rtt_init() - forget every sample
 * @r: the estimator
 */
void stt_rtt_init(struct stt_rtt *r)
{
	memset(r, 0, sizeof(*r));
}

/**
 * stt_rtt_sample() - take one RTT measurement
 * @r: the estimator
 * @rtt: time from sending a packet to the acknowledgment of it, ns
 * @ack_delay: how long the peer says it held that acknowledgment back, ns
 *
 * The peer's delay is taken off the sample as long as that leaves it no
 * shorter than the smallest RTT seen (RFC 9002 section 5.3).  A zero sample
 * counts as 1 ns, so that a sampled estimator never reads as unsampled.
 */
void stt_rtt_sample(struct stt_rtt *r, u64 rtt, u64 ack_delay)
{
	u64 adj;

	if (!rtt)
		rtt = 1;
	if (!r->min_rtt || rtt < r->min_rtt)
		r->min_rtt = rtt;
	adj = rtt;
	if (ack_delay < rtt && rtt - ack_delay >= r->min_rtt)
		adj = rtt - ack_delay;
	r->latest = rtt;
	if (!r->srtt) {
		r->srtt = adj;
		r->rttvar = adj / 2;
		return;
	}
	r->rttvar = (3 * r->rttvar + stt_absdiff(r->srtt, adj)) / 4;
	r->srtt = (7 * r->srtt + adj) / 8;
}

/**
 * stt_rtt_rto() - the retransmission timeout
 * @r: the estimator
 * @initial: the timeout before any sample, ns
 * @min: the smallest timeout, ns
 * @max: the largest timeout, ns
 * @backoff: timeouts in a row without progress; each doubles the result
 *
 * The peer's acknowledgment delay is part of the timeout: with a steady
 * round trip RTTVAR shrinks towards nothing, and a timeout of little more
 * than SRTT would fire whenever an acknowledgment is held back.
 *
 * Return: the timeout in ns, between @min and @max.
 */
u64 stt_rtt_rto(const struct stt_rtt *r, u64 initial, u64 min, u64 max,
		unsigned int backoff)
{
	u64 rto, var;

	if (r->srtt) {
		var = 4 * r->rttvar;
		rto = r->srtt + (var > STT_RTT_GRANULARITY ?
				 var : STT_RTT_GRANULARITY) +
		      STT_RTT_MAX_ACK_DELAY;
	} else {
		rto = initial;
	}
	if (rto < min)
		rto = min;
	while (backoff-- && rto < max)
		rto *= 2;
	return rto < max ? rto : max;
}

/**
 * stt_rtt_loss_delay() - how much older than an acknowledged packet an
 *	unacknowledged one may be before it counts as lost
 * @r: the estimator
 * @initial: the retransmission timeout before any sample, ns
 *
 * Return: 9/8 of the larger of the smoothed and the latest RTT (at least
 * the clock granularity), or @initial before the first sample.
 */
u64 stt_rtt_loss_delay(const struct stt_rtt *r, u64 initial)
{
	u64 t = r->srtt > r->latest ? r->srtt : r->latest;

	if (!r->srtt)
		return initial;
	t += t / 8;
	return t > STT_RTT_GRANULARITY ? t : STT_RTT_GRANULARITY;
}
