// SPDX-License-Identifier: GPL-2.0
/*
 * Cryptography.  Owns the key schedule primitives (HMAC-SHA256 and HKDF over
 * the kernel's SHA-256 library, so they run in any context with no transform
 * to share or lock) and packet protection: sealing and opening a packet in
 * place on its skb with the session's crypto_aead.  Only synchronous AEAD
 * implementations are used, and each key carries one preallocated request
 * per CPU, so protecting a packet allocates nothing and never waits.
 */
#include <crypto/aead.h>
#include <crypto/sha2.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>

#include "stt.h"

/*
 * At most this many pieces of an skb are sealed or opened in place; a
 * datagram is one MTU, so only an unusually fragmented skb has more, and it is
 * linearized first.  (The array lives on the stack.)
 */
#define STT_MAX_SG	16

struct stt_hmac_part {
	const u8 *p;
	size_t len;
};

static void stt_hmac(const u8 *key, size_t key_len,
		     const struct stt_hmac_part *parts, int n, u8 *out)
{
	u8 pad[SHA256_BLOCK_SIZE], inner[SHA256_DIGEST_SIZE];
	struct sha256_state st;
	int i;

	/* Every key STT uses is shorter than a block: no pre-hashing. */
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < key_len; i++)
		pad[i] ^= key[i];
	sha256_init(&st);
	sha256_update(&st, pad, sizeof(pad));
	for (i = 0; i < n; i++)
		sha256_update(&st, parts[i].p, parts[i].len);
	sha256_final(&st, inner);

	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < key_len; i++)
		pad[i] ^= key[i];
	sha256_init(&st);
	sha256_update(&st, pad, sizeof(pad));
	sha256_update(&st, inner, sizeof(inner));
	sha256_final(&st, out);

	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(inner, sizeof(inner));
	memzero_explicit(&st, sizeof(st));
}

/**
 * stt_hmac_sha256() - HMAC-SHA256 of the concatenation of two strings
 * @key: the key, at most a SHA-256 block (64 bytes)
 * @key_len: its length
 * @a: first part of the message
 * @a_len: its length
 * @b: second part of the message (may be NULL when @b_len is 0)
 * @b_len: its length
 * @out: the MAC
 */
void stt_hmac_sha256(const u8 *key, size_t key_len, const u8 *a, size_t a_len,
		     const u8 *b, size_t b_len, u8 out[STT_MAC_LEN])
{
	const struct stt_hmac_part parts[] = { { a, a_len }, { b, b_len } };

	stt_hmac(key, key_len, parts, ARRAY_SIZE(parts), out);
}

/**
 * stt_hkdf_extract() - HKDF-Extract with SHA-256 (RFC 5869)
 * @salt: 32 bytes (STT uses the pre-shared key)
 * @ikm: 32 bytes of input keying material (the X25519 shared secret)
 * @prk: the pseudorandom key
 */
void stt_hkdf_extract(const u8 *salt, const u8 *ikm, u8 prk[STT_MAC_LEN])
{
	stt_hmac_sha256(salt, STT_KEY_LEN, ikm, STT_KEY_LEN, NULL, 0, prk);
}

/**
 * stt_hkdf_expand() - HKDF-Expand with SHA-256 to one 32-byte block
 * @prk: the pseudorandom key
 * @label: an STT_LABEL_* string; the info is the label then @ctx
 * @ctx: context bytes, such as a transcript hash (may be NULL)
 * @ctx_len: their length
 * @out: 32 bytes of output
 */
void stt_hkdf_expand(const u8 *prk, const char *label, const u8 *ctx,
		     size_t ctx_len, u8 out[STT_KEY_LEN])
{
	static const u8 one = 1;
	const struct stt_hmac_part parts[] = {
		{ label, strlen(label) }, { ctx, ctx_len }, { &one, 1 },
	};

	stt_hmac(prk, STT_MAC_LEN, parts, ARRAY_SIZE(parts), out);
}

static const char *stt_suite_alg(u8 suite)
{
	switch (suite) {
	case STT_SUITE_CHACHA20_POLY1305:
		return "rfc7539(chacha20,poly1305)";
	case STT_SUITE_AES_256_GCM:
		return "gcm(aes)";
	}
	return NULL;
}

/**
 * stt_key_new() - make a packet protection key from a traffic secret
 * @suite: %STT_SUITE_CHACHA20_POLY1305 or %STT_SUITE_AES_256_GCM
 * @secret: the traffic secret of generation @gen
 * @gen: the key generation
 *
 * May sleep (it allocates the transform).
 *
 * Return: the key, or an ERR_PTR().
 */
struct stt_key *stt_key_new(u8 suite, const u8 *secret, u32 gen)
{
	const char *alg = stt_suite_alg(suite);
	u8 raw[STT_KEY_LEN];
	struct stt_key *key;
	int err;

	if (!alg)
		return ERR_PTR(-EINVAL);
	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return ERR_PTR(-ENOMEM);
	/* Asynchronous implementations are masked out: see the file comment. */
	key->tfm = crypto_alloc_aead(alg, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(key->tfm)) {
		err = PTR_ERR(key->tfm);
		key->tfm = NULL;
		goto err;
	}
	key->req = __alloc_percpu(sizeof(struct aead_request) +
				  crypto_aead_reqsize(key->tfm),
				  __alignof__(struct aead_request));
	if (!key->req) {
		err = -ENOMEM;
		goto err;
	}

	stt_hkdf_expand(secret, STT_LABEL_KEY, NULL, 0, raw);
	err = crypto_aead_setkey(key->tfm, raw, sizeof(raw));
	memzero_explicit(raw, sizeof(raw));
	if (!err)
		err = crypto_aead_setauthsize(key->tfm, STT_TAG_LEN);
	if (err)
		goto err;

	memcpy(key->secret, secret, STT_KEY_LEN);
	key->gen = gen;
	key->born = jiffies;
	return key;
err:
	stt_key_free(key);
	return ERR_PTR(err);
}

/**
 * stt_key_free() - free a key and wipe its secret
 * @key: the key, or NULL
 *
 * The caller makes sure no packet is being sealed or opened with it.
 */
void stt_key_free(struct stt_key *key)
{
	if (!key)
		return;
	free_percpu(key->req);
	if (key->tfm)
		crypto_free_aead(key->tfm);
	kfree_sensitive(key);
}

static void stt_nonce(u8 iv[STT_NONCE_LEN], u64 pn)
{
	__be64 be = cpu_to_be64(pn);

	memset(iv, 0, STT_NONCE_LEN - sizeof(be));
	memcpy(iv + STT_NONCE_LEN - sizeof(be), &be, sizeof(be));
}

/*
 * Run the AEAD from @src to @dst (the same list for in place): the header is
 * the associated data, @len bytes after it are sealed or opened.
 */
static int stt_aead(struct stt_key *key, struct scatterlist *src,
		    struct scatterlist *dst, unsigned int len, u64 pn,
		    bool encrypt)
{
	struct aead_request *req;
	u8 iv[STT_NONCE_LEN];
	int err;

	stt_nonce(iv, pn);
	/* The request is per CPU: keep softirqs of this CPU off it. */
	local_bh_disable();
	req = this_cpu_ptr(key->req);
	aead_request_set_tfm(req, key->tfm);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_ad(req, STT_HDR_LEN);
	aead_request_set_crypt(req, src, dst, len, iv);
	err = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	local_bh_enable();
	return err;
}

/*
 * Run the AEAD over an skb whose data starts at the STT header: the header is
 * the associated data, what follows it is sealed or opened in place.
 */
static int stt_crypt(struct stt_key *key, struct sk_buff *skb, u64 pn,
		     bool encrypt)
{
	struct scatterlist sg[STT_MAX_SG];
	struct sk_buff *trailer;
	int nsg;

	nsg = skb_cow_data(skb, 0, &trailer);
	if (nsg > ARRAY_SIZE(sg)) {
		if (skb_linearize(skb))
			return -ENOMEM;
		nsg = skb_cow_data(skb, 0, &trailer);
	}
	if (nsg < 0)
		return nsg;
	sg_init_table(sg, nsg);
	nsg = skb_to_sgvec(skb, sg, 0, skb->len);
	if (nsg < 0)
		return nsg;

	return stt_aead(key, sg, sg, skb->len - STT_HDR_LEN -
			(encrypt ? STT_TAG_LEN : 0), pn, encrypt);
}

/**
 * stt_seal() - encrypt a packet in place
 * @key: the sending key
 * @skb: header and plaintext frames, followed by %STT_TAG_LEN bytes of room
 *	already counted in skb->len; skb->data points at the STT header
 * @pn: the packet number in the header
 *
 * Return: 0 or a negative errno.
 */
int stt_seal(struct stt_key *key, struct sk_buff *skb, u64 pn)
{
	return stt_crypt(key, skb, pn, true);
}

/**
 * stt_seal_copy() - encrypt a packet from a plaintext kept elsewhere
 * @key: the sending key
 * @src: the header and the plaintext frames, skb->len - %STT_TAG_LEN bytes,
 *	in linear memory that stays as it is (a chunk kept for retransmission)
 * @skb: a linear skb of the packet's full length (tag included) whose data
 *	starts with the same header; receives the ciphertext and the tag
 * @pn: the packet number in the header
 *
 * The AEAD reads @src and writes @skb, so the plaintext is never copied
 * by itself: sealing is the one pass over the data a transmission makes.
 *
 * Return: 0 or a negative errno.
 */
int stt_seal_copy(struct stt_key *key, const u8 *src, struct sk_buff *skb,
		  u64 pn)
{
	struct scatterlist sg_src, sg_dst;

	if (skb_is_nonlinear(skb) || skb->len < STT_HDR_LEN + STT_TAG_LEN)
		return -EINVAL;
	sg_init_one(&sg_src, src, skb->len - STT_TAG_LEN);
	sg_init_one(&sg_dst, skb->data, skb->len);
	return stt_aead(key, &sg_src, &sg_dst,
			skb->len - STT_HDR_LEN - STT_TAG_LEN, pn, true);
}

/**
 * stt_open() - authenticate and decrypt a packet in place
 * @key: the receiving key
 * @skb: header, ciphertext and tag; skb->data points at the STT header
 * @pn: the packet number in the header
 *
 * On success the tag is trimmed off.
 *
 * Return: 0, -EBADMSG if authentication failed, or another negative errno.
 */
int stt_open(struct stt_key *key, struct sk_buff *skb, u64 pn)
{
	int err;

	if (skb->len < STT_HDR_LEN + STT_TAG_LEN)
		return -EBADMSG;
	err = stt_crypt(key, skb, pn, false);
	if (err)
		return err;
	return pskb_trim(skb, skb->len - STT_TAG_LEN);
}
