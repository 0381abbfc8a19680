// SPDX-License-Identifier: GPL-2.0
/*
 * The receiving side of streams.  Owns what happens to stream data from the
 * decrypted packet to recv(): DATA frames put in order (the packet's own skb
 * is queued, so the data is copied only once, to the reader), data received
 * ahead of a gap held until the gap fills (disjoint ranges in an rbtree),
 * duplicates dropped, small frames copied rather than pinning a packet, the
 * memory it all takes bounded (the socket's receive buffer, the namespace's
 * limit), flow control enforced against the windows we advertised (the
 * stream's, and the session's over all streams), the end of the peer's
 * stream, SOCK_SEQPACKET messages delivered whole or not at all, and
 * recvmsg() with its flags and timeouts.  It also keeps the session's receive accounting:
 * what each stream adds to the session's total (its highest offset, or its
 * final size), and what is consumed, read or thrown away, which opens the
 * session window again.
 *
 * The receive queue's lock guards the receive state; only the reader (under
 * the socket lock) takes chunks off the queue, so it can copy from the head
 * chunk without holding that lock.  The session's totals are atomics, so the
 * per-packet path takes no session-wide lock for them.
 */
#include <linux/sched/signal.h>

#include "stt.h"
#include "codec.h"
#include "reorder.h"
#include "rxcheck.h"

/* Bytes of the chunk not yet read. */
static unsigned int stt_chunk_left(const struct sk_buff *skb)
{
	return STT_CHUNK_CB(skb)->len - STT_CHUNK_CB(skb)->used;
}

static u64 stt_chunk_end(const struct sk_buff *skb)
{
	return STT_CHUNK_CB(skb)->offset + STT_CHUNK_CB(skb)->len;
}

/*
 * Cut a chunk down to [@off, @end) of what it covers.  Without its last
 * byte it no longer ends a message or the stream.
 */
static void stt_chunk_cut(struct sk_buff *skb, u64 off, u64 end)
{
	struct stt_chunk_cb *cb = STT_CHUNK_CB(skb);

	if (end != cb->offset + cb->len)
		cb->flags &= ~(STT_DATA_MSG_END | STT_DATA_FIN);
	skb_pull(skb, off - cb->offset);
	cb->offset = off;
	cb->len = end - off;
	skb_trim(skb, cb->len);
}

/*
 * The limit of a socket's receive buffers (truesize) for data held ahead of
 * a gap, twice sk_rcvbuf: the window grants at most sk_rcvbuf bytes of
 * data, and the buffers of a packet come to about twice its data or less
 * (smaller chunks are copied small, stt_input_compact()), as SO_RCVBUF
 * doubles what it is given for TCP.  Data in order may take three times
 * sk_rcvbuf: an 8 KiB datagram's buffers round up to 16 KiB, a little over
 * twice its data, and a full window of them (a SEQPACKET message that
 * cannot be read until it is whole) must always fit.
 */
static u64 stt_input_rmem_limit(const struct sock *sk, bool in_order)
{
	return (in_order ? 3 : 2) * (u64)READ_ONCE(sk->sk_rcvbuf);
}

/*
 * Whether a chunk of @truesize may be charged.  Data held ahead of a gap
 * may take the socket's receive buffers (in order and held together) up to
 * the held limit; data in order may take what waits in order up to its own
 * limit, so that held data never keeps out the data that fills its gap.  So
 * a socket holds at most five times sk_rcvbuf.  In the namespace, nothing
 * is charged beyond net.stt.mem_max_kbytes, and held data stops at three
 * quarters of it: held data is acknowledged, so it is never pruned, and the
 * last quarter stays for the data that fills gaps and lets it drain.
 * Receive queue locked.  Returns 0, or the counter of the drop.
 */
static int stt_input_admit(struct stt_sock *ssk, u32 truesize, bool in_order)
{
	struct sock *sk = &ssk->sk;
	struct stt_net *sn = stt_net(sock_net(sk));
	u64 used = max(atomic_read(&sk->sk_rmem_alloc), 0);
	u64 cap = stt_mem_max(sn);

	if (in_order)
		used = used > ssk->ooo_mem ? used - ssk->ooo_mem : 0;
	else
		cap -= cap / 4;
	if (!stt_rx_fits(used, truesize, stt_input_rmem_limit(sk, in_order)))
		return STT_STAT_DROP_RCVBUF;
	if (!stt_rx_fits(stt_mem_used(sn), truesize, cap))
		return STT_STAT_DROP_MEM_LIMIT;
	return 0;
}

/*
 * A chunk that would pin far more than its data (a small frame of a large
 * packet, or a clone of a packet with other frames) is copied into a buffer
 * of its own size, as tcp_collapse() does; a full packet is queued as it
 * is, so in-order data is still copied once, to the reader.  Receive queue
 * locked; the chunk is not charged yet.  Returns the chunk to queue.
 */
static struct sk_buff *stt_input_compact(struct stt_net *sn,
					 struct sk_buff *skb)
{
	unsigned int len = STT_CHUNK_CB(skb)->len;
	struct sk_buff *c;

	if (!stt_rx_collapse(skb->truesize, len))
		return skb;
	c = alloc_skb(len, GFP_ATOMIC);
	if (!c || skb_copy_bits(skb, 0, skb_put(c, len), len)) {
		kfree_skb(c);
		return skb;	/* the limits still apply to it */
	}
	memcpy(c->cb, skb->cb, sizeof(struct stt_chunk_cb));
	consume_skb(skb);
	STT_INC(sn, DATA_COLLAPSED);
	return c;
}

/* Append an in-order chunk.  Called with the receive queue locked. */
static void stt_input_append(struct stt_sock *ssk, struct sk_buff *skb)
{
	struct stt_chunk_cb *cb = STT_CHUNK_CB(skb);

	cb->used = 0;
	ssk->rcv_nxt = cb->offset + cb->len;
	ssk->bytes_rcvd += cb->len;
	if (cb->flags & STT_DATA_MSG_END)
		ssk->rcv_msgs++;
	__skb_queue_tail(&ssk->sk.sk_receive_queue, skb);
}

/* Take a chunk out of the held data.  Receive queue locked. */
static void stt_input_unhold(struct stt_sock *ssk, struct sk_buff *skb)
{
	rb_erase(&skb->rbnode, &ssk->ooo);
	ssk->ooo_mem -= skb->truesize;
}

/* Move what the gap held back once it is in order.  Receive queue locked. */
static void stt_input_drain_ooo(struct stt_sock *ssk)
{
	struct sk_buff *skb;
	u64 off, end;

	while ((skb = skb_rb_first(&ssk->ooo))) {
		off = STT_CHUNK_CB(skb)->offset;
		end = stt_chunk_end(skb);
		switch (stt_reorder_place(ssk->rcv_nxt, off, end)) {
		case STT_REORDER_LATER:
			return;
		case STT_REORDER_DUP:
			stt_input_unhold(ssk, skb);
			kfree_skb(skb);
			break;
		default:
			stt_input_unhold(ssk, skb);
			stt_chunk_cut(skb, ssk->rcv_nxt, end);
			stt_input_append(ssk, skb);
		}
	}
}

/**
 * stt_input_purge_ooo() - free the data a stream holds ahead of a gap
 * @ssk: the stream; its receive queue locked, or nothing else can reach it
 */
void stt_input_purge_ooo(struct stt_sock *ssk)
{
	struct sk_buff *skb;

	while ((skb = skb_rb_first(&ssk->ooo))) {
		stt_input_unhold(ssk, skb);
		kfree_skb(skb);
	}
}

/* Free a tree of held chunks taken off their stream. */
static void stt_input_free_tree(struct rb_root *root)
{
	struct sk_buff *skb;

	while ((skb = skb_rb_first(root))) {
		rb_erase(&skb->rbnode, root);
		kfree_skb(skb);
	}
}

/*
 * The held chunk that starts last at or before @off (only it can overlap
 * the head of data at @off: held ranges are disjoint), else the first.
 */
static struct sk_buff *stt_input_ooo_from(struct stt_sock *ssk, u64 off)
{
	struct rb_node *node = ssk->ooo.rb_node;
	struct sk_buff *at = NULL, *h;

	while (node) {
		h = rb_to_skb(node);
		if (off < STT_CHUNK_CB(h)->offset) {
			node = node->rb_left;
		} else {
			at = h;
			node = node->rb_right;
		}
	}
	return at ?: skb_rb_first(&ssk->ooo);
}

/*
 * Hold a chunk that came ahead of a gap, in the manner of
 * tcp_data_queue_ofo(): it is trimmed against the held ranges (dropped if
 * they cover it, cut where they overlap it), copied small if it pins too
 * much, admitted against the limits, and only then are the held ranges it
 * covers freed, so that nothing acknowledged is lost (held data is never
 * dropped: the peer freed it once acknowledged).  O(log n) but for the
 * ranges it covers.  Receive queue locked.  Returns 0 if held or a
 * duplicate (freed), or the counter of a drop (freed).
 */
static int stt_input_hold(struct stt_sock *ssk, struct sk_buff *skb)
{
	struct stt_net *sn = ssk->session->sn;
	u64 off = STT_CHUNK_CB(skb)->offset, end = stt_chunk_end(skb);
	struct rb_node **link = &ssk->ooo.rb_node, *parent = NULL;
	struct sk_buff *at, *next;
	enum stt_overlap ovl;
	int drop;

	/*
	 * Refused anyway: do not walk the held ranges first, or a peer could
	 * make each of its resent frames walk them all again.
	 */
	drop = stt_input_admit(ssk, 1, false);
	if (drop) {
		kfree_skb(skb);
		return drop;
	}
	for (at = stt_input_ooo_from(ssk, off);
	     at && STT_CHUNK_CB(at)->offset < end; at = skb_rb_next(at)) {
		ovl = stt_rx_overlap(&off, &end, STT_CHUNK_CB(at)->offset,
				     stt_chunk_end(at));
		if (ovl == STT_OVL_COVERED) {
			kfree_skb(skb);
			return STT_STAT_DROP_DUPLICATE;
		}
		if (ovl == STT_OVL_TAIL)
			break;
	}
	if (off != STT_CHUNK_CB(skb)->offset || end != stt_chunk_end(skb)) {
		STT_INC(sn, OOO_TRIMMED);
		stt_chunk_cut(skb, off, end);
	}
	skb = stt_input_compact(sn, skb);
	drop = stt_input_admit(ssk, skb->truesize, false);
	if (drop) {
		kfree_skb(skb);
		return drop;
	}
	/* What is left in [off, end) is covered by the new chunk. */
	for (at = stt_input_ooo_from(ssk, off);
	     at && STT_CHUNK_CB(at)->offset < end; at = next) {
		next = skb_rb_next(at);
		if (STT_CHUNK_CB(at)->offset < off)
			continue;
		STT_INC(sn, OOO_TRIMMED);
		stt_input_unhold(ssk, at);
		kfree_skb(at);
	}
	while (*link) {
		parent = *link;
		if (off < STT_CHUNK_CB(rb_to_skb(parent))->offset)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	stt_mem_charge_r(skb, &ssk->sk);
	ssk->ooo_mem += skb->truesize;
	rb_link_node(&skb->rbnode, parent, link);
	rb_insert_color(&skb->rbnode, &ssk->ooo);
	return 0;
}

/*
 * Queue a chunk that starts at or before the next offset expected, without
 * what was delivered before, and what it completes of the held data.
 * Receive queue locked.  Returns 0, or the counter of a drop (freed).
 */
static int stt_input_in_order(struct stt_sock *ssk, struct sk_buff *skb)
{
	struct stt_net *sn = ssk->session->sn;
	int drop;

	if (STT_CHUNK_CB(skb)->offset != ssk->rcv_nxt)
		stt_chunk_cut(skb, ssk->rcv_nxt, stt_chunk_end(skb));
	skb = stt_input_compact(sn, skb);
	drop = stt_input_admit(ssk, skb->truesize, true);
	if (drop) {
		kfree_skb(skb);
		return drop;
	}
	stt_mem_charge_r(skb, &ssk->sk);
	stt_input_append(ssk, skb);
	stt_input_drain_ooo(ssk);
	return 0;
}

/*
 * The peer says its stream ends at @final: believe it if it agrees with
 * the data, the window, and a final size received before.  Receive queue
 * locked.
 */
static enum stt_final stt_input_set_final(struct stt_sock *ssk, u64 final)
{
	u64 known = ssk->rcv_final;
	enum stt_final v;

	v = stt_rx_final(final, test_bit(STT_SF_FIN_RCVD, &ssk->sflags) ?
			 &known : NULL, max(ssk->rcv_highest, ssk->rcv_nxt),
			 ssk->rcv_adv);
	if (v == STT_FINAL_NEW) {
		ssk->rcv_final = final;
		set_bit(STT_SF_FIN_RCVD, &ssk->sflags);
	}
	return v;
}

/* Once everything up to the final size is in, readers see the end. */
static void stt_input_check_end(struct stt_sock *ssk)
{
	if (test_bit(STT_SF_FIN_RCVD, &ssk->sflags) &&
	    ssk->rcv_nxt == ssk->rcv_final)
		WRITE_ONCE(ssk->sk.sk_shutdown,
			   ssk->sk.sk_shutdown | RCV_SHUTDOWN);
}

/*
 * The peer's stream reaches @end (data, or its final size; at most the
 * stream window, so at most %STT_OFFSET_MAX): the session counts what that
 * adds beyond the highest offset seen, once, whether the data is delivered
 * or thrown away; not after the stream left the table.
 * Receive queue locked.
 * Returns false if the session's total goes beyond the window we
 * advertised: the peer broke the session's flow control.
 */
static bool stt_input_count(struct stt_sock *ssk, u64 end)
{
	struct stt_session *s = ssk->session;
	u64 total;

	/* A stream out of the table was settled (stt_input_removed()). */
	if (end <= ssk->rcv_highest ||
	    !test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		return true;
	total = atomic64_add_return(end - ssk->rcv_highest, &s->rcv_total);
	ssk->rcv_highest = end;
	return total <= (u64)atomic64_read(&s->rcv_max_total);
}

/* The peer sent beyond the session window: the session fails. */
static void stt_input_session_violation(struct stt_session *s)
{
	STT_INC(s->sn, DROP_SESSION_FLOW);
	stt_session_abort(s, STT_CLOSE_PROTOCOL, EPROTO);
}

/*
 * Bytes of the peer's streams were read or thrown away: the session window
 * may open.
 */
static void stt_input_credit(struct stt_session *s, u64 n)
{
	if (!n)
		return;
	atomic64_add(n, &s->rcv_consumed);
	stt_stream_session_window(s, false);
}

/* What a DATA frame comes to once checked under the receive queue's lock. */
enum {
	STT_IN_TAKE,		/* to be queued */
	STT_IN_GONE,		/* the stream left the table meanwhile */
	STT_IN_FINAL,		/* against the stream's final size */
	STT_IN_SESSION,		/* beyond the session window */
	STT_IN_CLOSED,		/* the socket is closed: nobody reads it */
};

/* Check a DATA frame and account for it.  Receive queue locked. */
static int stt_input_check(struct stt_sock *ssk, u8 flags, u64 end)
{
	/* Nothing enters a stream that left the table (stt_input_removed()). */
	if (!test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		return STT_IN_GONE;
	/* Within the window, so never beyond it (STT_FINAL_BEYOND). */
	if ((flags & STT_DATA_FIN) &&
	    stt_input_set_final(ssk, end) == STT_FINAL_BELOW)
		return STT_IN_FINAL;
	if (test_bit(STT_SF_FIN_RCVD, &ssk->sflags) && end > ssk->rcv_final)
		return STT_IN_FINAL;
	/* Counted even for a closed socket: the peer counted it as sent. */
	if (!stt_input_count(ssk, end))
		return STT_IN_SESSION;
	if (test_bit(STT_SF_FIN_RCVD, &ssk->sflags))
		set_bit(STT_SF_FINAL_COUNTED, &ssk->sflags);
	/* Set before the socket's queue was thrown away (stt_input_discard()). */
	if (test_bit(STT_SF_ORPHAN, &ssk->sflags))
		return STT_IN_CLOSED;
	return STT_IN_TAKE;
}

/* A DATA frame failed its checks: count it, and tell the peer. */
static void stt_input_reject(struct stt_session *s, struct stt_sock *ssk,
			     int verdict)
{
	switch (verdict) {
	case STT_IN_GONE:
		STT_INC(s->sn, DROP_NO_STREAM);
		break;
	case STT_IN_FINAL:
		STT_INC(s->sn, DROP_FINAL_SIZE);
		stt_stream_abort(ssk, STT_RESET_FINAL_SIZE);
		break;
	case STT_IN_SESSION:
		stt_input_session_violation(s);
		break;
	case STT_IN_CLOSED:
		/* Nobody will read it: tell the peer to stop. */
		STT_INC(s->sn, DROP_STREAM_CLOSED);
		stt_stream_abort(ssk, STT_RESET_CLOSED);
		break;
	}
}

/**
 * stt_input_data() - a DATA frame arrived
 * @s: the session
 * @skb: the decrypted packet the frame is in
 * @f: the frame, pointing into @skb
 * @take: whether the frame may keep @skb itself (it is the packet's last
 *	frame); otherwise it queues a clone
 * @refused: set if the frame was dropped for want of memory (the socket's
 *	receive buffers or the namespace's limit): its packet must not be
 *	acknowledged, so that the peer sends the data again
 *
 * Data that ends beyond %STT_OFFSET_MAX or the stream's window resets the
 * stream (%STT_RESET_FLOW), data against its final size too
 * (%STT_RESET_FINAL_SIZE); data beyond the session's window fails the
 * session.  Runs in softirq.
 *
 * Return: true if @skb was taken (queued or freed).
 */
bool stt_input_data(struct stt_session *s, struct sk_buff *skb,
		    const struct stt_frame *f, bool take, bool *refused)
{
	u64 off = f->data.offset, end;
	u8 flags = f->data.flags;
	struct stt_net *sn = s->sn;
	struct sk_buff *data = NULL;
	struct stt_sock *ssk;
	struct sock *sk;
	int verdict;

	ssk = stt_stream_lookup(s, f->data.stream);
	if (!ssk) {
		STT_INC(sn, DROP_NO_STREAM);
		return false;
	}
	sk = &ssk->sk;
	if (!stt_rx_end(off, f->data.len, &end)) {
		STT_INC(sn, DROP_OFFSET_INVALID);
		stt_stream_abort(ssk, STT_RESET_FLOW);
		goto out;
	}
	if (end > READ_ONCE(ssk->rcv_adv)) {
		STT_INC(sn, DROP_FLOW_CONTROL);
		stt_stream_abort(ssk, STT_RESET_FLOW);
		goto out;
	}

	data = take ? skb : skb_clone(skb, GFP_ATOMIC);
	if (!data) {
		STT_INC(sn, DROP_NOMEM);
		*refused = true;
		goto out;
	}
	skb_pull(data, f->data.data - data->data);
	skb_trim(data, f->data.len);
	memset(data->cb, 0, sizeof(struct stt_chunk_cb));
	STT_CHUNK_CB(data)->offset = off;
	STT_CHUNK_CB(data)->len = f->data.len;
	STT_CHUNK_CB(data)->flags = flags;

	/* @f may point into @data from here on, which may be freed. */
	spin_lock_bh(&sk->sk_receive_queue.lock);
	verdict = stt_input_check(ssk, flags, end);
	if (verdict != STT_IN_TAKE) {
		spin_unlock_bh(&sk->sk_receive_queue.lock);
		kfree_skb(data);
		/*
		 * @s, not ssk->session: once the stream is out of the table
		 * a failed connect() may clear that (stt_connect_undo()).
		 */
		stt_input_reject(s, ssk, verdict);
		goto out;
	}
	ssk->frames_rcvd++;
	switch (stt_reorder_place(ssk->rcv_nxt, off, end)) {
	case STT_REORDER_DUP:
		verdict = STT_STAT_DROP_DUPLICATE;
		kfree_skb(data);
		break;
	case STT_REORDER_LATER:
		STT_INC(sn, DATA_OUT_OF_ORDER);
		/* Empty: nothing to hold (a final size was taken above). */
		if (off == end) {
			kfree_skb(data);
			break;
		}
		verdict = stt_input_hold(ssk, data);
		break;
	default:
		verdict = stt_input_in_order(ssk, data);
	}
	stt_input_check_end(ssk);
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	if (verdict) {
		stt_count(sn, verdict, 1);
		if (verdict != STT_STAT_DROP_DUPLICATE)
			*refused = true;
	}
	sk->sk_data_ready(sk);
	stt_stream_maybe_done(ssk);
out:
	sock_put(sk);
	return take && data == skb;
}

/* A final size failed its checks: count it, and reset the stream. */
static void stt_input_bad_final(struct stt_session *s, struct stt_sock *ssk,
				enum stt_final v)
{
	if (v == STT_FINAL_BEYOND) {
		STT_INC(s->sn, DROP_FLOW_CONTROL);
		stt_stream_abort(ssk, STT_RESET_FLOW);
	} else {
		STT_INC(s->sn, DROP_FINAL_SIZE);
		stt_stream_abort(ssk, STT_RESET_FINAL_SIZE);
	}
}

/**
 * stt_input_fin() - the peer says its stream ends at @final
 * @s: the session the frame came in on (ssk->session may be cleared by a
 *	failed connect() once the stream is out of the table)
 * @ssk: the stream
 * @final: its final size (STREAM_FIN)
 *
 * A final size below the data received, different from one received
 * before, or beyond the stream window resets the stream; one beyond the
 * session window fails the session.
 */
void stt_input_fin(struct stt_session *s, struct stt_sock *ssk, u64 final)
{
	struct sock *sk = &ssk->sk;
	bool counted = true;
	enum stt_final v;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	v = stt_input_set_final(ssk, final);
	if (v == STT_FINAL_NEW || v == STT_FINAL_SAME) {
		counted = stt_input_count(ssk, final);
		set_bit(STT_SF_FINAL_COUNTED, &ssk->sflags);
	}
	stt_input_check_end(ssk);
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	if (v == STT_FINAL_BELOW || v == STT_FINAL_BEYOND) {
		stt_input_bad_final(s, ssk, v);
		return;
	}
	if (!counted) {
		stt_input_session_violation(s);
		return;
	}
	sk->sk_state_change(sk);
	stt_stream_maybe_done(ssk);
}

/**
 * stt_input_reset() - the peer aborted its stream at @final
 * @s: the session the frame came in on
 * @ssk: the stream, about to leave the table
 * @final: the final size in its STREAM_RESET
 *
 * The session counts the stream up to its final size, data that never
 * arrived included, as the peer counted it when it sent it.  A final size
 * beyond the session window fails the session.  One that cannot be true
 * (below the data received, different from a final size received before,
 * beyond the stream window) is counted as a drop and adds nothing: what
 * the session counts stays within the stream window.
 *
 * Return: false if the session failed.
 */
bool stt_input_reset(struct stt_session *s, struct stt_sock *ssk, u64 final)
{
	struct sock *sk = &ssk->sk;
	enum stt_final v;
	bool ok = true;
	u64 known;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	/* Under the lock: a FIN on another CPU sets both together. */
	known = ssk->rcv_final;
	v = stt_rx_final(final, test_bit(STT_SF_FIN_RCVD, &ssk->sflags) ?
			 &known : NULL, max(ssk->rcv_highest, ssk->rcv_nxt),
			 ssk->rcv_adv);
	if (v == STT_FINAL_NEW || v == STT_FINAL_SAME)
		ok = stt_input_count(ssk, final);
	set_bit(STT_SF_FINAL_COUNTED, &ssk->sflags);
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	if (v == STT_FINAL_BEYOND)
		STT_INC(s->sn, DROP_FLOW_CONTROL);
	else if (v == STT_FINAL_BELOW)
		STT_INC(s->sn, DROP_FINAL_SIZE);
	if (!ok)
		stt_input_session_violation(s);
	return ok;
}

/**
 * stt_input_removed() - a stream left its session's table
 * @ssk: the stream; nothing enters its queues any more
 *
 * What it received in order stays readable and is credited to the session
 * as it is read (or thrown away with the socket).  Everything beyond it is
 * credited now: the data held ahead of a gap, which can never be delivered
 * (and is freed), and what the peer sent or may still send and is never
 * counted.  With the final size known that is up to it.  Without (we reset
 * the stream, or closed its socket first), the peer counts whatever it
 * sends, up to the window we granted the stream, while what arrives from
 * now on is dropped uncounted; so up to that window is credited.  Crediting
 * more than the peer ends up sending widens the session window beyond its
 * budget by at most the stream's unused window; crediting less would
 * shrink it for good.
 */
void stt_input_removed(struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;
	struct rb_root ooo;
	u64 end;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	end = ssk->rcv_highest;
	if (!test_bit(STT_SF_FINAL_COUNTED, &ssk->sflags))
		end = max(end, ssk->rcv_adv);
	end = end > ssk->rcv_nxt ? end - ssk->rcv_nxt : 0;
	ooo = ssk->ooo;
	ssk->ooo = RB_ROOT;
	ssk->ooo_mem = 0;
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	stt_input_free_tree(&ooo);
	stt_input_credit(ssk->session, end);
}

/**
 * stt_input_discard() - throw away what a closed socket did not read
 * @ssk: the stream, whose socket is closed (and orphaned, if it is still
 *	in the table, so that nothing enters its queue any more)
 *
 * Frees the data now rather than with the socket, and credits it to the
 * session.  Doing it twice does nothing.
 */
void stt_input_discard(struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;
	struct sk_buff_head q;
	u64 n;

	if (!ssk->session)
		return;
	__skb_queue_head_init(&q);
	spin_lock_bh(&sk->sk_receive_queue.lock);
	skb_queue_splice_init(&sk->sk_receive_queue, &q);
	stt_input_purge_ooo(ssk);
	n = ssk->rcv_nxt - ssk->rcv_read;
	ssk->rcv_read = ssk->rcv_nxt;
	ssk->rcv_msgs = 0;
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	__skb_queue_purge(&q);
	stt_input_credit(ssk->session, n);
}

/**
 * stt_input_readable() - whether recv() would return data now
 * @ssk: the stream
 *
 * Return: true if a byte (SOCK_STREAM) or a whole message (SOCK_SEQPACKET)
 * waits.
 */
bool stt_input_readable(struct stt_sock *ssk)
{
	if (ssk->kind == STT_KIND_MESSAGES)
		return READ_ONCE(ssk->rcv_msgs) > 0;
	return !skb_queue_empty_lockless(&ssk->sk.sk_receive_queue);
}

/* Bytes read: the stream's window and the session's may open. */
static void stt_input_consumed(struct stt_sock *ssk, size_t n)
{
	struct sock *sk = &ssk->sk;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	ssk->rcv_read += n;
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	if (test_bit(STT_SF_IN_TABLE, &ssk->sflags) &&
	    !test_bit(STT_SF_FIN_RCVD, &ssk->sflags))
		stt_stream_send_window(ssk, false);
	stt_input_credit(ssk->session, n);
}

/* Take the head chunk off the queue once it is read. */
static void stt_input_unlink(struct stt_sock *ssk, struct sk_buff *skb)
{
	spin_lock_bh(&ssk->sk.sk_receive_queue.lock);
	__skb_unlink(skb, &ssk->sk.sk_receive_queue);
	if (STT_CHUNK_CB(skb)->flags & STT_DATA_MSG_END)
		ssk->rcv_msgs--;
	spin_unlock_bh(&ssk->sk.sk_receive_queue.lock);
	kfree_skb(skb);
}

static struct sk_buff *stt_input_next(struct stt_sock *ssk,
				      struct sk_buff *skb)
{
	struct sk_buff_head *q = &ssk->sk.sk_receive_queue;
	struct sk_buff *next;

	spin_lock_bh(&q->lock);
	next = skb ? skb_peek_next(skb, q) : skb_peek(q);
	spin_unlock_bh(&q->lock);
	return next;
}

/* Copy one whole message; the rest of a long one is dropped (MSG_TRUNC). */
static int stt_input_message(struct stt_sock *ssk, struct msghdr *msg,
			     size_t len, int flags)
{
	bool peek = flags & MSG_PEEK;
	struct sk_buff *skb, *next;
	size_t copied = 0, total = 0;
	unsigned int n;
	bool end;
	int err;

	for (skb = stt_input_next(ssk, NULL); skb; skb = next) {
		n = min_t(size_t, len - copied, stt_chunk_left(skb));
		if (n) {
			err = skb_copy_datagram_msg(skb, STT_CHUNK_CB(skb)->used,
						    msg, n);
			if (err)
				return copied ? copied : err;
		}
		copied += n;
		total += stt_chunk_left(skb);
		end = STT_CHUNK_CB(skb)->flags & STT_DATA_MSG_END;
		next = end ? NULL : stt_input_next(ssk, skb);
		if (!peek)
			stt_input_unlink(ssk, skb);
		if (end)
			break;
	}
	if (!peek)
		stt_input_consumed(ssk, total);
	if (total > copied)
		msg->msg_flags |= MSG_TRUNC;
	msg->msg_flags |= MSG_EOR;
	return flags & MSG_TRUNC ? total : copied;
}

/* Copy bytes in order, across chunks. */
static int stt_input_bytes(struct stt_sock *ssk, struct msghdr *msg,
			   size_t len, int flags, size_t *peeked)
{
	bool peek = flags & MSG_PEEK;
	size_t copied = 0, skip = peek ? *peeked : 0;
	struct sk_buff *skb, *next;
	unsigned int n, at;
	int err;

	for (skb = stt_input_next(ssk, NULL); skb && copied < len; skb = next) {
		next = stt_input_next(ssk, skb);
		if (skip >= stt_chunk_left(skb)) {
			skip -= stt_chunk_left(skb);
			continue;
		}
		at = STT_CHUNK_CB(skb)->used + skip;
		n = min_t(size_t, len - copied, stt_chunk_left(skb) - skip);
		skip = 0;
		err = skb_copy_datagram_msg(skb, at, msg, n);
		if (err)
			return copied ? copied : err;
		copied += n;
		if (peek)
			continue;
		STT_CHUNK_CB(skb)->used += n;
		if (!stt_chunk_left(skb))
			stt_input_unlink(ssk, skb);
	}
	if (peek)
		*peeked += copied;
	else if (copied)
		stt_input_consumed(ssk, copied);
	return copied;
}

/*
 * Whether recv() has something to copy that it has not copied already: a
 * peek that waits for more (MSG_WAITALL, SO_RCVLOWAT) copied, without
 * taking it, all that is queued, so a queue that is not empty is not enough:
 * it must hold more than @peeked bytes, or the loop below would go round
 * forever with the socket locked (and the softirq that appends data does
 * not need the socket lock, so waiting for more is safe).  Every byte
 * appended in order advances @rcv_nxt and every byte read advances
 * @rcv_read, so their difference is what the queue holds.
 */
static bool stt_input_unpeeked(struct stt_sock *ssk, size_t peeked)
{
	if (!peeked)
		return stt_input_readable(ssk);
	return READ_ONCE(ssk->rcv_nxt) - READ_ONCE(ssk->rcv_read) > peeked;
}

/**
 * stt_input_recvmsg() - read from a stream
 * @ssk: a connected or accepted stream; the caller holds the socket lock
 * @msg: where to
 * @len: room there
 * @flags: %MSG_DONTWAIT, %MSG_PEEK, %MSG_WAITALL, %MSG_TRUNC
 *
 * Data that arrived stays readable after the stream or its session failed;
 * the error comes after it, and the end of the stream (0) after that.
 *
 * Return: bytes read, 0 at the end of the stream, or a negative errno.
 */
int stt_input_recvmsg(struct stt_sock *ssk, struct msghdr *msg, size_t len,
		      int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	bool msgs = ssk->kind == STT_KIND_MESSAGES;
	struct sock *sk = &ssk->sk;
	size_t copied = 0, peeked = 0;
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	int target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	int n;

	for (;;) {
		if (stt_input_unpeeked(ssk, peeked)) {
			if (msgs)
				return stt_input_message(ssk, msg, len, flags);
			n = stt_input_bytes(ssk, msg, len - copied, flags,
					    &peeked);
			if (n < 0)
				return copied ? copied : n;
			copied += n;
			if (copied >= target || copied == len)
				return copied;
			continue;
		}
		if (sk->sk_err)
			return copied ? copied : sock_error(sk);
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			return copied;
		if (!timeo)
			return copied ? copied : -EAGAIN;
		if (signal_pending(current))
			return copied ? copied : sock_intr_errno(timeo);
		add_wait_queue(sk_sleep(sk), &wait);
		sk_wait_event(sk, &timeo, stt_input_unpeeked(ssk, peeked) ||
			      READ_ONCE(sk->sk_err) ||
			      (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN),
			      &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
}
