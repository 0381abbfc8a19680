// SPDX-License-Identifier: GPL-2.0
/*
 * Key rotation.  Owns the succession of a session's keys after the handshake:
 * deciding when the sending key is old (packets, bytes or age past the
 * net.stt.rekey_after_* sysctls), deriving the next one with HKDF-Expand(S,
 * "stt1 upd"), and on the receiving side keeping the next key ready and the
 * previous one for late packets, so that a key update loses and reorders
 * nothing.  A receiver that has the peer's next key ready says so with
 * KEY_UPDATE, and a sender moves to a key only once the peer said it holds
 * it, so that no packet ever arrives under a key its receiver cannot open.
 * New keys are made in process context (allocating a transform sleeps);
 * packets switch keys under RCU.
 */
#include <linux/workqueue.h>

#include "stt.h"
#include "codec.h"

/* Run @work for @s holding a reference, unless it is already queued. */
static void stt_rekey_queue(struct stt_session *s, struct work_struct *work)
{
	if (!refcount_inc_not_zero(&s->refs))
		return;
	if (!queue_work(stt_wq, work))
		stt_session_put(s);
}

static struct stt_key *stt_rekey_next(struct stt_session *s,
				      const struct stt_key *key)
{
	u8 secret[STT_KEY_LEN];
	struct stt_key *next;

	stt_hkdf_expand(key->secret, STT_LABEL_UPDATE, NULL, 0, secret);
	next = stt_key_new(s->suite, secret, key->gen + 1);
	memzero_explicit(secret, sizeof(secret));
	return next;
}

/*
 * Whether it is time to replace the sending key @key: it is old by one of
 * the thresholds, and the peer said it can open the next one.
 */
static bool stt_rekey_due(struct stt_session *s, struct stt_key *key)
{
	struct stt_sysctl *sc = &s->sn->sysctl;

	if (atomic64_read(&key->packets) < READ_ONCE(sc->rekey_after_packets) &&
	    atomic64_read(&key->bytes) <
	    (u64)READ_ONCE(sc->rekey_after_mbytes) << 20 &&
	    time_before(jiffies, key->born +
			msecs_to_jiffies(READ_ONCE(sc->rekey_after_ms))))
		return false;
	return (s32)(READ_ONCE(s->peer_ready_gen) - key->gen) > 0;
}

/**
 * stt_rekey_account() - count a packet sealed with the sending key
 * @s: the session
 * @key: the key that sealed it (under RCU)
 * @len: its length
 *
 * Queues a key update once the key is old and the peer holds the next one
 * (until then a later packet checks again).  Callable from any context.
 */
void stt_rekey_account(struct stt_session *s, struct stt_key *key,
		       unsigned int len)
{
	atomic64_inc(&key->packets);
	atomic64_add(len, &key->bytes);
	if (stt_rekey_due(s, key))
		stt_rekey_queue(s, &s->tx_work);
}

static void stt_rekey_tx_work(struct work_struct *work)
{
	struct stt_session *s = container_of(work, struct stt_session, tx_work);
	struct stt_key *old, *next;

	old = rcu_dereference_protected(s->tx, true);
	/*
	 * Queued again while it ran for the previous key, it finds a fresh
	 * key here, which the peer may not hold the successor of yet.
	 */
	if (!stt_rekey_due(s, old))
		goto out;
	next = stt_rekey_next(s, old);
	if (IS_ERR(next))
		goto out;	/* the old key serves on; the next packet retries */
	spin_lock_bh(&s->pn_lock);
	rcu_assign_pointer(s->tx, next);
	spin_unlock_bh(&s->pn_lock);
	synchronize_rcu();
	stt_key_free(old);
	STT_INC(s->sn, REKEYS);
out:
	stt_session_put(s);
}

/*
 * Tell the peer we can open its key generation @gen: it may move to it.
 * The previous key is freed by now, so that the promotion @gen brings finds
 * the slot for it empty.
 */
static void stt_rekey_announce(struct stt_session *s, u32 gen)
{
	u8 buf[1 + STT_KEY_UPDATE_LEN];
	struct stt_frame f = {
		.type = STT_FRAME_KEY_UPDATE,
		.key_update = { .generation = gen },
	};
	struct stt_sent rec = { .kind = STT_SENT_KEY_UPDATE, .offset = gen };
	int n = stt_frame_encode(buf, sizeof(buf), &f);

	/* Before that the peer cannot open it: stt_rekey_established(). */
	if (READ_ONCE(s->state) != STT_SS_ESTABLISHED)
		return;
	if (n > 0)
		stt_session_send(s, buf, n, &rec);
}

/**
 * stt_rekey_reannounce() - a KEY_UPDATE was lost: send it again
 * @s: the session
 * @gen: the generation it announced
 *
 * Only if that generation is still the next one we can open; a newer
 * announcement replaced it otherwise.  Runs in softirq.
 */
void stt_rekey_reannounce(struct stt_session *s, u32 gen)
{
	struct stt_key *next;
	bool again;

	rcu_read_lock();
	next = rcu_dereference(s->rx_next);
	again = next && next->gen == gen;
	rcu_read_unlock();
	if (again)
		stt_rekey_announce(s, gen);
}

static void stt_rekey_rx_work(struct work_struct *work)
{
	struct stt_session *s = container_of(work, struct stt_session, rx_work);
	struct stt_key *cur, *next, *stale;

	spin_lock_bh(&s->rx_lock);
	stale = s->rx_stale;
	s->rx_stale = NULL;
	cur = rcu_dereference_protected(s->rx, lockdep_is_held(&s->rx_lock));
	next = rcu_dereference_protected(s->rx_next, lockdep_is_held(&s->rx_lock));
	spin_unlock_bh(&s->rx_lock);

	if (stale) {
		synchronize_rcu();
		stt_key_free(stale);
	}
	if (cur && !next) {
		next = stt_rekey_next(s, cur);
		if (!IS_ERR(next)) {
			u32 gen = next->gen;

			spin_lock_bh(&s->rx_lock);
			if (rcu_access_pointer(s->rx) == cur &&
			    !rcu_access_pointer(s->rx_next)) {
				rcu_assign_pointer(s->rx_next, next);
				next = NULL;
			}
			spin_unlock_bh(&s->rx_lock);
			if (!next)
				stt_rekey_announce(s, gen);
			stt_key_free(next);
		}
	}
	stt_session_put(s);
}

/**
 * stt_rekey_peer_ready() - the peer can open our key generation @gen
 * @s: the session
 * @gen: from its KEY_UPDATE
 *
 * Runs in softirq.
 */
void stt_rekey_peer_ready(struct stt_session *s, u32 gen)
{
	if ((s32)(gen - READ_ONCE(s->peer_ready_gen)) > 0)
		WRITE_ONCE(s->peer_ready_gen, gen);
}

/**
 * stt_rekey_rx_key() - the key a received packet was sealed with
 * @s: the session
 * @key_phase: the packet's key phase bit
 * @pn: its packet number
 *
 * A packet of the current phase uses the current key.  One of the other
 * phase is late (sealed before the peer's last update, so its number is
 * below where the current phase began) or the first of the peer's next key.
 * Runs in softirq, under RCU.
 *
 * Return: the key, or NULL if none can open it.
 */
struct stt_key *stt_rekey_rx_key(struct stt_session *s, u8 key_phase, u64 pn)
{
	struct stt_key *key = rcu_dereference(s->rx);

	if (!key || key_phase == (key->gen & 1))
		return key;
	if (pn < READ_ONCE(s->rx_phase_pn))
		return rcu_dereference(s->rx_prev);
	return rcu_dereference(s->rx_next);
}

/**
 * stt_rekey_rx_opened() - a packet opened; promote the next key if it was that
 * @s: the session
 * @key: the key that opened it
 * @pn: its packet number
 *
 * Runs in softirq, under RCU.
 */
void stt_rekey_rx_opened(struct stt_session *s, struct stt_key *key, u64 pn)
{
	if (key != rcu_access_pointer(s->rx_next))
		return;
	spin_lock(&s->rx_lock);
	if (key == rcu_access_pointer(s->rx_next)) {
		/* The key before the previous one can go once readers are done. */
		if (!s->rx_stale) {
			s->rx_stale = rcu_dereference_protected(s->rx_prev,
								lockdep_is_held(&s->rx_lock));
			rcu_assign_pointer(s->rx_prev,
					   rcu_dereference_protected(s->rx,
								     lockdep_is_held(&s->rx_lock)));
			rcu_assign_pointer(s->rx, key);
			RCU_INIT_POINTER(s->rx_next, NULL);
			WRITE_ONCE(s->rx_phase_pn, pn);
		}
	}
	spin_unlock(&s->rx_lock);
	stt_rekey_queue(s, &s->rx_work);
}

/**
 * stt_rekey_setup() - prepare a new session for key rotation
 * @s: the session, being created
 */
void stt_rekey_setup(struct stt_session *s)
{
	INIT_WORK(&s->tx_work, stt_rekey_tx_work);
	INIT_WORK(&s->rx_work, stt_rekey_rx_work);
}

/**
 * stt_rekey_start() - the session has its first keys: make the next one
 * @s: the session
 *
 * Prepares the peer's next receiving key in the background.  Callable from
 * any context.
 */
void stt_rekey_start(struct stt_session *s)
{
	stt_rekey_queue(s, &s->rx_work);
}

/**
 * stt_rekey_established() - the handshake is over: announce our next key
 * @s: the session, just established
 *
 * The next receiving key may have been made before the peer could hear of
 * it.  Callable from any context.
 */
void stt_rekey_established(struct stt_session *s)
{
	struct stt_key *next;
	u32 gen = 0;

	rcu_read_lock();
	next = rcu_dereference(s->rx_next);
	if (next)
		gen = next->gen;
	rcu_read_unlock();
	if (gen)
		stt_rekey_announce(s, gen);
}

/**
 * stt_rekey_destroy() - free the keys rotation keeps
 * @s: the session, with no reference left
 */
void stt_rekey_destroy(struct stt_session *s)
{
	stt_key_free(rcu_dereference_protected(s->rx_next, true));
	stt_key_free(rcu_dereference_protected(s->rx_prev, true));
	stt_key_free(s->rx_stale);
}
