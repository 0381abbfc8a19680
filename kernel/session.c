// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: the encrypted channel between two nodes.  Owns struct
 * stt_session from creation to its one release path: the per-namespace
 * tables (resizable RCU hashes by local session id and by peer address, a
 * list for teardown, and the list of half-open server sessions with its
 * cap), reference counting, the session timer (handshake retransmission
 * and timeout), closing, and the receive path of every datagram an endpoint
 * gets: header checks, handing handshake packets to the handshake worker
 * (past cookie.c's gate when under load), and authenticating,
 * replay-checking and dispatching protected packets.
 *
 * Lifetime: the table holds one reference until the session closes; every
 * other holder (a socket, a packet being processed) holds its own.  The last
 * put queues the destroy work, because freeing keys and releasing the
 * endpoint may sleep and the last put may come from softirq.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <linux/wait_bit.h>
#include <crypto/algapi.h>
#include <net/ipv6.h>

#include "stt.h"
#include "codec.h"

/*
 * Bounds the handshake packets waiting for the worker (DoS); from an eighth
 * of it on, the namespace is under load and HELLOs need a cookie.
 */
#define STT_HS_QUEUE_MAX	1024
#define STT_HS_QUEUE_LOAD	(STT_HS_QUEUE_MAX / 8)

struct workqueue_struct *stt_wq;

static void stt_session_timer(struct timer_list *t);

static const struct rhashtable_params stt_id_params = {
	.key_len		= sizeof(u32),
	.key_offset		= offsetof(struct stt_session, local_id),
	.head_offset		= offsetof(struct stt_session, id_node),
	.automatic_shrinking	= true,
};

/* The peer's address is zeroed before it is filled in: a byte-wise key. */
static const struct rhashtable_params stt_peer_params = {
	.key_len		= sizeof(union stt_inaddr),
	.key_offset		= offsetof(struct stt_session, peer),
	.head_offset		= offsetof(struct stt_session, peer_node),
	.automatic_shrinking	= true,
};

/**
 * stt_session_lookup() - find a session by the id the peer addresses it by
 * @sn: the namespace
 * @local_id: the destination session id of a packet
 *
 * Return: the session with a reference taken, or NULL.
 */
struct stt_session *stt_session_lookup(struct stt_net *sn, u32 local_id)
{
	struct stt_session *s;

	rcu_read_lock();
	s = rhashtable_lookup(&sn->ids, &local_id, stt_id_params);
	if (s && !refcount_inc_not_zero(&s->refs))
		s = NULL;
	rcu_read_unlock();
	return s;
}

static void stt_session_destroy(struct work_struct *work)
{
	struct stt_session *s = container_of(work, struct stt_session,
					     destroy_work);
	struct stt_net *sn = s->sn;

	del_timer_sync(&s->timer);
	del_timer_sync(&s->flow_timer);
	stt_recovery_destroy(s);
	/* After the timers that send are stopped. */
	stt_txq_release(s);
	stt_handshake_free(s);
	/* No reference is left, so no packet is using the keys. */
	stt_key_free(rcu_dereference_protected(s->tx, true));
	stt_key_free(rcu_dereference_protected(s->rx, true));
	stt_rekey_destroy(s);
	WARN_ON(!xa_empty(&s->streams));
	xa_destroy(&s->streams);
	memzero_explicit(s->psk, sizeof(s->psk));
	stt_endpoint_put(s->ep);
	/*
	 * A namespace exit waits for this (see stt_session_net_exit()); the
	 * waker touches only the hashed wait queue, never the namespace.
	 */
	if (atomic_dec_and_test(&sn->live))
		wake_up_var(&sn->live);
	kfree_rcu(s, rcu);
}

/**
 * stt_session_put() - drop a reference to a session
 * @s: the session
 *
 * Callable from any context.
 */
void stt_session_put(struct stt_session *s)
{
	if (refcount_dec_and_test(&s->refs))
		queue_work(stt_wq, &s->destroy_work);
}

/**
 * stt_session_new() - create a session and enter it in the table
 * @sn: the namespace
 * @ep: the endpoint it runs on; the session takes its own reference
 * @peer: the peer's address
 * @client: whether this node starts the handshake
 * @psk: the pre-shared key
 * @rto_initial_ms: loss recovery's retransmission timeout before the first
 *	RTT sample, ms (%STT_RETRANSMIT_TIMEOUT of the socket it is for)
 * @cc_algo: its congestion controller, an &enum stt_congestion
 *	(%STT_CONGESTION of the socket it is for)
 *
 * Return: the session, holding the table's reference and one for the
 * caller, or an ERR_PTR().
 */
struct stt_session *stt_session_new(struct stt_net *sn, struct stt_endpoint *ep,
				    const union stt_inaddr *peer, bool client,
				    const u8 *psk, u32 rto_initial_ms,
				    u8 cc_algo)
{
	struct stt_session *s;
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->cc_algo = cc_algo;
	stt_recovery_init(s);
	s->sn = sn;
	s->ep = ep;
	s->peer = *peer;
	s->client = client;
	INIT_LIST_HEAD(&s->ho_node);
	s->rto_initial_ms = rto_initial_ms;
	memcpy(s->psk, psk, STT_KEY_LEN);
	spin_lock_init(&s->lock);
	spin_lock_init(&s->rx_lock);
	spin_lock_init(&s->pn_lock);
	init_waitqueue_head(&s->wq);
	timer_setup(&s->timer, stt_session_timer, 0);
	INIT_WORK(&s->destroy_work, stt_session_destroy);
	INIT_LIST_HEAD(&s->socks);
	xa_init_flags(&s->streams, XA_FLAGS_LOCK_BH);
	spin_lock_init(&s->tx_lock);
	INIT_LIST_HEAD(&s->tx_ready);
	INIT_WORK(&s->push_work, stt_output_push_work);
	atomic64_set(&s->snd_max_total, STT_SESSION_WINDOW_INITIAL);
	atomic64_set(&s->rcv_max_total, STT_SESSION_WINDOW_INITIAL);
	timer_setup(&s->flow_timer, stt_stream_flow_timer, 0);
	s->dgram = STT_MIN_DGRAM;
	s->local = ep->local;
	stt_rekey_setup(s);
	stt_replay_init(&s->replay);
	stt_replay_init(&s->peer_opens);
	s->state = client ? STT_SS_HELLO_SENT : STT_SS_CHALLENGED;

	/*
	 * No reference until it is in both tables: a lookup that finds it
	 * in one meanwhile cannot take one, so a failure below may free it
	 * (after readers are done with it).
	 */
	refcount_set(&s->refs, 0);
	spin_lock_bh(&sn->sessions_lock);
	/* A random id that no live session of this namespace uses. */
	for (err = sn->dying ? -ENETDOWN : -EEXIST; err == -EEXIST;) {
		s->local_id = get_random_u32() ?: 1;
		err = rhashtable_lookup_insert_fast(&sn->ids, &s->id_node,
						    stt_id_params);
	}
	if (!err) {
		err = rhltable_insert(&sn->peers, &s->peer_node,
				      stt_peer_params);
		if (err)
			rhashtable_remove_fast(&sn->ids, &s->id_node,
					       stt_id_params);
	}
	if (err) {
		spin_unlock_bh(&sn->sessions_lock);
		stt_recovery_destroy(s);
		kfree_rcu(s, rcu);
		return ERR_PTR(err);
	}
	refcount_set(&s->refs, 2);
	list_add(&s->node, &sn->session_list);
	if (!client) {
		list_add_tail(&s->ho_node, &sn->half_open);
		s->half_open = true;
		WRITE_ONCE(sn->nhalf_open, sn->nhalf_open + 1);
	}
	atomic_inc(&sn->live);
	refcount_inc(&ep->refs);
	spin_unlock_bh(&sn->sessions_lock);
	return s;
}

/* Called with sessions_lock held. */
static void stt_session_unlist_half_open(struct stt_session *s)
{
	struct stt_net *sn = s->sn;

	if (!s->half_open)
		return;
	s->half_open = false;
	list_del_init(&s->ho_node);
	WRITE_ONCE(sn->nhalf_open, sn->nhalf_open - 1);
}

/**
 * stt_session_half_open_done() - a server session is no longer half-open
 * @s: the session, just established (or closing)
 *
 * Takes it off the namespace's half-open list, which bounds and evicts only
 * sessions whose peer has not proven the key.
 */
void stt_session_half_open_done(struct stt_session *s)
{
	spin_lock_bh(&s->sn->sessions_lock);
	stt_session_unlist_half_open(s);
	spin_unlock_bh(&s->sn->sessions_lock);
}

/**
 * stt_session_evict_half_open() - make room for one more half-open session
 * @sn: the namespace
 *
 * At net.stt.max_half_open, the oldest half-open server session is closed:
 * a flood cannot hold more, and the oldest is the likeliest to be one whose
 * AUTH_PROOF will never come.  Called by the handshake worker (the only
 * creator of server sessions, one at a time per namespace) before it
 * creates one.
 */
void stt_session_evict_half_open(struct stt_net *sn)
{
	int max = READ_ONCE(sn->sysctl.max_half_open);
	struct stt_session *s;

	for (;;) {
		spin_lock_bh(&sn->sessions_lock);
		s = NULL;
		if (sn->nhalf_open >= max) {
			s = list_first_entry(&sn->half_open, struct stt_session,
					     ho_node);
			/* Off the list now: two evictions never pick one. */
			stt_session_unlist_half_open(s);
			if (!refcount_inc_not_zero(&s->refs))
				s = NULL;
		}
		spin_unlock_bh(&sn->sessions_lock);
		if (!s)
			return;
		STT_INC(sn, HALF_OPEN_EVICTED);
		stt_session_close(s, ETIMEDOUT);
		stt_session_put(s);
	}
}

/**
 * stt_session_under_load() - whether HELLOs must carry a cookie
 * @sn: the namespace
 *
 * Under load when the half-open server sessions reach
 * net.stt.handshake_cookie_threshold, or the handshake worker's queue an
 * eighth of its bound (the worker cannot keep up).  Lockless: a moment's
 * staleness only sends one cookie more or fewer.
 *
 * Return: true if under load.
 */
bool stt_session_under_load(struct stt_net *sn)
{
	return READ_ONCE(sn->nhalf_open) >=
	       READ_ONCE(sn->sysctl.handshake_cookie_threshold) ||
	       skb_queue_len_lockless(&sn->hs_queue) >= STT_HS_QUEUE_LOAD;
}

/**
 * stt_session_close() - close a session and wake everyone waiting on it
 * @s: the session
 * @error: the positive errno its sockets see (0 for an orderly close)
 *
 * Removes it from the table, which drops the table's reference.  Closing a
 * closed session does nothing.  Callable from any context.
 */
void stt_session_close(struct stt_session *s, int error)
{
	struct stt_net *sn = s->sn;
	struct stt_sock *ssk;

	spin_lock_bh(&s->lock);
	if (s->state == STT_SS_CLOSED) {
		spin_unlock_bh(&s->lock);
		return;
	}
	s->state = STT_SS_CLOSED;
	s->error = error;
	/* Every stream of the session fails with it. */
	list_for_each_entry(ssk, &s->socks, session_node) {
		WRITE_ONCE(ssk->sk.sk_err, error ?: ECONNRESET);
		WRITE_ONCE(ssk->sk.sk_shutdown, SHUTDOWN_MASK);
		sk_error_report(&ssk->sk);
	}
	spin_unlock_bh(&s->lock);
	del_timer(&s->timer);
	del_timer(&s->flow_timer);
	stt_recovery_stop(s);
	wake_up_all(&s->wq);
	stt_stream_session_closed(s);
	STT_INC(sn, SESSIONS_CLOSED);

	spin_lock_bh(&sn->sessions_lock);
	rhashtable_remove_fast(&sn->ids, &s->id_node, stt_id_params);
	rhltable_remove(&sn->peers, &s->peer_node, stt_peer_params);
	list_del_init(&s->node);
	stt_session_unlist_half_open(s);
	spin_unlock_bh(&sn->sessions_lock);
	stt_session_put(s);
}

/**
 * stt_session_abort() - tell the peer why we close, then close
 * @s: the session
 * @reason: the SESSION_CLOSE reason, an %STT_CLOSE_* value
 * @error: the positive errno our sockets see (0 for an orderly close)
 *
 * The SESSION_CLOSE frame is sent once; a peer that misses it finds out by
 * its own timeouts.  Callable from any context.
 */
void stt_session_abort(struct stt_session *s, u32 reason, int error)
{
	u8 buf[1 + STT_SESSION_CLOSE_MIN_LEN];
	struct stt_frame f = {
		.type = STT_FRAME_SESSION_CLOSE,
		.close = { .reason = reason },
	};
	int n = stt_frame_encode(buf, sizeof(buf), &f);

	if (n > 0 && READ_ONCE(s->state) == STT_SS_ESTABLISHED)
		stt_session_send(s, buf, n, NULL);
	stt_session_close(s, error);
}

static void stt_session_close_idle(struct stt_session *s)
{
	STT_INC(s->sn, SESSIONS_IDLE);
	stt_session_abort(s, STT_CLOSE_IDLE, 0);
}

static void stt_session_keepalive(struct stt_session *s, u8 type, u64 opaque)
{
	u8 buf[1 + STT_KEEPALIVE_LEN];
	struct stt_frame f = { .type = type, .keepalive = { .opaque = opaque } };
	int n = stt_frame_encode(buf, sizeof(buf), &f);

	if (n > 0 && !stt_session_send(s, buf, n, NULL) &&
	    type == STT_FRAME_KEEPALIVE)
		STT_INC(s->sn, KEEPALIVES);
}

/*
 * An established session's timer.  A session no socket has used for the idle
 * timeout is closed, and the peer told.  A session in use sends a KEEPALIVE
 * when it sent nothing for the keepalive interval (at most a third of the
 * idle timeout, so that a live peer always answers in time), and gives the
 * peer up when it heard nothing from it for the idle timeout.  A keepalive
 * interval of 0 turns both keepalives and giving up off.
 */
static void stt_session_tick(struct stt_session *s)
{
	struct stt_sysctl *sc = &s->sn->sysctl;
	unsigned long idle = msecs_to_jiffies(READ_ONCE(sc->idle_timeout_ms));
	unsigned long ka = msecs_to_jiffies(READ_ONCE(sc->keepalive_ms));
	unsigned long now = jiffies, next;

	if (!READ_ONCE(s->nsocks)) {
		next = READ_ONCE(s->last_use) + idle;
		if (time_after_eq(now, next)) {
			stt_session_close_idle(s);
			return;
		}
	} else if (ka) {
		ka = max(min(ka, idle / 3), 1UL);
		if (time_after_eq(now, READ_ONCE(s->last_rx) + idle)) {
			STT_INC(s->sn, SESSIONS_PEER_TIMEOUT);
			stt_session_close(s, ETIMEDOUT);
			return;
		}
		if (time_after_eq(now, READ_ONCE(s->last_tx) + ka))
			stt_session_keepalive(s, STT_FRAME_KEEPALIVE, now);
		next = min(READ_ONCE(s->last_tx) + ka,
			   READ_ONCE(s->last_rx) + idle);
	} else {
		/* Nothing to do until a socket detaches (which re-arms us). */
		next = now + idle;
	}

	spin_lock_bh(&s->lock);
	if (s->state == STT_SS_ESTABLISHED)
		mod_timer(&s->timer, time_after(next, now) ? next : now + 1);
	spin_unlock_bh(&s->lock);
}

/**
 * stt_session_established() - start an established session's clock
 * @s: the session, just established, with its lock held
 * @rtt: the round trip the handshake measured, ns, or 0
 */
void stt_session_established(struct stt_session *s, u64 rtt)
{
	s->dgram = stt_endpoint_dgram(s->ep, &s->peer, &s->local);
	s->last_rx = jiffies;
	s->last_tx = jiffies;
	s->last_use = jiffies;
	mod_timer(&s->timer, jiffies + 1);
	stt_recovery_established(s, rtt);
	stt_txq_init(s);
}

/**
 * stt_session_attach() - a socket's stream now runs on a session
 * @s: the session
 * @ssk: the socket, which holds a reference to @s
 *
 * If the session is already closed the socket gets its error at once.
 * Attaching an attached socket does nothing.
 */
void stt_session_attach(struct stt_session *s, struct stt_sock *ssk)
{
	spin_lock_bh(&s->lock);
	if (!list_empty(&ssk->session_node)) {
		spin_unlock_bh(&s->lock);
		return;
	}
	list_add(&ssk->session_node, &s->socks);
	s->nsocks++;
	WRITE_ONCE(s->last_use, jiffies);
	/* In use now: keepalives start. */
	if (s->state == STT_SS_ESTABLISHED)
		mod_timer(&s->timer, jiffies + 1);
	if (s->state == STT_SS_CLOSED) {
		WRITE_ONCE(ssk->sk.sk_err, s->error ?: ECONNRESET);
		sk_error_report(&ssk->sk);
	}
	spin_unlock_bh(&s->lock);
}

/**
 * stt_session_detach() - a socket's stream no longer runs on a session
 * @s: the session
 * @ssk: the socket; detaching it twice does nothing
 */
void stt_session_detach(struct stt_session *s, struct stt_sock *ssk)
{
	spin_lock_bh(&s->lock);
	if (list_empty(&ssk->session_node)) {
		spin_unlock_bh(&s->lock);
		return;
	}
	list_del_init(&ssk->session_node);
	s->nsocks--;
	WRITE_ONCE(s->last_use, jiffies);
	/* The idle clock starts now: let the timer see it. */
	if (!s->nsocks && s->state == STT_SS_ESTABLISHED)
		mod_timer(&s->timer, jiffies + 1);
	spin_unlock_bh(&s->lock);
}

/*
 * One timer per session.  While handshaking, the client retransmits its last
 * message with exponential backoff until the deadline; a server's half-open
 * session just expires at its deadline.
 */
static void stt_session_timer(struct timer_list *t)
{
	struct stt_session *s = from_timer(s, t, timer);
	bool expired = false;
	int err = ETIMEDOUT;
	unsigned long next;

	spin_lock_bh(&s->lock);
	switch (s->state) {
	case STT_SS_HELLO_SENT:
	case STT_SS_PROOF_SENT:
		if (s->soft_error &&
		    time_after_eq(jiffies, s->soft_deadline)) {
			expired = true;
			err = s->soft_error;
			break;
		}
		if (time_after_eq(jiffies, s->deadline)) {
			expired = true;
			break;
		}
		stt_handshake_retransmit(s);
		STT_INC(s->sn, HANDSHAKE_RETRANSMITS);
		s->rto = min_t(unsigned long, s->rto * 2, 2 * HZ);
		next = min(jiffies + s->rto, s->deadline);
		if (s->soft_error && time_before(s->soft_deadline, next))
			next = s->soft_deadline;
		mod_timer(&s->timer, next);
		break;
	case STT_SS_CHALLENGED:
		expired = time_after_eq(jiffies, s->deadline);
		if (!expired)
			mod_timer(&s->timer, s->deadline);
		break;
	case STT_SS_ESTABLISHED:
		spin_unlock_bh(&s->lock);
		stt_session_tick(s);
		return;
	default:
		break;
	}
	spin_unlock_bh(&s->lock);

	if (expired) {
		if (err == EKEYREJECTED)
			STT_INC(s->sn, HANDSHAKES_KEY_REJECTED);
		else if (s->client)
			STT_INC(s->sn, HANDSHAKES_TIMED_OUT);
		stt_session_close(s, err);
	}
}

/*
 * The first session to @peer (on @ep, or any endpoint for NULL) that @match
 * accepts, with a reference taken, or NULL.  Every path finds sessions this
 * way, through the hash by peer address, never by walking all of them; the
 * sessions to one address are few, since the per-source handshake limit
 * and the half-open cap bound those a stranger can make.
 */
static struct stt_session *
stt_session_find(struct stt_net *sn, const struct stt_endpoint *ep,
		 const union stt_inaddr *peer,
		 bool (*match)(struct stt_session *s, const void *arg),
		 const void *arg)
{
	struct rhlist_head *list, *pos;
	struct stt_session *s;

	rcu_read_lock();
	list = rhltable_lookup(&sn->peers, peer, stt_peer_params);
	rhl_for_each_entry_rcu(s, pos, list, peer_node) {
		if ((!ep || s->ep == ep) && match(s, arg) &&
		    refcount_inc_not_zero(&s->refs)) {
			rcu_read_unlock();
			return s;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/*
 * A session a connect() may use: one this node started, or one that is
 * established, and so authenticated, under the socket's key.  A half-open
 * server session is neither: anybody can make one with a HELLO that claims
 * the peer's address.
 */
static bool stt_session_connect_match(struct stt_session *s, const void *psk)
{
	enum stt_session_state state = READ_ONCE(s->state);

	return (s->client ? state != STT_SS_CLOSED :
			    state == STT_SS_ESTABLISHED) &&
	       !crypto_memneq(s->psk, psk, STT_KEY_LEN);
}

/**
 * stt_session_connect() - the session a connecting socket's stream runs on
 * @ssk: the socket; its key, cipher suites, initial retransmission
 *	timeout and congestion controller are used
 * @ep: the endpoint to run on, or NULL for any: a socket that did not bind
 *	takes any session to the peer, or starts one on the shared endpoint
 *	(which the caller then holds a reference on)
 * @peer: the peer node
 *
 * Reuses a session to the same peer (on the same endpoint, when one is
 * given) under the same key that this node started or that is established,
 * or starts a handshake.  May sleep.
 *
 * Return: the session with a reference for the caller, or an ERR_PTR().
 */
struct stt_session *stt_session_connect(struct stt_sock *ssk,
					struct stt_endpoint *ep,
					const union stt_inaddr *peer)
{
	struct stt_net *sn = stt_net(sock_net(&ssk->sk));
	u32 rto_ms = READ_ONCE(ssk->rto_initial_ms);
	u8 cc = READ_ONCE(ssk->cc_algo);
	struct stt_session *s;
	int err;

	s = stt_session_find(sn, ep, peer, stt_session_connect_match,
			     ssk->psk);
	if (s)
		return s;

	if (!ep) {
		union stt_inaddr any = { .sa.sa_family = peer->sa.sa_family };

		ep = stt_endpoint_get(sn, &any, NULL);
		if (IS_ERR(ep))
			return ERR_CAST(ep);
		s = stt_session_new(sn, ep, peer, true, ssk->psk, rto_ms, cc);
		stt_endpoint_put(ep);	/* the session holds its own */
	} else {
		s = stt_session_new(sn, ep, peer, true, ssk->psk, rto_ms, cc);
	}
	if (IS_ERR(s))
		return s;
	err = stt_handshake_start(s, ssk->suites);
	if (err) {
		stt_session_close(s, -err);
		stt_session_put(s);
		return ERR_PTR(err);
	}
	return s;
}

static bool stt_session_hello_sent(struct stt_session *s, const void *unused)
{
	return s->client && READ_ONCE(s->state) == STT_SS_HELLO_SENT;
}

/**
 * stt_session_refused() - the peer's host said nothing listens on its port
 * @ep: the endpoint the ICMP error came to
 * @peer: the address our packet was sent to
 *
 * Fails the client handshakes that wait for that peer with ECONNREFUSED.
 * Established sessions ignore it: an ICMP error is easy to forge, and a live
 * session has its own ways to find out the peer went away.
 */
void stt_session_refused(struct stt_endpoint *ep, const union stt_inaddr *peer)
{
	struct stt_net *sn = ep->sn;
	struct stt_session *hit;

	hit = stt_session_find(sn, ep, peer, stt_session_hello_sent, NULL);
	if (!hit)
		return;
	STT_INC(sn, HANDSHAKES_REFUSED);
	stt_session_close(hit, ECONNREFUSED);
	stt_session_put(hit);
}

struct stt_hello_key {
	u32 peer_id;
	const u8 *hello;
};

static bool stt_session_hello_match(struct stt_session *s, const void *arg)
{
	const struct stt_hello_key *k = arg;
	bool hit;

	if (s->client || READ_ONCE(s->peer_id) != k->peer_id)
		return false;
	spin_lock_bh(&s->lock);
	hit = stt_handshake_hello_is(s, k->hello);
	spin_unlock_bh(&s->lock);
	return hit;
}

/**
 * stt_session_find_hello() - the server session a repeated HELLO belongs to
 * @sn: the namespace
 * @ep: the endpoint the HELLO came to
 * @peer: where it came from
 * @peer_id: the client session id in it
 * @hello: the HELLO frame
 *
 * Return: the session with a reference taken, or NULL.
 */
struct stt_session *stt_session_find_hello(struct stt_net *sn,
					   struct stt_endpoint *ep,
					   const union stt_inaddr *peer,
					   u32 peer_id, const u8 *hello)
{
	struct stt_hello_key k = { .peer_id = peer_id, .hello = hello };

	return stt_session_find(sn, ep, peer, stt_session_hello_match, &k);
}

/**
 * stt_session_xmit() - number a packet, seal it and send it
 * @s: the session
 * @skb: room for the header, then the frames, then room for the tag, all
 *	counted in skb->len.  Consumed.
 * @src: NULL to seal @skb in place; else the plaintext packet (header room
 *	and frames, skb->len - %STT_TAG_LEN bytes) sealed into @skb.  Its
 *	header is written too.
 * @rec: what an ack-eliciting packet carries, for loss recovery; NULL for
 *	a packet nobody needs acknowledged
 *
 * The packet number, the key and the record are taken in one step.
 * Callable from any context.
 *
 * Return: 0 or a negative errno.
 */
int stt_session_xmit(struct stt_session *s, struct sk_buff *skb,
		     const u8 *src, const struct stt_sent *rec)
{
	struct stt_hdr hdr = { .type = STT_PKT_PROTECTED };
	struct stt_key *key;
	int err;

	rcu_read_lock_bh();
	spin_lock(&s->pn_lock);
	key = rcu_dereference_bh(s->tx);
	hdr.pn = s->tx_pn++;
	if (key && rec)
		stt_recovery_sent(s, rec, hdr.pn);
	spin_unlock(&s->pn_lock);
	if (!key) {
		rcu_read_unlock_bh();
		kfree_skb(skb);
		return -ENOTCONN;
	}
	hdr.key_phase = key->gen & 1;
	hdr.dst_session = s->peer_id;
	stt_hdr_encode(skb->data, &hdr);
	if (src) {
		/* The associated data is read from the source. */
		memcpy((u8 *)src, skb->data, STT_HDR_LEN);
		err = stt_seal_copy(key, src, skb, hdr.pn);
	} else {
		err = stt_seal(key, skb, hdr.pn);
	}
	if (!err)
		stt_rekey_account(s, key, skb->len);
	rcu_read_unlock_bh();
	if (err) {
		kfree_skb(skb);
		return err;
	}
	WRITE_ONCE(s->last_tx, jiffies);
	stt_txq_charge(s, skb);
	return stt_endpoint_xmit(s->ep, skb, &s->peer);
}

/**
 * stt_session_send() - send frames in one protected packet of their own
 * @s: the session
 * @frames: the encoded frames
 * @len: their length; they must fit one datagram
 * @rec: for an ack-eliciting packet, what it carries (see
 *	stt_session_xmit()); NULL if it needs no acknowledgment
 *
 * Callable from any context.
 *
 * Return: 0 or a negative errno.
 */
int stt_session_send(struct stt_session *s, const u8 *frames, size_t len,
		     const struct stt_sent *rec)
{
	struct sk_buff *skb;

	skb = stt_endpoint_alloc_skb(STT_HDR_LEN + len, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	skb_put(skb, STT_HDR_LEN);
	skb_put_data(skb, frames, len);
	skb_put(skb, STT_TAG_LEN);
	return stt_session_xmit(s, skb, NULL, rec);
}

/**
 * stt_session_send_final() - send FINAL, the server's last handshake message
 * @s: an established server session
 *
 * It travels in a protected packet, so that its decryption proves to the
 * client that both ends hold the same keys.
 */
void stt_session_send_final(struct stt_session *s)
{
	static const u8 final = STT_FRAME_FINAL;

	if (stt_session_send(s, &final, sizeof(final), NULL))
		STT_INC(s->sn, TX_ERRORS);
}

/*
 * Act on every frame of an authentic packet, until one closes the session
 * (SESSION_CLOSE, or a frame that broke the session's flow control).
 * Returns whether a DATA frame kept @skb (the last frame of a packet may, to
 * save a clone); sets @refused if DATA was dropped for want of memory.
 */
static bool stt_frames_process(struct stt_session *s, struct sk_buff *skb,
			       bool *refused)
{
	const u8 *p = skb->data + STT_HDR_LEN;
	size_t len = skb->len - STT_HDR_LEN;
	bool answered = false;
	struct stt_frame f;
	int n;

	for (; len; p += n, len -= n) {
		if (READ_ONCE(s->state) == STT_SS_CLOSED)
			return false;
		n = stt_frame_decode(p, len, &f);
		switch (f.type) {
		case STT_FRAME_DATA:
			if (stt_input_data(s, skb, &f, n == len, refused))
				return true;
			break;
		case STT_FRAME_STREAM_OPEN:
		case STT_FRAME_WINDOW_UPDATE:
		case STT_FRAME_STREAM_FIN:
		case STT_FRAME_STREAM_RESET:
			stt_stream_rcv_frame(s, &f);
			break;
		case STT_FRAME_FINAL:
			stt_handshake_final(s);
			break;
		case STT_FRAME_KEEPALIVE:
			/* One reply a packet: no amplification by repeats. */
			if (!answered)
				stt_session_keepalive(s, STT_FRAME_KEEPALIVE_ACK,
						      f.keepalive.opaque);
			answered = true;
			break;
		case STT_FRAME_KEY_UPDATE:
			stt_rekey_peer_ready(s, f.key_update.generation);
			break;
		case STT_FRAME_SESSION_CLOSE:
			STT_INC(s->sn, SESSIONS_CLOSED_BY_PEER);
			stt_session_close(s, f.close.reason == STT_CLOSE_TIMEOUT ?
					  ETIMEDOUT : ECONNRESET);
			return false;
		case STT_FRAME_ACK:
			stt_recovery_rcv_ack(s, &f);
			break;
		case STT_FRAME_NACK:
			stt_recovery_rcv_nack(s, &f);
			break;
		default:
			break;
		}
	}
	return false;
}

static void stt_protected_rcv(struct stt_session *s, struct sk_buff *skb,
			      const struct stt_hdr *hdr)
{
	struct stt_net *sn = s->sn;
	struct stt_key *key;
	int eliciting, err;
	bool fresh, refused = false;
	u64 pn = hdr->pn;

	/* Softirq: an RCU read-side section already. */
	if (!rcu_access_pointer(s->rx)) {
		STT_INC(sn, DROP_HANDSHAKE_STATE);
		goto drop;
	}
	key = stt_rekey_rx_key(s, hdr->key_phase, hdr->pn);
	if (!key) {
		STT_INC(sn, DROP_KEY_PHASE);
		goto drop;
	}
	if (stt_open(key, skb, hdr->pn)) {
		STT_INC(sn, DROP_AUTH);
		goto drop;
	}
	/* Only an authentic packet may move the replay window. */
	spin_lock(&s->rx_lock);
	fresh = stt_replay_accept(&s->replay, hdr->pn);
	spin_unlock(&s->rx_lock);
	if (!fresh) {
		STT_INC(sn, DROP_REPLAY);
		goto drop;
	}
	stt_rekey_rx_opened(s, key, hdr->pn);
	if (skb_linearize(skb)) {
		STT_INC(sn, DROP_NOMEM);
		goto drop;
	}
	err = stt_frames_check(skb->data + STT_HDR_LEN,
			       skb->len - STT_HDR_LEN, &eliciting);
	if (err) {
		if (err == -E2BIG)
			STT_INC(sn, DROP_TOO_MANY_FRAMES);
		else
			STT_INC(sn, DROP_FRAME);
		goto drop;
	}
	WRITE_ONCE(s->last_rx, jiffies);
	if (!stt_frames_process(s, skb, &refused))
		kfree_skb(skb);
	/*
	 * Acknowledged once acted on, so nothing acknowledged is lost here;
	 * DATA refused for want of memory leaves it unacknowledged, so the
	 * peer sends its frames again.
	 */
	if (!refused)
		stt_recovery_rcv_pn(s, pn, eliciting);
	return;
drop:
	kfree_skb(skb);
}

/**
 * stt_session_skb_peer() - the address a received datagram came from
 * @skb: the datagram, in the receive path (its control block still IP's)
 * @peer: set to the source address and port, with the interface as the
 *	scope of an IPv6 link-local source
 */
static void stt_session_skb_peer(const struct sk_buff *skb,
				 union stt_inaddr *peer)
{
	stt_inaddr_clear(peer);
	if (ip_hdr(skb)->version == 4) {
		peer->v4.sin_family = AF_INET;
		peer->v4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		peer->v4.sin_port = udp_hdr(skb)->source;
	} else {
		peer->v6.sin6_family = AF_INET6;
		peer->v6.sin6_addr = ipv6_hdr(skb)->saddr;
		peer->v6.sin6_port = udp_hdr(skb)->source;
		if (ipv6_addr_type(&peer->v6.sin6_addr) & IPV6_ADDR_LINKLOCAL)
			peer->v6.sin6_scope_id = inet6_iif(skb);
	}
}

/*
 * Hand a handshake packet to the worker; a HELLO (@hello) passes cookie.c's
 * gate first, which answers it itself under load.  Softirq.
 */
static void stt_session_hs_queue(struct stt_endpoint *ep, struct sk_buff *skb,
				 bool hello)
{
	struct stt_net *sn = ep->sn;
	struct sk_buff_head *q = &sn->hs_queue;
	union stt_inaddr peer;
	bool full = false, queued = false, verified = false;

	BUILD_BUG_ON(sizeof(struct stt_skb_cb) > sizeof(skb->cb));
	/* Read before skb->cb is ours: it holds the incoming interface. */
	stt_session_skb_peer(skb, &peer);
	if (hello && !stt_cookie_gate(ep, skb, &peer, &verified)) {
		kfree_skb(skb);
		return;
	}
	STT_SKB_CB(skb)->ep = ep;
	STT_SKB_CB(skb)->peer = peer;
	STT_SKB_CB(skb)->verified = verified;
	/*
	 * The bound, @dying and the work are checked and queued under the
	 * queue's lock, which namespace exit takes to set @dying: so either
	 * exit's cancel and purge come after this packet and its work, or
	 * this sees @dying and queues nothing on a namespace going away.
	 * The worker needs the endpoint the packet came in on; its last
	 * socket may be closing it right now (RCU keeps it readable), and
	 * then the packet has nowhere to go.
	 */
	spin_lock(&q->lock);
	if (sn->dying || skb_queue_len(q) >= STT_HS_QUEUE_MAX) {
		full = true;
	} else if (refcount_inc_not_zero(&ep->refs)) {
		__skb_queue_tail(q, skb);
		/*
		 * Unbound: under a flood this CPU is busy in softirq, and the
		 * handshakes (X25519, key setup) would wait behind it.
		 */
		queue_work(system_unbound_wq, &sn->hs_work);
		queued = true;
	}
	spin_unlock(&q->lock);
	if (full)
		STT_INC(sn, DROP_HANDSHAKE_QUEUE);
	if (!queued)
		kfree_skb(skb);
}

/**
 * stt_session_rcv() - handle one datagram an endpoint received
 * @ep: the endpoint
 * @skb: the datagram; skb->data points at the STT header.  Consumed.
 *
 * Runs in softirq.  Handshake packets are queued for the handshake worker;
 * protected packets are authenticated and dispatched here.  Every datagram
 * dropped is counted under its reason.
 *
 * Return: 0.
 */
int stt_session_rcv(struct stt_endpoint *ep, struct sk_buff *skb)
{
	struct stt_net *sn = ep->sn;
	struct stt_session *s;
	struct stt_hdr hdr;
	int err;

	STT_INC(sn, PACKETS_IN);
	stt_count(sn, STT_STAT_BYTES_IN, skb->len);

	if (!pskb_may_pull(skb, STT_HDR_LEN)) {
		STT_INC(sn, DROP_TRUNCATED);
		goto drop;
	}
	err = stt_hdr_decode(skb->data, skb->len, &hdr);
	if (err) {
		if (err == -EPROTONOSUPPORT)
			STT_INC(sn, DROP_VERSION);
		else
			STT_INC(sn, DROP_HEADER);
		goto drop;
	}

	if (hdr.type == STT_PKT_HANDSHAKE) {
		stt_session_hs_queue(ep, skb, !hdr.dst_session);
		return 0;
	}

	if (skb->len < STT_HDR_LEN + STT_TAG_LEN) {
		STT_INC(sn, DROP_TRUNCATED);
		goto drop;
	}
	s = stt_session_lookup(sn, hdr.dst_session);
	if (!s) {
		STT_INC(sn, DROP_NO_SESSION);
		goto drop;
	}
	stt_protected_rcv(s, skb, &hdr);
	stt_session_put(s);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

static void stt_hs_work(struct work_struct *work)
{
	struct stt_net *sn = container_of(work, struct stt_net, hs_work);
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&sn->hs_queue))) {
		struct stt_endpoint *ep = STT_SKB_CB(skb)->ep;

		stt_handshake_rcv(sn, ep, skb);
		stt_endpoint_put(ep);
		cond_resched();
	}
}

/**
 * stt_session_net_init() - set up a namespace's session tables
 * @sn: the namespace
 *
 * Also the handshake defence's state (cookie.c), which stt_net_exit()
 * frees.
 *
 * Return: 0 or a negative errno.
 */
int stt_session_net_init(struct stt_net *sn)
{
	int err;

	spin_lock_init(&sn->sessions_lock);
	INIT_LIST_HEAD(&sn->session_list);
	INIT_LIST_HEAD(&sn->half_open);
	skb_queue_head_init(&sn->hs_queue);
	INIT_WORK(&sn->hs_work, stt_hs_work);
	err = rhashtable_init(&sn->ids, &stt_id_params);
	if (err)
		return err;
	err = rhltable_init(&sn->peers, &stt_peer_params);
	if (err)
		goto err_ids;
	err = stt_cookie_net_init(sn);
	if (err)
		goto err_peers;
	return 0;

err_peers:
	rhltable_destroy(&sn->peers);
err_ids:
	rhashtable_destroy(&sn->ids);
	return err;
}

/**
 * stt_session_net_exit() - close every session of a dying namespace
 * @sn: the namespace
 *
 * No socket of the namespace is left (each held a reference on it).  Once
 * closed, a session goes when its last reference does, which may be a work
 * item (a key update) still running; flushing the work queue is not enough,
 * since such a work may queue the destroy work behind the flush.  So this
 * waits until every session of the namespace is destroyed, and with them
 * their endpoints released.
 */
void stt_session_net_exit(struct stt_net *sn)
{
	struct stt_session *s;
	struct sk_buff *skb;

	/* Both locks: no session is made, no packet queued, from here on. */
	spin_lock_bh(&sn->sessions_lock);
	spin_lock(&sn->hs_queue.lock);
	WRITE_ONCE(sn->dying, true);
	spin_unlock(&sn->hs_queue.lock);
	spin_unlock_bh(&sn->sessions_lock);

	cancel_work_sync(&sn->hs_work);
	while ((skb = skb_dequeue(&sn->hs_queue))) {
		stt_endpoint_put(STT_SKB_CB(skb)->ep);
		kfree_skb(skb);
	}

	for (;;) {
		spin_lock_bh(&sn->sessions_lock);
		s = list_first_entry_or_null(&sn->session_list,
					     struct stt_session, node);
		if (s)
			refcount_inc(&s->refs);
		spin_unlock_bh(&sn->sessions_lock);
		if (!s)
			break;
		stt_session_close(s, ECONNRESET);
		stt_session_put(s);
	}
	wait_var_event(&sn->live, !atomic_read(&sn->live));
	/* Every session left both tables when it closed. */
	rhltable_destroy(&sn->peers);
	rhashtable_destroy(&sn->ids);
}
