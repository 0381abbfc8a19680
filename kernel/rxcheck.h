/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks on what a peer says about its streams, before input.c believes it:
 * the end of DATA, final sizes, maximum data, and the arithmetic that keeps
 * the data held ahead of a gap in disjoint ranges, and when a small frame is
 * copied rather than left pinning its whole packet.  Pure code: see pure.h.
 */
#ifndef _STT_RXCHECK_H
#define _STT_RXCHECK_H

#include "pure.h"
#include "proto.h"

/*
 * A chunk whose buffers (truesize) come to more than twice its data plus
 * this is copied into a buffer of its own size instead of being queued as
 * (a clone of) its packet: a full packet is never copied, a small frame
 * never pins a large packet.
 */
#define STT_RX_COLLAPSE_SLACK	1024

/**
 * enum stt_final - what a final size says against what is known
 * @STT_FINAL_NEW: the first final size, consistent with the data
 * @STT_FINAL_SAME: the final size known already (a repeat)
 * @STT_FINAL_BELOW: below data received (or a second, different one)
 * @STT_FINAL_BEYOND: beyond the window granted (or %STT_OFFSET_MAX)
 */
enum stt_final {
	STT_FINAL_NEW,
	STT_FINAL_SAME,
	STT_FINAL_BELOW,
	STT_FINAL_BEYOND,
};

/**
 * enum stt_overlap - new data [off, end) against a held range [hoff, hend)
 * @STT_OVL_BEFORE: the new data ends at or before the held range
 * @STT_OVL_AFTER: it starts at or after the held range's end
 * @STT_OVL_COVERED: the held range holds all of it: drop it
 * @STT_OVL_COVERS: it holds all of the held range: free that
 * @STT_OVL_HEAD: its head overlaps the held range: it now starts at @hend
 * @STT_OVL_TAIL: its tail overlaps the held range: it now ends at @hoff
 */
enum stt_overlap {
	STT_OVL_BEFORE,
	STT_OVL_AFTER,
	STT_OVL_COVERED,
	STT_OVL_COVERS,
	STT_OVL_HEAD,
	STT_OVL_TAIL,
};

bool stt_rx_end(u64 off, u32 len, u64 *end);
enum stt_final stt_rx_final(u64 final, const u64 *known, u64 highest,
			    u64 adv);
bool stt_rx_max_data(u64 max_data);
enum stt_overlap stt_rx_overlap(u64 *off, u64 *end, u64 hoff, u64 hend);
bool stt_rx_collapse(u32 truesize, u32 len);
bool stt_rx_fits(u64 used, u32 add, u64 limit);

#endif /* _STT_RXCHECK_H */
