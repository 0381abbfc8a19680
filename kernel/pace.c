// SPDX-License-Identifier: GPL-2.0
/*
 * Pacing.  Owns the arithmetic that spaces a session's DATA packets: the
 * rate (the congestion window per smoothed RTT, doubled in slow start so
 * that the window can grow, a quarter more after it, as Linux TCP paces)
 * and a token bucket kept as a time: each packet sent moves the bucket's
 * time on by its size at the rate, and a packet may go while that time is
 * less than a burst (less the packet itself) ahead of now.  The burst is a millisecond at the rate,
 * at least 2 and at most 10 datagrams, so that a window is never sent in one
 * go while a fast path needs few timer wake-ups.  Pure code: see pure.h.
 */
#include "pace.h"

#define STT_NS_PER_SEC	1000000000ULL

/**
 * stt_pace_rate() - the rate a congestion window allows
 * @cwnd: the congestion window, bytes
 * @ssthresh: the slow start threshold, bytes
 * @srtt_ns: the smoothed RTT, ns; 0 before the first sample
 *
 * Return: bytes per second, or 0 for no limit (no RTT sample yet, or a
 * window too large to pace).
 */
u64 stt_pace_rate(u64 cwnd, u64 ssthresh, u64 srtt_ns)
{
	u64 gain = cwnd < ssthresh ? STT_PACE_GAIN_SS : STT_PACE_GAIN_CA;

	/* Below 2^32 the product stays below 2^64. */
	if (!srtt_ns || cwnd >= 1ULL << 32)
		return 0;
	return cwnd * gain * (STT_NS_PER_SEC / 100) / srtt_ns ?: 1;
}

/**
 * stt_pace_set() - set the rate and, from it, the burst
 * @p: the pacer
 * @rate: bytes per second, 0 for no limit
 * @mss: the largest datagram, bytes
 */
void stt_pace_set(struct stt_pacer *p, u64 rate, u32 mss)
{
	u64 burst = rate * STT_PACE_BURST_NS / STT_NS_PER_SEC;

	p->rate = rate;
	if (!rate)
		return;
	if (burst < (u64)STT_PACE_BURST_MIN * mss)
		burst = (u64)STT_PACE_BURST_MIN * mss;
	if (burst > (u64)STT_PACE_BURST_MAX * mss)
		burst = (u64)STT_PACE_BURST_MAX * mss;
	/* A packet is checked before it is charged: one datagram less. */
	p->burst = (burst - mss) * STT_NS_PER_SEC / rate;
}

/**
 * stt_pace_wait() - how long the next packet must wait
 * @p: the pacer
 * @now: the time, ns
 *
 * Return: 0 if it may go now, else the ns until it may.
 */
u64 stt_pace_wait(const struct stt_pacer *p, u64 now)
{
	if (!p->rate || p->next <= now + p->burst)
		return 0;
	return p->next - now - p->burst;
}

/**
 * stt_pace_sent() - a packet left
 * @p: the pacer
 * @now: the time, ns
 * @bytes: its size
 */
void stt_pace_sent(struct stt_pacer *p, u64 now, u32 bytes)
{
	if (!p->rate) {
		p->next = now;
		return;
	}
	if (p->next < now)
		p->next = now;
	p->next += (u64)bytes * STT_NS_PER_SEC / p->rate;
}
