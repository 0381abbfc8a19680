/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pacing: spreading a session's packets over the round trip instead of
 * sending a window's worth at once.  Pure code: see pure.h.
 */
#ifndef _STT_PACE_H
#define _STT_PACE_H

#include "pure.h"

/* Pacing rate, percent of the congestion window per smoothed RTT. */
#define STT_PACE_GAIN_SS	200	/* in slow start */
#define STT_PACE_GAIN_CA	125	/* after it */
/* Datagrams the pacer lets go back to back: at least, at most. */
#define STT_PACE_BURST_MIN	2
#define STT_PACE_BURST_MAX	10
/* The burst covers this much time at the rate, when the bounds allow. */
#define STT_PACE_BURST_NS	1000000ULL

/**
 * struct stt_pacer - a token bucket in time
 * @rate: bytes per second; 0 for no limit
 * @burst: ns of sending at @rate that @next may run ahead of now; the
 *	burst less one datagram, since a packet is checked before it counts
 * @next: ns: when the packets sent so far would have left at @rate
 *
 * The caller serialises; the functions never sleep.
 */
struct stt_pacer {
	u64 rate;
	u64 burst;
	u64 next;
};

u64 stt_pace_rate(u64 cwnd, u64 ssthresh, u64 srtt_ns);
void stt_pace_set(struct stt_pacer *p, u64 rate, u32 mss);
u64 stt_pace_wait(const struct stt_pacer *p, u64 now);
void stt_pace_sent(struct stt_pacer *p, u64 now, u32 bytes);

#endif /* _STT_PACE_H */
