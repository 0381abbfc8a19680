/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay window for received protected packets: remembers which packet
 * numbers near the highest one seen were already accepted, so that a packet
 * an attacker captured and sends again is dropped after its tag verified.
 * Pure code: see pure.h.
 */
#ifndef _STT_REPLAY_H
#define _STT_REPLAY_H

#include "pure.h"

/*
 * How many packet numbers the window covers: the highest accepted one and the
 * STT_REPLAY_WINDOW - 1 below it.  A multiple of 64.
 */
#define STT_REPLAY_WINDOW 2048

/**
 * struct stt_replay - the received packet numbers near the highest one
 * @top: the highest accepted packet number plus one, modulo 2^64.  It is 0
 *	both before the first packet and once U64_MAX was accepted; the bit of
 *	U64_MAX in @bits, set only in the second case, tells them apart.
 * @bits: one bit per packet number of the window, number pn at bit
 *	pn % %STT_REPLAY_WINDOW counted from bit 0 of @bits[0]; set when pn was
 *	accepted.  u64 words, so user space and the kernel agree on the layout.
 *
 * The caller locks; the functions never sleep.
 */
struct stt_replay {
	u64 top;
	u64 bits[STT_REPLAY_WINDOW / 64];
};

void stt_replay_init(struct stt_replay *r);
bool stt_replay_accept(struct stt_replay *r, u64 pn);

#endif /* _STT_REPLAY_H */
