/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A token bucket in time, for rate limits on unauthenticated work (the
 * per-source handshake limit of cookie.c).  Pure code: see pure.h.
 */
#ifndef _STT_BUCKET_H
#define _STT_BUCKET_H

#include "pure.h"

/**
 * struct stt_bucket - credit for events at a rate, up to a burst
 * @last: ns: when @credit was last brought up to date
 * @credit: ns of credit; an event costs one period (1 s / rate)
 *
 * The caller serialises; the functions never sleep.
 */
struct stt_bucket {
	u64 last;
	u64 credit;
};

void stt_bucket_init(struct stt_bucket *b, u64 now, u32 rate, u32 burst);
bool stt_bucket_take(struct stt_bucket *b, u64 now, u32 rate, u32 burst);

#endif /* _STT_BUCKET_H */
