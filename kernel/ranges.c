// SPDX-License-Identifier: GPL-2.0
/*
 * Received-packet ranges.  Owns the receiver's record of which packet numbers
 * arrived, kept in the shape ACK and NACK frames need: at most STT_RANGES_MAX
 * disjoint, non-adjacent inclusive ranges, highest first.  When a new number
 * would need a range beyond that, the lowest range is forgotten: the sender
 * cares about recent packets, and an old one it never hears about is at worst
 * retransmitted.  Pure code: see pure.h.
 */
#include "ranges.h"

/*
 * Index of the first range whose low end is <= @pn: the range holding @pn if
 * any, else the one just below it; s->n if every range lies above @pn.  The
 * low ends strictly decrease, so this is a binary search.
 */
static unsigned int stt_ranges_find(const struct stt_ranges *s, u64 pn)
{
	unsigned int lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (s->r[mid].lo <= pn)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/**
 * stt_ranges_init() - start an empty set
 * @s: the set
 */
void stt_ranges_init(struct stt_ranges *s)
{
	s->n = 0;
}

/**
 * stt_ranges_add() - record a received packet number
 * @s: the set
 * @pn: the packet number
 *
 * @pn extends the range just above or just below it, joins the two into one
 * when it fills the only number between them, or else becomes a range of its
 * own.  A new range when %STT_RANGES_MAX are already kept makes the set forget
 * its lowest range; if @pn itself would be that lowest range, it is the one
 * forgotten and the set does not change.
 *
 * Return: false if @pn was already in the set, true otherwise (even when it
 * was too old to be kept).
 */
bool stt_ranges_add(struct stt_ranges *s, u64 pn)
{
	unsigned int i = stt_ranges_find(s, pn);
	bool above, below;

	if (i < s->n && s->r[i].hi >= pn)
		return false;

	/*
	 * Now r[i - 1].lo > pn > r[i].hi, so pn + 1 and r[i].hi + 1 cannot
	 * overflow where they are computed.
	 */
	above = i > 0 && s->r[i - 1].lo == pn + 1;
	below = i < s->n && s->r[i].hi + 1 == pn;

	if (above && below) {
		s->r[i - 1].lo = s->r[i].lo;
		memmove(&s->r[i], &s->r[i + 1],
			(s->n - i - 1) * sizeof(s->r[0]));
		s->n--;
	} else if (above) {
		s->r[i - 1].lo = pn;
	} else if (below) {
		s->r[i].hi = pn;
	} else {
		if (s->n == STT_RANGES_MAX) {
			if (i == s->n)
				return true;
			s->n--;
		}
		memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(s->r[0]));
		s->r[i].lo = pn;
		s->r[i].hi = pn;
		s->n++;
	}
	return true;
}

/**
 * stt_ranges_has() - whether a packet number is in the set
 * @s: the set
 * @pn: the packet number
 *
 * Return: true if @pn was added and not forgotten since.
 */
bool stt_ranges_has(const struct stt_ranges *s, u64 pn)
{
	unsigned int i = stt_ranges_find(s, pn);

	return i < s->n && s->r[i].hi >= pn;
}

/**
 * stt_ranges_drop_below() - forget every packet number below a bound
 * @s: the set
 * @pn: the lowest number to keep
 *
 * Lets the caller stop acknowledging numbers the peer no longer needs to hear
 * about.  A range holding @pn is cut so that it starts at @pn.
 */
void stt_ranges_drop_below(struct stt_ranges *s, u64 pn)
{
	while (s->n && s->r[s->n - 1].hi < pn)
		s->n--;
	if (s->n && s->r[s->n - 1].lo < pn)
		s->r[s->n - 1].lo = pn;
}

/**
 * stt_ranges_gaps() - the missing packet numbers between the kept ranges
 * @s: the set
 * @gaps: where to store the gaps, inclusive ranges, highest first
 * @max: how many entries @gaps has room for
 *
 * Numbers above the highest range or below the lowest one are not gaps: the
 * first may still be in flight, the second are forgotten.  A gap may hold
 * more numbers than a NACK frame's u32 count; the caller splits or clamps it.
 *
 * Return: how many gaps were stored, at most @max and at most @s->n - 1.
 */
unsigned int stt_ranges_gaps(const struct stt_ranges *s, struct stt_range *gaps,
			     unsigned int max)
{
	unsigned int i, count = 0;

	/* Neighbours never touch, so every gap holds at least one number. */
	for (i = 0; i + 1 < s->n && count < max; i++, count++) {
		gaps[count].hi = s->r[i].lo - 1;
		gaps[count].lo = s->r[i + 1].hi + 1;
	}
	return count;
}

/**
 * stt_ack_history_sent() - an ACK frame went out: how far the next must reach
 * @h: the history, zeroed at first
 * @largest: the largest packet number the frame acknowledged
 *
 * Every ACK frame reports the newest ranges first, and few gaps open between
 * two frames, so a range whose numbers are all at or below the largest
 * number of the frame %STT_ACK_REPEATS frames ago went in each of the last
 * %STT_ACK_REPEATS: the peer knows of it unless it lost all of them, and the
 * receiver may forget it (RFC 9000 section 13.2.3 bounds ACK frames the same
 * way).  Without this, every packet lost in the session's life would leave a
 * gap that each ACK frame repeats, up to its 33 ranges.
 *
 * Return: the lowest packet number the next ACK frame needs to report (to
 * pass to stt_ranges_drop_below()), or 0 until %STT_ACK_REPEATS frames went.
 */
u64 stt_ack_history_sent(struct stt_ack_history *h, u64 largest)
{
	h->largest[h->n % STT_ACK_REPEATS] = largest;
	h->n++;
	/* The oldest of the last STT_ACK_REPEATS, about to be overwritten. */
	return h->n >= STT_ACK_REPEATS ? h->largest[h->n % STT_ACK_REPEATS] : 0;
}
