/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Congestion control, counted in bytes: the part every controller shares
 * (the window, bytes in flight, recovery periods and their undoing, cc.c)
 * and the controllers a session may use, NewReno (newreno.c) and CUBIC
 * (cubic.c, RFC 9438) with HyStart++ (hystart.c, RFC 9406) for its first
 * slow start.  Pure code: see pure.h.
 */
#ifndef _STT_CC_H
#define _STT_CC_H

#include "pure.h"

/* Initial window, in datagrams (RFC 9002: 10). */
#define STT_CC_INITIAL		10
/* Smallest window, in datagrams. */
#define STT_CC_MIN		2
/* The controllers: enum stt_congestion numbers them from 1. */
#define STT_CC_ALGOS		2

/* HyStart++ (RFC 9406 section 4.3): the RTT rise that ends slow start, ns. */
#define STT_HYSTART_MIN_RTT_THRESH	4000000ULL
#define STT_HYSTART_MAX_RTT_THRESH	16000000ULL
#define STT_HYSTART_MIN_RTT_DIVISOR	8
/* RTT samples a round needs before it is compared with the last one. */
#define STT_HYSTART_N_RTT_SAMPLE	8
/* Conservative slow start grows this many times slower, for this many rounds. */
#define STT_HYSTART_CSS_GROWTH_DIVISOR	4
#define STT_HYSTART_CSS_ROUNDS		5

/*
 * CUBIC (RFC 9438 section 5): C = 0.4 segments per second cubed, as a
 * fraction; beta_cubic = 0.7; fast convergence's W_max = cwnd * (1 + beta) / 2
 * = 0.85 cwnd; alpha_cubic = 3 (1 - beta) / (1 + beta) = 9/17.
 */
#define STT_CUBIC_C_NUM		2
#define STT_CUBIC_C_DEN		5
#define STT_CUBIC_BETA_NUM	7
#define STT_CUBIC_BETA_DEN	10
#define STT_CUBIC_FC_NUM	17
#define STT_CUBIC_FC_DEN	20
#define STT_CUBIC_ALPHA_NUM	9
#define STT_CUBIC_ALPHA_DEN	17
/* Time in the cubic function is counted in 2^-STT_CUBIC_TIME_SHIFT seconds. */
#define STT_CUBIC_TIME_SHIFT	10

/**
 * struct stt_hystart - HyStart++ (RFC 9406) during CUBIC's first slow start
 * @window_end: the round ends when a packet numbered this or higher is
 *	acknowledged (windowEnd)
 * @last_round_min: the smallest RTT sample of the last round, ns; ~0 for none
 * @round_min: the smallest RTT sample of this round so far, ns; ~0 for none
 * @css_baseline: @round_min when conservative slow start began
 *	(cssBaselineMinRtt), ns
 * @samples: RTT samples taken in this round
 * @css_rounds: rounds ended in conservative slow start
 * @css: in conservative slow start
 * @css_frac: bytes acknowledged in conservative slow start not yet turned
 *	into window growth (a quarter of them is)
 */
struct stt_hystart {
	u64 window_end;
	u64 last_round_min;
	u64 round_min;
	u64 css_baseline;
	u32 samples;
	u32 css_rounds;
	bool css;
	u64 css_frac;
};

/**
 * struct stt_cubic - CUBIC's state (RFC 9438 section 4)
 * @w_max: the window just before the last reduction (W_max), bytes; 0 when
 *	unknown (after HyStart++ ended slow start, or a timeout), in which case
 *	the next epoch takes the window it starts with and K = 0
 * @k: the time the window takes to grow back to @w_max from the start of
 *	the epoch (K), ns
 * @epoch: when the current congestion avoidance stage began (t_epoch), on
 *	the caller's clock, ns
 * @in_epoch: @epoch is set; cleared at each reduction
 * @w_est: the window Reno would have now (W_est), bytes
 * @est_frac: bytes acknowledged, times the datagram size and alpha_cubic's
 *	numerator, not yet turned into @w_est growth
 * @cwnd_prior: the window at the last reduction (cwnd_prior), bytes
 * @hs: HyStart++, while the first slow start lasts
 *
 * Everything in here is restored when a reduction is undone.
 */
struct stt_cubic {
	u64 w_max;
	u64 k;
	u64 epoch;
	bool in_epoch;
	u64 w_est;
	u64 est_frac;
	u64 cwnd_prior;
	struct stt_hystart hs;
};

/**
 * struct stt_cc - one session's congestion state
 * @algo: the controller, an &enum stt_congestion
 * @mss: the largest datagram, bytes
 * @cwnd: congestion window, bytes
 * @ssthresh: slow start threshold, bytes (~0 until the first loss)
 * @in_flight: bytes sent and neither acknowledged nor declared lost
 * @recovery_pn: packets numbered below this were sent before the current
 *	recovery period began; their loss does not shrink the window again
 * @acked_frac: bytes acknowledged in congestion avoidance not yet turned
 *	into window growth (NewReno), or that growth times the window (CUBIC)
 * @idle_since: when the last packet in flight was acknowledged or lost
 *	(the caller's clock, ns)
 * @prior_cwnd: @cwnd before the current recovery period's reduction
 * @prior_ssthresh: @ssthresh before it
 * @prior_cubic: @cubic before it
 * @event_time: when the current recovery period began (the caller's clock)
 * @event_pn: the number of the first packet declared lost in it; packets
 *	are declared lost oldest first, so one below it was lost earlier
 * @event_lost: packets declared lost in the current recovery period
 * @event_spurious: of those, how many were acknowledged after all; when
 *	all of them were, the reduction is undone
 * @undo_ok: the current reduction, or collapse, may still be undone
 * @cwnd_limited: the window was full at some point of the last round trip
 * @max_in_flight: else the most bytes that were in flight in it
 * @usage_pn: the round of @cwnd_limited and @max_in_flight ends when the
 *	packet numbered this, or a later one, is acknowledged
 * @cubic: CUBIC's state, when @algo is %STT_CONGESTION_CUBIC
 *
 * The caller locks; the functions never sleep.
 */
struct stt_cc {
	u8 algo;
	u32 mss;
	u64 cwnd;
	u64 ssthresh;
	u64 in_flight;
	u64 recovery_pn;
	u64 acked_frac;
	u64 idle_since;
	u64 prior_cwnd;
	u64 prior_ssthresh;
	struct stt_cubic prior_cubic;
	u64 event_time;
	u64 event_pn;
	u32 event_lost;
	u32 event_spurious;
	bool undo_ok;
	bool cwnd_limited;
	u64 max_in_flight;
	u64 usage_pn;
	struct stt_cubic cubic;
};

/* The interface (cc.c), called by loss recovery. */
void stt_cc_init(struct stt_cc *c, u32 mss, u8 algo);
bool stt_cc_can_send(const struct stt_cc *c, u32 bytes);
void stt_cc_sent(struct stt_cc *c, u32 bytes, u64 pn, u64 acked, u64 now);
bool stt_cc_window_used(const struct stt_cc *c);
void stt_cc_acked(struct stt_cc *c, u32 bytes, u64 pn, u64 next_pn, u64 now,
		  u64 srtt);
void stt_cc_rtt_sample(struct stt_cc *c, u64 rtt);
void stt_cc_lost(struct stt_cc *c, u32 bytes, u64 pn, u64 next_pn, u64 now);
void stt_cc_probed(struct stt_cc *c, u32 bytes, u64 now);
void stt_cc_spurious(struct stt_cc *c, u64 pn);
void stt_cc_collapse(struct stt_cc *c, u64 next_pn, u64 first_pn);
u8 stt_cc_phase(const struct stt_cc *c);
u64 stt_cc_w_max(const struct stt_cc *c);
int stt_cc_find(const char *name);
const char *stt_cc_name(int algo);

/* The controllers, called by cc.c only. */
void stt_newreno_acked(struct stt_cc *c, u32 bytes);
void stt_newreno_reduce(struct stt_cc *c);
void stt_newreno_collapse(struct stt_cc *c);

void stt_cubic_init(struct stt_cc *c);
void stt_cubic_acked(struct stt_cc *c, u32 bytes, u64 pn, u64 next_pn,
		     u64 now, u64 srtt);
void stt_cubic_restart(struct stt_cc *c, u64 now);
void stt_cubic_reduce(struct stt_cc *c);
void stt_cubic_collapse(struct stt_cc *c);
u64 stt_cubic_root(u64 x);
u64 stt_cubic_window(const struct stt_cc *c, u64 t);

void stt_hystart_init(struct stt_hystart *h);
bool stt_hystart_round(struct stt_hystart *h, u64 pn, u64 next_pn);
void stt_hystart_sample(struct stt_hystart *h, u64 rtt);
u64 stt_hystart_grow(struct stt_hystart *h, u32 bytes);

#endif /* _STT_CC_H */
