/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placing received stream data relative to what was already delivered: in
 * order (possibly overlapping data delivered before), a duplicate of it, or
 * ahead of a gap.  Pure code: see pure.h.
 */
#ifndef _STT_REORDER_H
#define _STT_REORDER_H

#include "pure.h"

/**
 * enum stt_reorder - where a piece of stream data belongs
 * @STT_REORDER_NEXT: it starts at or before the next offset expected and
 *	brings bytes beyond it: deliver from the next offset on
 * @STT_REORDER_DUP: everything in it was delivered already
 * @STT_REORDER_LATER: it starts after the next offset expected: hold it
 */
enum stt_reorder {
	STT_REORDER_NEXT,
	STT_REORDER_DUP,
	STT_REORDER_LATER,
};

enum stt_reorder stt_reorder_place(u64 next, u64 off, u64 end);

#endif /* _STT_REORDER_H */
