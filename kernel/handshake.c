// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake (Documentation/wire.rst, "Handshake"): HELLO, CHALLENGE,
 * AUTH_PROOF, FINAL.  Owns struct stt_handshake (ephemeral keys, nonces, the
 * transcript, the last datagram for retransmission), the key schedule up to
 * the first traffic keys, and the outcome each side sees.  Received handshake
 * packets are handled by a per-namespace worker in process context, so the
 * X25519 and key allocation never run in softirq, and the queue feeding the
 * worker is bounded (and guarded by cookie.c under load).
 *
 * Nothing unauthenticated changes authenticated state: a CHALLENGE or
 * AUTH_PROOF whose proof fails is counted and ignored, the handshake goes on
 * (a client that saw only bad proofs gives up soon after with
 * EKEYREJECTED), and a message a session does not expect is dropped.
 */
#include <crypto/algapi.h>
#include <crypto/curve25519.h>
#include <crypto/sha2.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "stt.h"
#include "codec.h"

#define STT_HELLO_FRAME		(1 + STT_HELLO_LEN)
#define STT_CHALLENGE_FRAME	(1 + STT_CHALLENGE_LEN)
#define STT_AUTH_FRAME		(1 + STT_AUTH_PROOF_LEN)
#define STT_COOKIE_FRAME	(1 + STT_COOKIE_LEN)
#define STT_HS_DGRAM_MAX	STT_HELLO_MIN_DGRAM

/*
 * How long a client that got only a CHALLENGE with a bad proof waits for a
 * good one: the genuine server's answer races a forgery, and a server with
 * another key repeats its bad proof for every HELLO.
 */
#define STT_HS_SOFT_GRACE	HZ

/**
 * struct stt_handshake - a session's handshake in progress
 * @priv: our ephemeral X25519 private key
 * @pub: its public key
 * @nonce: our nonce
 * @prk: HKDF pseudorandom key, once the shared secret is known
 * @k_auth: the key the proofs are made with
 * @hello: the HELLO frame, as sent or received
 * @challenge: the CHALLENGE frame
 * @auth: the AUTH_PROOF frame
 * @cookie: (client) the COOKIE frame to send after the HELLO, once the
 *	server asked for one
 * @pn: next handshake packet number
 * @dgram: the last datagram we sent, for retransmission
 * @dgram_len: its length
 * @sent_ns: when @dgram was sent, ktime_get_ns(); 0 once it was sent again,
 *	when the answer to it no longer measures the round trip (Karn)
 */
struct stt_handshake {
	u8 priv[STT_X25519_LEN];
	u8 pub[STT_X25519_LEN];
	u8 nonce[STT_HS_NONCE_LEN];
	u8 prk[STT_MAC_LEN];
	u8 k_auth[STT_MAC_LEN];
	u8 hello[STT_HELLO_FRAME];
	u8 challenge[STT_CHALLENGE_FRAME];
	u8 auth[STT_AUTH_FRAME];
	u8 cookie[STT_COOKIE_FRAME];
	u64 pn;
	u8 dgram[STT_HS_DGRAM_MAX];
	unsigned int dgram_len;
	u64 sent_ns;
};

/**
 * stt_handshake_free() - wipe and free a session's handshake state
 * @s: the session; called with its lock held, or when nobody else can see it
 */
void stt_handshake_free(struct stt_session *s)
{
	kfree_sensitive(s->hs);
	s->hs = NULL;
}

/* Send hs->dgram. */
static void stt_hs_xmit(struct stt_session *s)
{
	struct sk_buff *skb;

	if (!s->hs->dgram_len)
		return;
	skb = stt_endpoint_alloc_skb(s->hs->dgram_len, GFP_ATOMIC);
	if (!skb) {
		STT_INC(s->sn, TX_ERRORS);
		return;
	}
	skb_put_data(skb, s->hs->dgram, s->hs->dgram_len);
	stt_endpoint_xmit(s->ep, skb, &s->peer);
}

/* Frame a handshake message into hs->dgram, padded to @min_len, and send it. */
static void stt_hs_send(struct stt_session *s, u32 dst, const u8 *frame,
			size_t flen, size_t min_len)
{
	struct stt_handshake *hs = s->hs;
	struct stt_hdr hdr = {
		.type = STT_PKT_HANDSHAKE,
		.dst_session = dst,
		.pn = hs->pn++,
	};
	/* A HELLO carries the cookie the server asked for, if any. */
	size_t clen = frame == hs->hello && hs->cookie[0] ? STT_COOKIE_FRAME : 0;

	hs->dgram_len = max(STT_HDR_LEN + flen + clen, min_len);
	memset(hs->dgram, STT_FRAME_PADDING, hs->dgram_len);
	stt_hdr_encode(hs->dgram, &hdr);
	memcpy(hs->dgram + STT_HDR_LEN, frame, flen);
	memcpy(hs->dgram + STT_HDR_LEN + flen, hs->cookie, clen);
	stt_hs_xmit(s);
	hs->sent_ns = ktime_get_ns();
}

/**
 * stt_handshake_retransmit() - send the last handshake datagram again
 * @s: the session, with its lock held
 *
 * Callable from any context.
 */
void stt_handshake_retransmit(struct stt_session *s)
{
	if (!s->hs)
		return;
	s->hs->sent_ns = 0;
	stt_hs_xmit(s);
}

/*
 * The round trip the handshake measured: from our last message, sent once,
 * to the answer that completes the handshake; 0 if unknown.  It includes
 * the peer's work on the message (deriving keys), so it errs long, which
 * the first samples of the session correct.
 */
static u64 stt_hs_rtt(const struct stt_handshake *hs)
{
	return hs && hs->sent_ns ? ktime_get_ns() - hs->sent_ns : 0;
}

/* Send a REJECT for a HELLO we will not answer; no state is kept. */
static void stt_hs_reject(struct stt_endpoint *ep,
			  const union stt_inaddr *peer,
			  const struct stt_frame *hello, u32 reason)
{
	u8 buf[STT_HDR_LEN + 1 + STT_REJECT_LEN];
	struct stt_hdr hdr = {
		.type = STT_PKT_HANDSHAKE,
		.dst_session = hello->hello.session,
	};
	struct stt_frame f = {
		.type = STT_FRAME_REJECT,
		.reject = { .reason = reason, .nonce = hello->hello.nonce },
	};
	struct sk_buff *skb;

	STT_INC(ep->sn, HANDSHAKES_REFUSED);
	stt_hdr_encode(buf, &hdr);
	if (stt_frame_encode(buf + STT_HDR_LEN, sizeof(buf) - STT_HDR_LEN, &f) < 0)
		return;
	skb = stt_endpoint_alloc_skb(sizeof(buf), GFP_ATOMIC);
	if (!skb)
		return;
	skb_put_data(skb, buf, sizeof(buf));
	stt_endpoint_xmit(ep, skb, peer);
}

/*
 * The proofs bind the PSK, the shared secret and everything before them.
 * The private key stays: a client whose CHALLENGE was forged waits for the
 * genuine one (stt_hs_forget_priv() wipes it once a proof verified).
 */
static int stt_hs_auth_key(struct stt_handshake *hs, const u8 *psk,
			   const u8 *peer_pub)
{
	u8 ss[CURVE25519_KEY_SIZE], th1[SHA256_DIGEST_SIZE];
	struct sha256_state st;

	if (!curve25519(ss, hs->priv, peer_pub))
		return -EINVAL;		/* a low-order point: no secret */
	stt_hkdf_extract(psk, ss, hs->prk);
	memzero_explicit(ss, sizeof(ss));

	sha256_init(&st);
	sha256_update(&st, hs->hello, sizeof(hs->hello));
	sha256_update(&st, hs->challenge, sizeof(hs->challenge) - STT_MAC_LEN);
	sha256_final(&st, th1);
	stt_hkdf_expand(hs->prk, STT_LABEL_AUTH, th1, sizeof(th1), hs->k_auth);
	return 0;
}

/* Forward secrecy: the ephemeral private key goes once it served. */
static void stt_hs_forget_priv(struct stt_handshake *hs)
{
	memzero_explicit(hs->priv, sizeof(hs->priv));
}

static void stt_hs_proof(const struct stt_handshake *hs, const char *label,
			 u8 out[STT_MAC_LEN])
{
	stt_hmac_sha256(hs->k_auth, sizeof(hs->k_auth), label, strlen(label),
			NULL, 0, out);
}

/*
 * Derive both directions' first keys from the whole transcript.  Sleeps.
 * @hs is the caller's: it took it off the session to work without the lock.
 */
static int stt_hs_keys(struct stt_session *s, struct stt_handshake *hs,
		       struct stt_key **tx, struct stt_key **rx)
{
	u8 th2[SHA256_DIGEST_SIZE], c2s[STT_KEY_LEN], s2c[STT_KEY_LEN];
	struct sha256_state st;
	int err = 0;

	sha256_init(&st);
	sha256_update(&st, hs->hello, sizeof(hs->hello));
	sha256_update(&st, hs->challenge, sizeof(hs->challenge));
	sha256_update(&st, hs->auth, sizeof(hs->auth));
	sha256_final(&st, th2);
	stt_hkdf_expand(hs->prk, STT_LABEL_C2S, th2, sizeof(th2), c2s);
	stt_hkdf_expand(hs->prk, STT_LABEL_S2C, th2, sizeof(th2), s2c);

	*tx = stt_key_new(s->suite, s->client ? c2s : s2c, 0);
	*rx = stt_key_new(s->suite, s->client ? s2c : c2s, 0);
	if (IS_ERR(*tx) || IS_ERR(*rx)) {
		err = IS_ERR(*tx) ? PTR_ERR(*tx) : PTR_ERR(*rx);
		if (!IS_ERR(*tx))
			stt_key_free(*tx);
		if (!IS_ERR(*rx))
			stt_key_free(*rx);
	}
	memzero_explicit(c2s, sizeof(c2s));
	memzero_explicit(s2c, sizeof(s2c));
	return err;
}

/**
 * stt_handshake_start() - send HELLO for a new client session
 * @s: the session, in %STT_SS_HELLO_SENT
 * @suites: the cipher suites to offer; the lowest is preferred
 *
 * Arms the session timer for retransmission and the handshake timeout.
 * May sleep.
 *
 * Return: 0 or a negative errno.
 */
int stt_handshake_start(struct stt_session *s, u8 suites)
{
	struct stt_sysctl *sc = &s->sn->sysctl;
	struct stt_handshake *hs;
	struct stt_frame f;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return -ENOMEM;
	curve25519_generate_secret(hs->priv);
	if (!curve25519_generate_public(hs->pub, hs->priv)) {
		kfree_sensitive(hs);
		return -EINVAL;
	}
	get_random_bytes(hs->nonce, sizeof(hs->nonce));

	f = (struct stt_frame){
		.type = STT_FRAME_HELLO,
		.hello = {
			.suites = suites,
			.preferred = suites & -suites,
			.session = s->local_id,
			.pub = hs->pub,
			.nonce = hs->nonce,
		},
	};
	if (stt_frame_encode(hs->hello, sizeof(hs->hello), &f) != sizeof(hs->hello)) {
		kfree_sensitive(hs);
		return -EINVAL;
	}

	spin_lock_bh(&s->lock);
	s->hs = hs;
	s->rto = msecs_to_jiffies(READ_ONCE(sc->handshake_retry_ms));
	s->deadline = jiffies +
		msecs_to_jiffies(READ_ONCE(sc->handshake_timeout_ms));
	stt_hs_send(s, 0, hs->hello, sizeof(hs->hello), STT_HELLO_MIN_DGRAM);
	mod_timer(&s->timer, min(jiffies + s->rto, s->deadline));
	spin_unlock_bh(&s->lock);
	STT_INC(s->sn, HANDSHAKES_STARTED);
	return 0;
}

/* Server: a HELLO arrived.  Answer it with a CHALLENGE, or refuse it. */
static void stt_hs_hello(struct stt_net *sn, struct stt_endpoint *ep,
			 const union stt_inaddr *peer, const struct stt_frame *f,
			 const u8 *frame, unsigned int dgram_len)
{
	u8 psk[STT_KEY_LEN], offer, suite;
	struct stt_handshake *hs;
	struct stt_session *s;
	struct stt_frame c;
	struct sock *lsk;
	u32 rto_ms = 0;
	u8 cc = 0;

	if (dgram_len < STT_HELLO_MIN_DGRAM) {
		STT_INC(sn, DROP_HELLO_SHORT);
		return;
	}

	/* A repeated HELLO gets the same CHALLENGE again, and no new state. */
	s = stt_session_find_hello(sn, ep, peer, f->hello.session, frame);
	if (s) {
		spin_lock_bh(&s->lock);
		stt_handshake_retransmit(s);
		spin_unlock_bh(&s->lock);
		stt_session_put(s);
		return;
	}

	/* listen() and close() change the listener under the same mutex. */
	mutex_lock(&sn->lock);
	lsk = ep->listener;
	if (lsk) {
		memcpy(psk, stt_sk(lsk)->psk, sizeof(psk));
		offer = stt_sk(lsk)->suites & f->hello.suites;
		rto_ms = READ_ONCE(stt_sk(lsk)->rto_initial_ms);
		cc = READ_ONCE(stt_sk(lsk)->cc_algo);
	}
	mutex_unlock(&sn->lock);
	if (!lsk) {
		stt_hs_reject(ep, peer, f, STT_REJECT_NO_LISTENER);
		return;
	}
	if (!offer) {
		stt_hs_reject(ep, peer, f, STT_REJECT_NO_SUITE);
		return;
	}
	suite = (offer & f->hello.preferred) ?: (offer & -offer);

	stt_session_evict_half_open(sn);
	s = stt_session_new(sn, ep, peer, false, psk, rto_ms, cc);
	memzero_explicit(psk, sizeof(psk));
	if (IS_ERR(s))
		return;
	s->peer_id = f->hello.session;
	s->suite = suite;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		goto fail;
	memcpy(hs->hello, frame, sizeof(hs->hello));
	curve25519_generate_secret(hs->priv);
	get_random_bytes(hs->nonce, sizeof(hs->nonce));
	if (!curve25519_generate_public(hs->pub, hs->priv))
		goto fail_hs;

	c = (struct stt_frame){
		.type = STT_FRAME_CHALLENGE,
		.challenge = {
			.suite = suite,
			.session = s->local_id,
			.pub = hs->pub,
			.nonce = hs->nonce,
			.proof = hs->k_auth,	/* placeholder, overwritten below */
		},
	};
	if (stt_frame_encode(hs->challenge, sizeof(hs->challenge), &c) < 0 ||
	    stt_hs_auth_key(hs, s->psk, f->hello.pub))
		goto fail_hs;
	stt_hs_forget_priv(hs);
	stt_hs_proof(hs, STT_LABEL_SERVER,
		     hs->challenge + sizeof(hs->challenge) - STT_MAC_LEN);

	spin_lock_bh(&s->lock);
	s->hs = hs;
	s->deadline = jiffies +
		msecs_to_jiffies(READ_ONCE(sn->sysctl.handshake_timeout_ms));
	stt_hs_send(s, s->peer_id, hs->challenge, sizeof(hs->challenge), 0);
	mod_timer(&s->timer, s->deadline);
	spin_unlock_bh(&s->lock);
	STT_INC(sn, HANDSHAKES_ACCEPTED);
	stt_session_put(s);
	return;

fail_hs:
	kfree_sensitive(hs);
fail:
	stt_session_close(s, EPROTO);
	stt_session_put(s);
}

/*
 * Take the handshake off @s if the session is in @state, so that the caller
 * can compute without the lock (and nothing else uses the handshake
 * meanwhile).  A message the session does not expect now is counted and
 * ignored.
 */
static struct stt_handshake *stt_hs_take(struct stt_session *s,
					 enum stt_session_state state)
{
	struct stt_handshake *hs = NULL;

	spin_lock_bh(&s->lock);
	if (s->state == state) {
		hs = s->hs;
		s->hs = NULL;
	}
	spin_unlock_bh(&s->lock);
	if (!hs)
		STT_INC(s->sn, DROP_HANDSHAKE_STATE);
	return hs;
}

/*
 * Put a handshake taken with stt_hs_take() back, after a message that did
 * not verify, unless the session moved on meanwhile.  A client notes
 * @soft_error and gives up soon unless a good answer comes.
 */
static void stt_hs_give_back(struct stt_session *s, struct stt_handshake *hs,
			     enum stt_session_state state, int soft_error)
{
	spin_lock_bh(&s->lock);
	if (s->state == state && !s->hs) {
		s->hs = hs;
		hs = NULL;
		if (soft_error && !s->soft_error) {
			s->soft_error = soft_error;
			s->soft_deadline = jiffies + STT_HS_SOFT_GRACE;
			if (time_before(s->soft_deadline, s->timer.expires))
				mod_timer(&s->timer, s->soft_deadline);
		}
	}
	spin_unlock_bh(&s->lock);
	kfree_sensitive(hs);
}

/* Client: the server answered.  Check its proof, prove ourselves, get keys. */
static void stt_hs_challenge(struct stt_session *s, const struct stt_frame *f,
			     const u8 *frame)
{
	struct stt_key *tx, *rx;
	struct stt_handshake *hs;
	u8 proof[STT_MAC_LEN];
	struct stt_frame a;
	int err;

	hs = stt_hs_take(s, STT_SS_HELLO_SENT);
	if (!hs)
		return;

	/*
	 * Until the proof verified, this may be anybody's: a bad one is
	 * counted and forgotten, and the genuine answer may still come.
	 */
	memcpy(hs->challenge, frame, sizeof(hs->challenge));
	if (!(f->challenge.suite & hs->hello[1]) ||
	    stt_hs_auth_key(hs, s->psk, f->challenge.pub)) {
		STT_INC(s->sn, DROP_CHALLENGE_PROOF);
		stt_hs_give_back(s, hs, STT_SS_HELLO_SENT, 0);
		return;
	}
	stt_hs_proof(hs, STT_LABEL_SERVER, proof);
	if (crypto_memneq(proof, f->challenge.proof, sizeof(proof))) {
		STT_INC(s->sn, DROP_CHALLENGE_PROOF);
		stt_hs_give_back(s, hs, STT_SS_HELLO_SENT, EKEYREJECTED);
		return;
	}
	stt_hs_forget_priv(hs);
	/*
	 * The genuine answer: an earlier forgery no longer decides how the
	 * handshake ends while the keys are made (which may sleep long).
	 */
	spin_lock_bh(&s->lock);
	s->soft_error = 0;
	spin_unlock_bh(&s->lock);
	s->suite = f->challenge.suite;
	WRITE_ONCE(s->peer_id, f->challenge.session);

	a = (struct stt_frame){
		.type = STT_FRAME_AUTH_PROOF,
		.auth_proof = { .proof = proof },
	};
	stt_hs_proof(hs, STT_LABEL_CLIENT, proof);
	if (stt_frame_encode(hs->auth, sizeof(hs->auth), &a) < 0)
		goto fail;
	err = stt_recovery_ready(s) ?: stt_hs_keys(s, hs, &tx, &rx);
	if (err)
		goto fail;

	spin_lock_bh(&s->lock);
	if (s->state != STT_SS_HELLO_SENT) {
		spin_unlock_bh(&s->lock);
		stt_key_free(tx);
		stt_key_free(rx);
		kfree_sensitive(hs);
		return;
	}
	rcu_assign_pointer(s->tx, tx);
	rcu_assign_pointer(s->rx, rx);
	stt_rekey_start(s);
	s->hs = hs;
	s->state = STT_SS_PROOF_SENT;
	s->rto = msecs_to_jiffies(READ_ONCE(s->sn->sysctl.handshake_retry_ms));
	stt_hs_send(s, s->peer_id, hs->auth, sizeof(hs->auth), 0);
	mod_timer(&s->timer, min(jiffies + s->rto, s->deadline));
	spin_unlock_bh(&s->lock);
	return;

fail:
	kfree_sensitive(hs);
	stt_session_close(s, -err);
}

/* Server: the client proved it holds the key.  The session is up. */
static void stt_hs_auth_proof(struct stt_session *s, const struct stt_frame *f,
			      const u8 *frame)
{
	struct stt_key *tx, *rx;
	struct stt_handshake *hs;
	u8 proof[STT_MAC_LEN];
	u64 rtt;

	if (READ_ONCE(s->state) == STT_SS_ESTABLISHED) {
		/*
		 * Our FINAL was lost: the client repeats its proof.  Only the
		 * proof that established the session gets FINAL again.
		 */
		if (crypto_memneq(s->peer_proof, f->auth_proof.proof,
				  STT_MAC_LEN))
			STT_INC(s->sn, HANDSHAKES_PROOF_FAILED);
		else
			stt_session_send_final(s);
		return;
	}
	hs = stt_hs_take(s, STT_SS_CHALLENGED);
	if (!hs)
		return;

	stt_hs_proof(hs, STT_LABEL_CLIENT, proof);
	if (crypto_memneq(proof, f->auth_proof.proof, sizeof(proof))) {
		/*
		 * Forged, or another key: either way the half-open session
		 * stays until its deadline (or eviction), so that a forgery
		 * cannot end a genuine handshake.
		 */
		STT_INC(s->sn, HANDSHAKES_PROOF_FAILED);
		stt_hs_give_back(s, hs, STT_SS_CHALLENGED, 0);
		return;
	}
	memcpy(hs->auth, frame, sizeof(hs->auth));
	rtt = stt_hs_rtt(hs);
	if (stt_recovery_ready(s) || stt_hs_keys(s, hs, &tx, &rx))
		goto fail;
	kfree_sensitive(hs);

	spin_lock_bh(&s->lock);
	if (s->state != STT_SS_CHALLENGED) {
		spin_unlock_bh(&s->lock);
		stt_key_free(tx);
		stt_key_free(rx);
		return;
	}
	memcpy(s->peer_proof, proof, sizeof(proof));
	rcu_assign_pointer(s->tx, tx);
	rcu_assign_pointer(s->rx, rx);
	stt_rekey_start(s);
	s->state = STT_SS_ESTABLISHED;
	stt_session_established(s, rtt);
	spin_unlock_bh(&s->lock);
	stt_session_half_open_done(s);
	STT_INC(s->sn, HANDSHAKES_COMPLETED);
	stt_session_send_final(s);
	stt_rekey_established(s);
	stt_stream_open_waiting(s);
	return;
fail:
	kfree_sensitive(hs);
	stt_session_close(s, ENOMEM);
}

/*
 * Whether a REJECT or COOKIE echoing @nonce is for this client's HELLO: 0,
 * or the counter to drop it under.  The nonce is in the HELLO only, so a
 * sender that did not see it cannot make one that counts.  Called with
 * the session's lock held.
 */
static int stt_hs_nonce_check(struct stt_session *s, const u8 *nonce)
{
	if (!s->client || s->state != STT_SS_HELLO_SENT || !s->hs)
		return STT_STAT_DROP_HANDSHAKE_STATE;
	if (crypto_memneq(s->hs->nonce, nonce, STT_HS_NONCE_LEN))
		return STT_STAT_DROP_HANDSHAKE_NONCE;
	return 0;
}

/* Client: the server refused.  Only a REJECT that echoes our nonce counts. */
static void stt_hs_reject_rcv(struct stt_session *s, const struct stt_frame *f)
{
	int drop;

	spin_lock_bh(&s->lock);
	drop = stt_hs_nonce_check(s, f->reject.nonce);
	spin_unlock_bh(&s->lock);
	if (drop) {
		stt_count(s->sn, drop, 1);
		return;
	}
	STT_INC(s->sn, HANDSHAKES_REFUSED);
	stt_session_close(s, ECONNREFUSED);
}

/*
 * Client: the server is under load and wants its cookie echoed.  The HELLO
 * goes again at once, with the cookie; later retransmissions carry it too.
 */
static void stt_hs_cookie_rcv(struct stt_session *s, const struct stt_frame *f,
			      const u8 *frame)
{
	int drop;

	spin_lock_bh(&s->lock);
	drop = stt_hs_nonce_check(s, f->cookie.nonce);
	if (!drop) {
		memcpy(s->hs->cookie, frame, STT_COOKIE_FRAME);
		stt_hs_send(s, 0, s->hs->hello, STT_HELLO_FRAME,
			    STT_HELLO_MIN_DGRAM);
	}
	spin_unlock_bh(&s->lock);
	if (drop)
		stt_count(s->sn, drop, 1);
	else
		STT_INC(s->sn, COOKIES_RECEIVED);
}

/**
 * stt_handshake_final() - the client got FINAL: the session is up
 * @s: the session
 *
 * Called from the receive path (softirq) for a protected packet that carried
 * FINAL; its decryption already proved the keys match.
 */
void stt_handshake_final(struct stt_session *s)
{
	u64 rtt;

	spin_lock_bh(&s->lock);
	if (!s->client || s->state != STT_SS_PROOF_SENT) {
		spin_unlock_bh(&s->lock);
		return;
	}
	s->state = STT_SS_ESTABLISHED;
	rtt = stt_hs_rtt(s->hs);
	stt_handshake_free(s);
	stt_session_established(s, rtt);
	spin_unlock_bh(&s->lock);
	STT_INC(s->sn, HANDSHAKES_COMPLETED);
	wake_up_all(&s->wq);
	stt_rekey_established(s);
	stt_stream_open_waiting(s);
}

/**
 * stt_handshake_rcv() - handle one handshake packet (the handshake worker)
 * @sn: the namespace
 * @ep: the endpoint it arrived on
 * @skb: the packet; skb->data points at the STT header, skb->cb is a
 *	struct stt_skb_cb.  Consumed.
 *
 * Runs in process context.
 */
void stt_handshake_rcv(struct stt_net *sn, struct stt_endpoint *ep,
		       struct sk_buff *skb)
{
	const union stt_inaddr *peer = &STT_SKB_CB(skb)->peer;
	unsigned int len = skb->len;
	struct stt_session *s;
	struct stt_frame f, c;
	struct stt_hdr hdr;
	const u8 *p;
	int n, m;

	if (skb_linearize(skb)) {
		STT_INC(sn, DROP_NOMEM);
		goto out;
	}
	stt_hdr_decode(skb->data, len, &hdr);	/* checked on receipt */
	p = skb->data + STT_HDR_LEN;
	len -= STT_HDR_LEN;
	/*
	 * One handshake frame (a HELLO may have its COOKIE after it), then
	 * nothing but padding.
	 */
	n = stt_frame_decode(p, len, &f);
	if (n <= 0 || f.type == STT_FRAME_PADDING) {
		STT_INC(sn, DROP_FRAME);
		goto out;
	}
	if (f.type == STT_FRAME_HELLO) {
		m = stt_frame_decode(p + n, len - n, &c);
		if (m > 0 && c.type == STT_FRAME_COOKIE)
			n += m;
	}
	if (memchr_inv(p + n, STT_FRAME_PADDING, len - n)) {
		STT_INC(sn, DROP_FRAME);
		goto out;
	}

	if (f.type == STT_FRAME_HELLO) {
		/*
		 * Queued before the namespace came under load: it passes the
		 * gate now, or gets its cookie instead of an X25519.
		 */
		if (hdr.dst_session)
			STT_INC(sn, DROP_HANDSHAKE_STATE);
		else if (STT_SKB_CB(skb)->verified ||
			 stt_cookie_gate(ep, skb, peer,
					 &STT_SKB_CB(skb)->verified))
			stt_hs_hello(sn, ep, peer, &f, skb->data + STT_HDR_LEN,
				     skb->len);
		goto out;
	}

	s = stt_session_lookup(sn, hdr.dst_session);
	if (!s) {
		STT_INC(sn, DROP_NO_SESSION);
		goto out;
	}
	switch (f.type) {
	case STT_FRAME_CHALLENGE:
		if (s->client)
			stt_hs_challenge(s, &f, p);
		else
			STT_INC(sn, DROP_HANDSHAKE_STATE);
		break;
	case STT_FRAME_AUTH_PROOF:
		if (!s->client)
			stt_hs_auth_proof(s, &f, p);
		else
			STT_INC(sn, DROP_HANDSHAKE_STATE);
		break;
	case STT_FRAME_REJECT:
		stt_hs_reject_rcv(s, &f);
		break;
	case STT_FRAME_COOKIE:
		stt_hs_cookie_rcv(s, &f, p);
		break;
	default:
		STT_INC(sn, DROP_FRAME);
		break;
	}
	stt_session_put(s);
out:
	kfree_skb(skb);
}

/**
 * stt_handshake_hello_is() - whether a server session came from this HELLO
 * @s: a server session, with its lock held
 * @frame: a HELLO frame
 *
 * Return: true if @s is still handshaking and was created by @frame.
 */
bool stt_handshake_hello_is(const struct stt_session *s, const u8 *frame)
{
	return s->hs && !memcmp(s->hs->hello, frame, STT_HELLO_FRAME);
}
