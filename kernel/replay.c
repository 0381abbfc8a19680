// SPDX-License-Identifier: GPL-2.0
/*
 * Replay window.  Owns the decision whether a received protected packet, whose
 * AEAD tag already verified, is new or a replay.  With h the highest packet
 * number accepted so far, a number pn is accepted exactly when it was not
 * accepted before and either nothing was accepted yet, or pn > h, or
 * h - pn < STT_REPLAY_WINDOW (the window is h - 2047 .. h).  Anything older is
 * refused even if it never arrived: the window can no longer tell.  The bitmap
 * is a ring indexed by pn modulo the window, so moving the window forward only
 * clears the slots of the numbers it skips, at most the whole bitmap, and
 * every call costs a bounded number of word operations.  Pure code: see pure.h.
 */
#include "replay.h"

#define STT_REPLAY_WORDS (STT_REPLAY_WINDOW / 64)
#define STT_REPLAY_LAST ((u64)STT_REPLAY_WINDOW - 1)

static bool stt_replay_test(const struct stt_replay *r, u64 pn)
{
	unsigned int slot = pn & STT_REPLAY_LAST;

	return (r->bits[slot / 64] >> (slot % 64)) & 1;
}

static void stt_replay_set(struct stt_replay *r, u64 pn)
{
	unsigned int slot = pn & STT_REPLAY_LAST;

	r->bits[slot / 64] |= (u64)1 << (slot % 64);
}

/*
 * The highest accepted number, if any.  @top wraps to 0 when U64_MAX is
 * accepted; only then can the slot of U64_MAX be set while @top is 0, since
 * the bitmap is all zero before the first packet.
 */
static bool stt_replay_highest(const struct stt_replay *r, u64 *h)
{
	if (r->top) {
		*h = r->top - 1;
		return true;
	}
	if (stt_replay_test(r, ~(u64)0)) {
		*h = ~(u64)0;
		return true;
	}
	return false;
}

/* Clear @count slots starting at the slot of @pn, wrapping around the ring. */
static void stt_replay_clear(struct stt_replay *r, u64 pn, unsigned int count)
{
	unsigned int slot = pn & STT_REPLAY_LAST;

	while (count) {
		unsigned int bit = slot % 64;
		unsigned int n = 64 - bit;
		u64 mask;

		if (n > count)
			n = count;
		/* A shift by 64 is undefined, so a whole word is its own case. */
		mask = n == 64 ? ~(u64)0 : (((u64)1 << n) - 1) << bit;
		r->bits[slot / 64] &= ~mask;
		count -= n;
		slot = (slot + n) & STT_REPLAY_LAST;
	}
}

/**
 * stt_replay_init() - start an empty replay window
 * @r: the window
 *
 * Used once per direction when the session keys are installed; packet numbers
 * are not reset by key updates, so neither is the window.
 */
void stt_replay_init(struct stt_replay *r)
{
	memset(r, 0, sizeof(*r));
}

/**
 * stt_replay_accept() - check a received packet number and record it
 * @r: the window of the receiving direction
 * @pn: the packet number, from a packet whose tag verified
 *
 * A number above the highest one moves the window up: the slots of the
 * numbers it skips are cleared, since those numbers have not been seen, and
 * the numbers falling out at the bottom are forgotten.
 *
 * Return: true if @pn is new and inside the window; it is now recorded.
 * false if @pn was accepted before or is %STT_REPLAY_WINDOW or more below the
 * highest accepted number; the window is unchanged.
 */
bool stt_replay_accept(struct stt_replay *r, u64 pn)
{
	u64 h;

	if (!stt_replay_highest(r, &h)) {
		/* Already all zero, but a full clear keeps this path simple. */
		stt_replay_clear(r, 0, STT_REPLAY_WINDOW);
	} else if (pn > h) {
		/* Slots of h + 1 .. pn held numbers now below the window. */
		u64 skip = pn - h;

		stt_replay_clear(r, h + 1, skip < STT_REPLAY_WINDOW ?
				 (unsigned int)skip : STT_REPLAY_WINDOW);
	} else {
		if (h - pn > STT_REPLAY_LAST || stt_replay_test(r, pn))
			return false;
		stt_replay_set(r, pn);
		return true;
	}

	stt_replay_set(r, pn);
	r->top = pn + 1;	/* 0 after U64_MAX: see stt_replay_highest() */
	return true;
}
