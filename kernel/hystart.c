// SPDX-License-Identifier: GPL-2.0
/*
 * HyStart++ (RFC 9406): ending CUBIC's first slow start before it overshoots.
 * Owns the rounds (a round ends when a packet sent after it began is
 * acknowledged: packet numbers delimit them), the smallest RTT sample of
 * each, and the conservative slow start (CSS) that follows a rise of the
 * round's smallest RTT by clamp(last round's / 8, 4 ms, 16 ms) over the last
 * round's: the window then grows a quarter as fast, for five rounds, after
 * which slow start ends; if the RTT falls below what it was when CSS began,
 * the rise was jitter and slow start goes on.  The sender is paced, so slow
 * start's growth per acknowledgment is not limited (L is infinite).  Losses
 * end slow start as they always do (cc.c).  Pure code: see pure.h.
 */
#include "cc.h"

/**
 * stt_hystart_init() - start HyStart++ with the first slow start
 * @h: the state
 */
void stt_hystart_init(struct stt_hystart *h)
{
	memset(h, 0, sizeof(*h));
	h->last_round_min = ~0ULL;
	h->round_min = ~0ULL;
	h->css_baseline = ~0ULL;
}

/**
 * stt_hystart_round() - a packet was acknowledged in slow start
 * @h: the state
 * @pn: its number
 * @next_pn: the number the next packet sent will have
 *
 * When it is the first acknowledged of those sent after the round began, a
 * new round begins: the round's smallest RTT becomes the last round's.
 *
 * Return: true when that ended the last round of conservative slow start:
 * slow start is over.
 */
bool stt_hystart_round(struct stt_hystart *h, u64 pn, u64 next_pn)
{
	if (pn < h->window_end)
		return false;
	h->window_end = next_pn;
	h->last_round_min = h->round_min;
	h->round_min = ~0ULL;
	h->samples = 0;
	if (!h->css || ++h->css_rounds < STT_HYSTART_CSS_ROUNDS)
		return false;
	h->css = false;
	return true;
}

/**
 * stt_hystart_sample() - an RTT sample was taken in slow start
 * @h: the state
 * @rtt: the sample, ns
 *
 * Once the round has %STT_HYSTART_N_RTT_SAMPLE samples: in slow start, a
 * smallest RTT at least the threshold above the last round's begins
 * conservative slow start; in it, one below the RTT it began with ends it.
 */
void stt_hystart_sample(struct stt_hystart *h, u64 rtt)
{
	u64 thresh;

	if (rtt < h->round_min)
		h->round_min = rtt;
	if (++h->samples < STT_HYSTART_N_RTT_SAMPLE)
		return;
	if (h->css) {
		if (h->round_min < h->css_baseline) {
			h->css = false;
			h->css_baseline = ~0ULL;
		}
		return;
	}
	if (h->last_round_min == ~0ULL)
		return;
	thresh = h->last_round_min / STT_HYSTART_MIN_RTT_DIVISOR;
	if (thresh < STT_HYSTART_MIN_RTT_THRESH)
		thresh = STT_HYSTART_MIN_RTT_THRESH;
	if (thresh > STT_HYSTART_MAX_RTT_THRESH)
		thresh = STT_HYSTART_MAX_RTT_THRESH;
	if (h->round_min >= h->last_round_min + thresh) {
		h->css = true;
		h->css_baseline = h->round_min;
		h->css_rounds = 0;
		h->css_frac = 0;
	}
}

/**
 * stt_hystart_grow() - slow start's growth for bytes acknowledged
 * @h: the state
 * @bytes: bytes newly acknowledged
 *
 * Return: how many bytes the window grows by: all of them in slow start, a
 * quarter in conservative slow start (the remainder carried to the next).
 */
u64 stt_hystart_grow(struct stt_hystart *h, u32 bytes)
{
	u64 inc;

	if (!h->css)
		return bytes;
	h->css_frac += bytes;
	inc = h->css_frac / STT_HYSTART_CSS_GROWTH_DIVISOR;
	h->css_frac -= inc * STT_HYSTART_CSS_GROWTH_DIVISOR;
	return inc;
}
