// SPDX-License-Identifier: GPL-2.0
/*
 * Flow control window arithmetic: the receive budget a window grants under
 * namespace memory pressure, and whether a window's edge moved enough to be
 * worth a WINDOW_UPDATE.  Kept pure for the unit tests; stream.c and mem.c
 * apply it to the stream and session windows and the send buffer.
 */
#include "window.h"

/**
 * stt_window_scale() - a budget as namespace memory pressure leaves it
 * @budget: the budget without pressure, bytes (below 2^53)
 * @used: bytes the namespace has allocated
 * @max: the namespace's limit, bytes (below 2^53)
 *
 * Pressure starts at half of @max: from there the budget shrinks linearly,
 * to nothing at @max and above.
 *
 * Return: the budget granted now, at most @budget.
 */
u64 stt_window_scale(u64 budget, u64 used, u64 max)
{
	u64 half = max / 2, frac;

	if (used <= half)
		return budget;
	if (used >= max)
		return 0;
	/* In 1/1024ths, so that the product cannot overflow. */
	frac = ((max - used) << 10) / (max - half);
	return budget * frac >> 10;
}

/**
 * stt_window_due() - whether a window's edge moved enough to advertise it
 * @adv: the edge advertised last
 * @base: the bytes consumed (read, or discarded) so far
 * @budget: the budget granted beyond @base, as stt_window_scale() left it
 *
 * The new edge is @base + @budget.  It is due once it is at least half a
 * budget beyond @adv, so that a reader costs one small packet per half
 * budget; a window never shrinks, so an edge below @adv is never due, and
 * neither is anything with no budget at all.
 *
 * Return: true if an update should go out.
 */
bool stt_window_due(u64 adv, u64 base, u64 budget)
{
	u64 edge = base + budget;

	return budget && edge > adv && edge - adv >= budget / 2;
}
