// SPDX-License-Identifier: GPL-2.0
/*
 * The receiving side of streams.  Owns what happens to stream data from the
 * decrypted packet to recv(): DATA frames put in order (the packet's own skb
 * is queued, so the data is copied only once, to the reader), data received
 * ahead of a gap held until the gap fills, duplicates dropped, flow control
 * enforced against the windows we advertised (the stream's, and the
 * session's over all streams), the end of the peer's stream,
 * SOCK_SEQPACKET messages delivered whole or not at all, and recvmsg() with
 * its flags and timeouts.  It also keeps the session's receive accounting:
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

/* Bytes of the chunk not yet read. */
static unsigned int stt_chunk_left(const struct sk_buff *skb)
{
	return STT_CHUNK_CB(skb)->len - STT_CHUNK_CB(skb)->used;
}

/*
 * Append an in-order chunk (its first @skip bytes were delivered already).
 * Called with the receive queue locked.
 */
static void stt_input_append(struct stt_sock *ssk, struct sk_buff *skb,
			     unsigned int skip)
{
	struct stt_chunk_cb *cb = STT_CHUNK_CB(skb);

	cb->used = skip;
	ssk->rcv_nxt = cb->offset + cb->len;
	ssk->bytes_rcvd += cb->len - skip;
	if (cb->flags & STT_DATA_MSG_END)
		ssk->rcv_msgs++;
	__skb_queue_tail(&ssk->sk.sk_receive_queue, skb);
}

/* Move what the gap held back once it is in order.  Receive queue locked. */
static void stt_input_drain_ooo(struct stt_sock *ssk)
{
	struct sk_buff *skb;
	u64 off, end;

	while ((skb = skb_peek(&ssk->ooo))) {
		off = STT_CHUNK_CB(skb)->offset;
		end = off + STT_CHUNK_CB(skb)->len;
		switch (stt_reorder_place(ssk->rcv_nxt, off, end)) {
		case STT_REORDER_LATER:
			return;
		case STT_REORDER_DUP:
			__skb_unlink(skb, &ssk->ooo);
			kfree_skb(skb);
			break;
		default:
			__skb_unlink(skb, &ssk->ooo);
			stt_input_append(ssk, skb, ssk->rcv_nxt - off);
		}
	}
}

/* Hold a chunk that came ahead of a gap, by offset.  Receive queue locked. */
static void stt_input_hold(struct stt_sock *ssk, struct sk_buff *skb)
{
	u64 off = STT_CHUNK_CB(skb)->offset;
	struct sk_buff *at;

	skb_queue_reverse_walk(&ssk->ooo, at) {
		if (STT_CHUNK_CB(at)->offset == off &&
		    STT_CHUNK_CB(at)->len >= STT_CHUNK_CB(skb)->len) {
			kfree_skb(skb);		/* already held */
			return;
		}
		if (STT_CHUNK_CB(at)->offset <= off) {
			__skb_queue_after(&ssk->ooo, at, skb);
			return;
		}
	}
	__skb_queue_head(&ssk->ooo, skb);
}

/* The peer's stream ends at @final.  Receive queue locked. */
static bool stt_input_set_final(struct stt_sock *ssk, u64 final)
{
	if (test_bit(STT_SF_FIN_RCVD, &ssk->sflags))
		return ssk->rcv_final == final;
	if (final < ssk->rcv_nxt)
		return false;
	ssk->rcv_final = final;
	set_bit(STT_SF_FIN_RCVD, &ssk->sflags);
	return true;
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
 * The peer's stream reaches @end (data, or its final size): the session
 * counts what that adds beyond the highest offset seen, once, whether the
 * data is delivered or thrown away; not after the stream left the table.
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
	STT_IN_TAKE,		/* queued (or a duplicate, freed) */
	STT_IN_GONE,		/* the stream left the table meanwhile */
	STT_IN_FRAME,		/* beyond or against the stream's final size */
	STT_IN_SESSION,		/* beyond the session window */
	STT_IN_CLOSED,		/* the socket is closed: nobody reads it */
};

/* Check a DATA frame and account for it.  Receive queue locked. */
static int stt_input_check(struct stt_sock *ssk, const struct stt_frame *f,
			   u64 end)
{
	bool fin_ok = true;

	/* Nothing enters a stream that left the table (stt_input_removed()). */
	if (!test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		return STT_IN_GONE;
	if (f->data.flags & STT_DATA_FIN)
		fin_ok = stt_input_set_final(ssk, end);
	if (test_bit(STT_SF_FIN_RCVD, &ssk->sflags) && end > ssk->rcv_final)
		fin_ok = false;
	if (!fin_ok)
		return STT_IN_FRAME;
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

/**
 * stt_input_data() - a DATA frame arrived
 * @s: the session
 * @skb: the decrypted packet the frame is in
 * @f: the frame, pointing into @skb
 * @take: whether the frame may keep @skb itself (it is the packet's last
 *	frame); otherwise it queues a clone
 *
 * Data beyond the stream's window resets the stream; data beyond the
 * session's window fails the session.  Runs in softirq.
 *
 * Return: true if @skb was taken (queued or freed).
 */
bool stt_input_data(struct stt_session *s, struct sk_buff *skb,
		    const struct stt_frame *f, bool take)
{
	u64 off = f->data.offset, end = off + f->data.len;
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
	if (end > READ_ONCE(ssk->rcv_adv)) {
		STT_INC(sn, DROP_FLOW_CONTROL);
		stt_stream_abort(ssk, STT_RESET_FLOW);
		goto out;
	}

	data = take ? skb : skb_clone(skb, GFP_ATOMIC);
	if (!data) {
		STT_INC(sn, DROP_NOMEM);
		goto out;
	}
	skb_pull(data, f->data.data - data->data);
	skb_trim(data, f->data.len);
	memset(data->cb, 0, sizeof(struct stt_chunk_cb));
	STT_CHUNK_CB(data)->offset = off;
	STT_CHUNK_CB(data)->len = f->data.len;
	STT_CHUNK_CB(data)->flags = f->data.flags;
	stt_mem_charge_r(data, sk);

	spin_lock_bh(&sk->sk_receive_queue.lock);
	verdict = stt_input_check(ssk, f, end);
	if (verdict != STT_IN_TAKE) {
		spin_unlock_bh(&sk->sk_receive_queue.lock);
		kfree_skb(data);
		switch (verdict) {
		case STT_IN_GONE:
			STT_INC(sn, DROP_NO_STREAM);
			break;
		case STT_IN_FRAME:
			STT_INC(sn, DROP_FRAME);
			break;
		case STT_IN_SESSION:
			stt_input_session_violation(s);
			break;
		case STT_IN_CLOSED:
			/* Nobody will read it: tell the peer to stop. */
			STT_INC(sn, DROP_STREAM_CLOSED);
			stt_stream_abort(ssk, STT_RESET_CLOSED);
			break;
		}
		goto out;
	}
	ssk->frames_rcvd++;
	switch (stt_reorder_place(ssk->rcv_nxt, off, end)) {
	case STT_REORDER_DUP:
		STT_INC(sn, DROP_DUPLICATE);
		kfree_skb(data);
		break;
	case STT_REORDER_LATER:
		STT_INC(sn, DATA_OUT_OF_ORDER);
		stt_input_hold(ssk, data);
		break;
	default:
		stt_input_append(ssk, data, ssk->rcv_nxt - off);
		stt_input_drain_ooo(ssk);
	}
	stt_input_check_end(ssk);
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	sk->sk_data_ready(sk);
	stt_stream_maybe_done(ssk);
out:
	sock_put(sk);
	return take && data == skb;
}

/**
 * stt_input_fin() - the peer says its stream ends at @final
 * @ssk: the stream
 * @final: its final size (STREAM_FIN)
 *
 * A final size beyond the session window fails the session.
 */
void stt_input_fin(struct stt_sock *ssk, u64 final)
{
	struct sock *sk = &ssk->sk;
	bool ok, counted = true;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	ok = stt_input_set_final(ssk, final);
	if (ok) {
		counted = stt_input_count(ssk, final);
		set_bit(STT_SF_FINAL_COUNTED, &ssk->sflags);
	}
	stt_input_check_end(ssk);
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	if (!ok) {
		STT_INC(ssk->session->sn, DROP_FRAME);
		return;
	}
	if (!counted) {
		stt_input_session_violation(ssk->session);
		return;
	}
	sk->sk_state_change(sk);
	stt_stream_maybe_done(ssk);
}

/**
 * stt_input_reset() - the peer aborted its stream at @final
 * @ssk: the stream, about to leave the table
 * @final: the final size in its STREAM_RESET
 *
 * The session counts the stream up to its final size, data that never
 * arrived included, as the peer counted it when it sent it.  A final size
 * beyond the session window fails the session.
 *
 * Return: false if it did.
 */
bool stt_input_reset(struct stt_sock *ssk, u64 final)
{
	struct sock *sk = &ssk->sk;
	bool ok;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	ok = stt_input_count(ssk, final);
	set_bit(STT_SF_FINAL_COUNTED, &ssk->sflags);
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	if (!ok)
		stt_input_session_violation(ssk->session);
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
	struct sk_buff_head ooo;
	u64 end;

	__skb_queue_head_init(&ooo);
	spin_lock_bh(&sk->sk_receive_queue.lock);
	end = ssk->rcv_highest;
	if (!test_bit(STT_SF_FINAL_COUNTED, &ssk->sflags))
		end = max(end, ssk->rcv_adv);
	end = end > ssk->rcv_nxt ? end - ssk->rcv_nxt : 0;
	skb_queue_splice_init(&ssk->ooo, &ooo);
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	__skb_queue_purge(&ooo);
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
	skb_queue_splice_tail_init(&ssk->ooo, &q);
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
		if (stt_input_readable(ssk)) {
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
		sk_wait_event(sk, &timeo, stt_input_readable(ssk) ||
			      READ_ONCE(sk->sk_err) ||
			      (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN),
			      &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
}
