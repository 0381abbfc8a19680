// SPDX-License-Identifier: GPL-2.0
/*
 * Checked arithmetic on what a peer says about its streams, for input.c and
 * stream.c: where DATA ends, whether a final size or a maximum data can be
 * believed, how new data is trimmed against data held ahead of a gap, when a
 * chunk is copied small, and whether a charge fits a limit.  Every offset,
 * length and final size from the wire passes here before any sum is made of
 * it, so that no sum wraps.  Pure, for the unit tests.
 */
#include "rxcheck.h"

/**
 * stt_rx_end() - where DATA ends, if it ends within the offset range
 * @off: the frame's offset
 * @len: its length
 * @end: set to @off + @len on success
 *
 * Return: false if @off + @len is beyond %STT_OFFSET_MAX (or wraps).
 */
bool stt_rx_end(u64 off, u32 len, u64 *end)
{
	if (off > STT_OFFSET_MAX || len > STT_OFFSET_MAX - off)
		return false;
	*end = off + len;
	return true;
}

/**
 * stt_rx_final() - check a final size (DATA with FIN, STREAM_FIN, RESET)
 * @final: the final size the peer sends
 * @known: the final size received before, or NULL if none was
 * @highest: the highest offset of data received on the stream
 * @adv: the stream window advertised (at most %STT_OFFSET_MAX)
 *
 * Return: an &enum stt_final.  A final size below data received, or
 * different from one received before, is %STT_FINAL_BELOW; one beyond the
 * window is %STT_FINAL_BEYOND.
 */
enum stt_final stt_rx_final(u64 final, const u64 *known, u64 highest,
			    u64 adv)
{
	if (known)
		return final == *known ? STT_FINAL_SAME : STT_FINAL_BELOW;
	if (final > adv || final > STT_OFFSET_MAX)
		return STT_FINAL_BEYOND;
	if (final < highest)
		return STT_FINAL_BELOW;
	return STT_FINAL_NEW;
}

/**
 * stt_rx_max_data() - whether a WINDOW_UPDATE's maximum data is believable
 * @max_data: the credit it grants, an offset or a session sum
 *
 * Return: false beyond %STT_OFFSET_MAX: no sum of it with a length wraps.
 */
bool stt_rx_max_data(u64 max_data)
{
	return max_data <= STT_OFFSET_MAX;
}

/**
 * stt_rx_overlap() - trim new data against one range held ahead of a gap
 * @off: the new data's first offset; moved to @hend on %STT_OVL_HEAD
 * @end: just past its last byte (above @off); moved to @hoff on
 *	%STT_OVL_TAIL
 * @hoff: the held range's first offset
 * @hend: just past its last byte (above @hoff)
 *
 * Data is trimmed, never the held range, so that what is held never
 * changes once queued; after a trim the new data is still not empty.
 *
 * Return: an &enum stt_overlap.
 */
enum stt_overlap stt_rx_overlap(u64 *off, u64 *end, u64 hoff, u64 hend)
{
	if (*end <= hoff)
		return STT_OVL_BEFORE;
	if (*off >= hend)
		return STT_OVL_AFTER;
	if (*off >= hoff && *end <= hend)
		return STT_OVL_COVERED;
	if (*off <= hoff && *end >= hend)
		return STT_OVL_COVERS;
	if (*off < hoff) {
		*end = hoff;
		return STT_OVL_TAIL;
	}
	*off = hend;
	return STT_OVL_HEAD;
}

/**
 * stt_rx_collapse() - whether a chunk should be copied into its own buffer
 * @truesize: the buffers it would pin queued as it is
 * @len: its bytes of data
 *
 * Return: true if @truesize is more than twice @len plus
 * %STT_RX_COLLAPSE_SLACK.
 */
bool stt_rx_collapse(u32 truesize, u32 len)
{
	return truesize > 2 * (u64)len + STT_RX_COLLAPSE_SLACK;
}

/**
 * stt_rx_fits() - whether a charge fits a limit
 * @used: what is charged already
 * @add: the new charge
 * @limit: the most that may be charged
 *
 * Return: true if @used + @add is at most @limit.
 */
bool stt_rx_fits(u64 used, u32 add, u64 limit)
{
	return used <= limit && add <= limit - used;
}
