// SPDX-License-Identifier: GPL-2.0
/*
 * The sending side of streams.  Owns the path of user data from send() to
 * the wire: cutting writes into chunks that each fill one datagram (the one
 * copy of the data), coalescing short writes, corking, the end of a stream
 * (FIN), the chunks sent and not yet acknowledged (each stream's
 * retransmission queue, freed as acknowledgments come, resent when
 * recovery.c declares them lost), and the session's scheduler, which takes
 * turns among the streams with data (round-robin, a stream of priority p
 * sending p + 1 frames per turn), sends lost chunks before new ones, respects
 * each stream's flow control window, the session's flow control window (the
 * peer's limit on new data over all streams: snd_total, which only the
 * pusher touches, against snd_max_total), its congestion window and its
 * pacer (pace.c: when the pacer holds a packet back, a timer runs the
 * pusher again once it may go), and seals each chunk into a new packet skb
 * (out of place, so the chunk stays as it was for a retransmission).
 * Chunks are charged to the namespace's memory (mem.c), and the send buffer
 * a writer may fill shrinks under its pressure.
 *
 * One pusher runs per session at a time (%STT_TX_BUSY); whoever finds it
 * busy leaves a note (%STT_TX_AGAIN) and the running pusher looks again, so
 * no lock is held while sealing and the per-packet path takes only the
 * stream's own write queue lock.
 */
#include <linux/sched/signal.h>

#include "stt.h"
#include "codec.h"

/* What precedes a chunk's data in its packet. */
#define STT_CHUNK_HDR	(STT_HDR_LEN + 1 + STT_DATA_HDR_LEN)

/* Packets one pusher sends before it hands over to the work queue. */
#define STT_PUSH_BUDGET	256

/* Stream data bytes one datagram of @s carries. */
static unsigned int stt_chunk_cap(const struct stt_session *s)
{
	return s->dgram - STT_CHUNK_HDR - STT_TAG_LEN;
}

/* Bytes a chunk still has room for. */
static unsigned int stt_chunk_room(const struct stt_session *s,
				   const struct sk_buff *skb)
{
	return stt_chunk_cap(s) - STT_CHUNK_CB(skb)->len;
}

static struct sk_buff *stt_chunk_alloc(struct stt_sock *ssk)
{
	struct stt_session *s = ssk->session;
	struct sock *sk = &ssk->sk;
	struct sk_buff *skb;

	skb = stt_endpoint_alloc_skb(s->dgram - STT_TAG_LEN, sk->sk_allocation);
	if (!skb)
		return NULL;
	skb_reserve(skb, STT_CHUNK_HDR);
	memset(skb->cb, 0, sizeof(struct stt_chunk_cb));
	STT_CHUNK_CB(skb)->offset = ssk->snd_nxt;
	stt_mem_charge_w(skb, sk);
	return skb;
}

/*
 * Seal a chunk into a new packet and send it.  The chunk stays in the
 * retransmission queue (and counts against the send buffer) until the peer
 * acknowledges it; the caller holds a reference on it meanwhile.  Only the
 * session's pusher calls this, so the chunk's header room is its own.
 */
static void stt_chunk_xmit(struct stt_session *s, struct stt_sock *ssk,
			   struct sk_buff *chunk)
{
	struct stt_chunk_cb *cb = STT_CHUNK_CB(chunk);
	struct stt_frame f = {
		.type = STT_FRAME_DATA,
		.data = {
			.stream = ssk->stream_id,
			.flags = cb->flags,
			.offset = cb->offset,
			.len = cb->len,
		},
	};
	struct stt_sent rec = {
		.kind = STT_SENT_DATA,
		.stream = ssk->stream_id,
		.offset = cb->offset,
		.len = cb->len,
	};
	unsigned int plen = STT_CHUNK_HDR + cb->len, alen, room;
	u8 ack[STT_ACK_PIGGY_LEN];
	struct sk_buff *skb;

	/*
	 * An acknowledgment that waits rides along, ahead of the DATA frame
	 * (which stays last, so that the receiver keeps the packet without a
	 * clone), where the datagram has room: in the chunk's headroom, which
	 * holds the link, IP and UDP headers' room of a packet it never uses.
	 */
	room = plen + STT_TAG_LEN < s->dgram ?
	       min3(s->dgram - STT_TAG_LEN - plen, (unsigned int)sizeof(ack),
		    skb_headroom(chunk) - STT_CHUNK_HDR) : 0;
	skb = stt_endpoint_alloc_skb(plen + room, GFP_ATOMIC);
	if (!skb) {
		/* Sent in the records' eyes: the timer will resend it. */
		spin_lock_bh(&s->pn_lock);
		stt_recovery_sent(s, &rec, s->tx_pn++);
		spin_unlock_bh(&s->pn_lock);
		STT_INC(s->sn, TX_ERRORS);
		return;
	}
	alen = stt_recovery_ack_piggyback(s, ack, room);
	plen += alen;
	skb_put(skb, plen + STT_TAG_LEN);
	stt_data_hdr_encode(skb_push(chunk, 1 + STT_DATA_HDR_LEN), &f);
	memcpy(skb_push(chunk, alen), ack, alen);
	skb_push(chunk, STT_HDR_LEN);
	if (stt_session_xmit(s, skb, chunk->data, &rec))
		STT_INC(s->sn, TX_ERRORS);
	skb_pull(chunk, STT_CHUNK_HDR + alen);
	stt_pace_sent(&s->pacer, ktime_get_ns(), plen + STT_TAG_LEN);
}

/*
 * Whether the pacer or the local queue limit holds the next DATA packet
 * back; if so, the pace timer runs the pusher when the packet may go, or
 * when a packet left the local queues (txq.c).  The rate follows the
 * congestion window and the RTT, read without the lock as
 * stt_recovery_room() does.
 */
static bool stt_output_paced(struct stt_session *s)
{
	u64 now = ktime_get_ns(), wait;

	stt_pace_set(&s->pacer, stt_pace_rate(READ_ONCE(s->cc.cwnd),
					      READ_ONCE(s->cc.ssthresh),
					      READ_ONCE(s->rtt.srtt)),
		     s->dgram);
	if (stt_txq_full(s, s->pacer.rate))
		return true;
	wait = stt_pace_wait(&s->pacer, now);
	if (!wait)
		return false;
	if (READ_ONCE(s->state) == STT_SS_ESTABLISHED)
		hrtimer_start(&s->pace_timer, ns_to_ktime(wait),
			      HRTIMER_MODE_REL_SOFT);
	STT_INC(s->sn, PACED);
	return true;
}

/**
 * stt_output_pace_timer() - the pacer lets the next packet go
 * @t: stt_session.pace_timer
 *
 * Runs in softirq context.  The session is alive: stt_recovery_destroy()
 * cancels the timer, and a closed session does not arm it.
 *
 * Return: %HRTIMER_NORESTART; the pusher arms it again if it must.
 */
enum hrtimer_restart stt_output_pace_timer(struct hrtimer *t)
{
	struct stt_session *s = container_of(t, struct stt_session,
					     pace_timer);

	stt_output_push(s, false);
	return HRTIMER_NORESTART;
}

/*
 * Whether a chunk may be queued on @ssk (write queue, pending, rtxq): only
 * while it is a stream of @s.  A reset may take it out at any time, and then
 * purges those queues; a chunk queued after that stays, charged to the
 * socket, which is never freed (nor its session, nor the module) while it
 * holds any.  Called under the queue's lock, which the purge takes after
 * clearing %STT_SF_IN_TABLE: the purge sees the chunk, or we the bit.
 */
static bool stt_output_live(struct stt_session *s, struct stt_sock *ssk)
{
	return test_bit(STT_SF_IN_TABLE, &ssk->sflags) &&
	       READ_ONCE(ssk->session) == s;
}

/* Send the first chunk marked lost again.  Returns whether there was one. */
static bool stt_output_resend(struct stt_session *s, struct stt_sock *ssk,
			      long *quantum)
{
	struct sk_buff_head *q = &ssk->rtxq;
	struct sk_buff *skb, *hit = NULL;

	spin_lock_bh(&q->lock);
	skb_queue_walk(q, skb) {
		if (STT_CHUNK_CB(skb)->lost) {
			STT_CHUNK_CB(skb)->lost = 0;
			ssk->rtx_lost--;
			hit = skb_get(skb);
			break;
		}
	}
	if (!hit)
		ssk->rtx_lost = 0;
	spin_unlock_bh(&q->lock);
	if (!hit)
		return false;
	*quantum -= STT_CHUNK_CB(hit)->len;
	stt_chunk_xmit(s, ssk, hit);
	ssk->frames_retrans++;
	ssk->bytes_retrans += STT_CHUNK_CB(hit)->len;
	STT_INC(s->sn, RETRANSMITS);
	kfree_skb(hit);
	return true;
}

/* How a stream's turn ended. */
enum {
	STT_TURN_DONE,		/* nothing more it may send now */
	STT_TURN_MORE,		/* more, after the others had their turn */
	STT_TURN_CWND,		/* the congestion window is full */
	STT_TURN_BUDGET,	/* the pusher's budget is spent */
	STT_TURN_SESSION,	/* the session's flow control window is full */
	STT_TURN_PACE,		/* the pacer or the local queue limit waits */
};

/* A stream's turn; see stt_output_turn(). */
static int stt_output_stream(struct stt_session *s, struct stt_sock *ssk,
			     long *quantum, int *budget)
{
	struct sock *sk = &ssk->sk;
	struct sk_buff_head *q = &sk->sk_write_queue;
	struct stt_chunk_cb *cb;
	struct sk_buff *skb;
	bool fin, gone;
	u64 grow;

	while (*budget > 0 && *quantum > 0) {
		if (!stt_recovery_room(s, stt_chunk_cap(s)))
			return STT_TURN_CWND;
		if (stt_output_paced(s))
			return STT_TURN_PACE;
		if (READ_ONCE(ssk->rtx_lost) &&
		    stt_output_resend(s, ssk, quantum)) {
			(*budget)--;
			continue;
		}
		fin = false;
		spin_lock_bh(&q->lock);
		skb = skb_peek(q);
		/* An idle stream sends what it held back to coalesce. */
		if (!skb && ssk->pending && !ssk->pending_corked) {
			skb = ssk->pending;
			ssk->pending = NULL;
			__skb_queue_tail(q, skb);
		}
		if (!skb) {
			fin = test_bit(STT_SF_FIN_QUEUED, &ssk->sflags) &&
			      !ssk->pending &&
			      !test_and_set_bit(STT_SF_FIN_SENT, &ssk->sflags);
			spin_unlock_bh(&q->lock);
			if (fin) {
				struct stt_frame f = {
					.type = STT_FRAME_STREAM_FIN,
					.fin = { .stream = ssk->stream_id,
						 .final_size = ssk->snd_sent },
				};

				stt_stream_send_ctl(s, &f);
			}
			return STT_TURN_DONE;
		}
		cb = STT_CHUNK_CB(skb);
		if (cb->offset + cb->len > ssk->snd_max) {
			spin_unlock_bh(&q->lock);
			STT_INC(s->sn, STREAM_WINDOW_BLOCKED);
			return STT_TURN_DONE;	/* a WINDOW_UPDATE reschedules it */
		}
		/* New data counts against the session window; resent data not. */
		grow = cb->offset + cb->len > ssk->snd_sent ?
		       cb->offset + cb->len - ssk->snd_sent : 0;
		if (s->snd_total + grow > (u64)atomic64_read(&s->snd_max_total)) {
			spin_unlock_bh(&q->lock);
			return STT_TURN_SESSION;
		}
		s->snd_total += grow;
		__skb_unlink(skb, q);
		if (skb_queue_empty(q) && !ssk->pending &&
		    test_bit(STT_SF_FIN_QUEUED, &ssk->sflags) &&
		    !test_and_set_bit(STT_SF_FIN_SENT, &ssk->sflags)) {
			cb->flags |= STT_DATA_FIN;
			fin = true;
		}
		ssk->snd_sent = cb->offset + cb->len;
		spin_unlock_bh(&q->lock);

		/*
		 * Queued for acknowledgment before an ACK could come; not if
		 * the stream left the table meanwhile (stt_output_live()):
		 * the chunk goes unsent, as the stream is gone.
		 */
		spin_lock_bh(&ssk->rtxq.lock);
		gone = !stt_output_live(s, ssk);
		if (!gone)
			__skb_queue_tail(&ssk->rtxq, skb_get(skb));
		spin_unlock_bh(&ssk->rtxq.lock);
		if (gone) {
			kfree_skb(skb);
			return STT_TURN_DONE;
		}
		*quantum -= cb->len;
		(*budget)--;
		stt_chunk_xmit(s, ssk, skb);
		ssk->bytes_sent += cb->len;
		ssk->frames_sent++;
		kfree_skb(skb);
		if (fin)
			return STT_TURN_DONE;
	}
	return STT_TURN_MORE;
}

/*
 * One turn of a stream: send lost chunks again, then new ones, while its
 * quantum, its window, the session window, the congestion window and the
 * budget last.  The quantum is the stream's share, max_frame times
 * (priority + 1) bytes per round; what is left of it when the session
 * window, the congestion window, the pacer or the budget ends the turn
 * carries over to the stream's next turn, which comes first, so an
 * interruption neither takes a stream's share nor adds to it.
 */
static int stt_output_turn(struct stt_session *s, struct stt_sock *ssk,
			   int *budget)
{
	long *quantum = &ssk->tx_quantum;
	int turn;

	if (*quantum <= 0)
		*quantum = (long)ssk->max_frame * (READ_ONCE(ssk->priority) + 1);
	turn = stt_output_stream(s, ssk, quantum, budget);
	if (turn == STT_TURN_MORE && *budget <= 0 && *quantum > 0)
		turn = STT_TURN_BUDGET;
	if (turn == STT_TURN_DONE || turn == STT_TURN_MORE)
		*quantum = 0;
	return turn;
}

/*
 * The session window is full: no stream may send new data, but lost chunks
 * still go, on whichever stream (they were counted when first sent).  The
 * peer may be waiting for one of them to fill a gap, with the rest of the
 * session window held by the data behind it.  The streams keep their place
 * in line, and what they resend here is not taken off their turn.
 */
static void stt_output_resend_blocked(struct stt_session *s, int *budget)
{
	struct stt_sock *ssk, *hit;
	long quantum;

	while (*budget > 0 && stt_recovery_room(s, stt_chunk_cap(s)) &&
	       !stt_output_paced(s)) {
		hit = NULL;
		spin_lock_bh(&s->tx_lock);
		list_for_each_entry(ssk, &s->tx_ready, tx_node) {
			if (READ_ONCE(ssk->rtx_lost)) {
				hit = ssk;
				sock_hold(&hit->sk);
				break;
			}
		}
		spin_unlock_bh(&s->tx_lock);
		if (!hit)
			return;
		quantum = LONG_MAX;
		if (stt_output_resend(s, hit, &quantum))
			(*budget)--;
		sock_put(&hit->sk);
	}
}

/**
 * stt_output_push() - send what the session's streams have ready
 * @s: the session
 * @may_sleep: process context, where the pusher may run longer
 *
 * Takes the streams in turn until none has anything it may send, the
 * congestion or session window is full, or the budget is spent; the rest
 * is left to the session's push work.
 */
void stt_output_push(struct stt_session *s, bool may_sleep)
{
	int budget = may_sleep ? STT_PUSH_BUDGET : STT_PUSH_BUDGET / 4;
	struct stt_sock *ssk;
	int turn;

	set_bit(STT_TX_AGAIN, &s->tx_flags);
	if (test_and_set_bit(STT_TX_BUSY, &s->tx_flags))
		return;		/* the running pusher sees STT_TX_AGAIN */
again:
	clear_bit(STT_TX_AGAIN, &s->tx_flags);
	while (budget > 0 && READ_ONCE(s->state) == STT_SS_ESTABLISHED) {
		spin_lock_bh(&s->tx_lock);
		ssk = list_first_entry_or_null(&s->tx_ready, struct stt_sock,
					       tx_node);
		if (ssk)
			list_del_init(&ssk->tx_node);
		spin_unlock_bh(&s->tx_lock);
		if (!ssk)
			break;

		turn = stt_output_turn(s, ssk, &budget);
		spin_lock_bh(&s->tx_lock);
		if (turn != STT_TURN_DONE && list_empty(&ssk->tx_node) &&
		    test_bit(STT_SF_IN_TABLE, &ssk->sflags)) {
			/*
			 * To the back of the line, keeping the reference; or,
			 * its turn cut short, first in line to go on with it.
			 */
			if (turn == STT_TURN_MORE)
				list_add_tail(&ssk->tx_node, &s->tx_ready);
			else
				list_add(&ssk->tx_node, &s->tx_ready);
			ssk = NULL;
		}
		spin_unlock_bh(&s->tx_lock);
		if (ssk)
			sock_put(&ssk->sk);
		if (turn == STT_TURN_CWND) {
			STT_INC(s->sn, CWND_BLOCKED);
			break;
		}
		if (turn == STT_TURN_PACE)
			break;		/* the pace timer runs the pusher again */
		if (turn == STT_TURN_SESSION) {
			/* A WINDOW_UPDATE for stream 0 runs the pusher again. */
			STT_INC(s->sn, SESSION_WINDOW_BLOCKED);
			stt_output_resend_blocked(s, &budget);
			break;
		}
	}
	clear_bit(STT_TX_BUSY, &s->tx_flags);
	/* Order the clear before the look at AGAIN (paired with the setter). */
	smp_mb__after_atomic();
	if (budget <= 0) {
		if (refcount_inc_not_zero(&s->refs) &&
		    !queue_work(stt_wq, &s->push_work))
			stt_session_put(s);
		return;
	}
	if (test_bit(STT_TX_AGAIN, &s->tx_flags) &&
	    !test_and_set_bit(STT_TX_BUSY, &s->tx_flags))
		goto again;
}

/**
 * stt_output_push_work() - the session's pusher in process context
 * @work: stt_session.push_work
 */
void stt_output_push_work(struct work_struct *work)
{
	struct stt_session *s = container_of(work, struct stt_session,
					     push_work);

	stt_output_push(s, true);
	stt_session_put(s);
}

/**
 * stt_output_schedule() - a stream may have something to send
 * @s: its session
 * @ssk: the stream
 * @may_sleep: whether the caller is in process context
 *
 * Puts it in the scheduler's line and runs the pusher.
 */
void stt_output_schedule(struct stt_session *s, struct stt_sock *ssk,
			 bool may_sleep)
{
	spin_lock_bh(&s->tx_lock);
	if (list_empty(&ssk->tx_node) &&
	    test_bit(STT_SF_IN_TABLE, &ssk->sflags)) {
		sock_hold(&ssk->sk);
		list_add_tail(&ssk->tx_node, &s->tx_ready);
	}
	spin_unlock_bh(&s->tx_lock);
	stt_output_push(s, may_sleep);
}

/**
 * stt_output_unschedule() - take a stream out of the scheduler's line
 * @s: its session
 * @ssk: the stream
 */
void stt_output_unschedule(struct stt_session *s, struct stt_sock *ssk)
{
	bool was;

	spin_lock_bh(&s->tx_lock);
	was = !list_empty(&ssk->tx_node);
	list_del_init(&ssk->tx_node);
	spin_unlock_bh(&s->tx_lock);
	if (was)
		sock_put(&ssk->sk);
}

/**
 * stt_output_flush() - send what is held back (uncork, %STT_NODELAY)
 * @ssk: a connected stream
 */
void stt_output_flush(struct stt_sock *ssk)
{
	struct sk_buff_head *q = &ssk->sk.sk_write_queue;

	spin_lock_bh(&q->lock);
	if (ssk->pending) {
		__skb_queue_tail(q, ssk->pending);
		ssk->pending = NULL;
	}
	spin_unlock_bh(&q->lock);
	stt_output_schedule(ssk->session, ssk, true);
}

/**
 * stt_output_fin() - end this side of the stream after what is queued
 * @ssk: a connected stream, whose socket no longer accepts writes
 */
void stt_output_fin(struct stt_sock *ssk)
{
	if (test_and_set_bit(STT_SF_FIN_QUEUED, &ssk->sflags))
		return;
	stt_output_flush(ssk);
}

/* Why a stream cannot take data now, as sendmsg() reports it; 0 if it can. */
static int stt_output_error(struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;

	if (test_bit(STT_SF_RESET_RCVD, &ssk->sflags))
		return -EPIPE;
	/* A failed session tells why (ECONNRESET, ETIMEDOUT) once. */
	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (!test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		return -EPIPE;
	return 0;
}

/*
 * The send buffer the namespace's memory leaves the socket: SO_SNDBUF below
 * half of net.stt.mem_max_kbytes, shrinking to nothing at the limit.
 */
static u64 stt_output_sndbuf(struct sock *sk)
{
	return stt_mem_scale(stt_net(sock_net(sk)), READ_ONCE(sk->sk_sndbuf));
}

/*
 * Whether @need more bytes fit in the send buffer.  A socket with nothing
 * queued may always queue one chunk (or one message), whatever the
 * namespace's memory pressure, so that a writer never waits on other
 * sockets' data alone; but a message (@need, its chunks' truesize) must
 * also fit under the namespace's limit itself.  With @raw, the send buffer
 * as if there were no memory pressure.
 */
static bool stt_output_room(struct sock *sk, u64 need, bool raw)
{
	u64 used = sk_wmem_alloc_get(sk);

	if (need && !raw && !stt_mem_room(stt_net(sock_net(sk)), need))
		return false;
	if (!used)
		return true;
	return used + need < (raw ? READ_ONCE(sk->sk_sndbuf) :
			      stt_output_sndbuf(sk));
}

/*
 * Wait until @need more bytes fit in the send buffer (or one chunk does).
 * Freed chunks wake the writer (sk_write_space()), but under memory pressure
 * room also comes from other sockets' memory, which wakes nobody here: then
 * it looks again every %STT_MEM_RETRY.  @mem_waited: whether this send
 * was counted as held back by memory already.
 */
static int stt_output_wait(struct stt_sock *ssk, long *timeo, u64 need,
			   bool *mem_waited)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &ssk->sk;
	struct stt_net *sn = stt_net(sock_net(sk));
	long slice = *timeo, left;

	if (!*timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(*timeo);
	if (stt_mem_pressure(sn) || (need && !stt_mem_room(sn, need))) {
		if (!*mem_waited && stt_output_room(sk, need, true)) {
			STT_INC(sn, SNDBUF_MEM_BLOCKED);
			*mem_waited = true;
		}
		slice = min_t(long, slice, STT_MEM_RETRY);
	}
	left = slice;
	sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	add_wait_queue(sk_sleep(sk), &wait);
	sk_wait_event(sk, &left, stt_output_error(ssk) ||
		      stt_output_room(sk, need, false), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
	if (*timeo != MAX_SCHEDULE_TIMEOUT)
		*timeo -= slice - left;
	return 0;
}

/**
 * stt_output_writable() - whether poll() reports the stream writable
 * @ssk: the stream
 *
 * Like sock_writeable(): less than half the send buffer is used, the send
 * buffer being what the namespace's memory pressure leaves of it; and a
 * stream with nothing queued is always writable (one chunk always fits).
 *
 * Return: true if a write would find room.
 */
bool stt_output_writable(struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;
	u64 used = sk_wmem_alloc_get(sk);

	return !used || used < stt_output_sndbuf(sk) / 2;
}

/*
 * The memory a message of @len bytes takes in the send buffer: the truesize
 * of the chunks it is cut into, each a datagram's worth of data.
 */
static u64 stt_output_msg_size(struct stt_session *s, size_t len)
{
	u64 chunks = DIV_ROUND_UP_ULL((u64)len, stt_chunk_cap(s));

	return chunks * stt_endpoint_skb_truesize(s->dgram - STT_TAG_LEN);
}

/*
 * A SOCK_SEQPACKET message: cut into chunks on the side, then queued at once,
 * so that a fault half way leaves nothing of it behind.  It must fit the
 * send buffer whole, and the namespace's limit: one that never could (larger
 * than SO_SNDBUF, or than net.stt.mem_max_kbytes) fails with EMSGSIZE; else
 * the writer waits until the buffer has room for all of it.
 */
static int stt_output_message(struct stt_sock *ssk, struct msghdr *msg,
			      size_t len, long *timeo)
{
	struct stt_session *s = ssk->session;
	struct sock *sk = &ssk->sk;
	struct sk_buff_head chunks;
	bool mem_waited = false;
	struct sk_buff *skb;
	size_t copied = 0;
	unsigned int n;
	u64 need;
	int err;

	if (!len)
		return 0;	/* an empty message carries nothing */
	need = stt_output_msg_size(s, len);
	if (len > ssk->snd_win0 || need > READ_ONCE(sk->sk_sndbuf) ||
	    need > stt_mem_max(stt_net(sock_net(sk))))
		return -EMSGSIZE;
	while (!stt_output_room(sk, need, false)) {
		err = stt_output_error(ssk) ?:
		      stt_output_wait(ssk, timeo, need, &mem_waited);
		if (err)
			return err;
	}
	err = stt_output_error(ssk);
	if (err)
		return err;

	__skb_queue_head_init(&chunks);
	while (copied < len) {
		skb = stt_chunk_alloc(ssk);
		if (!skb) {
			err = -ENOBUFS;
			goto fail;
		}
		__skb_queue_tail(&chunks, skb);
		STT_CHUNK_CB(skb)->offset = ssk->snd_nxt + copied;
		n = min_t(size_t, len - copied, stt_chunk_room(s, skb));
		if (!copy_from_iter_full(skb_put(skb, n), n, &msg->msg_iter)) {
			err = -EFAULT;
			goto fail;
		}
		STT_CHUNK_CB(skb)->len = n;
		copied += n;
	}
	STT_CHUNK_CB(skb)->flags |= STT_DATA_MSG_END;

	/* Not onto a stream that left the table: see stt_output_sendmsg(). */
	spin_lock_bh(&sk->sk_write_queue.lock);
	if (!stt_output_live(s, ssk)) {
		spin_unlock_bh(&sk->sk_write_queue.lock);
		err = -EPIPE;
		goto fail;
	}
	skb_queue_splice_tail_init(&chunks, &sk->sk_write_queue);
	spin_unlock_bh(&sk->sk_write_queue.lock);
	ssk->snd_nxt += len;
	stt_output_schedule(s, ssk, true);
	return len;
fail:
	__skb_queue_purge(&chunks);
	return err;
}

/**
 * stt_output_sendmsg() - queue user data on a stream
 * @ssk: a connected stream; the caller holds the socket lock
 * @msg: the data and flags
 * @len: its length
 *
 * Copies the data once, into chunks that become packets.  A SOCK_SEQPACKET
 * message is queued whole or not at all and may not be longer than the
 * window the peer granted at the start (it could never be delivered).
 *
 * Return: bytes queued, or a negative errno.
 */
int stt_output_sendmsg(struct stt_sock *ssk, struct msghdr *msg, size_t len)
{
	bool more = msg->msg_flags & MSG_MORE;
	struct stt_session *s = ssk->session;
	struct sock *sk = &ssk->sk;
	struct sk_buff_head *q = &sk->sk_write_queue;
	bool hold, mem_waited = false;
	struct sk_buff *skb;
	size_t copied = 0;
	unsigned int n;
	long timeo;
	int err = 0;

	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	if (ssk->kind == STT_KIND_MESSAGES) {
		err = stt_output_message(ssk, msg, len, &timeo);
		if (err >= 0)
			return err;
		goto out;
	}

	while (copied < len) {
		err = stt_output_error(ssk);
		if (err)
			goto out;
		if (!stt_output_room(sk, 0, false)) {
			err = stt_output_wait(ssk, &timeo, 0, &mem_waited);
			if (err)
				goto out;
			continue;
		}

		spin_lock_bh(&q->lock);
		skb = ssk->pending;
		ssk->pending = NULL;
		spin_unlock_bh(&q->lock);
		if (!skb) {
			skb = stt_chunk_alloc(ssk);
			if (!skb) {
				err = -ENOBUFS;
				goto out;
			}
		}

		n = min_t(size_t, len - copied, stt_chunk_room(s, skb));
		if (!copy_from_iter_full(skb_put(skb, n), n, &msg->msg_iter)) {
			skb_trim(skb, skb->len - n);
			n = 0;
			err = -EFAULT;
		}
		STT_CHUNK_CB(skb)->len += n;
		ssk->snd_nxt += n;
		copied += n;

		/*
		 * Where the chunk goes: out, or held back for more; or nowhere,
		 * if a reset took the stream out while this call waited or
		 * copied (the socket lock does not keep it out).
		 */
		spin_lock_bh(&q->lock);
		hold = stt_chunk_room(s, skb) &&
		       (more || ssk->cork ||
			(!ssk->nodelay && !skb_queue_empty(q)));
		if (!stt_output_live(s, ssk)) {
			spin_unlock_bh(&q->lock);
			kfree_skb(skb);
			copied -= n;
			err = -EPIPE;
		} else if (!STT_CHUNK_CB(skb)->len) {
			spin_unlock_bh(&q->lock);
			kfree_skb(skb);
		} else if (hold) {
			ssk->pending = skb;
			ssk->pending_corked = more || ssk->cork;
			spin_unlock_bh(&q->lock);
		} else {
			__skb_queue_tail(q, skb);
			spin_unlock_bh(&q->lock);
			stt_output_schedule(s, ssk, true);
		}
		if (err)
			goto out;
	}
	return copied;
out:
	if (err == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return copied ? copied : err;
}

/**
 * stt_output_acked() - the peer acknowledged a chunk of a stream
 * @s: the session
 * @id: the stream id
 * @offset: the chunk's stream offset
 *
 * Frees the acknowledged chunks at the front of the stream's retransmission
 * queue, which makes room in its send buffer.  Once the end of the stream
 * and everything before it is acknowledged, the stream may be done.  Runs in
 * softirq.
 */
void stt_output_acked(struct stt_session *s, u16 id, u64 offset)
{
	struct stt_sock *ssk = stt_stream_lookup(s, id);
	struct sk_buff_head *q, done;
	struct stt_chunk_cb *cb;
	struct sk_buff *skb;
	bool fin = false, empty;

	if (!ssk)
		return;
	q = &ssk->rtxq;
	__skb_queue_head_init(&done);
	spin_lock_bh(&q->lock);
	skb_queue_walk(q, skb) {
		cb = STT_CHUNK_CB(skb);
		if (cb->offset != offset)
			continue;
		if (!cb->acked) {
			cb->acked = 1;
			if (cb->lost) {
				cb->lost = 0;
				ssk->rtx_lost--;
			}
			fin = cb->flags & STT_DATA_FIN;
		}
		break;
	}
	while ((skb = skb_peek(q)) && STT_CHUNK_CB(skb)->acked) {
		__skb_unlink(skb, q);
		__skb_queue_tail(&done, skb);
	}
	empty = skb_queue_empty(q);
	spin_unlock_bh(&q->lock);
	__skb_queue_purge(&done);
	if (fin)
		set_bit(STT_SF_FIN_ACKED, &ssk->sflags);
	if (empty && test_bit(STT_SF_FIN_ACKED, &ssk->sflags)) {
		ssk->sk.sk_state_change(&ssk->sk);
		stt_stream_maybe_done(ssk);
	}
	sock_put(&ssk->sk);
}

/**
 * stt_output_lost() - a chunk of a stream was lost: send it again
 * @s: the session
 * @id: the stream id
 * @offset: the chunk's stream offset
 *
 * Runs in softirq.
 */
void stt_output_lost(struct stt_session *s, u16 id, u64 offset)
{
	struct stt_sock *ssk = stt_stream_lookup(s, id);
	struct sk_buff_head *q;
	struct stt_chunk_cb *cb;
	struct sk_buff *skb;
	bool found = false;

	if (!ssk)
		return;
	q = &ssk->rtxq;
	spin_lock_bh(&q->lock);
	skb_queue_walk(q, skb) {
		cb = STT_CHUNK_CB(skb);
		if (cb->offset != offset)
			continue;
		if (!cb->acked && !cb->lost) {
			cb->lost = 1;
			ssk->rtx_lost++;
			found = true;
		}
		break;
	}
	spin_unlock_bh(&q->lock);
	if (found)
		stt_output_schedule(s, ssk, false);
	sock_put(&ssk->sk);
}

/**
 * stt_output_purge() - drop the chunks a stream kept for retransmission
 * @ssk: the stream, which sends no more
 */
void stt_output_purge(struct stt_sock *ssk)
{
	struct sk_buff_head *q = &ssk->rtxq, done;

	__skb_queue_head_init(&done);
	spin_lock_bh(&q->lock);
	skb_queue_splice_init(q, &done);
	ssk->rtx_lost = 0;
	spin_unlock_bh(&q->lock);
	__skb_queue_purge(&done);
}
