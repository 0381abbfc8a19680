// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kernel/replay.c: the input is a sequence of packet
 * numbers, each named near the highest accepted one, near U64_MAX, or in
 * full, and passed to stt_replay_accept().  Every answer must be the one of
 * the rule replay.h and replay.c document, computed from a plain set of every
 * number accepted so far: accepted exactly when the number is new and either
 * nothing was accepted yet, or it is above the highest accepted number h, or
 * h - pn < STT_REPLAY_WINDOW.  The top field must stay the highest plus one.
 * A broken property calls abort().
 */
#include "fuzz.h"
#include "replay.h"

/*
 * The set of accepted numbers: open addressing, a slot in use when its
 * generation is the current input's, so that no input pays for clearing it.
 * Each operation takes at least two input bytes, and MAX_OPS bounds them
 * however long libFuzzer makes its inputs, so the table never fills.
 */
#define MAX_OPS		8192
#define SET_SIZE	(2 * MAX_OPS)

static struct {
	u64 pn;
	u32 gen;
} set[SET_SIZE];
static u32 gen;

/*
 * Middle bits of a multiplicative hash: numbers that differ only in their
 * high bits, such as those near 0 and near U64_MAX, still spread.
 */
static u32 slot_of(u64 pn)
{
	return (pn * 0x9e3779b97f4a7c15ULL >> 32) % SET_SIZE;
}

/* Look @pn up; add it if @add.  Returns whether it was there before. */
static bool set_find(u64 pn, bool add)
{
	u32 i;

	for (i = slot_of(pn); set[i].gen == gen; i = (i + 1) % SET_SIZE)
		if (set[i].pn == pn)
			return true;
	if (add) {
		set[i].pn = pn;
		set[i].gen = gen;
	}
	return false;
}

int stt_fuzz_one(const u8 *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int ops = 0;
	struct stt_replay r;
	bool any = false;
	u64 h = 0, pn;
	bool want;

	/* After 2^32 inputs, slots of an old input would count as used. */
	if (!++gen) {
		memset(set, 0, sizeof(set));
		gen = 1;
	}
	stt_replay_init(&r);
	while (in.left && ops++ < MAX_OPS) {
		/*
		 * Relative numbers reach the window's edges and the skips
		 * over it in a few bytes; the others reach the wrap at U64_MAX
		 * and any number at all.
		 */
		switch (fuzz_u8(&in) % 4) {
		case 0:
			pn = h + fuzz_be(&in, 2);
			break;
		case 1:
			pn = h - fuzz_be(&in, 2);
			break;
		case 2:
			pn = ~(u64)0 - fuzz_u8(&in);
			break;
		default:
			pn = fuzz_be(&in, 8);
			break;
		}
		want = !set_find(pn, false) &&
		       (!any || pn > h || h - pn < STT_REPLAY_WINDOW);
		if (stt_replay_accept(&r, pn) != want)
			FAIL("packet %llu %s, the rule says %s (h %llu%s)",
			     (unsigned long long)pn,
			     want ? "refused" : "accepted",
			     want ? "accept" : "refuse",
			     (unsigned long long)h, any ? "" : ", none yet");
		if (want) {
			set_find(pn, true);
			if (!any || pn > h)
				h = pn;
			any = true;
		}
		if (r.top != (any ? h + 1 : 0))
			FAIL("top %llu after highest %llu",
			     (unsigned long long)r.top, (unsigned long long)h);
	}
	return 0;
}
