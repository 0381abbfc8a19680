// SPDX-License-Identifier: GPL-2.0
/*
 * Receive steering: which CPU opens a session's packets.  Owns the session's
 * receive queue (@rxq), the work item that drains it (@rxq_work) and the
 * CPU its application last ran on (@app_cpu).
 *
 * A packet is opened, and its frames acted on, in the softirq of the CPU
 * that received it.  On a veth or loopback that is the CPU that sent it: the
 * sender's CPU would seal, then open, then act on everything, while the
 * reader sat on another CPU with nothing to do but copy.  So, as RFS does
 * for sockets and as kTLS opens records in the reader's recvmsg(), a session
 * remembers the CPU its sending or receiving application last ran on
 * (stt_rxq_note_app()), and a packet that arrives on another CPU is queued
 * and opened on that one by a high-priority work item.  The receiver's CPU
 * then opens the data and sends the acknowledgments, and the sender's CPU
 * takes the acknowledgments and seals the next packets, as with kTLS.
 *
 * Order: once a packet is queued, every later one is queued behind it until
 * the worker has emptied the queue (@rxq_busy), so the steering adds no
 * reordering of its own: packets are opened in the order they reached
 * stt_rxq_rcv(), as they were without it (two CPUs receiving for a session
 * at the same moment race as they always did).
 *
 * Bounds: the queue holds unauthenticated packets, so it is short: at
 * most %STT_RXQ_MAX packets wait, plus the %STT_RXQ_BUDGET the worker has
 * taken.  A packet that does not fit is dropped (drop_rx_backlog), as the
 * UDP socket's receive buffer would have dropped it.  Their bytes are
 * charged to the namespace's memory, where /proc/net/stt/memory shows them,
 * but its limit drops none of them: a queued packet may carry the ACK that
 * frees memory.  The worker opens at most %STT_RXQ_BUDGET packets a run,
 * then queues itself again behind the other work of its CPU.
 *
 * Lifetime: a queued work item holds a reference on the session, taken
 * under the queue's lock when @rxq_busy is set and dropped by the worker
 * once it found the queue empty and cleared @rxq_busy; so the queue is empty
 * whenever the session has no reference left, and the session's destruction
 * has nothing to cancel (it purges the queue all the same).  The module's
 * exit destroys the work queue after every session is gone, which waits for
 * a worker still returning from its last stt_session_put().
 */
#include "stt.h"

/* Packets a session's receive queue holds at most. */
#define STT_RXQ_MAX		512
/* Packets its worker opens in one run. */
#define STT_RXQ_BUDGET		64
/* A packet this large goes to the application's CPU to be opened, bytes. */
#define STT_RXQ_STEER_LEN	512
/* So does any packet while this many datagrams are in flight. */
#define STT_RXQ_STEER_FLIGHT	4

/* The work queue of the receive workers; high priority, like a softirq. */
struct workqueue_struct *stt_rx_wq;

static void stt_rxq_work(struct work_struct *work);

/**
 * stt_rxq_init() - set up a new session's receive queue
 * @s: the session
 */
void stt_rxq_init(struct stt_session *s)
{
	skb_queue_head_init(&s->rxq);
	INIT_WORK(&s->rxq_work, stt_rxq_work);
	s->app_cpu = -1;
}

/**
 * stt_rxq_purge() - free what a destroyed session's queue holds
 * @s: the session; no reference on it is left
 */
void stt_rxq_purge(struct stt_session *s)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&s->rxq))) {
		stt_mem_uncharge(s->sn, skb->truesize);
		kfree_skb(skb);
	}
}

/*
 * The CPU to open @skb on, or -1 for this one.  Only a transfer is worth
 * the hop: a large packet (the receiving side), or any packet of a session
 * with several packets in flight (the sending side, whose acknowledgments
 * let out the next packets, sealed on the CPU that acts on them).  A small
 * request or answer is opened at once, where it came in: the hop would add
 * a second wake-up to its round trip.
 */
static int stt_rxq_target(struct stt_session *s, const struct sk_buff *skb)
{
	int cpu = READ_ONCE(s->app_cpu);

	if (cpu < 0 || cpu == smp_processor_id() || !cpu_online(cpu))
		return -1;
	if (skb->len < STT_RXQ_STEER_LEN &&
	    READ_ONCE(s->cc.in_flight) <
	    STT_RXQ_STEER_FLIGHT * READ_ONCE(s->dgram))
		return -1;
	return cpu;
}

/**
 * stt_rxq_rcv() - open a protected packet here, or queue it for another CPU
 * @s: its session; the caller holds a reference
 * @skb: the packet, its header decoded into @hdr.  Consumed.
 * @hdr: its header
 *
 * Softirq.
 */
void stt_rxq_rcv(struct stt_session *s, struct sk_buff *skb,
		 const struct stt_hdr *hdr)
{
	struct stt_net *sn = s->sn;
	int cpu = stt_rxq_target(s, skb);
	bool full = false;

	/*
	 * Unlocked: a queue that was busy and is no more has been opened to
	 * its end (the worker's release pairs with this acquire), so opening
	 * here keeps the order; two CPUs receiving for the session at once
	 * order their packets no more than they did without steering.
	 */
	if (cpu < 0 && !smp_load_acquire(&s->rxq_busy)) {
		stt_session_protected_rcv(s, skb, hdr);
		return;
	}
	spin_lock(&s->rxq.lock);
	if (cpu < 0 && !s->rxq_busy) {
		spin_unlock(&s->rxq.lock);
		stt_session_protected_rcv(s, skb, hdr);
		return;
	}
	/*
	 * Bounded by the session's own limit, not the namespace's: under
	 * memory pressure the ACKs and control frames a queued packet may
	 * carry must still be acted on, as they are when opened at once.
	 */
	if (skb_queue_len(&s->rxq) >= STT_RXQ_MAX) {
		full = true;
	} else {
		/* Its route is only valid in this RCU read-side section. */
		skb_dst_drop(skb);
		stt_mem_charge(sn, skb->truesize);
		__skb_queue_tail(&s->rxq, skb);
		if (!s->rxq_busy) {
			WRITE_ONCE(s->rxq_busy, true);
			refcount_inc(&s->refs);
			/*
			 * Here @cpu >= 0.  The work cannot be pending: only its
			 * worker clears busy.
			 */
			if (!queue_work_on(cpu, stt_rx_wq, &s->rxq_work))
				stt_session_put(s);
		}
	}
	spin_unlock(&s->rxq.lock);
	if (full) {
		STT_INC(sn, DROP_RX_BACKLOG);
		kfree_skb(skb);
	}
}

/* Open one queued packet as in softirq. */
static void stt_rxq_open(struct stt_session *s, struct sk_buff *skb)
{
	struct stt_hdr hdr;

	stt_mem_uncharge(s->sn, skb->truesize);
	/* A session closed meanwhile has no use for it. */
	if (READ_ONCE(s->state) == STT_SS_CLOSED) {
		STT_INC(s->sn, DROP_NO_SESSION);
		kfree_skb(skb);
		return;
	}
	/* Decoded once already: it cannot fail now. */
	if (WARN_ON_ONCE(stt_hdr_decode(skb->data, skb->len, &hdr))) {
		kfree_skb(skb);
		return;
	}
	local_bh_disable();
	rcu_read_lock();
	stt_session_protected_rcv(s, skb, &hdr);
	rcu_read_unlock();
	local_bh_enable();
}

/*
 * Open the packets queued for this CPU, in order, each as in softirq:
 * bottom halves off, in an RCU read-side section.  At most
 * %STT_RXQ_BUDGET a run: then the work queues itself again, behind the
 * other work of this CPU's pool (a busy session would hold the pool for
 * the whole transfer), and its reference goes with it.
 */
static void stt_rxq_work(struct work_struct *work)
{
	struct stt_session *s = container_of(work, struct stt_session,
					     rxq_work);
	struct sk_buff_head batch;
	unsigned int done = 0;
	struct sk_buff *skb;

	__skb_queue_head_init(&batch);
	for (;;) {
		spin_lock_bh(&s->rxq.lock);
		if (skb_queue_empty(&s->rxq)) {
			/* Everything taken was opened: see stt_rxq_rcv(). */
			smp_store_release(&s->rxq_busy, false);
			spin_unlock_bh(&s->rxq.lock);
			break;
		}
		if (done >= STT_RXQ_BUDGET) {
			/* Running, so not pending: it is queued again. */
			WARN_ON_ONCE(!queue_work_on(raw_smp_processor_id(),
						    stt_rx_wq, &s->rxq_work));
			spin_unlock_bh(&s->rxq.lock);
			return;
		}
		while (done < STT_RXQ_BUDGET &&
		       (skb = __skb_dequeue(&s->rxq))) {
			__skb_queue_tail(&batch, skb);
			done++;
		}
		spin_unlock_bh(&s->rxq.lock);
		while ((skb = __skb_dequeue(&batch)))
			stt_rxq_open(s, skb);
	}
	stt_session_put(s);
}
