// SPDX-License-Identifier: GPL-2.0
/*
 * Streams within a session.  Owns a session's stream table (stream id to
 * socket), the assignment of stream ids and the stream limit, opening a
 * stream (STREAM_OPEN and the peer's answer), the accept queue a listener's
 * incoming streams wait in, the stream control frames (WINDOW_UPDATE,
 * STREAM_FIN, STREAM_RESET), the windows we grant: each stream's and the
 * session's over all streams (namespace memory pressure shrinks both; the
 * socket's timer, or the session's flow timer, looks again at an update it
 * held back), the session window the peer grants us, and a stream's way
 * out of the table.
 *
 * Ownership: the table holds one reference on each socket in it, and a
 * socket in the table is attached to the session (it keeps the session in
 * use).  A stream leaves the table once both directions are finished, when
 * it is reset either way, when its socket is closed with nothing left to
 * send, or when the session closes; leaving the table throws away what it
 * still had to send.  Each socket holds a reference on its session until the
 * socket itself is freed.
 */
#include <linux/xarray.h>
#include <crypto/algapi.h>

#include "stt.h"
#include "codec.h"
#include "window.h"
#include "rxcheck.h"

/**
 * stt_stream_send_ctl() - send one stream control frame on its own
 * @s: the session
 * @f: the frame
 *
 * The packet is recorded for loss recovery: a lost STREAM_FIN, STREAM_RESET
 * or WINDOW_UPDATE is sent again (stt_stream_ctl_settled()); STREAM_OPEN has
 * its own timer.  Callable from any context.
 *
 * Return: 0 or a negative errno.
 */
int stt_stream_send_ctl(struct stt_session *s, const struct stt_frame *f)
{
	u8 buf[1 + STT_STREAM_OPEN_MIN_LEN + STT_LABEL_MAX];
	struct stt_sent rec = { .kind = STT_SENT_OTHER };
	int n = stt_frame_encode(buf, sizeof(buf), f);

	if (n < 0)
		return n;
	switch (f->type) {
	case STT_FRAME_STREAM_FIN:
		rec.kind = STT_SENT_FIN;
		rec.stream = f->fin.stream;
		rec.offset = f->fin.final_size;
		break;
	case STT_FRAME_STREAM_RESET:
		rec.kind = STT_SENT_RESET;
		rec.stream = f->reset.stream;
		rec.offset = f->reset.final_size;
		rec.len = f->reset.code;
		break;
	case STT_FRAME_WINDOW_UPDATE:
		rec.kind = STT_SENT_WINDOW;
		rec.stream = f->window.stream;
		break;
	}
	return stt_session_send(s, buf, n, &rec);
}

static void stt_stream_send_reset(struct stt_session *s, u16 id, u32 code,
				  u64 final_size)
{
	struct stt_frame f = {
		.type = STT_FRAME_STREAM_RESET,
		.reset = { .stream = id, .code = code, .final_size = final_size },
	};

	stt_stream_send_ctl(s, &f);
}

/*
 * Memory pressure holds a window update back that the full buffer would
 * have sent: nothing else may come to send it (the reader may have read
 * everything), so the stream's timer looks again in a while.  Not while
 * STREAM_OPEN waits for its answer: that timer is the open's, and the
 * answer looks again itself.
 */
static void stt_stream_window_wait(struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;

	set_bit(STT_SF_WINDOW_WAIT, &ssk->sflags);
	if (!test_bit(STT_SF_OPENING, &ssk->sflags) &&
	    !timer_pending(&sk->sk_timer))
		sk_reset_timer(sk, &sk->sk_timer, jiffies + STT_MEM_RETRY);
}

/*
 * The window a stream grants beyond what was read, memory allowing.  Never
 * more than the session's budget: a stream could not use more (and a
 * message longer than that could never arrive whole).
 */
static u64 stt_stream_rcv_budget(struct stt_sock *ssk, u64 *full)
{
	struct stt_net *sn = stt_net(sock_net(&ssk->sk));

	*full = min(READ_ONCE(ssk->sk.sk_rcvbuf),
		    READ_ONCE(sn->sysctl.session_rcvbuf));
	return stt_mem_scale(sn, *full);
}

/*
 * The first window a stream grants.  A message stream's is the largest
 * message the peer may send on it for good, so memory pressure does not
 * shrink it; a byte stream's shrinks like every later window, and then
 * looks again once the stream is open.
 */
static u64 stt_stream_first_window(struct stt_sock *ssk)
{
	u64 full, budget = stt_stream_rcv_budget(ssk, &full);

	if (ssk->kind == STT_KIND_MESSAGES)
		return full;
	if (budget < full)
		set_bit(STT_SF_WINDOW_WAIT, &ssk->sflags);
	return budget;
}

/**
 * stt_stream_send_window() - advertise how far the peer may send
 * @ssk: the stream
 * @force: send even if the window did not grow much
 *
 * The window is the socket's receive buffer beyond what the application has
 * read, less what the namespace's memory pressure takes off it.  An update
 * goes out when it opened by at least half of that since the last one, so
 * that a reader costs one small packet per half buffer; under pressure the
 * edge may stop advancing, but a window never shrinks.
 */
void stt_stream_send_window(struct stt_sock *ssk, bool force)
{
	struct sock *sk = &ssk->sk;
	struct stt_frame f = { .type = STT_FRAME_WINDOW_UPDATE };
	u64 full, budget = stt_stream_rcv_budget(ssk, &full);
	bool wait;
	u64 max;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	if (!force && !stt_window_due(ssk->rcv_adv, ssk->rcv_read, budget)) {
		wait = stt_window_due(ssk->rcv_adv, ssk->rcv_read, full);
		spin_unlock_bh(&sk->sk_receive_queue.lock);
		if (wait)
			stt_stream_window_wait(ssk);
		return;
	}
	max = max(min(ssk->rcv_read + budget, STT_OFFSET_MAX), ssk->rcv_adv);
	ssk->rcv_adv = max;
	spin_unlock_bh(&sk->sk_receive_queue.lock);

	f.window.stream = ssk->stream_id;
	f.window.max_data = max;
	if (!stt_stream_send_ctl(ssk->session, &f))
		STT_INC(ssk->session->sn, WINDOW_UPDATES_OUT);
}

/**
 * stt_stream_session_window() - advertise how much the peer may send in all
 * @s: the session
 * @force: send even if the window did not grow (a lost update's stand-in)
 *
 * The session window is the sum over all streams of the highest offset the
 * peer may send (WINDOW_UPDATE for stream 0): net.stt.session_rcvbuf, less
 * what memory pressure takes off it, beyond the bytes of all streams read
 * or thrown away.  Like a stream's, an update goes out once it opened by
 * half of that, it never shrinks, and one that memory pressure held back is
 * looked at again by the session's flow timer.  Callable from any context.
 */
void stt_stream_session_window(struct stt_session *s, bool force)
{
	struct stt_frame f = { .type = STT_FRAME_WINDOW_UPDATE };
	u64 full = READ_ONCE(s->sn->sysctl.session_rcvbuf);
	u64 budget = stt_mem_scale(s->sn, full);
	u64 base = atomic64_read(&s->rcv_consumed);
	u64 adv = atomic64_read(&s->rcv_max_total);

	if (READ_ONCE(s->state) != STT_SS_ESTABLISHED)
		return;
	if (!force && !stt_window_due(adv, base, budget)) {
		if (stt_window_due(adv, base, full) &&
		    !timer_pending(&s->flow_timer))
			mod_timer(&s->flow_timer, jiffies + STT_MEM_RETRY);
		return;
	}
	/* Raised before it is sent: the peer never sees more than we allow. */
	stt_raise64(&s->rcv_max_total, min(base + budget, STT_OFFSET_MAX));
	f.window.stream = 0;
	f.window.max_data = atomic64_read(&s->rcv_max_total);
	if (!stt_stream_send_ctl(s, &f)) {
		STT_INC(s->sn, WINDOW_UPDATES_OUT);
		STT_INC(s->sn, SESSION_WINDOW_UPDATES_OUT);
	}
}

/**
 * stt_stream_flow_timer() - memory pressure held a session window back
 * @t: the session's flow_timer
 *
 * Nothing else may come to send it, since every reader may have read
 * everything; so it looks again every %STT_MEM_RETRY while it is held back.
 */
void stt_stream_flow_timer(struct timer_list *t)
{
	struct stt_session *s = from_timer(s, t, flow_timer);

	stt_stream_session_window(s, false);
}

/* Stream limit of a session opened or accepted through @ssk. */
static unsigned int stt_stream_limit(struct stt_session *s,
				     const struct stt_sock *ssk)
{
	unsigned int lim = READ_ONCE(s->sn->sysctl.max_concurrent_streams);
	unsigned int own = READ_ONCE(ssk->max_streams);

	return own && own < lim ? own : lim;
}

/*
 * Enter @ssk in the table under @id.  Called with the table locked.  The
 * socket must have its session set.
 */
static int stt_stream_insert(struct stt_session *s, struct stt_sock *ssk,
			     u16 id, unsigned int limit)
{
	int err;

	if (s->streams_closed)
		return -ECONNRESET;
	if (s->nstreams >= limit)
		return -ENOSR;
	err = __xa_insert(&s->streams, id, ssk, GFP_ATOMIC);
	if (err)
		return err == -EBUSY ? -EADDRINUSE : err;
	/* Found by RCU lookups from now on: freed after a grace period. */
	set_bit(STT_SF_PUBLISHED, &ssk->sflags);
	s->nstreams++;
	ssk->stream_id = id;
	sock_hold(&ssk->sk);
	set_bit(STT_SF_IN_TABLE, &ssk->sflags);
	return 0;
}

/* A free id of our parity, or -ENOSR.  Called with the table locked. */
static int stt_stream_pick_id(struct stt_session *s)
{
	u16 id = s->next_stream;
	unsigned int tries;

	for (tries = 0; tries < 32768; tries++) {
		/* Client ids are odd, server ids even; 0 is never an id. */
		if (!id || (id & 1) != s->client)
			id++;
		if (!id)
			id += s->client ? 1 : 2;
		if (!xa_load(&s->streams, id)) {
			s->next_stream = id + 2;
			return id;
		}
		id += 2;
	}
	return -ENOSR;
}

static void stt_stream_send_open(struct stt_session *s, struct stt_sock *ssk)
{
	struct stt_frame f = {
		.type = STT_FRAME_STREAM_OPEN,
		.open = {
			.stream = ssk->stream_id,
			.kind = ssk->kind,
			.priority = READ_ONCE(ssk->priority),
			.max_frame = ssk->max_frame,
			.window = min_t(u64, ssk->rcv_adv, U32_MAX),
			.number = ssk->open_nr,
			.label_len = ssk->label_len,
			.label = ssk->label,
		},
	};

	stt_stream_send_ctl(s, &f);
}

/**
 * stt_stream_open() - open a stream on an established session
 * @s: the session
 * @ssk: the connecting socket, waiting to open (%STT_SF_WANT_OPEN) on @s,
 *	and attached to it
 * @want: the stream id asked for, or %STT_STREAM_ANY
 *
 * Enters the stream in the table and sends STREAM_OPEN; the caller waits
 * for the answer (stt_stream_open_done()).  Nothing, if the socket no
 * longer waits to open on @s (stt_stream_open_cancel()).
 *
 * Return: 0, -%EADDRINUSE for an id in use, -%ENOSR at the stream limit,
 * or another negative errno.
 */
int stt_stream_open(struct stt_session *s, struct stt_sock *ssk, u16 want)
{
	struct sock *sk = &ssk->sk;
	int id, err;

	xa_lock_bh(&s->streams);
	/*
	 * Whoever clears the bit opens the stream, under the table's lock:
	 * close() and a failed connect() clear it under this lock too, so a
	 * socket that closed, or left @s, never enters the table after they
	 * looked (a session coming up in softirq may hold it meanwhile).
	 */
	if (READ_ONCE(ssk->session) != s ||
	    !test_and_clear_bit(STT_SF_WANT_OPEN, &ssk->sflags)) {
		xa_unlock_bh(&s->streams);
		return 0;
	}
	id = want ? want : stt_stream_pick_id(s);
	/* Open numbers are never used twice: 2^32 opens end a session's. */
	if (id >= 0 && s->open_next > U32_MAX)
		id = -ENOSR;
	/*
	 * Opening before the table shows it: the peer's open of the same id,
	 * arriving on another CPU, must find a collision, not a stream of
	 * ours that it would take for finished.
	 */
	ssk->rcv_adv = stt_stream_first_window(ssk);
	ssk->open_nr = s->open_next;
	set_bit(STT_SF_OPENING, &ssk->sflags);
	err = id < 0 ? id : stt_stream_insert(s, ssk, id, stt_stream_limit(s, ssk));
	if (err) {
		clear_bit(STT_SF_OPENING, &ssk->sflags);
	} else {
		s->open_next++;
		/*
		 * Set up before the lock goes.  From then on close() (with
		 * SO_LINGER 0), a failed connect() or the session's close may
		 * take the stream out again while we run here without the
		 * socket lock, and stt_stream_remove_from() must find all of
		 * it to undo: the open's timer set after it would outlive the
		 * stream.  The socket is attached to @s already (by connect(),
		 * until it cancels the open); attaching it here put one that
		 * had just left the table back on the session's list, where
		 * it stayed after it was freed.
		 */
		ssk->open_rto = msecs_to_jiffies(READ_ONCE(ssk->rto_initial_ms));
		ssk->open_deadline = jiffies +
			msecs_to_jiffies(READ_ONCE(s->sn->sysctl.handshake_timeout_ms));
		sk_reset_timer(sk, &sk->sk_timer,
			       min(jiffies + ssk->open_rto, ssk->open_deadline));
	}
	xa_unlock_bh(&s->streams);
	if (err)
		return err;

	/* The peer's open of the id collided with it already: no need. */
	if (!test_bit(STT_SF_OPENING, &ssk->sflags))
		return 0;

	stt_stream_send_open(s, ssk);
	STT_INC(s->sn, STREAMS_OPENED);
	/* A session budget above the initial window is granted early. */
	stt_stream_session_window(s, false);
	return 0;
}

/**
 * stt_stream_timer() - STREAM_OPEN got no answer yet: send it again
 * @t: the socket's sk_timer
 *
 * After the socket's %STT_RETRANSMIT_TIMEOUT, doubling up to 2 s (a longer
 * timeout does not shrink), until the handshake timeout, after which
 * connect() fails with %ETIMEDOUT.  Once the stream is open, the timer
 * looks again at a window update that memory pressure held back.
 */
void stt_stream_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);
	struct stt_sock *ssk = stt_sk(sk);

	if (test_bit(STT_SF_OPENING, &ssk->sflags) &&
	    test_bit(STT_SF_IN_TABLE, &ssk->sflags)) {
		if (time_after_eq(jiffies, ssk->open_deadline)) {
			/* Out first: connect() may reuse the socket once told. */
			stt_stream_remove(ssk);
			WRITE_ONCE(sk->sk_err, ETIMEDOUT);
			sk_error_report(sk);
		} else {
			stt_stream_send_open(ssk->session, ssk);
			STT_INC(ssk->session->sn, STREAM_OPEN_RETRANSMITS);
			if (ssk->open_rto < 2 * HZ)
				ssk->open_rto = min_t(unsigned long,
						      ssk->open_rto * 2, 2 * HZ);
			sk_reset_timer(sk, &sk->sk_timer,
				       min(jiffies + ssk->open_rto,
					   ssk->open_deadline));
		}
	} else if (test_and_clear_bit(STT_SF_WINDOW_WAIT, &ssk->sflags) &&
		   test_bit(STT_SF_IN_TABLE, &ssk->sflags) &&
		   !test_bit(STT_SF_FIN_RCVD, &ssk->sflags)) {
		stt_stream_send_window(ssk, false);
	}
	sock_put(sk);	/* the timer's reference */
}

/**
 * stt_stream_open_ready() - open a connecting socket's stream if it can be
 * @s: the session the socket is attached to
 * @ssk: the socket, waiting to open (%STT_SF_WANT_OPEN)
 *
 * Does it once the session is established; a failure goes to the socket's
 * error, where connect() finds it.
 */
void stt_stream_open_ready(struct stt_session *s, struct stt_sock *ssk)
{
	int err;

	if (READ_ONCE(s->state) != STT_SS_ESTABLISHED ||
	    !test_bit(STT_SF_WANT_OPEN, &ssk->sflags))
		return;
	err = stt_stream_open(s, ssk, ssk->want_stream);
	if (err) {
		WRITE_ONCE(ssk->sk.sk_err, -err);
		sk_error_report(&ssk->sk);
	}
}

/**
 * stt_stream_open_waiting() - a session is up: open the streams waiting
 * @s: the session, just established
 */
void stt_stream_open_waiting(struct stt_session *s)
{
	struct stt_sock *ssk, *hit;

	do {
		hit = NULL;
		spin_lock_bh(&s->lock);
		list_for_each_entry(ssk, &s->socks, session_node) {
			if (test_bit(STT_SF_WANT_OPEN, &ssk->sflags) &&
			    READ_ONCE(ssk->session) == s) {
				hit = ssk;
				sock_hold(&hit->sk);
				break;
			}
		}
		spin_unlock_bh(&s->lock);
		if (hit) {
			stt_stream_open_ready(s, hit);
			sock_put(&hit->sk);
		}
	} while (hit);
}

/**
 * stt_stream_open_cancel() - a connecting socket will not open its stream
 * @ssk: the socket, locked, closing or undoing a failed connect()
 *
 * After this, stt_stream_open() enters it in no table: either it did so
 * already (%STT_SF_IN_TABLE is set, and the caller takes it out), or it
 * never will.
 */
void stt_stream_open_cancel(struct stt_sock *ssk)
{
	struct stt_session *s = ssk->session;

	if (!s)
		return;
	xa_lock_bh(&s->streams);
	clear_bit(STT_SF_WANT_OPEN, &ssk->sflags);
	xa_unlock_bh(&s->streams);
}

/* The errno connect() reports for a refusal, negative. */
static int stt_stream_reset_errno(u32 code)
{
	switch (code) {
	case STT_RESET_TOO_MANY:
		return -ENOSR;
	case STT_RESET_KIND:
		return -EPROTOTYPE;
	case STT_RESET_COLLISION:
		return -EADDRINUSE;
	case STT_RESET_NO_LISTENER:
	case STT_RESET_BACKLOG:
		return -ECONNREFUSED;
	default:
		return -ECONNRESET;
	}
}

/**
 * stt_stream_lookup() - the stream socket with an id on a session
 * @s: the session
 * @id: the stream id
 *
 * Return: the socket with a reference taken, or NULL.
 */
struct stt_sock *stt_stream_lookup(struct stt_session *s, u16 id)
{
	struct stt_sock *ssk;

	rcu_read_lock();
	ssk = xa_load(&s->streams, id);
	if (ssk && !refcount_inc_not_zero(&ssk->sk.sk_refcnt))
		ssk = NULL;
	rcu_read_unlock();
	return ssk;
}

/* Drop what is waiting to be sent: the stream cannot send any more. */
static void stt_stream_purge_tx(struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;
	struct sk_buff *pending;

	spin_lock_bh(&sk->sk_write_queue.lock);
	pending = ssk->pending;
	ssk->pending = NULL;
	__skb_queue_purge(&sk->sk_write_queue);
	spin_unlock_bh(&sk->sk_write_queue.lock);
	kfree_skb(pending);
}

/*
 * stt_stream_remove() from @s in particular: nothing, if the socket has
 * left it meanwhile (and perhaps opened a stream on another session).
 */
static void stt_stream_remove_from(struct stt_session *s, struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;

	xa_lock_bh(&s->streams);
	if (READ_ONCE(ssk->session) != s ||
	    !test_and_clear_bit(STT_SF_IN_TABLE, &ssk->sflags)) {
		xa_unlock_bh(&s->streams);
		return;
	}
	set_bit(STT_SF_REMOVING, &ssk->sflags);
	if (__xa_erase(&s->streams, ssk->stream_id) == ssk &&
	    !test_and_set_bit(STT_SF_UNCOUNTED, &ssk->sflags))
		s->nstreams--;
	xa_unlock_bh(&s->streams);
	stt_input_removed(ssk);

	stt_output_unschedule(s, ssk);
	sk_stop_timer(sk, &sk->sk_timer);
	stt_stream_purge_tx(ssk);
	stt_output_purge(ssk);
	stt_recovery_forget(s, ssk->stream_id);
	stt_session_detach(s, ssk);
	clear_bit(STT_SF_OPENING, &ssk->sflags);

	/* Whoever waits in send(), connect() or poll() must look again. */
	sk->sk_write_space(sk);
	sk->sk_state_change(sk);
	clear_and_wake_up_bit(STT_SF_REMOVING, &ssk->sflags);
	sock_put(sk);
}

/**
 * stt_stream_remove() - take a stream out of its session's table
 * @ssk: the stream
 *
 * Whatever it still had to send is dropped; what it received in order
 * stays readable, and the rest is credited to the session's window.
 * Removing a stream twice does nothing.  Callable from any
 * context; the caller holds a reference on @ssk.
 *
 * Two contexts may remove a stream at once (a refusal in softirq, the
 * connect() it failed).  Only the first does the work, and it holds
 * %STT_SF_REMOVING meanwhile, set under the table's lock in the same step
 * that takes the stream out, so that stt_stream_remove_wait() can wait for
 * it before the socket's session may change.
 */
void stt_stream_remove(struct stt_sock *ssk)
{
	struct stt_session *s = READ_ONCE(ssk->session);

	/* A failed connect() may be dropping the session: read it once. */
	if (s && test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		stt_stream_remove_from(s, ssk);
}

/**
 * stt_stream_remove_wait() - take a stream out of its table, and wait until
 *	no other context is still doing so
 * @ssk: the stream, whose socket lock the caller holds
 *
 * After it, nothing but the caller touches the socket's session pointer:
 * connect() may drop the session, or open a stream on it again.
 */
void stt_stream_remove_wait(struct stt_sock *ssk)
{
	stt_stream_remove(ssk);
	wait_on_bit(&ssk->sflags, STT_SF_REMOVING, TASK_UNINTERRUPTIBLE);
}

/**
 * stt_stream_sent_all() - the peer acknowledged our whole stream and its end
 * @ssk: the stream
 *
 * Return: true once nothing of ours is left to send or to acknowledge.
 */
bool stt_stream_sent_all(struct stt_sock *ssk)
{
	return test_bit(STT_SF_FIN_ACKED, &ssk->sflags) &&
	       skb_queue_empty_lockless(&ssk->rtxq);
}

/**
 * stt_stream_maybe_done() - remove a stream both of whose ends are finished
 * @ssk: the stream
 *
 * A stream is finished once the peer acknowledged its whole stream and its
 * end and it received the peer's whole stream, or, for a closed socket, once
 * the peer acknowledged everything: the application can read no more, and
 * data that still comes is answered with STREAM_RESET.
 */
void stt_stream_maybe_done(struct stt_sock *ssk)
{
	bool rcvd;

	if (!stt_stream_sent_all(ssk))
		return;
	spin_lock_bh(&ssk->sk.sk_receive_queue.lock);
	rcvd = test_bit(STT_SF_FIN_RCVD, &ssk->sflags) &&
	       ssk->rcv_nxt == ssk->rcv_final;
	spin_unlock_bh(&ssk->sk.sk_receive_queue.lock);
	if (rcvd || test_bit(STT_SF_ORPHAN, &ssk->sflags))
		stt_stream_remove(ssk);
}

/**
 * stt_stream_orphan() - the application closed a stream that still sends
 * @ssk: the stream
 *
 * It goes on delivering what was written, and receiving the peer's
 * acknowledgments, but no longer counts against the session's stream
 * limit: for the application it is closed.
 */
void stt_stream_orphan(struct stt_sock *ssk)
{
	struct stt_session *s = ssk->session;

	set_bit(STT_SF_ORPHAN, &ssk->sflags);
	xa_lock_bh(&s->streams);
	if (test_bit(STT_SF_IN_TABLE, &ssk->sflags) &&
	    !test_and_set_bit(STT_SF_UNCOUNTED, &ssk->sflags))
		s->nstreams--;
	xa_unlock_bh(&s->streams);
}

/**
 * stt_stream_abort() - reset a stream: tell the peer, and remove it
 * @ssk: the stream
 * @code: the STREAM_RESET code
 */
void stt_stream_abort(struct stt_sock *ssk, u32 code)
{
	if (!test_bit(STT_SF_IN_TABLE, &ssk->sflags) ||
	    test_and_set_bit(STT_SF_RESET_SENT, &ssk->sflags))
		return;
	stt_stream_send_reset(ssk->session, ssk->stream_id, code,
			      READ_ONCE(ssk->snd_sent));
	STT_INC(ssk->session->sn, STREAMS_RESET_OUT);
	WRITE_ONCE(ssk->sk.sk_shutdown, SHUTDOWN_MASK);
	stt_stream_remove(ssk);
}

/*
 * Make the socket of a stream the peer opened.  It has no struct socket
 * until accept() grafts one; it takes the listener's settings.
 */
static struct stt_sock *stt_stream_child(struct stt_session *s,
					 struct sock *lsk,
					 const struct stt_frame *f)
{
	struct stt_sock *lssk = stt_sk(lsk), *ssk;
	struct sock *sk;

	sk = stt_sock_alloc(sock_net(lsk), lsk->sk_type, GFP_ATOMIC);
	if (!sk)
		return NULL;
	ssk = stt_sk(sk);
	sk->sk_rcvbuf = READ_ONCE(lsk->sk_rcvbuf);
	sk->sk_sndbuf = READ_ONCE(lsk->sk_sndbuf);
	ssk->priority = f->open.priority;
	ssk->max_frame = lssk->max_frame;
	ssk->peer_max_frame = f->open.max_frame;
	ssk->nodelay = lssk->nodelay;
	ssk->max_streams = lssk->max_streams;
	ssk->rto_initial_ms = READ_ONCE(lssk->rto_initial_ms);
	ssk->cc_algo = READ_ONCE(lssk->cc_algo);
	ssk->label_len = f->open.label_len;
	memcpy(ssk->label, f->open.label, f->open.label_len);
	ssk->open_nr = f->open.number;
	ssk->snd_max = f->open.window;
	ssk->snd_win0 = f->open.window;
	ssk->rcv_adv = stt_stream_first_window(ssk);
	refcount_inc(&s->refs);
	ssk->session = s;
	return ssk;
}

/*
 * Which open a STREAM_OPEN is (Documentation/wire.rst, "Which open a
 * STREAM_OPEN is"): a copy of the one that made the stream we hold under
 * its id, a late copy of one dealt with already, or a new one.  Returns the
 * stream to take out of the table for a new one (with a reference), NULL
 * for none, or an error pointer when the frame is done with.
 */
static struct stt_sock *stt_stream_open_which(struct stt_session *s,
					      const struct stt_frame *f)
{
	struct stt_sock *old = stt_stream_lookup(s, f->open.stream);
	bool mine, fresh;

	BUILD_BUG_ON(STT_OPEN_WINDOW != STT_REPLAY_WINDOW);
	mine = old && !test_bit(STT_SF_PEER_OPENED, &old->sflags);
	if (old && !mine && old->open_nr == f->open.number) {
		/* The peer sends it again: our answer was lost, or is late. */
		stt_stream_send_window(old, true);
		sock_put(&old->sk);
		return ERR_PTR(-EALREADY);
	}
	xa_lock_bh(&s->streams);
	fresh = stt_replay_accept(&s->peer_opens, f->open.number);
	xa_unlock_bh(&s->streams);
	if (!fresh || (mine && s->client)) {
		/*
		 * A late copy; or the server opened this id at once with us,
		 * and the client's open wins (the server refuses its own when
		 * ours arrives): either way its copies are late from now on.
		 */
		STT_INC(s->sn, STREAM_OPEN_STALE);
		if (old)
			sock_put(&old->sk);
		return ERR_PTR(-EALREADY);
	}
	return old;
}

/*
 * The peer opens a stream.  It goes to the listener of the session's
 * endpoint, which must be of the same kind, below the stream limit and with
 * room in its accept queue; otherwise the peer gets STREAM_RESET with the
 * reason.  Accepting answers with the first WINDOW_UPDATE, which tells the
 * opener the stream exists.
 */
static void stt_stream_rcv_open(struct stt_session *s,
				const struct stt_frame *f)
{
	u16 id = f->open.stream;
	struct stt_sock *ssk, *old;
	struct sock *lsk;
	bool listening, msgs, seq, opening;
	u32 code = 0;
	int err;

	old = stt_stream_open_which(s, f);
	if (IS_ERR(old))
		return;
	if (old) {
		opening = test_bit(STT_SF_OPENING, &old->sflags);
		/* Out first: connect() may reuse the socket once told. */
		stt_stream_remove(old);
		if (opening) {
			/* Both opened this id: the client's open wins. */
			WRITE_ONCE(old->reset_code, STT_RESET_COLLISION);
			WRITE_ONCE(old->sk.sk_err, EADDRINUSE);
			/* SO_ERROR's before the flag, as in rcv_reset. */
			smp_mb__before_atomic();
			set_bit(STT_SF_REFUSED, &old->sflags);
			sk_error_report(&old->sk);
		} else {
			/* The peer finished with the old stream of this id. */
			set_bit(STT_SF_RESET_RCVD, &old->sflags);
			WRITE_ONCE(old->sk.sk_err, ECONNRESET);
			sk_error_report(&old->sk);
		}
		sock_put(&old->sk);
	}

	rcu_read_lock();
	lsk = READ_ONCE(s->ep->listener);
	if (lsk && !refcount_inc_not_zero(&lsk->sk_refcnt))
		lsk = NULL;
	rcu_read_unlock();
	if (!lsk) {
		code = STT_RESET_NO_LISTENER;
		goto refuse;
	}
	/*
	 * A session belongs to the key that authenticated it: a listener
	 * that took the endpoint over since, with another key, is not the
	 * one this peer proved itself to.  (A listener's key cannot change.)
	 */
	if (crypto_memneq(stt_sk(lsk)->psk, s->psk, STT_KEY_LEN)) {
		code = STT_RESET_NO_LISTENER;
		goto refuse_put;
	}
	msgs = f->open.kind == STT_KIND_MESSAGES;
	seq = lsk->sk_type == SOCK_SEQPACKET;
	if (msgs != seq) {
		code = STT_RESET_KIND;
		goto refuse_put;
	}
	if (sk_acceptq_is_full(lsk) || READ_ONCE(lsk->sk_state) != TCP_LISTEN) {
		code = STT_RESET_BACKLOG;
		goto refuse_put;
	}
	ssk = stt_stream_child(s, lsk, f);
	if (!ssk) {
		STT_INC(s->sn, DROP_NOMEM);
		code = STT_RESET_BACKLOG;
		goto refuse_put;
	}

	/*
	 * Attached before it enters the table: the session's close may take
	 * it out again (and detach it) as soon as it is in, and attaching it
	 * after that would leave it on the session's list once it is freed.
	 */
	set_bit(STT_SF_OPEN, &ssk->sflags);
	set_bit(STT_SF_PEER_OPENED, &ssk->sflags);
	ssk->sk.sk_state = TCP_ESTABLISHED;
	stt_session_attach(s, ssk);
	xa_lock_bh(&s->streams);
	err = stt_stream_insert(s, ssk, id, stt_stream_limit(s, stt_sk(lsk)));
	xa_unlock_bh(&s->streams);
	if (err) {
		code = err == -ENOSR ? STT_RESET_TOO_MANY : STT_RESET_COLLISION;
		stt_session_detach(s, ssk);
		sock_put(&ssk->sk);	/* frees it, and its session reference */
		goto refuse_put;
	}

	/*
	 * Into the accept queue, whose reference is the allocation's, unless
	 * the listener closed meanwhile (it empties the queue under this lock).
	 * Once queued, accept() may hand the socket to a process that closes
	 * it, and a reset take it out of the table, before the first window
	 * below goes: a reference of our own keeps it until then.
	 */
	sock_hold(&ssk->sk);
	spin_lock_bh(&lsk->sk_receive_queue.lock);
	listening = lsk->sk_state == TCP_LISTEN;
	if (listening) {
		list_add_tail(&ssk->accept_node, &stt_sk(lsk)->accept_list);
		sk_acceptq_added(lsk);
	}
	spin_unlock_bh(&lsk->sk_receive_queue.lock);
	if (!listening) {
		stt_stream_abort(ssk, STT_RESET_NO_LISTENER);
		sock_put(&ssk->sk);	/* ours */
		sock_put(&ssk->sk);	/* the allocation's */
		sock_put(lsk);
		return;
	}
	lsk->sk_data_ready(lsk);
	sock_put(lsk);

	STT_INC(s->sn, STREAMS_ACCEPTED);
	stt_stream_send_window(ssk, true);
	if (test_bit(STT_SF_WINDOW_WAIT, &ssk->sflags))
		stt_stream_window_wait(ssk);
	sock_put(&ssk->sk);
	stt_stream_session_window(s, false);
	return;

refuse_put:
	sock_put(lsk);
refuse:
	STT_INC(s->sn, STREAMS_REFUSED);
	stt_stream_send_reset(s, id, code, 0);
}

/*
 * WINDOW_UPDATE: the peer lets this stream send up to max_data.  The first
 * one answers our STREAM_OPEN.
 */
static void stt_stream_rcv_window(struct stt_session *s,
				  const struct stt_frame *f)
{
	struct stt_sock *ssk = stt_stream_lookup(s, f->window.stream);
	bool more, opened = false;
	struct sock *sk;

	if (!ssk) {
		STT_INC(s->sn, DROP_NO_STREAM);
		return;
	}
	sk = &ssk->sk;
	spin_lock_bh(&sk->sk_write_queue.lock);
	more = f->window.max_data > ssk->snd_max;
	if (more)
		ssk->snd_max = f->window.max_data;
	if (test_and_clear_bit(STT_SF_OPENING, &ssk->sflags)) {
		ssk->snd_win0 = f->window.max_data;
		set_bit(STT_SF_OPEN, &ssk->sflags);
		sk_stop_timer(sk, &sk->sk_timer);
		opened = true;
	}
	spin_unlock_bh(&sk->sk_write_queue.lock);
	/* The first window we granted was cut short by memory pressure. */
	if (opened && test_bit(STT_SF_WINDOW_WAIT, &ssk->sflags))
		stt_stream_window_wait(ssk);
	sk->sk_state_change(sk);
	if (more)
		stt_output_schedule(s, ssk, false);
	sock_put(sk);
}

/* STREAM_RESET: the peer aborted the stream, or refused to open it. */
static void stt_stream_rcv_reset(struct stt_session *s,
				 const struct stt_frame *f)
{
	struct stt_sock *ssk = stt_stream_lookup(s, f->reset.stream);
	struct sock *sk;
	bool opening;

	if (!ssk)
		return;
	sk = &ssk->sk;
	WRITE_ONCE(ssk->reset_code, f->reset.code);
	/* Its final size counts, even if it fails the session. */
	stt_input_reset(s, ssk, f->reset.final_size);
	/*
	 * Out of the table before connect() can see the refusal: it may
	 * reuse the socket for another stream at once.
	 */
	opening = test_bit(STT_SF_OPENING, &ssk->sflags);
	stt_stream_remove(ssk);
	if (opening) {
		STT_INC(s->sn, STREAMS_REFUSED_BY_PEER);
		/* For SO_ERROR after a non-blocking connect(). */
		WRITE_ONCE(sk->sk_err, -stt_stream_reset_errno(f->reset.code));
		/*
		 * The error before the flag: poll() woken by the removal
		 * reports the hang-up of a refused connect() with its error
		 * (stt_poll() reads them in the other order).
		 */
		smp_mb__before_atomic();
		set_bit(STT_SF_REFUSED, &ssk->sflags);
		sk_error_report(sk);
	} else {
		set_bit(STT_SF_RESET_RCVD, &ssk->sflags);
		STT_INC(s->sn, STREAMS_RESET_IN);
		WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
		sk_error_report(sk);
	}
	sock_put(sk);
}

/**
 * stt_stream_open_done() - how a stream open ended, for connect()
 * @ssk: the connecting stream
 *
 * Return: 1 while waiting for the peer, 0 once the peer accepted, or the
 * positive errno connect() reports.
 */
int stt_stream_open_done(struct stt_sock *ssk)
{
	if (test_bit(STT_SF_OPEN, &ssk->sflags))
		return 0;
	if (test_bit(STT_SF_REFUSED, &ssk->sflags))
		return -stt_stream_reset_errno(READ_ONCE(ssk->reset_code));
	if (READ_ONCE(ssk->sk.sk_err))
		return READ_ONCE(ssk->sk.sk_err);
	if (READ_ONCE(ssk->session->state) == STT_SS_CLOSED)
		return READ_ONCE(ssk->session->error) ?: ECONNRESET;
	return 1;
}

/**
 * stt_stream_rcv_frame() - act on a stream control frame
 * @s: the session it came on
 * @f: STREAM_OPEN, WINDOW_UPDATE, STREAM_FIN or STREAM_RESET
 *
 * Runs in softirq.
 */
void stt_stream_rcv_frame(struct stt_session *s, const struct stt_frame *f)
{
	struct stt_sock *ssk;

	switch (f->type) {
	case STT_FRAME_STREAM_OPEN:
		stt_stream_rcv_open(s, f);
		break;
	case STT_FRAME_WINDOW_UPDATE:
		/* A credit no sum can be made of: no peer sends it. */
		if (!stt_rx_max_data(f->window.max_data))
			STT_INC(s->sn, DROP_OFFSET_INVALID);
		else if (f->window.stream)
			stt_stream_rcv_window(s, f);
		else if (stt_raise64(&s->snd_max_total, f->window.max_data))
			stt_output_push(s, false);	/* the session window */
		break;
	case STT_FRAME_STREAM_RESET:
		stt_stream_rcv_reset(s, f);
		break;
	case STT_FRAME_STREAM_FIN:
		ssk = stt_stream_lookup(s, f->fin.stream);
		if (!ssk)
			break;
		stt_input_fin(s, ssk, f->fin.final_size);
		sock_put(&ssk->sk);
		break;
	}
}

/**
 * stt_stream_session_closed() - a session closed: every stream leaves it
 * @s: the closed session
 *
 * Their sockets already carry the session's error.
 */
void stt_stream_session_closed(struct stt_session *s)
{
	struct stt_sock *ssk;
	unsigned long id;

	/* No stream enters the table from now on. */
	xa_lock_bh(&s->streams);
	s->streams_closed = true;
	xa_unlock_bh(&s->streams);

	rcu_read_lock();
	xa_for_each(&s->streams, id, ssk) {
		if (!refcount_inc_not_zero(&ssk->sk.sk_refcnt))
			continue;
		rcu_read_unlock();
		stt_stream_remove_from(s, ssk);
		sock_put(&ssk->sk);
		rcu_read_lock();
	}
	rcu_read_unlock();
}

/**
 * stt_stream_ctl_settled() - a stream control frame was acknowledged or lost
 * @s: the session
 * @rec: the record of the packet it went in
 * @acked: acknowledged, rather than lost
 *
 * A lost STREAM_RESET goes again as it was (its stream is gone already); a
 * lost STREAM_FIN goes again while its stream still waits for it; a lost
 * WINDOW_UPDATE is replaced by one with the current window, the stream's or
 * (stream 0) the session's.  Runs in softirq.
 */
void stt_stream_ctl_settled(struct stt_session *s, const struct stt_sent *rec,
			    bool acked)
{
	struct stt_frame f = { .type = STT_FRAME_STREAM_FIN };
	struct stt_sock *ssk;

	if (rec->kind == STT_SENT_WINDOW && !rec->stream) {
		if (!acked) {
			STT_INC(s->sn, CTL_RETRANSMITS);
			stt_stream_session_window(s, true);
		}
		return;
	}

	if (rec->kind == STT_SENT_RESET) {
		if (!acked) {
			STT_INC(s->sn, CTL_RETRANSMITS);
			stt_stream_send_reset(s, rec->stream, rec->len,
					      rec->offset);
		}
		return;
	}
	ssk = stt_stream_lookup(s, rec->stream);
	if (!ssk)
		return;
	if (rec->kind == STT_SENT_FIN && test_bit(STT_SF_FIN_SENT, &ssk->sflags) &&
	    !test_bit(STT_SF_FIN_ACKED, &ssk->sflags) &&
	    rec->offset == READ_ONCE(ssk->snd_sent)) {
		if (acked) {
			set_bit(STT_SF_FIN_ACKED, &ssk->sflags);
			ssk->sk.sk_state_change(&ssk->sk);
			stt_stream_maybe_done(ssk);
		} else {
			STT_INC(s->sn, CTL_RETRANSMITS);
			f.fin.stream = rec->stream;
			f.fin.final_size = rec->offset;
			stt_stream_send_ctl(s, &f);
		}
	} else if (rec->kind == STT_SENT_WINDOW && !acked) {
		STT_INC(s->sn, CTL_RETRANSMITS);
		stt_stream_send_window(ssk, true);
	}
	sock_put(&ssk->sk);
}
