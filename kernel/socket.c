// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer: the AF_STT protocol family, socket creation and the
 * proto_ops table through which every socket call on an STT stream enters the
 * module.  It owns the lifetime of struct stt_sock, from socket() (or from
 * the peer's STREAM_OPEN, for an accepted stream) to the last reference, the
 * checks of what a caller passes in, the connect() and accept() state
 * machines, close() and shutdown(), poll(), and the socket's hold on its
 * endpoint and session.  Socket options live in sockopt.c, the data paths in
 * output.c and input.c.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <net/ipv6.h>

#include "stt.h"
#include "addr.h"

static struct proto stt_proto = {
	.name		= "STT",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct stt_sock),
};

static void stt_inaddr_from(union stt_inaddr *in, const struct sockaddr_stt *sa)
{
	memset(in, 0, sizeof(*in));
	if (sa->sstt_addr_family == AF_INET) {
		in->v4.sin_family = AF_INET;
		in->v4.sin_port = sa->sstt_port;
		in->v4.sin_addr = sa->sstt_addr.v4;
	} else {
		in->v6.sin6_family = AF_INET6;
		in->v6.sin6_port = sa->sstt_port;
		in->v6.sin6_addr = sa->sstt_addr.v6;
		in->v6.sin6_scope_id = sa->sstt_scope_id;
	}
}

static void stt_inaddr_to(struct sockaddr_stt *sa, const union stt_inaddr *in)
{
	sa->sstt_family = stt_family;
	sa->sstt_addr_family = in->sa.sa_family;
	if (in->sa.sa_family == AF_INET) {
		sa->sstt_port = in->v4.sin_port;
		sa->sstt_addr.v4 = in->v4.sin_addr;
	} else {
		sa->sstt_port = in->v6.sin6_port;
		sa->sstt_addr.v6 = in->v6.sin6_addr;
		sa->sstt_scope_id = in->v6.sin6_scope_id;
	}
}

/*
 * getsockname(): the endpoint and our id of the session; getpeername(): the
 * peer node and the id it expects in our packets.  Stream ids come with
 * streams.
 */
static int stt_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_stt *sa = (struct sockaddr_stt *)uaddr;
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	int err = sizeof(*sa);

	memset(sa, 0, sizeof(*sa));
	lock_sock(sk);
	if (peer) {
		if (!test_bit(STT_SF_OPEN, &ssk->sflags) || !ssk->session) {
			err = -ENOTCONN;
			goto out;
		}
		stt_inaddr_to(sa, &ssk->session->peer);
		sa->sstt_session = ssk->session->peer_id;
		if (test_bit(STT_SF_OPEN, &ssk->sflags))
			sa->sstt_stream = ssk->stream_id;
	} else if (ssk->session) {
		stt_inaddr_to(sa, &ssk->session->local);
		sa->sstt_session = ssk->session->local_id;
		if (test_bit(STT_SF_OPEN, &ssk->sflags))
			sa->sstt_stream = ssk->stream_id;
	} else if (ssk->ep) {
		stt_inaddr_to(sa, &ssk->ep->local);
	} else {
		sa->sstt_family = stt_family;
	}
out:
	release_sock(sk);
	return err;
}

/* The first stream waiting in a listener's queue, taken off it, or NULL. */
static struct stt_sock *stt_accept_dequeue(struct sock *sk)
{
	struct stt_sock *child;

	spin_lock_bh(&sk->sk_receive_queue.lock);
	child = list_first_entry_or_null(&stt_sk(sk)->accept_list,
					 struct stt_sock, accept_node);
	if (child) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(sk);
	}
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	return child;
}

/*
 * A listener closes: it stops taking streams, and those that wait in its
 * queue are reset.  Called with the socket locked.
 */
static void stt_listener_close(struct sock *sk)
{
	struct stt_sock *ssk = stt_sk(sk), *child;
	struct stt_net *sn = ssk->ep->sn;

	mutex_lock(&sn->lock);
	if (ssk->ep->listener == sk)
		WRITE_ONCE(ssk->ep->listener, NULL);
	mutex_unlock(&sn->lock);

	/* Under the queue's lock, so that no stream is queued after this. */
	spin_lock_bh(&sk->sk_receive_queue.lock);
	sk->sk_state = TCP_CLOSE;
	spin_unlock_bh(&sk->sk_receive_queue.lock);
	for (;;) {
		child = stt_accept_dequeue(sk);
		if (!child)
			break;
		stt_stream_abort(child, STT_RESET_NO_LISTENER);
		sock_put(&child->sk);
	}
}

/*
 * Wait up to the linger time for the peer to acknowledge the whole stream
 * and its end.  Called with the socket locked.
 */
static void stt_linger(struct stt_sock *ssk)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &ssk->sk;
	long timeo = sk->sk_lingertime;

	add_wait_queue(sk_sleep(sk), &wait);
	while (timeo && !signal_pending(current) &&
	       test_bit(STT_SF_IN_TABLE, &ssk->sflags) &&
	       !stt_stream_sent_all(ssk))
		sk_wait_event(sk, &timeo,
			      !test_bit(STT_SF_IN_TABLE, &ssk->sflags) ||
			      stt_stream_sent_all(ssk), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
}

/*
 * close(): a listener stops listening; a stream ends its side after what is
 * queued (STREAM_FIN) and goes on sending it after the socket is gone, or,
 * with SO_LINGER set to 0, is reset at once.  The session stays.
 */
static int stt_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk;

	if (!sk)
		return 0;
	ssk = stt_sk(sk);

	lock_sock(sk);
	/* A session coming up opens no stream for it from here on. */
	stt_stream_open_cancel(ssk);
	if (sk->sk_state == TCP_LISTEN) {
		stt_listener_close(sk);
	} else if (test_bit(STT_SF_IN_TABLE, &ssk->sflags)) {
		if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) {
			stt_stream_abort(ssk, STT_RESET_ABORT);
		} else {
			WRITE_ONCE(sk->sk_shutdown,
				   sk->sk_shutdown | SEND_SHUTDOWN);
			stt_stream_orphan(ssk);
			stt_input_discard(ssk);
			stt_output_fin(ssk);
			/* sk_wait_event() lets go of the lock while waiting. */
			if (sock_flag(sk, SOCK_LINGER))
				stt_linger(ssk);
			stt_stream_maybe_done(ssk);
		}
	}
	/* Nobody reads what is left: it goes, and the session's window opens. */
	stt_input_discard(ssk);
	/* A stream still in the table stays attached until it leaves it. */
	if (ssk->session && !test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		stt_session_detach(ssk->session, ssk);
	if (ssk->ep)
		stt_endpoint_put(ssk->ep);
	ssk->ep = NULL;
	memzero_explicit(ssk->psk, sizeof(ssk->psk));
	/*
	 * One that no lookup could ever find is freed at once, without the
	 * RCU grace period (and so lets go of the module sooner).  The flag
	 * is sticky, not recomputed from what the socket holds now: a
	 * connect() that failed took the socket out of the stream table
	 * and dropped its session, but a reader may still hold it.
	 */
	if (!test_bit(STT_SF_PUBLISHED, &ssk->sflags))
		sock_reset_flag(sk, SOCK_RCU_FREE);
	sock_orphan(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	sk->sk_state = TCP_CLOSE;
	stt_sock_net_release(sk);
	release_sock(sk);

	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int stt_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	const struct sockaddr_stt *sa = (struct sockaddr_stt *)uaddr;
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	struct stt_endpoint *ep;
	union stt_inaddr local;
	int err;

	err = stt_addr_check(sa, len, stt_family, STT_ADDR_BIND);
	if (err)
		return err;
	stt_inaddr_from(&local, sa);

	lock_sock(sk);
	err = -EINVAL;
	if (ssk->ep)
		goto out;
	ep = stt_endpoint_get(stt_net(sock_net(sk)), &local, sk);
	if (IS_ERR(ep)) {
		err = PTR_ERR(ep);
		goto out;
	}
	ssk->ep = ep;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int stt_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	struct stt_net *sn;
	int err;

	lock_sock(sk);
	/* Connected, connecting or accepted (bound or not): as for TCP. */
	err = -EINVAL;
	if (ssk->session)
		goto out;
	err = -EDESTADDRREQ;
	if (!ssk->ep)
		goto out;
	err = -ENOKEY;
	if (!ssk->psk_set)
		goto out;

	sn = ssk->ep->sn;
	mutex_lock(&sn->lock);
	if (!ssk->ep->listener) {
		/* The receive path finds it under RCU from now on. */
		set_bit(STT_SF_PUBLISHED, &ssk->sflags);
		WRITE_ONCE(ssk->ep->listener, sk);
	}
	err = ssk->ep->listener == sk ? 0 : -EADDRINUSE;
	mutex_unlock(&sn->lock);
	if (!err) {
		sk->sk_max_ack_backlog = backlog;
		sk->sk_state = TCP_LISTEN;
	}
out:
	release_sock(sk);
	return err;
}

/*
 * Whether a connect() waiting on the socket is done: open, failed, or
 * settled by another connect() on the same socket while this one slept
 * (the socket lock is let go while waiting), which may have undone the
 * attempt and dropped the session.  Called with the socket locked.
 */
static int stt_connect_done(struct stt_sock *ssk)
{
	if (ssk->sk.sk_state != TCP_SYN_SENT)
		return ssk->sk.sk_state == TCP_ESTABLISHED ? 0 : ECONNABORTED;
	return stt_stream_open_done(ssk);
}

/*
 * Whether to stop sleeping in connect().  sk_wait_event() evaluates this
 * once without the socket lock, while another connect() on the socket may
 * be undoing its attempt: dropping its session reference and clearing
 * ssk->session.  So the session is read under RCU (sessions are freed with
 * kfree_rcu()), and may be gone; a session that closes also sets sk_err on
 * its streams.  The loop below looks again, locked, with stt_connect_done().
 */
static bool stt_connect_woken(struct stt_sock *ssk)
{
	struct stt_session *s;
	bool closed;

	if (READ_ONCE(ssk->sk.sk_state) != TCP_SYN_SENT ||
	    test_bit(STT_SF_OPEN, &ssk->sflags) ||
	    test_bit(STT_SF_REFUSED, &ssk->sflags) || READ_ONCE(ssk->sk.sk_err))
		return true;
	rcu_read_lock();
	s = READ_ONCE(ssk->session);
	closed = !s || READ_ONCE(s->state) == STT_SS_CLOSED;
	rcu_read_unlock();
	return closed;
}

/*
 * Wait until the stream is open or failed; called with the socket locked.
 * Returns 0, -EINPROGRESS, an interruption, or the failure.
 */
static int stt_connect_wait(struct stt_sock *ssk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &ssk->sk;
	int ret;

	while ((ret = stt_connect_done(ssk)) == 1) {
		if (!timeo)
			return -EINPROGRESS;
		if (signal_pending(current))
			return sock_intr_errno(timeo);
		add_wait_queue(sk_sleep(sk), &wait);
		sk_wait_event(sk, &timeo, stt_connect_woken(ssk), &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
	return -ret;
}

/* A connect() failed: the socket is back where it started. */
static void stt_connect_undo(struct stt_sock *ssk)
{
	struct sock *sk = &ssk->sk;

	/*
	 * A refusal or the session's close may be taking the stream out in
	 * softirq right now, reading ssk->session: wait for it.  The stream
	 * timer reads it too, without the socket lock; out of the table it
	 * re-arms no more, so wait for a run that may have begun before.
	 * A session coming up must not open the stream behind our back.
	 */
	stt_stream_open_cancel(ssk);
	stt_stream_remove_wait(ssk);
	sk_stop_timer_sync(sk, &sk->sk_timer);
	stt_session_detach(ssk->session, ssk);
	stt_session_put(ssk->session);
	WRITE_ONCE(ssk->session, NULL);
	clear_bit(STT_SF_REFUSED, &ssk->sflags);
	/*
	 * The next stream's accounting starts afresh (a refusal counted one
	 * final size, and leaving the table uncounted it from the limit).
	 */
	clear_bit(STT_SF_FINAL_COUNTED, &ssk->sflags);
	clear_bit(STT_SF_UNCOUNTED, &ssk->sflags);
	clear_bit(STT_SF_WINDOW_WAIT, &ssk->sflags);
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sk->sk_state = TCP_CLOSE;
}

/*
 * connect(): find or start the session to the peer (the handshake), open the
 * stream on it (STREAM_OPEN), and wait for the peer to accept it.  With
 * O_NONBLOCK it returns EINPROGRESS and poll() reports EPOLLOUT once the
 * stream is open, or EPOLLERR with the reason in SO_ERROR.
 */
static int stt_connect(struct socket *sock, struct sockaddr *uaddr, int len,
		       int flags)
{
	const struct sockaddr_stt *sa = (struct sockaddr_stt *)uaddr;
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	struct stt_session *s;
	union stt_inaddr peer;
	bool again = false;
	int err;

	err = stt_addr_check(sa, len, stt_family, STT_ADDR_CONNECT);
	if (err)
		return err;
	stt_inaddr_from(&peer, sa);

	lock_sock(sk);
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		err = -EISCONN;
		goto out;
	case TCP_LISTEN:
		err = -EINVAL;
		goto out;
	case TCP_SYN_SENT:
		/* A connect() already under way (non-blocking, interrupted). */
		again = true;
		goto wait;
	}
	err = -EINVAL;
	if (sk->sk_shutdown)
		goto out;	/* a stream that ended is not opened again */
	err = -ENOKEY;
	if (!ssk->psk_set)
		goto out;
	err = -EAFNOSUPPORT;
	if (ssk->ep && ssk->ep->local.sa.sa_family != peer.sa.sa_family)
		goto out;

	s = stt_session_connect(ssk, ssk->ep, &peer);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out;
	}
	WRITE_ONCE(ssk->session, s);
	ssk->want_stream = sa->sstt_stream;
	sk->sk_state = TCP_SYN_SENT;
	set_bit(STT_SF_WANT_OPEN, &ssk->sflags);
	stt_session_attach(s, ssk);
	stt_stream_open_ready(s, ssk);
wait:
	err = stt_connect_wait(ssk, sock_sndtimeo(sk, flags & O_NONBLOCK));
	if (err == -EINPROGRESS && again)
		err = -EALREADY;
	if (err == -EINPROGRESS || err == -EALREADY || err == -ERESTARTSYS ||
	    err == -EINTR)
		goto out;
	if (sk->sk_state != TCP_SYN_SENT)
		goto out;	/* another connect() settled it */
	if (err) {
		stt_connect_undo(ssk);
		goto out;
	}
	sk->sk_state = TCP_ESTABLISHED;
	sock->state = SS_CONNECTED;
out:
	release_sock(sk);
	return err;
}

/*
 * accept(): the next stream a peer opened to our endpoint.  The new socket
 * is open already; getpeername() and getsockname() name its stream.
 */
static int stt_accept_one(struct socket *sock, struct socket *newsock,
			  int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk, *nsk;
	struct stt_sock *ssk = stt_sk(sk), *child = NULL;
	long timeo;
	int err = 0;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	while (!child) {
		if (sk->sk_state != TCP_LISTEN) {
			err = -EINVAL;
			break;
		}
		child = stt_accept_dequeue(sk);
		if (child)
			break;
		if (!timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		add_wait_queue(sk_sleep(sk), &wait);
		sk_wait_event(sk, &timeo, !list_empty(&ssk->accept_list) ||
			      sk->sk_state != TCP_LISTEN, &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
	release_sock(sk);
	if (err)
		return err;

	nsk = &child->sk;
	lock_sock(nsk);
	stt_sock_net_hold(nsk);
	sock_graft(nsk, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(nsk);
	return 0;
}

static int stt_accept(STT_ACCEPT_PARAMS)
{
	return stt_accept_one(sock, newsock, STT_ACCEPT_FLAGS);
}

/*
 * shutdown(): SHUT_WR ends our side of the stream after what is queued;
 * SHUT_RD makes further reads return 0.
 */
static int stt_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	int mask = how + 1, err = 0;	/* SHUT_RD 0 -> RCV_SHUTDOWN 1 ... */

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		stt_listener_close(sk);
		goto out;
	}
	if (!test_bit(STT_SF_OPEN, &ssk->sflags)) {
		err = -ENOTCONN;
		goto out;
	}
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mask);
	if ((mask & SEND_SHUTDOWN) && test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		stt_output_fin(ssk);
	sk->sk_state_change(sk);
out:
	release_sock(sk);
	return err;
}

static __poll_t stt_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	u8 shutdown;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		return list_empty_careful(&ssk->accept_list) ? 0 :
		       EPOLLIN | EPOLLRDNORM;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	if (shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (stt_input_readable(ssk))
		mask |= EPOLLIN | EPOLLRDNORM;

	if (!test_bit(STT_SF_OPEN, &ssk->sflags)) {
		/*
		 * Like TCP: a socket that is not connected, or whose connect()
		 * was refused (SO_ERROR may have been read already), hangs up;
		 * one still connecting gets EPOLLOUT once open.
		 */
		if (READ_ONCE(sk->sk_state) != TCP_SYN_SENT ||
		    test_bit(STT_SF_REFUSED, &ssk->sflags)) {
			mask |= EPOLLHUP;
			/* The refusal set the error before the flag. */
			smp_rmb();
			if (READ_ONCE(sk->sk_err))
				mask |= EPOLLERR;
		}
		return mask;
	}
	if (shutdown & SEND_SHUTDOWN || test_bit(STT_SF_RESET_RCVD, &ssk->sflags))
		mask |= EPOLLOUT | EPOLLWRNORM;	/* a write fails at once */
	else if (stt_output_writable(ssk))
		mask |= EPOLLOUT | EPOLLWRNORM;
	else
		sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	return mask;
}

static int stt_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	int ret;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (msg->msg_name)
		return -EISCONN;
	lock_sock(sk);
	if (!test_bit(STT_SF_OPEN, &ssk->sflags) || !ssk->session)
		ret = sk->sk_state == TCP_CLOSE && sk->sk_shutdown ?
		      -EPIPE : -ENOTCONN;
	else
		ret = stt_output_sendmsg(ssk, msg, len);
	release_sock(sk);
	return ret;
}

static int stt_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		       int flags)
{
	struct sock *sk = sock->sk;
	struct stt_sock *ssk = stt_sk(sk);
	int ret;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EOPNOTSUPP;
	lock_sock(sk);
	if (!test_bit(STT_SF_OPEN, &ssk->sflags) || !ssk->session)
		ret = -ENOTCONN;
	else
		ret = stt_input_recvmsg(ssk, msg, len, flags);
	release_sock(sk);
	return ret;
}

/*
 * The socket core never reads proto_ops.family (it dispatches on the family of
 * net_proto_family), so this table can stay const when the module parameter
 * moves STT to another family number.
 */
static const struct proto_ops stt_ops = {
	.family		= PF_STT,
	.owner		= THIS_MODULE,
	.release	= stt_release,
	.bind		= stt_bind,
	.connect	= stt_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= stt_accept,
	.getname	= stt_getname,
	.ioctl		= sock_no_ioctl,
	.poll		= stt_poll,
	.listen		= stt_listen,
	.shutdown	= stt_shutdown,
	.setsockopt	= stt_setsockopt,
	.getsockopt	= stt_getsockopt,
	.sendmsg	= stt_sendmsg,
	.recvmsg	= stt_recvmsg,
	.mmap		= sock_no_mmap,
};

/*
 * Everything is released; what was still queued goes with the socket (and
 * is credited to the session's window: an accepted stream that never
 * reached accept() had no close of its own).
 */
static void stt_sock_destruct(struct sock *sk)
{
	struct stt_sock *ssk = stt_sk(sk);

	stt_input_discard(ssk);
	__skb_queue_purge(&sk->sk_receive_queue);
	stt_input_purge_ooo(ssk);
	stt_output_purge(ssk);
	if (ssk->session)
		stt_session_put(ssk->session);
	ssk->session = NULL;
}

/* What every STT socket starts with, made by socket() or by a peer. */
static void stt_sock_init(struct sock *sk, int type)
{
	struct stt_sock *ssk = stt_sk(sk);
	struct stt_sysctl *sc = &stt_net(sock_net(sk))->sysctl;

	sk->sk_type = type;
	sk->sk_protocol = 0;
	sk->sk_state = TCP_CLOSE;
	sk->sk_destruct = stt_sock_destruct;
	timer_setup(&sk->sk_timer, stt_stream_timer, 0);
	sk->sk_sndbuf = READ_ONCE(sc->stream_sndbuf);
	sk->sk_rcvbuf = READ_ONCE(sc->stream_rcvbuf);
	/* Looked up under RCU by stream id and as an endpoint's listener. */
	sock_set_flag(sk, SOCK_RCU_FREE);
	ssk->suites = READ_ONCE(sc->suites);
	ssk->kind = type == SOCK_SEQPACKET ? STT_KIND_MESSAGES : STT_KIND_BYTES;
	ssk->max_frame = READ_ONCE(sc->max_frame);
	ssk->peer_max_frame = ssk->max_frame;
	ssk->rto_initial_ms = READ_ONCE(sc->rto_initial_ms);
	ssk->cc_algo = READ_ONCE(sc->congestion_control);
	INIT_LIST_HEAD(&ssk->session_node);
	INIT_LIST_HEAD(&ssk->tx_node);
	INIT_LIST_HEAD(&ssk->accept_list);
	INIT_LIST_HEAD(&ssk->accept_node);
	ssk->ooo = RB_ROOT;
	skb_queue_head_init(&ssk->rtxq);
}

/**
 * stt_sock_alloc() - make the socket of a stream a peer opened
 * @net: the namespace
 * @type: %SOCK_STREAM or %SOCK_SEQPACKET, the listener's
 * @gfp: allocation flags
 *
 * It holds no reference on the namespace until accept() hands it to a
 * process (stt_sock_net_hold()): until then it is the session's, and the
 * namespace's exit closes the session.
 *
 * Return: the socket, with one reference, or NULL.
 */
struct sock *stt_sock_alloc(struct net *net, int type, gfp_t gfp)
{
	struct sock *sk;

	sk = sk_alloc(net, stt_family, gfp, &stt_proto, 1);
	if (!sk)
		return NULL;
	sock_init_data(NULL, sk);
	stt_sock_init(sk, type);
	return sk;
}

static int stt_create(struct net *net, struct socket *sock, int protocol,
		      int kern)
{
	struct sock *sk;

	if (protocol)
		return -EPROTONOSUPPORT;
	if (sock->type != SOCK_STREAM && sock->type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	sock->ops = &stt_ops;

	sk = sk_alloc(net, stt_family, GFP_KERNEL, &stt_proto, kern);
	if (!sk)
		return -ENOMEM;

	sock_init_data(sock, sk);
	stt_sock_init(sk, sock->type);
	return 0;
}

static struct net_proto_family stt_family_ops = {
	.create	= stt_create,
	.owner	= THIS_MODULE,
};

/**
 * stt_socket_init() - register the STT protocol and address family
 *
 * Registers under the family number in stt_family.  A number that another
 * protocol already holds, or one the kernel cannot register, fails the load
 * with a message that says which number and how to pick another.
 *
 * Return: 0 or a negative errno.
 */
int stt_socket_init(void)
{
	int err;

	if (stt_family <= 0 || stt_family >= NPROTO) {
		pr_err("address family %d is out of range (1..%d); load with family=N\n",
		       stt_family, NPROTO - 1);
		return -EINVAL;
	}

	stt_family_ops.family = stt_family;

	err = proto_register(&stt_proto, 1);
	if (err)
		return err;

	err = sock_register(&stt_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("address family %d is already taken by another protocol; load with family=N to use a free slot\n",
			       stt_family);
		else
			pr_err("cannot register address family %d: %d\n",
			       stt_family, err);
		proto_unregister(&stt_proto);
		return err;
	}
	return 0;
}

/**
 * stt_socket_exit() - unregister the STT family and protocol
 *
 * No STT socket can exist here: each one pins the module.
 */
void stt_socket_exit(void)
{
	sock_unregister(stt_family);
	proto_unregister(&stt_proto);
}
