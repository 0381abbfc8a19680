// SPDX-License-Identifier: GPL-2.0
/*
 * The sent-packet ring's index arithmetic.  Owns the two bitmaps that mirror
 * each live record's state (in flight, lost), the binary search that maps a
 * packet number to the first record at or above it (records are in packet
 * number order, so a range of numbers is a slice of the ring), and the scan
 * for the next record in flight (or lost) in a slice, a 64-bit word at a
 * time.  recovery.c walks ACK and NACK ranges with these, so that a frame
 * costs O(log STT_SENT_MAX) per range plus a word per 64 records it spans
 * plus the records it settles.  Pure code: see pure.h.
 */
#include "sent.h"

static u32 stt_sent_slot(u32 i)
{
	return i & (STT_SENT_MAX - 1);
}

/**
 * stt_sent_set() - set a live record's state, and its bits
 * @ring: the ring
 * @i: the record's free-running index
 * @state: an STT_SENT_INFLIGHT, STT_SENT_ACKED, STT_SENT_LOST or
 *	STT_SENT_PROBED value
 */
void stt_sent_set(struct stt_sent_ring *ring, u32 i, unsigned int state)
{
	u32 slot = stt_sent_slot(i);
	u64 bit = 1ULL << (slot & 63);

	ring->rec[slot].state = state;
	if (state == STT_SENT_INFLIGHT)
		ring->inflight[slot / 64] |= bit;
	else
		ring->inflight[slot / 64] &= ~bit;
	if (state == STT_SENT_LOST || state == STT_SENT_PROBED)
		ring->lost[slot / 64] |= bit;
	else
		ring->lost[slot / 64] &= ~bit;
}

/**
 * stt_sent_forget() - a record leaves the live part of the ring
 * @ring: the ring
 * @i: its free-running index
 *
 * Clears its bits, so that its slot is clean when a new record takes it.
 */
void stt_sent_forget(struct stt_sent_ring *ring, u32 i)
{
	u32 slot = stt_sent_slot(i);
	u64 bit = 1ULL << (slot & 63);

	ring->inflight[slot / 64] &= ~bit;
	ring->lost[slot / 64] &= ~bit;
}

/**
 * stt_sent_lower() - the first live record whose packet number is >= @pn
 * @ring: the ring
 * @head: index of the oldest live record
 * @tail: index after the newest
 * @pn: the packet number
 *
 * A binary search: at most log2(%STT_SENT_MAX) + 1 steps.
 *
 * Return: its index, or @tail if every live record is below @pn.
 */
u32 stt_sent_lower(const struct stt_sent_ring *ring, u32 head, u32 tail,
		   u64 pn)
{
	u32 n = tail - head, mid;

	while (n) {
		mid = n / 2;
		if (ring->rec[stt_sent_slot(head + mid)].pn < pn) {
			head += mid + 1;
			n -= mid + 1;
		} else {
			n = mid;
		}
	}
	return head;
}

/**
 * stt_sent_slice() - the live records a range of packet numbers covers
 * @ring: the ring
 * @head: index of the oldest live record
 * @tail: index after the newest
 * @r: the range, inclusive (@r->lo <= @r->hi)
 * @from: set to the index of the first record in @r
 * @to: set to the index after the last one; @from == @to if none is
 */
void stt_sent_slice(const struct stt_sent_ring *ring, u32 head, u32 tail,
		    const struct stt_range *r, u32 *from, u32 *to)
{
	*from = stt_sent_lower(ring, head, tail, r->lo);
	*to = r->hi == ~0ULL ? tail :
	      stt_sent_lower(ring, *from, tail, r->hi + 1);
}

/**
 * stt_sent_next() - the next record in flight in a slice
 * @ring: the ring
 * @from: index to look from
 * @to: index after the slice (at most %STT_SENT_MAX after @from)
 * @lost_too: whether records declared lost count as well
 *
 * Reads one 64-bit word per 64 slots of the slice at most.  An @from at or
 * past @to (in free-running order) finds nothing.
 *
 * Return: the record's index, or @to if there is none.
 */
u32 stt_sent_next(const struct stt_sent_ring *ring, u32 from, u32 to,
		  bool lost_too)
{
	u32 slot, bit, found;
	u64 word;

	while ((int)(to - from) > 0) {
		slot = stt_sent_slot(from);
		bit = slot & 63;
		word = ring->inflight[slot / 64];
		if (lost_too)
			word |= ring->lost[slot / 64];
		word >>= bit;
		if (word) {
			found = from + (u32)__builtin_ctzll(word);
			return (int)(to - found) > 0 ? found : to;
		}
		from += 64 - bit;
	}
	return to;
}
