/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The set of packet numbers a receiver has seen, as the few ranges an ACK or
 * NACK frame describes.  Pure code: see pure.h.
 */
#ifndef _STT_RANGES_H
#define _STT_RANGES_H

#include "pure.h"
#include "codec.h"

/* How many ranges a set keeps; beyond that the lowest are forgotten. */
#define STT_RANGES_MAX 64

/**
 * struct stt_ranges - received packet numbers as disjoint ranges
 * @n: how many entries of @r are in use
 * @r: the ranges, inclusive, highest first; two neighbours never touch
 *	(@r[i].lo > @r[i + 1].hi + 1), so each gap holds a missing number.
 *
 * Callers may read @n and @r directly, for instance to pass @r and at most 33
 * of them (an ACK frame's first range and 32 more) to stt_ack_encode(), but
 * only the functions below change them.  The caller locks; the functions never
 * sleep.
 */
struct stt_ranges {
	unsigned int n;
	struct stt_range r[STT_RANGES_MAX];
};

/* Acknowledgments that report a range before the receiver forgets it. */
#define STT_ACK_REPEATS	3

/**
 * struct stt_ack_history - the largest numbers the last acknowledgments sent
 * @largest: the largest packet number of each of the last
 *	%STT_ACK_REPEATS ACK frames, a ring
 * @n: how many ACK frames were sent, all told
 */
struct stt_ack_history {
	u64 largest[STT_ACK_REPEATS];
	u64 n;
};

void stt_ranges_init(struct stt_ranges *s);
bool stt_ranges_add(struct stt_ranges *s, u64 pn);
bool stt_ranges_has(const struct stt_ranges *s, u64 pn);
void stt_ranges_drop_below(struct stt_ranges *s, u64 pn);
unsigned int stt_ranges_gaps(const struct stt_ranges *s, struct stt_range *gaps,
			     unsigned int max);
u64 stt_ack_history_sent(struct stt_ack_history *h, u64 largest);

#endif /* _STT_RANGES_H */
