/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Round-trip time estimation and the retransmission timeout derived from it,
 * in the manner of RFC 6298 and RFC 9002 section 5.  Pure code: see pure.h.
 */
#ifndef _STT_RTT_H
#define _STT_RTT_H

#include "pure.h"

/* Clock granularity G of RFC 6298, nanoseconds. */
#define STT_RTT_GRANULARITY	1000000ULL
/*
 * The longest the sender believes the peer holds an acknowledgment back,
 * nanoseconds (RFC 9002's max_ack_delay): the peer's own delay (5 ms, in
 * timer ticks) and its scheduling, with margin.  Added to the timeout.
 */
#define STT_RTT_MAX_ACK_DELAY	25000000ULL

/**
 * struct stt_rtt - what the sender knows of the path's round-trip time
 * @srtt: smoothed RTT, ns; 0 until the first sample
 * @rttvar: RTT variation, ns
 * @latest: the latest sample, ns
 * @min_rtt: the smallest sample seen, ns
 *
 * The caller locks; the functions never sleep.
 */
struct stt_rtt {
	u64 srtt;
	u64 rttvar;
	u64 latest;
	u64 min_rtt;
};

void stt_rtt_init(struct stt_rtt *r);
void stt_rtt_sample(struct stt_rtt *r, u64 rtt, u64 ack_delay);
u64 stt_rtt_rto(const struct stt_rtt *r, u64 initial, u64 min, u64 max,
		unsigned int backoff);
u64 stt_rtt_loss_delay(const struct stt_rtt *r, u64 initial);

#endif /* _STT_RTT_H */
