/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow control window arithmetic shared by the stream and session windows:
 * how much a receive budget shrinks under namespace memory pressure, and
 * when an edge moved far enough to be advertised.  Pure code: see pure.h.
 */
#ifndef _STT_WINDOW_H
#define _STT_WINDOW_H

#include "pure.h"

u64 stt_window_scale(u64 budget, u64 used, u64 max);
bool stt_window_due(u64 adv, u64 base, u64 budget);

#endif /* _STT_WINDOW_H */
