// SPDX-License-Identifier: GPL-2.0
/*
 * Placing received stream data in its stream: the decision behind the
 * reorder queue of input.c, kept pure for the unit tests.
 */
#include "reorder.h"

/**
 * stt_reorder_place() - where data covering [off, end) belongs
 * @next: the stream offset the reader's queue expects next
 * @off: offset of the data's first byte
 * @end: offset just past its last byte (@off for empty data)
 *
 * Empty data is never %STT_REORDER_NEXT: it brings nothing to deliver.
 *
 * Return: an &enum stt_reorder.
 */
enum stt_reorder stt_reorder_place(u64 next, u64 off, u64 end)
{
	if (off > next)
		return STT_REORDER_LATER;
	if (end <= next)
		return STT_REORDER_DUP;
	return STT_REORDER_NEXT;
}
