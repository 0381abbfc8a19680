// SPDX-License-Identifier: GPL-2.0
/*
 * The local queue limit, in the manner of TCP Small Queues.  Owns each
 * established session's transmit socket: a kernel struct sock of its own
 * that every packet the session sends is charged to (skb_set_owner_w()), so
 * that its sk_wmem_alloc counts the bytes (by truesize) sitting in the local
 * qdiscs, device queues and, on a veth, the peer's backlog, until the packet
 * is freed or orphaned on the far side.  The pusher sends no DATA packet
 * while that count is above the limit (stt_txq_full()): about 1 ms at the
 * pacing rate, at least four packets, at most net.stt.limit_output_bytes.
 * When a packet of a throttled session leaves, sock_wfree() calls the
 * socket's write_space hook, which runs the pusher through the pace timer.
 *
 * Lifetimes.  The session holds the socket's base reference and drops it when
 * it is destroyed; packets in flight keep the socket (but not the session)
 * until they are freed.  The socket holds no reference on the session: its
 * pointer to the session is cleared, under RCU, when the session is
 * destroyed, the hook takes a reference only while the session still has
 * any, and from then on sock_wfree() calls the hook no more
 * (%SOCK_USE_WRITE_QUEUE).  A socket may outlive its namespace and the
 * module's sessions: it holds no active reference on its namespace (a kernel
 * socket), it is freed after an RCU grace period (%SOCK_RCU_FREE), and the
 * module's exit waits until every one is gone (stt_txq_exit()); a packet
 * held long in some queue (a long netem delay) holds up rmmod that long.
 *
 * With the packets owned by a socket, code that looks at skb->sk sees one:
 * a full socket with no struct socket, the root cgroup and no security
 * label.  The IP layers read skb->sk as an inet socket in places (IPv6's
 * path MTU choice reads inet6_sk(), the xfrm error paths inet_sk()), so it
 * is laid out as one, all zero: no IPv6 options, no flags.
 */
#include <net/inet_sock.h>
#include <net/sock.h>

#include "stt.h"

/**
 * struct stt_txsk - a session's transmit socket
 * @inet: what packets are charged to (@inet.sk), laid out as an inet socket
 *	(see above); first, so that the socket layer's allocation is this
 * @s: the session; NULL from its destruction on
 */
struct stt_txsk {
	struct inet_sock inet;
	struct stt_session __rcu *s;
};

static struct stt_txsk *stt_txsk(struct sock *sk)
{
	return container_of(sk, struct stt_txsk, inet.sk);
}

/* The protocol of transmit sockets: no operations, kmalloc'd. */
static struct proto stt_txq_proto = {
	.name		= "STT-TXQ",
	.obj_size	= sizeof(struct stt_txsk),
};

/* Packets a session may always have in the local queues. */
#define STT_TXQ_MIN_PACKETS	4

/* Transmit sockets not yet freed, for the module's exit to wait on. */
static atomic_t stt_txq_live = ATOMIC_INIT(0);

static void stt_txq_destruct(struct sock *sk)
{
	if (atomic_dec_and_test(&stt_txq_live))
		wake_up_var(&stt_txq_live);
}

/*
 * sock_wfree() calls this for every packet of the session that leaves, with
 * the packet's charge already given back but for one byte, so the socket is
 * alive.  A throttled session's pusher runs again (through its pace timer,
 * in softirq, not in the context that freed the packet, which may be any).
 *
 * Why the session is safe to touch: stt_txq_release() clears the pointer
 * before the session goes to kfree_rcu(), so one read under the RCU lock
 * stays valid until it is dropped.  If the session has no reference left it
 * is being destroyed: nothing to do.  With one taken, its destruction (which
 * cancels the pace timer) waits.
 */
static void stt_txq_write_space(struct sock *sk)
{
	struct stt_session *s;

	/*
	 * The charge was given back by an atomic that orders nothing; the
	 * flag must be read after it, as stt_txq_full() reads the charge
	 * after setting the flag.
	 */
	smp_mb__after_atomic();
	rcu_read_lock();
	s = rcu_dereference(stt_txsk(sk)->s);
	if (!s || !test_bit(STT_TX_THROTTLED, &s->tx_flags) ||
	    !test_and_clear_bit(STT_TX_THROTTLED, &s->tx_flags) ||
	    !refcount_inc_not_zero(&s->refs)) {
		rcu_read_unlock();
		return;
	}
	rcu_read_unlock();
	/* Pinned: the pusher runs again where its packets left from. */
	if (READ_ONCE(s->state) == STT_SS_ESTABLISHED)
		hrtimer_start(&s->pace_timer, 0, HRTIMER_MODE_REL_PINNED_SOFT);
	stt_session_put(s);
}

/**
 * stt_txq_init() - give a session its transmit socket
 * @s: the session, just established, with its lock held
 *
 * Without one (no memory) the session runs with no local queue limit, as
 * it did before it had one; counted as a transmit error.
 */
void stt_txq_init(struct stt_session *s)
{
	struct sock *sk;

	if (s->txsk)
		return;
	sk = sk_alloc(s->sn->net, PF_UNSPEC, GFP_ATOMIC,
		      &stt_txq_proto, 1);
	if (!sk) {
		STT_INC(s->sn, TX_ERRORS);
		return;
	}
	sock_init_data(NULL, sk);
	sk->sk_destruct = stt_txq_destruct;
	sk->sk_write_space = stt_txq_write_space;
	sock_set_flag(sk, SOCK_RCU_FREE);
	RCU_INIT_POINTER(stt_txsk(sk)->s, s);
	atomic_inc(&stt_txq_live);
	/* Paired with the READ_ONCE()s: the socket is whole when seen. */
	smp_store_release(&s->txsk, sk);
}

/**
 * stt_txq_release() - a destroyed session lets go of its transmit socket
 * @s: the session, with no reference left, its timers and work stopped
 *
 * Nothing sends on the session any more.  The packets still in flight free
 * the socket when the last one leaves.
 */
void stt_txq_release(struct stt_session *s)
{
	struct sock *sk = s->txsk;

	if (!sk)
		return;
	s->txsk = NULL;
	/* Before kfree_rcu(s): see stt_txq_write_space(). */
	RCU_INIT_POINTER(stt_txsk(sk)->s, NULL);
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	sock_put(sk);
}

/**
 * stt_txq_charge() - charge a packet about to be sent to its session
 * @s: the session
 * @skb: the packet, owned by no socket
 *
 * Callable from any context.
 */
void stt_txq_charge(struct stt_session *s, struct sk_buff *skb)
{
	struct sock *sk = READ_ONCE(s->txsk);

	if (!sk)
		return;
	skb_set_owner_w(skb, sk);
}

/*
 * The bytes a session may have in the local queues, at pacing @rate (bytes
 * per second, 0 for none).
 *
 * TCP's floor is two of its skbs, each of at least two segments
 * (tcp_min_tso_segs) on a GSO device: four packets.  With a floor of two, a
 * session sharing a qdisc on its own host with a TCP connection kept half
 * as much in it as TCP did, and got a fifth of the link (share_test).
 *
 * Return: about 1 ms at @rate (2^-10 s, as TCP takes it), at least four
 * packets, at most net.stt.limit_output_bytes; in truesize.
 */
static u64 stt_txq_limit(struct stt_session *s, u64 rate)
{
	u64 lo = STT_TXQ_MIN_PACKETS *
		 (u64)stt_endpoint_skb_truesize(s->dgram - STT_TAG_LEN);
	u64 hi = READ_ONCE(s->sn->sysctl.limit_output_bytes);

	if (!rate)
		return max(lo, hi);
	return max(lo, min(rate >> 10, hi));
}

/* Whether the pusher on @cpu may add to what the local queues hold. */
static bool stt_txq_room(struct stt_session *s, struct sock *sk, u64 limit,
			 int cpu)
{
	unsigned int queued = refcount_read(&sk->sk_wmem_alloc) - 1;

	return !queued || (queued < limit && cpu == s->tx_cpu);
}

/**
 * stt_txq_full() - whether the pusher must wait for the local queues
 * @s: the session; only its pusher calls this
 * @rate: its pacing rate, bytes per second; 0 for none
 *
 * If so, the session is marked throttled and the next packet to leave runs
 * the pusher again, on the CPU it leaves from.
 *
 * The session's packets leave from one CPU at a time.  A packet sent on a
 * veth or loopback goes to the backlog of the CPU that sent it, and each
 * CPU's backlog is served in its own time (late, on a busy host): packets
 * sent from two CPUs arrive out of order, and the later ones make the
 * earlier ones look lost.  Like TCP, which changes a socket's transmit
 * queue only when none of its packets is in the local queues (ooo_okay),
 * a pusher on another CPU than the last one's waits until they are empty
 * or, more often, until the wake-up runs the pusher on that CPU.
 *
 * Return: true if the session has more than stt_txq_limit() in the local
 * queues, or any packets there sent from another CPU.
 */
bool stt_txq_full(struct stt_session *s, u64 rate)
{
	struct sock *sk = READ_ONCE(s->txsk);
	int cpu = raw_smp_processor_id();
	u64 limit;

	if (!sk)
		return false;
	limit = stt_txq_limit(s, rate);
	if (stt_txq_room(s, sk, limit, cpu))
		goto room;
	set_bit(STT_TX_THROTTLED, &s->tx_flags);
	/*
	 * A packet that left between the read above and the flag found no
	 * flag and woke nobody: read again after it, as TCP does.  Either
	 * this read sees that packet gone, or its hook sees the flag.
	 */
	smp_mb__after_atomic();
	if (stt_txq_room(s, sk, limit, cpu)) {
		clear_bit(STT_TX_THROTTLED, &s->tx_flags);
		goto room;
	}
	STT_INC(s->sn, TXQ_THROTTLED);
	return true;
room:
	/*
	 * The pusher may be preempted and moved meanwhile: the CPU is a
	 * hint for ordering, not a rule anything depends on.
	 */
	s->tx_cpu = cpu;
	return false;
}

/**
 * stt_txq_register() - register the transmit sockets' protocol
 *
 * Return: 0 or a negative errno.
 */
int stt_txq_register(void)
{
	return proto_register(&stt_txq_proto, 0);
}

/**
 * stt_txq_exit() - wait for every transmit socket, then unregister
 *
 * Called after every namespace's sessions are gone.  Packets still in
 * flight hold their sockets, whose destructor is this module's code: wait
 * for the last one, then for the RCU callback that ran it to return.
 */
void stt_txq_exit(void)
{
	wait_var_event(&stt_txq_live, !atomic_read(&stt_txq_live));
	rcu_barrier();
	proto_unregister(&stt_txq_proto);
}
