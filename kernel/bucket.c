// SPDX-License-Identifier: GPL-2.0
/*
 * Token buckets in time.  Owns the arithmetic of a rate limit: credit
 * accrues with the time that passed, at most a burst of it, and each event
 * spends one period.  Pure code, shared with the user-space unit tests.
 */
#include "bucket.h"

#define STT_NS_PER_SEC	1000000000ULL

/* One event's cost, and the most credit a bucket holds. */
static u64 stt_bucket_period(u32 rate)
{
	return STT_NS_PER_SEC / (rate ? rate : 1);
}

/**
 * stt_bucket_init() - a full bucket
 * @b: the bucket
 * @now: the time, ns
 * @rate: events per second (0 counts as 1)
 * @burst: events that may come at once (0 counts as 1)
 */
void stt_bucket_init(struct stt_bucket *b, u64 now, u32 rate, u32 burst)
{
	b->last = now;
	b->credit = stt_bucket_period(rate) * (burst ? burst : 1);
}

/**
 * stt_bucket_take() - spend one event's credit, if the bucket has it
 * @b: the bucket
 * @now: the time, ns; a time before @b->last counts as no time passed
 * @rate: events per second (0 counts as 1)
 * @burst: events that may come at once (0 counts as 1)
 *
 * Return: true if the event may go ahead.
 */
bool stt_bucket_take(struct stt_bucket *b, u64 now, u32 rate, u32 burst)
{
	u64 period = stt_bucket_period(rate);
	u64 cap = period * (burst ? burst : 1);
	u64 credit = b->credit;

	if (now > b->last) {
		/* Saturating: a long idle time only fills the bucket. */
		credit = now - b->last >= cap ? cap : credit + (now - b->last);
		if (credit > cap)
			credit = cap;
		b->last = now;
	}
	if (credit < period) {
		b->credit = credit;
		return false;
	}
	b->credit = credit - period;
	return true;
}
