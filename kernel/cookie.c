// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake's defence against strangers (Documentation/stt.rst,
 * "Handshakes under attack").  Owns what a HELLO must pass, in softirq,
 * before it may cost the handshake worker an X25519 and the namespace a
 * half-open session: under load (session.c decides), a HELLO gets a
 * stateless COOKIE reply, a MAC over its source address and port under a
 * secret that rotates every two minutes, which the client echoes in its
 * next HELLO; so state is only made for addresses that can receive.  A
 * HELLO with a valid cookie is then held to a per-source token bucket
 * (WireGuard's rate limiter, in a fixed table).  Owns the secrets and the
 * table, and the COOKIE reply, which is smaller than the HELLO it answers.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <crypto/algapi.h>

#include "stt.h"
#include "codec.h"

/* A cookie secret's life; a cookie made under the one before also holds. */
#define STT_COOKIE_SECRET_LIFE	(120 * HZ)

/* Sources the rate limiter tells apart at once; a power of two. */
#define STT_RL_SLOTS		256
/* HELLOs one source may have answered back to back. */
#define STT_RL_BURST		5

/**
 * struct stt_rl_slot - the rate limit of one source address
 * @addr: the IPv4 address, or the IPv6 /64 prefix (a host has all of it)
 * @bucket: its credit
 * @used: whether @addr is set
 */
struct stt_rl_slot {
	u8 addr[8];
	struct stt_bucket bucket;
	bool used;
};

/**
 * stt_cookie_net_init() - a namespace's cookie secret and rate limiter
 * @sn: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int stt_cookie_net_init(struct stt_net *sn)
{
	spin_lock_init(&sn->cookie_lock);
	spin_lock_init(&sn->rl_lock);
	get_random_bytes(sn->cookie_secret, sizeof(sn->cookie_secret));
	get_random_bytes(sn->cookie_prev, sizeof(sn->cookie_prev));
	sn->cookie_born = jiffies;
	get_random_bytes(&sn->rl_key, sizeof(sn->rl_key));
	sn->rl = kcalloc(STT_RL_SLOTS, sizeof(*sn->rl), GFP_KERNEL);
	return sn->rl ? 0 : -ENOMEM;
}

/**
 * stt_cookie_net_exit() - free what stt_cookie_net_init() made
 * @sn: the namespace, whose receive path has stopped
 */
void stt_cookie_net_exit(struct stt_net *sn)
{
	kfree(sn->rl);
	sn->rl = NULL;
	memzero_explicit(sn->cookie_secret, sizeof(sn->cookie_secret));
	memzero_explicit(sn->cookie_prev, sizeof(sn->cookie_prev));
}

/* The cookie of @peer under @secret. */
static void stt_cookie_mac(const u8 *secret, const union stt_inaddr *peer,
			   u8 out[STT_COOKIE_MAC_LEN])
{
	u8 mac[STT_MAC_LEN];

	/* The address is zero-padded: its bytes are a canonical encoding. */
	stt_hmac_sha256(secret, STT_KEY_LEN, (const u8 *)peer, sizeof(*peer),
			NULL, 0, mac);
	memcpy(out, mac, STT_COOKIE_MAC_LEN);
	memzero_explicit(mac, sizeof(mac));
}

/* Copy the secrets out, rotating them first if the current one is old. */
static void stt_cookie_secrets(struct stt_net *sn, u8 *cur, u8 *prev)
{
	spin_lock_bh(&sn->cookie_lock);
	if (time_after(jiffies, sn->cookie_born + STT_COOKIE_SECRET_LIFE)) {
		memcpy(sn->cookie_prev, sn->cookie_secret, STT_KEY_LEN);
		get_random_bytes(sn->cookie_secret, STT_KEY_LEN);
		sn->cookie_born = jiffies;
	}
	memcpy(cur, sn->cookie_secret, STT_KEY_LEN);
	if (prev)
		memcpy(prev, sn->cookie_prev, STT_KEY_LEN);
	spin_unlock_bh(&sn->cookie_lock);
}

/* Whether @mac is @peer's cookie under the current or the previous secret. */
static bool stt_cookie_valid(struct stt_net *sn, const union stt_inaddr *peer,
			     const u8 *mac)
{
	u8 cur[STT_KEY_LEN], prev[STT_KEY_LEN], want[STT_COOKIE_MAC_LEN];
	bool ok;

	stt_cookie_secrets(sn, cur, prev);
	stt_cookie_mac(cur, peer, want);
	ok = !crypto_memneq(want, mac, sizeof(want));
	if (!ok) {
		stt_cookie_mac(prev, peer, want);
		ok = !crypto_memneq(want, mac, sizeof(want));
	}
	memzero_explicit(cur, sizeof(cur));
	memzero_explicit(prev, sizeof(prev));
	return ok;
}

/*
 * Answer @hello with a COOKIE: 65 bytes against the HELLO's 256 or more,
 * so it amplifies nothing.  Stateless.
 */
static void stt_cookie_send(struct stt_endpoint *ep,
			    const union stt_inaddr *peer,
			    const struct stt_frame *hello)
{
	u8 buf[STT_HDR_LEN + 1 + STT_COOKIE_LEN], mac[STT_COOKIE_MAC_LEN];
	u8 secret[STT_KEY_LEN];
	struct stt_hdr hdr = {
		.type = STT_PKT_HANDSHAKE,
		.dst_session = hello->hello.session,
	};
	struct stt_frame f = {
		.type = STT_FRAME_COOKIE,
		.cookie = { .nonce = hello->hello.nonce, .mac = mac },
	};
	struct sk_buff *skb;

	stt_cookie_secrets(ep->sn, secret, NULL);
	stt_cookie_mac(secret, peer, mac);
	memzero_explicit(secret, sizeof(secret));
	stt_hdr_encode(buf, &hdr);
	if (stt_frame_encode(buf + STT_HDR_LEN, sizeof(buf) - STT_HDR_LEN,
			     &f) < 0)
		return;
	skb = stt_endpoint_alloc_skb(sizeof(buf), GFP_ATOMIC);
	if (!skb) {
		STT_INC(ep->sn, TX_ERRORS);
		return;
	}
	skb_put_data(skb, buf, sizeof(buf));
	if (!stt_endpoint_xmit(ep, skb, peer))
		STT_INC(ep->sn, COOKIES_SENT);
}

/*
 * One more HELLO from @peer's address (any port), if its bucket allows.
 * A source that hashes to a slot another holds takes it over with a full
 * bucket: the table is bounded, and an attacker with many addresses gets
 * fresh buckets anyway; the half-open cap bounds what that costs.
 */
static bool stt_ratelimit_allow(struct stt_net *sn,
				const union stt_inaddr *peer)
{
	u32 rate = READ_ONCE(sn->sysctl.handshake_ratelimit);
	u64 now = ktime_get_ns();
	struct stt_rl_slot *slot;
	u8 addr[8] = { };
	bool ok;

	if (peer->sa.sa_family == AF_INET)
		memcpy(addr, &peer->v4.sin_addr, 4);
	else
		memcpy(addr, &peer->v6.sin6_addr, 8);
	slot = &sn->rl[siphash(addr, sizeof(addr), &sn->rl_key) &
		       (STT_RL_SLOTS - 1)];

	spin_lock_bh(&sn->rl_lock);
	if (!slot->used || memcmp(slot->addr, addr, sizeof(addr))) {
		memcpy(slot->addr, addr, sizeof(addr));
		slot->used = true;
		stt_bucket_init(&slot->bucket, now, rate, STT_RL_BURST);
	}
	ok = stt_bucket_take(&slot->bucket, now, rate, STT_RL_BURST);
	spin_unlock_bh(&sn->rl_lock);
	return ok;
}

/**
 * stt_cookie_gate() - decide whether a HELLO may reach the handshake worker
 * @ep: the endpoint it came to
 * @skb: the datagram; skb->data points at the STT header, which is checked
 * @peer: where it came from
 * @verified: set to true if its cookie verified (and it was charged to
 *	its source's rate): it needs no second look
 *
 * Not under load, every HELLO goes on.  Under load, one with a valid
 * cookie goes on if its source is within its rate; one without (or with a
 * stale or forged one) gets a COOKIE reply and goes no further.  Every
 * HELLO held back is counted under its reason.  Called in softirq as a
 * HELLO arrives, and by the handshake worker again for one that came in
 * before the load did, so that a backlog costs no X25519 either.
 *
 * Return: true if the worker should have it.
 */
bool stt_cookie_gate(struct stt_endpoint *ep, struct sk_buff *skb,
		     const union stt_inaddr *peer, bool *verified)
{
	struct stt_net *sn = ep->sn;
	struct stt_frame hello, cookie;
	unsigned int len;
	int n, m;

	if (!stt_session_under_load(sn))
		return true;
	if (skb->len < STT_HELLO_MIN_DGRAM) {
		STT_INC(sn, DROP_HELLO_SHORT);
		return false;
	}
	/* The HELLO and the COOKIE after it: 138 of at least 256 bytes. */
	len = STT_HDR_LEN + 1 + STT_HELLO_LEN + 1 + STT_COOKIE_LEN;
	if (!pskb_may_pull(skb, len)) {
		STT_INC(sn, DROP_NOMEM);
		return false;
	}
	len -= STT_HDR_LEN;
	n = stt_frame_decode(skb->data + STT_HDR_LEN, len, &hello);
	if (n <= 0 || hello.type != STT_FRAME_HELLO) {
		STT_INC(sn, DROP_FRAME);
		return false;
	}
	m = stt_frame_decode(skb->data + STT_HDR_LEN + n, len - n, &cookie);
	if (m > 0 && cookie.type == STT_FRAME_COOKIE) {
		if (stt_cookie_valid(sn, peer, cookie.cookie.mac)) {
			STT_INC(sn, COOKIES_VERIFIED);
			*verified = true;
			if (stt_ratelimit_allow(sn, peer))
				return true;
			STT_INC(sn, DROP_HELLO_RATELIMITED);
			return false;
		}
		STT_INC(sn, DROP_COOKIE_INVALID);
	}
	stt_cookie_send(ep, peer, &hello);
	return false;
}
