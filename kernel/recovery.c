// SPDX-License-Identifier: GPL-2.0
/*
 * Loss recovery.  Owns a session's acknowledgments in both directions.  As
 * a receiver: the set of packet numbers received, and the ACK frames (with
 * NACK frames for gaps that stay open) that report them, sent at once for
 * every second ack-eliciting packet or a packet out of order, else after a
 * short delay.  As a sender: one record per ack-eliciting packet in flight
 * (a ring allocated with the session, so no packet allocates one), what ACK
 * and NACK frames say of them, RTT samples (rtt.c), loss detection by packet
 * and time thresholds (RFC 9002) that widen when losses prove spurious, the
 * retransmission timer (a probe on the first timeouts, everything resent
 * after persistent ones, with exponential backoff), the congestion window
 * (cc.c), and the user timeout after which a peer that stopped
 * acknowledging fails the session with ETIMEDOUT.
 *
 * A record settles once: acknowledged or declared lost, under the session's
 * pn_lock.  Records are in packet number order, so each range of an ACK or
 * NACK frame maps to a slice of the ring by binary search, and the ring's
 * bitmaps (sent.c) skip settled records 64 at a time: a frame costs its
 * ranges and the records it settles, not the ring's size.  What settling
 * means for the data (free it, send it again, send a control frame again)
 * is done afterwards, without the lock, in small batches, because it takes
 * stream locks and may send.
 */
#include <linux/ktime.h>

#include "stt.h"
#include "codec.h"

/* Acknowledge at once after this many ack-eliciting packets. */
#define STT_ACK_EVERY		2
/* Longest a receiver holds an acknowledgment back, ms. */
#define STT_ACK_DELAY_MS	5
/* Ranges a receiver reports per ACK frame, and gaps per NACK frame. */
#define STT_ACK_RANGES		(1 + STT_ACK_MAX_RANGES)
#define STT_NACK_GAPS		8
/*
 * A packet this many numbers below an acknowledged one counts as lost (the
 * initial packet threshold, and the most it grows to).
 */
#define STT_LOSS_PACKETS	3
#define STT_LOSS_PACKETS_MAX	256
/*
 * The most added to the time threshold for reordering, ns, unless the
 * smoothed RTT is more: reordering on a virtual link (packets sent from two
 * CPUs wait in two backlogs) is milliseconds at a round trip of 100 us.
 */
#define STT_REO_WND_MAX		(25 * NSEC_PER_MSEC)
/* Timeouts in a row that count as persistent congestion. */
#define STT_PTO_PERSISTENT	3
/* Packets declared lost, and DATA packets let out, per probe timeout. */
#define STT_PTO_PROBES		2
/* Records kept for packets other than DATA when DATA may take no more. */
#define STT_SENT_RESERVE	256
/* Settlements acted on per batch. */
#define STT_SETTLE_BATCH	8

/* What is done about one record after it settled. */
struct stt_settle {
	struct stt_sent rec;
	bool acked;
};

static u64 stt_ms_ns(int ms)
{
	return (u64)ms * NSEC_PER_MSEC;
}

static u64 stt_recovery_rto(struct stt_session *s)
{
	struct stt_sysctl *sc = &s->sn->sysctl;

	return stt_rtt_rto(&s->rtt, stt_ms_ns(READ_ONCE(s->rto_initial_ms)),
			   stt_ms_ns(READ_ONCE(sc->rto_min_ms)),
			   stt_ms_ns(READ_ONCE(sc->rto_max_ms)), s->rto_backoff);
}

/* Bytes a record counts for in the congestion window. */
static u32 stt_sent_size(const struct stt_sent *rec)
{
	if (rec->kind == STT_SENT_DATA || rec->kind == STT_SENT_GONE)
		return rec->len + STT_HDR_LEN + 1 + STT_DATA_HDR_LEN +
		       STT_TAG_LEN;
	return STT_HDR_LEN + 32 + STT_TAG_LEN;
}

/*
 * Forget settled records at the oldest end.  A record declared lost is
 * kept until three timeouts (backoff included) after it was sent, while
 * the ring is less than half full: a packet is declared lost one timeout
 * after it left at the latest, and its acknowledgment may come a round
 * trip or two later still, when the path got slower; finding the record
 * then shows the loss spurious and gives an RTT sample.  pn_lock held.
 */
static void stt_recovery_trim(struct stt_session *s, u64 now)
{
	u64 keep = 3 * stt_recovery_rto(s);
	struct stt_sent *r;
	u32 i;

	/* Acknowledged records have no bit: they go 64 at a time. */
	while ((i = stt_sent_next(s->sent, s->sent_head, s->sent_tail,
				  true)) != s->sent_tail) {
		s->sent_head = i;
		r = stt_sent_at(s->sent, i);
		if (r->state == STT_SENT_INFLIGHT)
			return;
		if (now - r->time < keep &&
		    s->sent_tail - s->sent_head < STT_SENT_MAX / 2)
			return;
		stt_sent_forget(s->sent, i);
		s->sent_head++;
	}
	s->sent_head = s->sent_tail;
}

/* The oldest packet still in flight, or NULL.  pn_lock held. */
static struct stt_sent *stt_recovery_oldest(struct stt_session *s)
{
	u32 i = stt_sent_next(s->sent, s->sent_head, s->sent_tail, false);

	return i == s->sent_tail ? NULL : stt_sent_at(s->sent, i);
}

static void stt_recovery_arm(struct stt_session *s, u64 when_ns)
{
	u64 now = ktime_get_ns();
	unsigned long delay;

	delay = when_ns > now ? nsecs_to_jiffies(when_ns - now) : 0;
	if (READ_ONCE(s->state) != STT_SS_CLOSED)
		mod_timer(&s->rtx_timer, jiffies + max(delay, 1UL));
}

/* Make the timer fire by @when_ns at the latest. */
static void stt_recovery_arm_before(struct stt_session *s, u64 when_ns)
{
	u64 now = ktime_get_ns();
	unsigned long delay;

	delay = when_ns > now ? nsecs_to_jiffies(when_ns - now) : 0;
	if (READ_ONCE(s->state) != STT_SS_CLOSED)
		timer_reduce(&s->rtx_timer, jiffies + max(delay, 1UL));
}

/**
 * stt_recovery_room() - whether a DATA packet may be sent now
 * @s: the session
 * @bytes: the size of its stream data
 *
 * Read without the lock: only the session's one pusher sends DATA, and a
 * stale answer only delays it until the next acknowledgment.
 *
 * Return: true if the congestion window and the records have room.
 */
bool stt_recovery_room(struct stt_session *s, u32 bytes)
{
	struct stt_sent rec = { .kind = STT_SENT_DATA, .len = bytes };
	u32 used = READ_ONCE(s->sent_tail) - READ_ONCE(s->sent_head);
	u64 flight = READ_ONCE(s->cc.in_flight);

	if (used >= STT_SENT_MAX - STT_SENT_RESERVE)
		return false;
	return !flight || flight + stt_sent_size(&rec) <= READ_ONCE(s->cc.cwnd) ||
	       READ_ONCE(s->pto_probes);
}

/**
 * stt_recovery_sent() - record an ack-eliciting packet as it leaves
 * @s: the session
 * @rec: what it carries; its number and time are filled in here
 * @pn: its packet number
 *
 * Called with pn_lock held, in the same step that took @pn, so records are
 * in packet number order.  A packet that finds no free record (only control
 * packets can, DATA waits for room) leaves unrecorded and is counted.
 */
void stt_recovery_sent(struct stt_session *s, const struct stt_sent *rec,
		       u64 pn)
{
	struct stt_sent *r;
	u64 now = ktime_get_ns();

	if (s->sent_tail - s->sent_head >= STT_SENT_MAX) {
		STT_INC(s->sn, SENT_UNTRACKED);
		return;
	}
	if (!s->cc.in_flight) {
		/*
		 * Nothing was in flight: the clocks start now, unless what
		 * goes is resent after a timeout, which keeps counting
		 * towards the user timeout.
		 */
		if (!s->rto_backoff)
			s->progress = now;
		if (!timer_pending(&s->rtx_timer))
			stt_recovery_arm(s, now + stt_recovery_rto(s));
	}
	r = stt_sent_at(s->sent, s->sent_tail);
	*r = *rec;
	r->pn = pn;
	r->time = now;
	stt_sent_set(s->sent, s->sent_tail++, STT_SENT_INFLIGHT);
	stt_cc_sent(&s->cc, stt_sent_size(r), pn, s->largest_acked, now);
	if (rec->kind == STT_SENT_DATA && s->pto_probes)
		s->pto_probes--;
}

/* Act on settled records; no lock held. */
static void stt_recovery_act(struct stt_session *s, struct stt_settle *b,
			     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct stt_sent *rec = &b[i].rec;

		if (!b[i].acked)
			STT_INC(s->sn, PACKETS_LOST);
		switch (rec->kind) {
		case STT_SENT_DATA:
			if (b[i].acked)
				stt_output_acked(s, rec->stream, rec->offset);
			else
				stt_output_lost(s, rec->stream, rec->offset);
			break;
		case STT_SENT_FIN:
		case STT_SENT_RESET:
		case STT_SENT_WINDOW:
			stt_stream_ctl_settled(s, rec, b[i].acked);
			break;
		case STT_SENT_KEY_UPDATE:
			if (!b[i].acked)
				stt_rekey_reannounce(s, rec->offset);
			break;
		}
	}
}

/*
 * Settle one in-flight record into the batch, as @to: STT_SENT_ACKED,
 * STT_SENT_LOST, or STT_SENT_PROBED (lost to a probe timeout, which is no
 * congestion signal: it only leaves the window).  Its time stays the time
 * it was sent, for an RTT sample from a late acknowledgment.  pn_lock held.
 */
static void stt_recovery_settle(struct stt_session *s, u32 i,
				unsigned int to, u64 now,
				struct stt_settle *b, unsigned int *n)
{
	struct stt_sent *r = stt_sent_at(s->sent, i);

	stt_sent_set(s->sent, i, to);
	if (to == STT_SENT_ACKED)
		stt_cc_acked(&s->cc, stt_sent_size(r), r->pn, s->tx_pn, now,
			     s->rtt.srtt);
	else if (to == STT_SENT_LOST)
		stt_cc_lost(&s->cc, stt_sent_size(r), r->pn, s->tx_pn, now);
	else
		stt_cc_probed(&s->cc, stt_sent_size(r), now);
	b[*n].rec = *r;
	b[*n].acked = to == STT_SENT_ACKED;
	(*n)++;
}

/* How much older than an acknowledged packet one may be before it is lost. */
static u64 stt_recovery_loss_delay(struct stt_session *s)
{
	u64 d = stt_rtt_loss_delay(&s->rtt,
				   stt_ms_ns(READ_ONCE(s->rto_initial_ms)));

	return d + s->reo_wnd;
}

/* Act on a batch in the middle of a walk.  pn_lock held, dropped meanwhile. */
static void stt_recovery_flush(struct stt_session *s, struct stt_settle *b,
			       unsigned int *n)
{
	spin_unlock_bh(&s->pn_lock);
	stt_recovery_act(s, b, *n);
	*n = 0;
	spin_lock_bh(&s->pn_lock);
}

/*
 * Declare lost what is in flight: with @all (persistent congestion)
 * everything, else what is below the largest acknowledged packet and either
 * loss_pkts numbers below it or older than the time threshold; when the
 * others would be that old becomes loss_time.  pn_lock held; returns with it
 * held, having dropped it to act on batches.
 */
static void stt_recovery_lose(struct stt_session *s, u64 now, bool all)
{
	struct stt_settle b[STT_SETTLE_BATCH];
	u64 delay = stt_recovery_loss_delay(s);
	unsigned int n = 0;
	struct stt_sent *r;
	u32 i, end;

	s->loss_time = 0;
	if (all)
		end = s->sent_tail;
	else if (s->largest_acked)
		end = stt_sent_lower(s->sent, s->sent_head, s->sent_tail,
				     s->largest_acked - 1);
	else
		end = s->sent_head;
	/*
	 * Only records in flight are visited; those spared are at most
	 * loss_pkts + 1 (numbers within loss_pkts of the largest).
	 */
	for (i = stt_sent_next(s->sent, s->sent_head, end, false); i != end;
	     i = stt_sent_next(s->sent, i + 1, end, false)) {
		r = stt_sent_at(s->sent, i);
		if (!all && r->pn + s->loss_pkts >= s->largest_acked &&
		    r->time + delay > now) {
			if (!s->loss_time || r->time + delay < s->loss_time)
				s->loss_time = r->time + delay;
			continue;
		}
		stt_recovery_settle(s, i, STT_SENT_LOST, now, b, &n);
		if (n == STT_SETTLE_BATCH) {
			stt_recovery_flush(s, b, &n);
			if ((s32)(i + 1 - s->sent_head) < 0)
				i = s->sent_head - 1;
		}
	}
	stt_recovery_trim(s, now);
	if (n)
		stt_recovery_flush(s, b, &n);
}

/*
 * A probe timeout: the oldest packets in flight are declared lost, so that
 * they go again first, and as many DATA packets may leave whatever the
 * congestion window says; the acknowledgment of those probes then tells
 * the thresholds what else was lost.  The timeout itself is no congestion
 * signal (RFC 9002): the window does not shrink for these two, only for
 * losses the thresholds find, or persistent congestion.  pn_lock held,
 * dropped to act.
 */
static void stt_recovery_probe(struct stt_session *s, u64 now)
{
	struct stt_settle b[STT_PTO_PROBES];
	unsigned int n = 0;
	u32 i = s->sent_head;

	while (n < STT_PTO_PROBES &&
	       (i = stt_sent_next(s->sent, i, s->sent_tail, false)) !=
	       s->sent_tail)
		stt_recovery_settle(s, i++, STT_SENT_PROBED, now, b, &n);
	s->pto_probes = STT_PTO_PROBES;
	stt_recovery_trim(s, now);
	if (n)
		stt_recovery_flush(s, b, &n);
}

/*
 * A loss proved spurious: the packet was acknowledged at most @dist numbers
 * below the largest, @age after it was sent.  Both thresholds widen (with a
 * quarter more time for margin), so that reordering of that degree no
 * longer counts as loss, for the rest of the session, as RACK's reordering
 * window (RFC 8985) does; the time is bounded by the larger of the smoothed
 * RTT and STT_REO_WND_MAX.  pn_lock held.
 */
static void stt_recovery_reordered(struct stt_session *s, u64 dist, u64 age)
{
	u64 base = stt_rtt_loss_delay(&s->rtt,
				      stt_ms_ns(READ_ONCE(s->rto_initial_ms)));
	u64 cap = max_t(u64, s->rtt.srtt, STT_REO_WND_MAX);
	u64 late = age > base ? age - base : 0;

	if (dist + 1 > s->loss_pkts)
		s->loss_pkts = min_t(u64, dist + 1, STT_LOSS_PACKETS_MAX);
	late += late / 4;
	if (late > s->reo_wnd)
		s->reo_wnd = min(late, cap);
}

/* What one ACK frame's walk over the ring found. */
struct stt_ack_walk {
	struct stt_settle b[STT_SETTLE_BATCH];
	unsigned int n;
	bool found;		/* some record was newly acknowledged */
	u64 newest_pn;		/* the largest of them */
	u64 newest_time;	/* when it was sent */
};

/*
 * Settle what one ACK range acknowledges: the slice of records it covers,
 * records neither in flight nor lost skipped by the bitmaps.  A record
 * declared lost that is acknowledged now was not lost: its data may have
 * been sent again already, but the loss is counted spurious, for the
 * thresholds and the congestion window.  pn_lock held, dropped to act on
 * full batches.
 */
static void stt_recovery_ack_slice(struct stt_session *s,
				   const struct stt_frame *f,
				   const struct stt_range *rng, u64 now,
				   struct stt_ack_walk *w)
{
	struct stt_sent *r;
	u32 i, end;

	stt_sent_slice(s->sent, s->sent_head, s->sent_tail, rng, &i, &end);
	for (i = stt_sent_next(s->sent, i, end, true); i != end;
	     i = stt_sent_next(s->sent, i + 1, end, true)) {
		r = stt_sent_at(s->sent, i);
		if (!w->found || r->pn > w->newest_pn) {
			w->newest_pn = r->pn;
			w->newest_time = r->time;
		}
		w->found = true;
		if (r->state == STT_SENT_PROBED) {
			/* The path was slow, not reordering nor congested. */
			stt_sent_set(s->sent, i, STT_SENT_ACKED);
			w->b[w->n].rec = *r;
			w->b[w->n++].acked = true;
			STT_INC(s->sn, PACKETS_LOST_SPURIOUS);
		} else if (r->state == STT_SENT_LOST) {
			stt_sent_set(s->sent, i, STT_SENT_ACKED);
			stt_cc_spurious(&s->cc, r->pn);
			stt_recovery_reordered(s, f->ack.largest - r->pn,
					       now - r->time);
			w->b[w->n].rec = *r;
			w->b[w->n++].acked = true;
			STT_INC(s->sn, PACKETS_LOST_SPURIOUS);
		} else {
			stt_recovery_settle(s, i, STT_SENT_ACKED, now, w->b,
					    &w->n);
		}
		if (w->n == STT_SETTLE_BATCH) {
			stt_recovery_flush(s, w->b, &w->n);
			/* The oldest records may be gone meanwhile. */
			if ((s32)(i + 1 - s->sent_head) < 0)
				i = s->sent_head - 1;
		}
	}
}

/*
 * The RTT sample of an ACK frame, from the largest packet it newly
 * acknowledges (RFC 9002), whether still in flight or declared lost.
 * Packet numbers are never reused, so the sample is never ambiguous, and a
 * path whose round trip grew past the timeout is learned from the very
 * packets the timeout gave up on.  (Not the oldest, as TCP takes it: a
 * range the peer's ACK frames left out for want of room is reported late,
 * and its packets would give samples long by seconds.)  The peer's ack
 * delay counts only when that packet is the frame's largest, the one it
 * was measured on.  The timeout's backoff ends (Karn) only with a packet
 * sent after the last timeout fired: until then the estimate may still be
 * catching up.  pn_lock held.
 */
static void stt_recovery_sample(struct stt_session *s,
				const struct stt_frame *f,
				const struct stt_ack_walk *w, u64 now)
{
	u64 delay = 0;

	if (w->newest_pn == f->ack.largest)
		delay = min_t(u64, (u64)f->ack.delay_us * NSEC_PER_USEC,
			      STT_RTT_MAX_ACK_DELAY);
	stt_rtt_sample(&s->rtt, now - w->newest_time, delay);
	stt_cc_rtt_sample(&s->cc, s->rtt.latest);
	if (w->newest_time >= s->last_pto)
		s->rto_backoff = 0;
}

/**
 * stt_recovery_rcv_ack() - the peer acknowledged packets
 * @s: the session
 * @f: its ACK frame
 *
 * Settles the records it acknowledges, range by range (each a slice of the
 * ring, found by binary search; ranges below the oldest record end the
 * walk), takes an RTT sample from the largest one newly acknowledged,
 * declares older packets lost, and lets the pusher use the room that
 * opened.  The work is O(ranges * log STT_SENT_MAX + STT_SENT_MAX / 64 +
 * records settled): the ranges are disjoint, so their slices together span
 * the ring at most once.  Runs in softirq.
 */
void stt_recovery_rcv_ack(struct stt_session *s, const struct stt_frame *f)
{
	struct stt_ack_walk w;
	u64 now = ktime_get_ns();
	struct stt_range rng;
	unsigned int ri;

	w.n = 0;
	w.found = false;
	stt_ack_range(f, 0, &rng);
	spin_lock_bh(&s->pn_lock);
	if (rng.hi >= s->tx_pn) {
		spin_unlock_bh(&s->pn_lock);
		STT_INC(s->sn, DROP_ACK_INVALID);
		return;		/* acknowledges a packet never sent */
	}
	for (ri = 0;;) {
		/* Ranges come largest first: the rest are older still. */
		if (s->sent_head == s->sent_tail ||
		    rng.hi < stt_sent_at(s->sent, s->sent_head)->pn)
			break;
		stt_recovery_ack_slice(s, f, &rng, now, &w);
		if (++ri > f->ack.nranges)
			break;
		stt_ack_range_next(f, ri, &rng);
	}
	if (f->ack.largest + 1 > s->largest_acked)
		s->largest_acked = f->ack.largest + 1;
	if (w.found) {
		stt_recovery_sample(s, f, &w, now);
		s->progress = now;
		s->pto_probes = 0;
	}
	stt_recovery_trim(s, now);
	if (w.n)
		stt_recovery_flush(s, w.b, &w.n);
	stt_recovery_lose(s, now, false);
	if (s->loss_time)
		stt_recovery_arm_before(s, s->loss_time);
	spin_unlock_bh(&s->pn_lock);
	if (w.found)
		stt_output_push(s, false);
}

/**
 * stt_recovery_rcv_nack() - the peer reports packets it is missing
 * @s: the session
 * @f: its NACK frame
 *
 * Those still in flight are declared lost at once, without waiting for the
 * time threshold, if they are below the packet threshold (which is more
 * than the receiver's three once reordering was seen); at most
 * %STT_SETTLE_BATCH per frame.  Each range is clamped to the records in
 * flight below that threshold and mapped to a slice of the ring, whose
 * records in flight the bitmap finds: O(ranges * (log STT_SENT_MAX +
 * STT_SENT_MAX / 64)) at worst, and one search when nothing is eligible.
 * Runs in softirq.
 */
void stt_recovery_rcv_nack(struct stt_session *s, const struct stt_frame *f)
{
	struct stt_settle b[STT_SETTLE_BATCH];
	u64 now = ktime_get_ns();
	struct stt_range rng;
	unsigned int n = 0, k;
	u32 i, end, first, last;
	u64 below;

	spin_lock_bh(&s->pn_lock);
	/* Not while the sender counts it as reordering. */
	if (s->largest_acked <= s->loss_pkts)
		goto out;
	/*
	 * What a NACK may declare lost: records in flight from the oldest
	 * up to the packet threshold.  Loss detection after each ACK leaves
	 * few or none there, so most frames stop here.
	 */
	below = s->largest_acked - s->loss_pkts;
	last = stt_sent_lower(s->sent, s->sent_head, s->sent_tail, below);
	first = stt_sent_next(s->sent, s->sent_head, last, false);
	for (k = 0; first != last && k < f->nack.nranges &&
	     n < ARRAY_SIZE(b); k++) {
		stt_nack_range(f, k, &rng);
		if (rng.lo >= below ||
		    rng.hi < stt_sent_at(s->sent, first)->pn)
			continue;
		rng.hi = min(rng.hi, below - 1);
		stt_sent_slice(s->sent, first, last, &rng, &i, &end);
		for (i = stt_sent_next(s->sent, i, end, false);
		     i != end && n < ARRAY_SIZE(b);
		     i = stt_sent_next(s->sent, i + 1, end, false))
			stt_recovery_settle(s, i, STT_SENT_LOST, now, b, &n);
	}
	stt_recovery_trim(s, now);
out:
	spin_unlock_bh(&s->pn_lock);
	STT_INC(s->sn, NACKS_IN);
	stt_recovery_act(s, b, n);
}

/*
 * Arm the retransmission timer for the earliest of its deadlines: the time
 * threshold, the timeout of the oldest packet in flight (counted from the
 * last timeout at the earliest), and the user timeout.  pn_lock held.
 */
static void stt_recovery_rearm(struct stt_session *s)
{
	u64 user = stt_ms_ns(READ_ONCE(s->sn->sysctl.user_timeout_ms));
	struct stt_sent *oldest = stt_recovery_oldest(s);
	u64 when;

	if (!oldest)
		return;		/* the next packet sent arms it */
	when = max(oldest->time, s->last_pto) + stt_recovery_rto(s);
	if (s->loss_time && s->loss_time < when)
		when = s->loss_time;
	stt_recovery_arm(s, min(when, s->progress + user));
}

/*
 * The retransmission timer.  It is armed lazily: when it fires early it
 * re-arms for the earliest deadline.  At the time threshold it declares
 * lost what became that old.  At a timeout it doubles the next one and
 * sends probes; after STT_PTO_PERSISTENT in a row (persistent congestion)
 * every packet in flight is declared lost and the window collapses.  If
 * nothing was acknowledged for the user timeout, the session fails with
 * ETIMEDOUT.
 */
static void stt_recovery_timer(struct timer_list *t)
{
	struct stt_session *s = from_timer(s, t, rtx_timer);
	u64 now = ktime_get_ns(), user;
	struct stt_sent *oldest;

	if (READ_ONCE(s->state) != STT_SS_ESTABLISHED)
		return;
	user = stt_ms_ns(READ_ONCE(s->sn->sysctl.user_timeout_ms));
	spin_lock_bh(&s->pn_lock);
	stt_recovery_trim(s, now);
	oldest = stt_recovery_oldest(s);
	if (!oldest) {
		s->loss_time = 0;
		spin_unlock_bh(&s->pn_lock);
		return;
	}
	/* Another CPU may have made progress after @now was read. */
	if ((s64)(now - s->progress) >= (s64)user) {
		spin_unlock_bh(&s->pn_lock);
		STT_INC(s->sn, SESSIONS_USER_TIMEOUT);
		stt_session_abort(s, STT_CLOSE_TIMEOUT, ETIMEDOUT);
		return;
	}
	if (s->loss_time && s->loss_time <= now) {
		stt_recovery_lose(s, now, false);
	} else if (max(oldest->time, s->last_pto) + stt_recovery_rto(s) <= now) {
		STT_INC(s->sn, RTO_FIRED);
		s->last_pto = now;
		if (s->rto_backoff < 16)
			s->rto_backoff++;
		if (s->rto_backoff >= STT_PTO_PERSISTENT) {
			/* Collapse first: the losses then count as its event. */
			stt_cc_collapse(&s->cc, s->tx_pn, oldest->pn);
			stt_recovery_lose(s, now, true);
		} else {
			stt_recovery_probe(s, now);
		}
	} else {
		stt_recovery_rearm(s);
		spin_unlock_bh(&s->pn_lock);
		return;
	}
	stt_recovery_rearm(s);
	spin_unlock_bh(&s->pn_lock);
	stt_output_push(s, false);
}

/*
 * An ACK frame of the newest ranges, at most @max of them, into @buf (@cap
 * bytes), after forgetting what the last STT_ACK_REPEATS frames carried
 * (stt_ack_history_sent()).  Once it is written, no packet waits for an
 * acknowledgment any more.  rx_lock held.  Returns its length, 0 if there
 * is nothing to acknowledge, or a negative errno.
 */
static int stt_recovery_ack_frame(struct stt_session *s, u8 *buf, size_t cap,
				  unsigned int max)
{
	u64 delay;
	int len;

	stt_ranges_drop_below(&s->rx_ranges, s->ack_floor);
	if (!s->rx_ranges.n)
		return 0;
	delay = ktime_get_ns() - s->rx_largest_time;
	len = stt_ack_encode(buf, cap, min_t(u64, delay / NSEC_PER_USEC, U32_MAX),
			     s->rx_ranges.r, min(s->rx_ranges.n, max));
	if (len > 0) {
		s->ack_pending = 0;
		s->ack_floor = stt_ack_history_sent(&s->ack_hist,
						    s->rx_ranges.r[0].hi);
	}
	return len;
}

/*
 * Send one ACK frame, and a NACK frame for gaps that stayed open.  The ACK
 * is encoded from the ranges under the lock (no copy of them on the stack).
 */
static void stt_recovery_send_ack(struct stt_session *s)
{
	u8 buf[1 + STT_ACK_MIN_LEN + (STT_ACK_RANGES - 1) * STT_ACK_RANGE_LEN +
	       1 + STT_NACK_MIN_LEN + STT_NACK_GAPS * STT_NACK_RANGE_LEN];
	struct stt_range gaps[STT_NACK_GAPS];
	unsigned int ng = 0, k;
	int len, m;

	spin_lock_bh(&s->rx_lock);
	len = stt_recovery_ack_frame(s, buf, sizeof(buf), STT_ACK_RANGES);
	if (len <= 0) {
		spin_unlock_bh(&s->rx_lock);
		return;
	}
	if (s->rx_ranges.n > 1) {
		ng = stt_ranges_gaps(&s->rx_ranges, gaps, STT_NACK_GAPS);
		/* Report a gap once, when it is old enough to be a loss. */
		for (k = 0, m = 0; k < ng; k++)
			if (gaps[k].hi > s->rx_nacked &&
			    gaps[k].hi + STT_LOSS_PACKETS <= s->rx_ranges.r[0].hi)
				gaps[m++] = gaps[k];
		for (k = 0, ng = m; k < ng; k++)
			s->rx_nacked = max(s->rx_nacked, gaps[k].hi);
	}
	spin_unlock_bh(&s->rx_lock);
	if (ng) {
		m = stt_nack_encode(buf + len, sizeof(buf) - len, gaps, ng);
		if (m > 0) {
			len += m;
			STT_INC(s->sn, NACKS_OUT);
		}
	}
	if (!stt_session_send(s, buf, len, NULL))
		STT_INC(s->sn, ACKS_OUT);
}

/**
 * stt_recovery_ack_piggyback() - an ACK frame to ride on a data packet
 * @s: the session
 * @buf: where the frame goes
 * @room: bytes free for it at @buf and in the packet
 *
 * When ack-eliciting packets wait for an acknowledgment, a data packet the
 * session sends anyway carries it, as TCP's segments do: the answer to a
 * request then costs one packet each way, not two.  The frame holds the
 * newest ranges that fit, at most %STT_ACK_PIGGY_RANGES (the older ones
 * went in earlier acknowledgments; the sender needs the newest to detect
 * losses), and the count of packets waiting starts again, so the ACK timer
 * finds nothing to do.  Gaps are reported by the NACK frames of ACK
 * packets of their own, which a gap brings at once (an out-of-order
 * packet is acknowledged immediately).
 *
 * Return: the frame's length, or 0 if nothing waits or it does not fit.
 */
unsigned int stt_recovery_ack_piggyback(struct stt_session *s, u8 *buf,
					unsigned int room)
{
	unsigned int nr;
	int len = 0;

	if (room < 1 + STT_ACK_MIN_LEN || !READ_ONCE(s->ack_pending))
		return 0;
	nr = 1 + (room - 1 - STT_ACK_MIN_LEN) / STT_ACK_RANGE_LEN;
	spin_lock_bh(&s->rx_lock);
	if (s->ack_pending)
		len = stt_recovery_ack_frame(s, buf, room,
					     min_t(unsigned int, nr,
						   STT_ACK_PIGGY_RANGES));
	spin_unlock_bh(&s->rx_lock);
	if (len <= 0)
		return 0;
	STT_INC(s->sn, ACKS_OUT);
	STT_INC(s->sn, ACKS_PIGGYBACKED);
	return len;
}

static void stt_recovery_ack_timer(struct timer_list *t)
{
	struct stt_session *s = from_timer(s, t, ack_timer);

	if (READ_ONCE(s->state) == STT_SS_ESTABLISHED &&
	    READ_ONCE(s->ack_pending))
		stt_recovery_send_ack(s);
}

/**
 * stt_recovery_info() - the congestion state for %STT_INFO
 * @s: the session
 * @info: where the window, threshold, bytes in flight, timeout and the
 *	controller's phase and W_max go
 */
void stt_recovery_info(struct stt_session *s, struct stt_info *info)
{
	spin_lock_bh(&s->pn_lock);
	info->stti_cwnd = min_t(u64, s->cc.cwnd, U32_MAX);
	info->stti_ssthresh = min_t(u64, s->cc.ssthresh, U32_MAX);
	info->stti_in_flight = min_t(u64, s->cc.in_flight, U32_MAX);
	info->stti_rto_us = div_u64(stt_recovery_rto(s), NSEC_PER_USEC);
	info->stti_cc_phase = stt_cc_phase(&s->cc);
	info->stti_cc_w_max = min_t(u64, stt_cc_w_max(&s->cc), U32_MAX);
	spin_unlock_bh(&s->pn_lock);
}

/**
 * stt_recovery_rcv_pn() - a protected packet was received and processed
 * @s: the session
 * @pn: its number
 * @eliciting: how soon it wants an acknowledgment, an STT_ACK_* value
 *
 * Runs in softirq.
 */
void stt_recovery_rcv_pn(struct stt_session *s, u64 pn, int eliciting)
{
	bool now = false, ooo;

	if (READ_ONCE(s->state) == STT_SS_CLOSED)
		return;
	spin_lock(&s->rx_lock);
	ooo = s->rx_ranges.n && pn != s->rx_ranges.r[0].hi + 1;
	/*
	 * A packet later than the ACK frames that let its neighbours be
	 * forgotten is reported all the same, in the next frame: its sender
	 * may have declared it lost, and only this acknowledgment tells it
	 * the loss was spurious (packets sent from two CPUs on a veth arrive
	 * out of order so).
	 */
	if (pn < s->ack_floor)
		s->ack_floor = pn;
	stt_ranges_add(&s->rx_ranges, pn);
	if (s->rx_ranges.r[0].hi == pn)
		s->rx_largest_time = ktime_get_ns();
	if (eliciting) {
		s->ack_pending++;
		now = ooo || eliciting == STT_ACK_NOW ||
		      s->ack_pending >= STT_ACK_EVERY;
	}
	spin_unlock(&s->rx_lock);

	if (now)
		stt_recovery_send_ack(s);
	else if (eliciting && !timer_pending(&s->ack_timer) &&
		 READ_ONCE(s->state) == STT_SS_ESTABLISHED)
		mod_timer(&s->ack_timer,
			  jiffies + msecs_to_jiffies(STT_ACK_DELAY_MS));
}

/**
 * stt_recovery_forget() - a stream left the table: forget its packets
 * @s: the session
 * @id: its stream id, which a new stream may take next
 *
 * Its DATA, STREAM_FIN and WINDOW_UPDATE packets still in flight stay in
 * flight for the congestion window, but settle as packets that carried
 * nothing, so that they never touch a later stream with the same id.  Its
 * STREAM_RESET, if any, is still sent until acknowledged.
 */
void stt_recovery_forget(struct stt_session *s, u16 id)
{
	struct stt_sent *r;
	u32 i;

	spin_lock_bh(&s->pn_lock);
	/*
	 * Records declared lost too: they stay for a late ACK, which must not
	 * settle the data of a later stream with the same id.
	 */
	for (i = stt_sent_next(s->sent, s->sent_head, s->sent_tail, true);
	     i != s->sent_tail;
	     i = stt_sent_next(s->sent, i + 1, s->sent_tail, true)) {
		r = stt_sent_at(s->sent, i);
		if (r->stream == id && r->kind != STT_SENT_RESET)
			r->kind = r->kind == STT_SENT_DATA ? STT_SENT_GONE :
				  STT_SENT_OTHER;
	}
	spin_unlock_bh(&s->pn_lock);
}

/**
 * stt_recovery_init() - set up a new session's loss recovery
 * @s: the session
 *
 * Allocates nothing: the ring of sent packets waits for stt_recovery_ready(),
 * so that a half-open session costs no more than its struct.
 */
void stt_recovery_init(struct stt_session *s)
{
	stt_rtt_init(&s->rtt);
	stt_cc_init(&s->cc, STT_MIN_DGRAM, s->cc_algo);
	s->loss_pkts = STT_LOSS_PACKETS;
	stt_ranges_init(&s->rx_ranges);
	memset(&s->ack_hist, 0, sizeof(s->ack_hist));
	s->ack_floor = 0;
	timer_setup(&s->rtx_timer, stt_recovery_timer, 0);
	timer_setup(&s->ack_timer, stt_recovery_ack_timer, 0);
	hrtimer_init(&s->pace_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	s->pace_timer.function = stt_output_pace_timer;
}

/**
 * stt_recovery_ready() - allocate the ring of sent packets
 * @s: a session whose peer has proven the key, before its keys are set:
 *	no packet is recorded before that (every ack-eliciting packet is
 *	sealed), and the ring is set under @s->pn_lock, which every user of
 *	it takes.  May sleep.
 *
 * Return: 0 or -ENOMEM.
 */
int stt_recovery_ready(struct stt_session *s)
{
	struct stt_sent_ring *ring;

	ring = kvzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return -ENOMEM;
	spin_lock_bh(&s->pn_lock);
	if (!s->sent)
		swap(s->sent, ring);
	spin_unlock_bh(&s->pn_lock);
	kvfree(ring);
	return 0;
}

/**
 * stt_recovery_established() - the session's path is known
 * @s: the session, whose datagram size is now set
 * @rtt: the round trip the handshake measured, ns, or 0: the first sample,
 *	so that the first data's timeout fits the path
 */
void stt_recovery_established(struct stt_session *s, u64 rtt)
{
	spin_lock_bh(&s->pn_lock);
	if (rtt && !s->rtt.srtt)
		stt_rtt_sample(&s->rtt, rtt, 0);
	stt_cc_init(&s->cc, s->dgram, s->cc_algo);
	spin_unlock_bh(&s->pn_lock);
}

/**
 * stt_recovery_stop() - stop the timers of a session that closed
 * @s: the session; its state is %STT_SS_CLOSED, so they stay stopped
 */
void stt_recovery_stop(struct stt_session *s)
{
	del_timer(&s->rtx_timer);
	del_timer(&s->ack_timer);
	hrtimer_try_to_cancel(&s->pace_timer);
}

/**
 * stt_recovery_destroy() - free a session's loss recovery state
 * @s: the session, which nothing references any more
 */
void stt_recovery_destroy(struct stt_session *s)
{
	del_timer_sync(&s->rtx_timer);
	del_timer_sync(&s->ack_timer);
	hrtimer_cancel(&s->pace_timer);
	kvfree(s->sent);
}
