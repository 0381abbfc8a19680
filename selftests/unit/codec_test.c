// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/codec.c in user space.  The test vectors are read from
 * Documentation/wire.rst itself, so that the document and the code cannot
 * drift apart: each one is decoded, checked field by field against the values
 * written here, encoded again and compared byte for byte.  Then every
 * truncation and every short output buffer, every rule of the wire format in
 * both directions, the ACK range conversion on random range sets, and random
 * buffers, all under ASan and UBSan.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "codec.h"

#define VEC_MAX		512	/* more than any vector or hand-built frame */
#define WHOLE		0	/* patch_decode(): expect the frame's whole length */

/* Every block of wire.rst's "Test vectors" section; "hdr-" ones are headers. */
static const char * const vectors[] = {
	"hdr-protected", "hdr-handshake",
	"hello", "challenge", "auth-proof", "final", "reject", "cookie",
	"padding",
	"ack-one-range", "ack-two-ranges", "nack-two-ranges",
	"stream-open", "stream-open-server", "data", "stream-fin", "stream-reset", "window-update",
	"keepalive", "keepalive-ack", "session-close", "key-update",
};

static bool is_hdr(const char *name)
{
	return !strncmp(name, "hdr-", 4);
}

static const char *wire_rst(void)
{
	const char *path = getenv("STT_WIRE_RST");

	/* make check runs the tests from build/unit. */
	return path ? path : "../../Documentation/wire.rst";
}

/* One line of hex byte pairs into @out: their number, or -1 if malformed. */
static int parse_hex(char *s, u8 *out, size_t cap)
{
	char *tok, *save;
	size_t n = 0;

	for (tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (strlen(tok) != 2 || !isxdigit(tok[0]) || !isxdigit(tok[1]) || n == cap)
			return -1;
		out[n++] = strtoul(tok, NULL, 16);
	}
	return n;
}

/*
 * The bytes of the block named vector-@name: a ".. code-block:: none" line,
 * then ":name: vector-@name", a blank line, and indented lines of hex pairs up
 * to the next blank or unindented line.  Return their number, or -1.
 */
static int load_vector(const char *name, u8 *out, size_t cap)
{
	enum { SEARCH, BLANK, BYTES } state = SEARCH;
	char want[128], line[512];
	bool directive = false;
	int n = 0, k;
	char *s;
	FILE *fp;

	fp = fopen(wire_rst(), "r");
	if (!fp)
		return -1;
	snprintf(want, sizeof(want), ":name: vector-%s", name);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		s = line + strspn(line, " \t");
		if (state == SEARCH) {
			if (directive && !strcmp(s, want))
				state = BLANK;
			else if (*s)
				directive = !strcmp(s, ".. code-block:: none");
		} else if (state == BLANK) {
			if (*s)
				break;
			state = BYTES;
		} else {
			if (!*s || s == line)
				break;
			k = parse_hex(s, out + n, cap - n);
			if (k < 0) {
				n = 0;
				break;
			}
			n += k;
		}
	}
	fclose(fp);
	return state == BYTES && n > 0 ? n : -1;
}

static int get_vector(struct __test_metadata *_metadata, const char *name, u8 *out)
{
	int len = load_vector(name, out, VEC_MAX);

	ASSERT_LT(0, len) TH_LOG("no valid block vector-%s in %s", name, wire_rst());
	return len;
}

/* Decode vector @name, which must be exactly one frame. */
static int frame_vector(struct __test_metadata *_metadata, const char *name, u8 *buf,
			struct stt_frame *f)
{
	int len = get_vector(_metadata, name, buf);

	ASSERT_EQ(len, stt_frame_decode(buf, len, f)) TH_LOG("vector-%s", name);
	return len;
}

static bool filled(const u8 *p, size_t n, u8 byte)
{
	while (n--)
		if (*p++ != byte)
			return false;
	return true;
}

/* Any parsed frame back to bytes: an ACK through its ranges. */
static int encode_any(u8 *out, size_t cap, const struct stt_frame *f)
{
	struct stt_range r[STT_ACK_MAX_RANGES + 1];
	unsigned int i;

	if (f->type != STT_FRAME_ACK)
		return stt_frame_encode(out, cap, f);
	for (i = 0; i <= f->ack.nranges; i++)
		stt_ack_range(f, i, &r[i]);
	return stt_ack_encode(out, cap, f->ack.delay_us, r, f->ack.nranges + 1);
}

/* Encoding @f again must give back the @len bytes of @buf, and no more. */
static void encodes_to(struct __test_metadata *_metadata, const struct stt_frame *f,
		       const u8 *buf, int len)
{
	u8 out[VEC_MAX + 1];

	memset(out, 0xa5, sizeof(out));
	ASSERT_EQ(len, encode_any(out, sizeof(out), f));
	EXPECT_EQ(0, memcmp(out, buf, len));
	EXPECT_EQ(0xa5, out[len]);
}

static void encode_refused(struct __test_metadata *_metadata, const struct stt_frame *f)
{
	u8 out[VEC_MAX];

	EXPECT_EQ(-EINVAL, stt_frame_encode(out, sizeof(out), f)) TH_LOG("type 0x%02x", f->type);
}

/*
 * Decode vector @name with the @width-byte big-endian field at @off set to
 * @val, and expect @want: an error, or WHOLE for the vector's length.
 */
static void patch_decode(struct __test_metadata *_metadata, const char *name, int off,
			 int width, u64 val, int want)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = get_vector(_metadata, name, buf);
	int i;

	ASSERT_LE(off + width, len);
	for (i = width - 1; i >= 0; i--, val >>= 8)
		buf[off + i] = val;
	EXPECT_EQ(want == WHOLE ? len : want, stt_frame_decode(buf, len, &f))
		TH_LOG("vector-%s with bytes %d-%d patched", name, off, off + width - 1);
}

static u64 rnd(u64 *s)
{
	/* xorshift64: reproducible without libc's generator. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

TEST(every_vector_is_listed)
{
	char line[512], *s;
	unsigned int i, seen[ARRAY_SIZE(vectors)] = { 0 };
	u8 buf[VEC_MAX];
	FILE *fp;
	bool known;

	fp = fopen(wire_rst(), "r");
	ASSERT_NE(NULL, fp) TH_LOG("%s: %s", wire_rst(), strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		s = strstr(line, ":name: vector-");
		if (!s)
			continue;
		s += strlen(":name: vector-");
		known = false;
		for (i = 0; i < ARRAY_SIZE(vectors); i++) {
			if (!strcmp(s, vectors[i])) {
				seen[i]++;
				known = true;
			}
		}
		EXPECT_TRUE(known) TH_LOG("vector-%s is not tested", s);
	}
	fclose(fp);
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		EXPECT_EQ(1, seen[i]) TH_LOG("vector-%s", vectors[i]);
		get_vector(_metadata, vectors[i], buf);
	}
}

TEST(vector_hdr_protected)
{
	struct stt_hdr h;
	u8 buf[VEC_MAX], out[STT_HDR_LEN];
	int len = get_vector(_metadata, "hdr-protected", buf);

	ASSERT_EQ(STT_HDR_LEN, len);
	ASSERT_EQ(0, stt_hdr_decode(buf, len, &h));
	EXPECT_EQ(STT_PKT_PROTECTED, h.type);
	EXPECT_EQ(1, h.key_phase);
	EXPECT_EQ(0x0a0b0c0d, h.dst_session);
	EXPECT_EQ(258, h.pn);
	stt_hdr_encode(out, &h);
	EXPECT_EQ(0, memcmp(out, buf, len));
}

TEST(vector_hdr_handshake)
{
	struct stt_hdr h;
	u8 buf[VEC_MAX], out[STT_HDR_LEN];
	int len = get_vector(_metadata, "hdr-handshake", buf);

	ASSERT_EQ(STT_HDR_LEN, len);
	ASSERT_EQ(0, stt_hdr_decode(buf, len, &h));
	EXPECT_EQ(STT_PKT_HANDSHAKE, h.type);
	EXPECT_EQ(0, h.key_phase);
	EXPECT_EQ(0, h.dst_session);
	EXPECT_EQ(3, h.pn);
	stt_hdr_encode(out, &h);
	EXPECT_EQ(0, memcmp(out, buf, len));
}

TEST(vector_hello)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "hello", buf, &f);

	EXPECT_EQ(1 + STT_HELLO_LEN, len);
	EXPECT_EQ(STT_FRAME_HELLO, f.type);
	EXPECT_EQ(STT_SUITES_ALL, f.hello.suites);
	EXPECT_EQ(STT_SUITE_AES_256_GCM, f.hello.preferred);
	EXPECT_EQ(0x11223344, f.hello.session);
	EXPECT_EQ(buf + 9, f.hello.pub);
	EXPECT_TRUE(filled(f.hello.pub, STT_X25519_LEN, 0xaa));
	EXPECT_EQ(buf + 41, f.hello.nonce);
	EXPECT_TRUE(filled(f.hello.nonce, STT_HS_NONCE_LEN, 0xbb));
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_challenge)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "challenge", buf, &f);

	EXPECT_EQ(1 + STT_CHALLENGE_LEN, len);
	EXPECT_EQ(STT_FRAME_CHALLENGE, f.type);
	EXPECT_EQ(STT_SUITE_AES_256_GCM, f.challenge.suite);
	EXPECT_EQ(0x55667788, f.challenge.session);
	EXPECT_EQ(buf + 9, f.challenge.pub);
	EXPECT_TRUE(filled(f.challenge.pub, STT_X25519_LEN, 0xcc));
	EXPECT_EQ(buf + 41, f.challenge.nonce);
	EXPECT_TRUE(filled(f.challenge.nonce, STT_HS_NONCE_LEN, 0xdd));
	EXPECT_EQ(buf + 73, f.challenge.proof);
	EXPECT_TRUE(filled(f.challenge.proof, STT_MAC_LEN, 0xee));
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_auth_proof)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "auth-proof", buf, &f);

	EXPECT_EQ(1 + STT_AUTH_PROOF_LEN, len);
	EXPECT_EQ(STT_FRAME_AUTH_PROOF, f.type);
	EXPECT_EQ(buf + 1, f.auth_proof.proof);
	EXPECT_TRUE(filled(f.auth_proof.proof, STT_MAC_LEN, 0x5a));
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_final)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "final", buf, &f);

	EXPECT_EQ(1, len);
	EXPECT_EQ(STT_FRAME_FINAL, f.type);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_reject)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "reject", buf, &f);

	EXPECT_EQ(1 + STT_REJECT_LEN, len);
	EXPECT_EQ(STT_FRAME_REJECT, f.type);
	EXPECT_EQ(STT_REJECT_NO_SUITE, f.reject.reason);
	EXPECT_EQ(buf + 5, f.reject.nonce);
	EXPECT_TRUE(filled(f.reject.nonce, STT_HS_NONCE_LEN, 0xbb));
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_cookie)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "cookie", buf, &f);

	EXPECT_EQ(1 + STT_COOKIE_LEN, len);
	EXPECT_EQ(STT_FRAME_COOKIE, f.type);
	EXPECT_EQ(buf + 1, f.cookie.nonce);
	EXPECT_TRUE(filled(f.cookie.nonce, STT_HS_NONCE_LEN, 0xbb));
	EXPECT_EQ(buf + 1 + STT_HS_NONCE_LEN, f.cookie.mac);
	EXPECT_TRUE(filled(f.cookie.mac, STT_COOKIE_MAC_LEN, 0x77));
	encodes_to(_metadata, &f, buf, len);
	/* Truncated by one byte, it is no frame. */
	EXPECT_GT(0, stt_frame_decode(buf, len - 1, &f));
}

TEST(vector_padding)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "padding", buf, &f);

	EXPECT_EQ(1, len);
	EXPECT_EQ(STT_FRAME_PADDING, f.type);
	encodes_to(_metadata, &f, buf, len);
	/* One PADDING frame is one byte, however many follow. */
	memset(buf, 0, 8);
	EXPECT_EQ(1, stt_frame_decode(buf, 8, &f));
}

TEST(vector_ack_one_range)
{
	struct stt_frame f;
	struct stt_range r;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "ack-one-range", buf, &f);

	EXPECT_EQ(1 + STT_ACK_MIN_LEN, len);
	EXPECT_EQ(STT_FRAME_ACK, f.type);
	EXPECT_EQ(100, f.ack.largest);
	EXPECT_EQ(500, f.ack.delay_us);
	EXPECT_EQ(0, f.ack.nranges);
	EXPECT_EQ(5, f.ack.first_range);
	stt_ack_range(&f, 0, &r);
	EXPECT_EQ(95, r.lo);
	EXPECT_EQ(100, r.hi);
	encodes_to(_metadata, &f, buf, len);
	/* ACKs are built from ranges only. */
	encode_refused(_metadata, &f);
}

TEST(vector_ack_two_ranges)
{
	static const struct stt_range want[] = { { 95, 100 }, { 81, 90 }, { 0, 79 } };
	struct stt_frame f;
	struct stt_range r;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "ack-two-ranges", buf, &f);
	unsigned int i;

	EXPECT_EQ(1 + STT_ACK_MIN_LEN + 2 * STT_ACK_RANGE_LEN, len);
	EXPECT_EQ(STT_FRAME_ACK, f.type);
	EXPECT_EQ(100, f.ack.largest);
	EXPECT_EQ(25, f.ack.delay_us);
	EXPECT_EQ(2, f.ack.nranges);
	EXPECT_EQ(5, f.ack.first_range);
	EXPECT_EQ(buf + 1 + STT_ACK_MIN_LEN, f.ack.raw);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		stt_ack_range(&f, i, &r);
		EXPECT_EQ(want[i].lo, r.lo) TH_LOG("range %u", i);
		EXPECT_EQ(want[i].hi, r.hi) TH_LOG("range %u", i);
	}
	encodes_to(_metadata, &f, buf, len);
	encode_refused(_metadata, &f);
}

TEST(vector_nack_two_ranges)
{
	struct stt_frame f;
	struct stt_range r;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "nack-two-ranges", buf, &f);

	EXPECT_EQ(1 + STT_NACK_MIN_LEN + 2 * STT_NACK_RANGE_LEN, len);
	EXPECT_EQ(STT_FRAME_NACK, f.type);
	EXPECT_EQ(2, f.nack.nranges);
	EXPECT_EQ(buf + 3, f.nack.raw);
	stt_nack_range(&f, 0, &r);
	EXPECT_EQ(16, r.lo);
	EXPECT_EQ(17, r.hi);
	stt_nack_range(&f, 1, &r);
	EXPECT_EQ(256, r.lo);
	EXPECT_EQ(258, r.hi);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_stream_open)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "stream-open", buf, &f);

	EXPECT_EQ(1 + STT_STREAM_OPEN_MIN_LEN + 4, len);
	EXPECT_EQ(STT_FRAME_STREAM_OPEN, f.type);
	EXPECT_EQ(3, f.open.stream);
	EXPECT_EQ(STT_KIND_MESSAGES, f.open.kind);
	EXPECT_EQ(5, f.open.priority);
	EXPECT_EQ(1280, f.open.max_frame);
	EXPECT_EQ(65536, f.open.window);
	EXPECT_EQ(258, f.open.number);
	EXPECT_EQ(4, f.open.label_len);
	EXPECT_EQ(buf + 18, f.open.label);
	EXPECT_EQ(0, memcmp(f.open.label, "chat", 4));
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_stream_open_server)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "stream-open-server", buf, &f);

	EXPECT_EQ(1 + STT_STREAM_OPEN_MIN_LEN, len);
	EXPECT_EQ(STT_FRAME_STREAM_OPEN, f.type);
	EXPECT_EQ(3, f.open.stream);
	EXPECT_EQ(STT_KIND_BYTES, f.open.kind);
	EXPECT_EQ(0, f.open.priority);
	EXPECT_EQ(16384, f.open.max_frame);
	EXPECT_EQ(0xffffffff, f.open.window);
	EXPECT_EQ(0, f.open.number);
	EXPECT_EQ(0, f.open.label_len);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_data)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "data", buf, &f);

	EXPECT_EQ(1 + STT_DATA_HDR_LEN + 5, len);
	EXPECT_EQ(STT_FRAME_DATA, f.type);
	EXPECT_EQ(3, f.data.stream);
	EXPECT_EQ(STT_DATA_FIN | STT_DATA_MSG_END, f.data.flags);
	EXPECT_EQ(1024, f.data.offset);
	EXPECT_EQ(5, f.data.len);
	EXPECT_EQ(buf + 15, f.data.data);
	EXPECT_EQ(0, memcmp(f.data.data, "hello", 5));
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_stream_fin)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "stream-fin", buf, &f);

	EXPECT_EQ(1 + STT_STREAM_FIN_LEN, len);
	EXPECT_EQ(STT_FRAME_STREAM_FIN, f.type);
	EXPECT_EQ(3, f.fin.stream);
	EXPECT_EQ(1029, f.fin.final_size);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_stream_reset)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "stream-reset", buf, &f);

	EXPECT_EQ(1 + STT_STREAM_RESET_LEN, len);
	EXPECT_EQ(STT_FRAME_STREAM_RESET, f.type);
	EXPECT_EQ(4, f.reset.stream);
	EXPECT_EQ(42, f.reset.code);
	EXPECT_EQ(65536, f.reset.final_size);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_window_update)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "window-update", buf, &f);

	EXPECT_EQ(1 + STT_WINDOW_UPDATE_LEN, len);
	EXPECT_EQ(STT_FRAME_WINDOW_UPDATE, f.type);
	EXPECT_EQ(0, f.window.stream);
	EXPECT_EQ(1048576, f.window.max_data);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_keepalive)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "keepalive", buf, &f);

	EXPECT_EQ(1 + STT_KEEPALIVE_LEN, len);
	EXPECT_EQ(STT_FRAME_KEEPALIVE, f.type);
	EXPECT_EQ(0x0123456789abcdefULL, f.keepalive.opaque);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_keepalive_ack)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "keepalive-ack", buf, &f);

	EXPECT_EQ(1 + STT_KEEPALIVE_LEN, len);
	EXPECT_EQ(STT_FRAME_KEEPALIVE_ACK, f.type);
	EXPECT_EQ(0x0123456789abcdefULL, f.keepalive.opaque);
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_session_close)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "session-close", buf, &f);

	EXPECT_EQ(1 + STT_SESSION_CLOSE_MIN_LEN + 4, len);
	EXPECT_EQ(STT_FRAME_SESSION_CLOSE, f.type);
	EXPECT_EQ(STT_CLOSE_IDLE, f.close.reason);
	EXPECT_EQ(4, f.close.text_len);
	EXPECT_EQ(buf + 7, f.close.text);
	EXPECT_EQ(0, memcmp(f.close.text, "idle", 4));
	encodes_to(_metadata, &f, buf, len);
}

TEST(vector_key_update)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int len = frame_vector(_metadata, "key-update", buf, &f);

	EXPECT_EQ(1 + STT_KEY_UPDATE_LEN, len);
	EXPECT_EQ(STT_FRAME_KEY_UPDATE, f.type);
	EXPECT_EQ(7, f.key_update.generation);
	encodes_to(_metadata, &f, buf, len);
}

/* A payload of every frame vector in a row, then PADDING to the end. */
TEST(frames_in_a_row)
{
	u8 buf[VEC_MAX], all[4096];
	int len[ARRAY_SIZE(vectors)], total = 0, off = 0, ret;
	struct stt_frame f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		if (is_hdr(vectors[i]))
			continue;
		len[i] = get_vector(_metadata, vectors[i], buf);
		memcpy(all + total, buf, len[i]);
		total += len[i];
	}
	memset(all + total, STT_FRAME_PADDING, 3);
	total += 3;
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		if (is_hdr(vectors[i]))
			continue;
		ret = stt_frame_decode(all + off, total - off, &f);
		EXPECT_EQ(len[i], ret) TH_LOG("vector-%s at offset %d", vectors[i], off);
		EXPECT_EQ(all[off], f.type);
		ASSERT_LT(0, ret);
		off += ret;
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, stt_frame_decode(all + off, total - off, &f));
		off++;
	}
	EXPECT_EQ(-EBADMSG, stt_frame_decode(all + off, 0, &f));
}

/*
 * Every prefix of every vector, in a heap buffer of exactly its length so
 * that ASan sees any read past it.
 */
TEST(every_truncation)
{
	struct stt_frame f;
	struct stt_hdr h;
	u8 buf[VEC_MAX], *p;
	int len, cut, ret;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		len = get_vector(_metadata, vectors[i], buf);
		for (cut = 0; cut <= len; cut++) {
			p = malloc(cut);
			ASSERT_TRUE(p || !cut);
			if (cut)
				memcpy(p, buf, cut);
			if (is_hdr(vectors[i]))
				ret = stt_hdr_decode(p, cut, &h) ?: len;
			else
				ret = stt_frame_decode(p, cut, &f);
			EXPECT_EQ(cut < len ? -EBADMSG : len, ret)
				TH_LOG("vector-%s cut to %d bytes", vectors[i], cut);
			free(p);
		}
	}
}

/* Every output buffer too short by at least a byte, in exact-size heap buffers. */
TEST(every_short_cap)
{
	struct stt_frame f;
	u8 buf[VEC_MAX], *p;
	unsigned int i;
	int len, cap;

	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		if (is_hdr(vectors[i]))
			continue;
		len = frame_vector(_metadata, vectors[i], buf, &f);
		for (cap = 0; cap <= len; cap++) {
			p = malloc(cap);
			ASSERT_TRUE(p || !cap);
			EXPECT_EQ(cap < len ? -ENOSPC : len, encode_any(p, cap, &f))
				TH_LOG("vector-%s into %d bytes", vectors[i], cap);
			free(p);
		}
	}
}

TEST(header_rules)
{
	struct stt_hdr h;
	u8 buf[VEC_MAX], hs[VEC_MAX];
	unsigned int t;

	get_vector(_metadata, "hdr-protected", buf);
	get_vector(_metadata, "hdr-handshake", hs);

	buf[0] = 0;
	EXPECT_EQ(-EPROTONOSUPPORT, stt_hdr_decode(buf, STT_HDR_LEN, &h));
	buf[0] = 2;
	EXPECT_EQ(-EPROTONOSUPPORT, stt_hdr_decode(buf, STT_HDR_LEN, &h));
	buf[0] = 0xff;
	EXPECT_EQ(-EPROTONOSUPPORT, stt_hdr_decode(buf, STT_HDR_LEN, &h));
	buf[0] = STT_VERSION;

	buf[2] = 0x80;
	EXPECT_EQ(-EINVAL, stt_hdr_decode(buf, STT_HDR_LEN, &h));
	buf[2] = 0;
	buf[3] = 0x01;
	EXPECT_EQ(-EINVAL, stt_hdr_decode(buf, STT_HDR_LEN, &h));
	buf[3] = 0;

	for (t = 0x20; t <= 0x80; t <<= 1) {
		buf[1] = STT_PKT_PROTECTED | t;
		EXPECT_EQ(-EINVAL, stt_hdr_decode(buf, STT_HDR_LEN, &h)) TH_LOG("flags 0x%02x", t);
	}
	for (t = 0; t <= STT_HDR_TYPE_MASK; t++) {
		buf[1] = t;
		EXPECT_EQ(t == STT_PKT_HANDSHAKE || t == STT_PKT_PROTECTED ? 0 : -EINVAL,
			  stt_hdr_decode(buf, STT_HDR_LEN, &h)) TH_LOG("type %u", t);
	}
	buf[1] = STT_PKT_PROTECTED;
	ASSERT_EQ(0, stt_hdr_decode(buf, STT_HDR_LEN, &h));
	EXPECT_EQ(0, h.key_phase);

	hs[1] |= STT_HDR_KEY_PHASE;
	EXPECT_EQ(-EINVAL, stt_hdr_decode(hs, STT_HDR_LEN, &h));
}

TEST(header_round_trip)
{
	struct stt_hdr h, g;
	u8 buf[STT_HDR_LEN];
	u64 seed = 0x5717c0dec0ffee;
	int i;

	for (i = 0; i < 10000; i++) {
		h.type = i & 1 ? STT_PKT_PROTECTED : STT_PKT_HANDSHAKE;
		h.key_phase = h.type == STT_PKT_PROTECTED ? rnd(&seed) & 1 : 0;
		h.dst_session = rnd(&seed);
		h.pn = rnd(&seed);
		stt_hdr_encode(buf, &h);
		ASSERT_EQ(0, stt_hdr_decode(buf, sizeof(buf), &g));
		EXPECT_EQ(h.type, g.type);
		EXPECT_EQ(h.key_phase, g.key_phase);
		EXPECT_EQ(h.dst_session, g.dst_session);
		EXPECT_EQ(h.pn, g.pn);
	}
	/* Only the low bit of the key generation goes on the wire. */
	h.type = STT_PKT_PROTECTED;
	h.key_phase = 3;
	stt_hdr_encode(buf, &h);
	EXPECT_EQ(STT_PKT_PROTECTED | STT_HDR_KEY_PHASE, buf[1]);
	h.key_phase = 2;
	stt_hdr_encode(buf, &h);
	EXPECT_EQ(STT_PKT_PROTECTED, buf[1]);
}

TEST(hello_rules)
{
	struct stt_frame f, g;
	u8 buf[VEC_MAX];

	/* suites offered (byte 1), preferred (2), reserved (3-4), session (5-8) */
	patch_decode(_metadata, "hello", 1, 2, 0x0101, WHOLE);
	patch_decode(_metadata, "hello", 1, 2, 0x0202, WHOLE);
	patch_decode(_metadata, "hello", 1, 1, 0x00, -EINVAL);
	patch_decode(_metadata, "hello", 1, 1, 0x06, -EINVAL);
	patch_decode(_metadata, "hello", 1, 1, 0x83, -EINVAL);
	patch_decode(_metadata, "hello", 2, 1, 0x00, -EINVAL);
	patch_decode(_metadata, "hello", 2, 1, 0x03, -EINVAL);
	patch_decode(_metadata, "hello", 2, 1, 0x04, -EINVAL);
	patch_decode(_metadata, "hello", 1, 2, 0x0102, -EINVAL);
	patch_decode(_metadata, "hello", 3, 1, 0x01, -EINVAL);
	patch_decode(_metadata, "hello", 4, 1, 0x80, -EINVAL);
	patch_decode(_metadata, "hello", 5, 4, 0, -EINVAL);

	frame_vector(_metadata, "hello", buf, &f);
	g = f;
	g.hello.suites = 0;
	encode_refused(_metadata, &g);
	g = f;
	g.hello.suites = 0x06;
	encode_refused(_metadata, &g);
	g = f;
	g.hello.preferred = 0;
	encode_refused(_metadata, &g);
	g = f;
	g.hello.preferred = STT_SUITES_ALL;
	encode_refused(_metadata, &g);
	g = f;
	g.hello.suites = STT_SUITE_CHACHA20_POLY1305;
	encode_refused(_metadata, &g);
	g = f;
	g.hello.session = 0;
	encode_refused(_metadata, &g);
}

TEST(challenge_rules)
{
	struct stt_frame f, g;
	u8 buf[VEC_MAX];

	/* suite chosen (byte 1), reserved (2-4), session (5-8) */
	patch_decode(_metadata, "challenge", 1, 1, STT_SUITE_CHACHA20_POLY1305, WHOLE);
	patch_decode(_metadata, "challenge", 1, 1, 0x00, -EINVAL);
	patch_decode(_metadata, "challenge", 1, 1, 0x03, -EINVAL);
	patch_decode(_metadata, "challenge", 1, 1, 0x04, -EINVAL);
	patch_decode(_metadata, "challenge", 1, 1, 0x80, -EINVAL);
	patch_decode(_metadata, "challenge", 2, 1, 0x01, -EINVAL);
	patch_decode(_metadata, "challenge", 3, 1, 0x01, -EINVAL);
	patch_decode(_metadata, "challenge", 4, 1, 0x01, -EINVAL);
	patch_decode(_metadata, "challenge", 5, 4, 0, -EINVAL);

	frame_vector(_metadata, "challenge", buf, &f);
	g = f;
	g.challenge.suite = 0;
	encode_refused(_metadata, &g);
	g = f;
	g.challenge.suite = STT_SUITES_ALL;
	encode_refused(_metadata, &g);
	g = f;
	g.challenge.suite = 0x10;
	encode_refused(_metadata, &g);
	g = f;
	g.challenge.session = 0;
	encode_refused(_metadata, &g);
}

TEST(reject_rules)
{
	struct stt_frame f, g;
	u8 buf[VEC_MAX];
	u32 reason;

	for (reason = STT_REJECT_NO_LISTENER; reason <= STT_REJECT_BUSY; reason++)
		patch_decode(_metadata, "reject", 1, 4, reason, WHOLE);
	patch_decode(_metadata, "reject", 1, 4, 0, -EINVAL);
	patch_decode(_metadata, "reject", 1, 4, 5, -EINVAL);
	patch_decode(_metadata, "reject", 1, 4, 0x01000001, -EINVAL);

	frame_vector(_metadata, "reject", buf, &f);
	g = f;
	g.reject.reason = 0;
	encode_refused(_metadata, &g);
	g.reject.reason = 5;
	encode_refused(_metadata, &g);
}

TEST(ack_rules)
{
	struct stt_frame f;
	u8 buf[VEC_MAX];
	int n, len;

	/* largest (1-8), first range (15-18) of the one-range vector */
	patch_decode(_metadata, "ack-one-range", 15, 4, 100, WHOLE);
	patch_decode(_metadata, "ack-one-range", 15, 4, 101, -EINVAL);
	patch_decode(_metadata, "ack-one-range", 1, 8, 0, -EINVAL);
	patch_decode(_metadata, "ack-one-range", 1, 8, 5, WHOLE);
	patch_decode(_metadata, "ack-one-range", 1, 8, 4, -EINVAL);
	/* gap, length of its second further range (27-30, 31-34) */
	patch_decode(_metadata, "ack-two-ranges", 31, 4, 0x4e, WHOLE);
	patch_decode(_metadata, "ack-two-ranges", 31, 4, 0x50, -EINVAL);
	patch_decode(_metadata, "ack-two-ranges", 27, 4, 1, -EINVAL);
	patch_decode(_metadata, "ack-two-ranges", 31, 4, 0xffffffff, -EINVAL);
	patch_decode(_metadata, "ack-two-ranges", 19, 4, 0xffffffff, -EINVAL);

	/* 32 further ranges of one packet each, gaps of one: fine; 33: not. */
	for (n = STT_ACK_MAX_RANGES; n <= STT_ACK_MAX_RANGES + 1; n++) {
		get_vector(_metadata, "ack-one-range", buf);
		memset(buf + 1 + STT_ACK_MIN_LEN, 0, n * STT_ACK_RANGE_LEN);
		buf[13] = 0;
		buf[14] = n;
		len = 1 + STT_ACK_MIN_LEN + n * STT_ACK_RANGE_LEN;
		EXPECT_EQ(n > STT_ACK_MAX_RANGES ? -EINVAL : len, stt_frame_decode(buf, len, &f));
		/* A count over the limit is refused even when truncated. */
		if (n > STT_ACK_MAX_RANGES)
			EXPECT_EQ(-EINVAL, stt_frame_decode(buf, 1 + STT_ACK_MIN_LEN, &f));
	}
	buf[13] = 0xff;
	EXPECT_EQ(-EINVAL, stt_frame_decode(buf, VEC_MAX, &f));
}

TEST(nack_rules)
{
	struct stt_frame f, g;
	u8 buf[VEC_MAX], *p;
	struct stt_range r;
	int n, i;

	/* N (1-2), first range's first (3-10) and count (11-14) */
	patch_decode(_metadata, "nack-two-ranges", 1, 2, 1, 3 + STT_NACK_RANGE_LEN);
	patch_decode(_metadata, "nack-two-ranges", 1, 2, 0, -EINVAL);
	patch_decode(_metadata, "nack-two-ranges", 11, 4, 0, -EINVAL);
	patch_decode(_metadata, "nack-two-ranges", 23, 4, 0, -EINVAL);
	patch_decode(_metadata, "nack-two-ranges", 3, 8, ~0ULL, -EINVAL);
	patch_decode(_metadata, "nack-two-ranges", 3, 8, ~0ULL - 1, WHOLE);
	patch_decode(_metadata, "nack-two-ranges", 3, 8, ~0ULL - 2, WHOLE);
	patch_decode(_metadata, "nack-two-ranges", 11, 4, 0xffffffff, WHOLE);

	/* The last packet number, alone, and the largest count below it. */
	get_vector(_metadata, "nack-two-ranges", buf);
	memset(buf + 3, 0xff, 8);
	buf[14] = 1;
	ASSERT_EQ(27, stt_frame_decode(buf, 27, &f));
	stt_nack_range(&f, 0, &r);
	EXPECT_EQ(~0ULL, r.lo);
	EXPECT_EQ(~0ULL, r.hi);
	/* The largest count that ends on the last packet number. */
	memset(buf + 15, 0xff, 12);
	memset(buf + 19, 0, 4);
	buf[22] = 1;
	ASSERT_EQ(27, stt_frame_decode(buf, 27, &f));
	stt_nack_range(&f, 1, &r);
	EXPECT_EQ(0xffffffff00000001ULL, r.lo);
	EXPECT_EQ(~0ULL, r.hi);
	buf[22] = 2;
	EXPECT_EQ(-EINVAL, stt_frame_decode(buf, 27, &f));

	for (n = STT_NACK_MAX_RANGES; n <= STT_NACK_MAX_RANGES + 1; n++) {
		buf[0] = STT_FRAME_NACK;
		buf[1] = 0;
		buf[2] = n;
		for (i = 0, p = buf + 3; i < n; i++, p += STT_NACK_RANGE_LEN) {
			memset(p, 0, STT_NACK_RANGE_LEN);
			p[7] = 2 * i;
			p[11] = 1;
		}
		EXPECT_EQ(n > STT_NACK_MAX_RANGES ? -EINVAL : 3 + n * STT_NACK_RANGE_LEN,
			  stt_frame_decode(buf, 3 + n * STT_NACK_RANGE_LEN, &f));
		if (n > STT_NACK_MAX_RANGES)
			EXPECT_EQ(-EINVAL, stt_frame_decode(buf, 3, &f));
	}

	frame_vector(_metadata, "nack-two-ranges", buf, &f);
	g = f;
	g.nack.nranges = 0;
	encode_refused(_metadata, &g);
	g.nack.nranges = STT_NACK_MAX_RANGES + 1;
	encode_refused(_metadata, &g);
	/* The encoder checks the wire-form ranges it copies. */
	buf[14] = 0;
	encode_refused(_metadata, &f);
	buf[14] = 2;
	memset(buf + 3, 0xff, 8);
	encode_refused(_metadata, &f);
}

TEST(stream_open_rules)
{
	struct stt_frame f, g;
	u8 buf[VEC_MAX];
	int n;

	/* stream (1-2), kind (3), priority (4), max frame (5-6), reserved (7-8) */
	patch_decode(_metadata, "stream-open", 1, 2, 0, -EINVAL);
	patch_decode(_metadata, "stream-open", 1, 2, 0xffff, WHOLE);
	patch_decode(_metadata, "stream-open", 3, 1, STT_KIND_BYTES, WHOLE);
	patch_decode(_metadata, "stream-open", 3, 1, 0, -EINVAL);
	patch_decode(_metadata, "stream-open", 3, 1, 3, -EINVAL);
	patch_decode(_metadata, "stream-open", 4, 1, 7, WHOLE);
	patch_decode(_metadata, "stream-open", 4, 1, 0, WHOLE);
	patch_decode(_metadata, "stream-open", 4, 1, 8, -EINVAL);
	patch_decode(_metadata, "stream-open", 5, 2, 1024, WHOLE);
	patch_decode(_metadata, "stream-open", 5, 2, 65535, WHOLE);
	patch_decode(_metadata, "stream-open", 5, 2, 1023, -EINVAL);
	patch_decode(_metadata, "stream-open", 5, 2, 0, -EINVAL);
	patch_decode(_metadata, "stream-open", 7, 1, 1, -EINVAL);
	patch_decode(_metadata, "stream-open", 8, 1, 1, -EINVAL);
	/* open number (13-16): any value */
	patch_decode(_metadata, "stream-open", 13, 4, 0, WHOLE);
	patch_decode(_metadata, "stream-open", 13, 4, 0xffffffff, WHOLE);

	/* Labels of the longest length and one more, then one past the end. */
	for (n = STT_LABEL_MAX; n <= STT_LABEL_MAX + 1; n++) {
		get_vector(_metadata, "stream-open", buf);
		buf[17] = n;
		memset(buf + 18, 'x', n);
		EXPECT_EQ(n > STT_LABEL_MAX ? -EINVAL : 18 + n, stt_frame_decode(buf, 18 + n, &f));
		if (n > STT_LABEL_MAX)
			EXPECT_EQ(-EINVAL, stt_frame_decode(buf, 18, &f));
	}
	buf[17] = 5;
	EXPECT_EQ(-EBADMSG, stt_frame_decode(buf, 22, &f));

	frame_vector(_metadata, "stream-open", buf, &f);
	g = f;
	g.open.stream = 0;
	encode_refused(_metadata, &g);
	g = f;
	g.open.kind = 0;
	encode_refused(_metadata, &g);
	g.open.kind = 3;
	encode_refused(_metadata, &g);
	g = f;
	g.open.priority = 8;
	encode_refused(_metadata, &g);
	g = f;
	g.open.max_frame = 1023;
	encode_refused(_metadata, &g);
	g = f;
	memset(buf + 18, 'x', STT_LABEL_MAX + 1);
	g.open.label_len = STT_LABEL_MAX + 1;
	encode_refused(_metadata, &g);
}

TEST(data_rules)
{
	struct stt_frame f, g;
	u8 buf[VEC_MAX];
	unsigned int flags;

	/* flags (3), reserved (4), length (13-14) */
	for (flags = 0; flags < 0x100; flags++)
		patch_decode(_metadata, "data", 3, 1, flags,
			     flags & ~STT_DATA_FLAGS_ALL ? -EINVAL : WHOLE);
	patch_decode(_metadata, "data", 4, 1, 1, -EINVAL);
	patch_decode(_metadata, "data", 4, 1, 0x80, -EINVAL);
	patch_decode(_metadata, "data", 13, 2, 4, 1 + STT_DATA_HDR_LEN + 4);
	patch_decode(_metadata, "data", 13, 2, 6, -EBADMSG);
	patch_decode(_metadata, "data", 13, 2, 0xffff, -EBADMSG);
	/* Stream 0 is not refused here: the wire format does not forbid it. */
	patch_decode(_metadata, "data", 1, 2, 0, WHOLE);
	/* offset (5-12) + length (5) must not pass 2^64 - 1. */
	patch_decode(_metadata, "data", 5, 8, ~0ULL - 5, WHOLE);
	patch_decode(_metadata, "data", 5, 8, ~0ULL - 4, -EINVAL);
	patch_decode(_metadata, "data", 5, 8, ~0ULL, -EINVAL);

	frame_vector(_metadata, "data", buf, &f);
	g = f;
	g.data.flags = 0x04;
	encode_refused(_metadata, &g);
	g.data.flags = 0x80 | STT_DATA_FIN;
	encode_refused(_metadata, &g);
}

TEST(session_close_rules)
{
	struct stt_frame f, g;
	u8 buf[VEC_MAX];
	int n;

	for (n = STT_CLOSE_TEXT_MAX; n <= STT_CLOSE_TEXT_MAX + 1; n++) {
		get_vector(_metadata, "session-close", buf);
		buf[5] = 0;
		buf[6] = n;
		memset(buf + 7, 'x', n);
		EXPECT_EQ(n > STT_CLOSE_TEXT_MAX ? -EINVAL : 7 + n,
			  stt_frame_decode(buf, 7 + n, &f));
		if (n > STT_CLOSE_TEXT_MAX)
			EXPECT_EQ(-EINVAL, stt_frame_decode(buf, 7, &f));
	}
	patch_decode(_metadata, "session-close", 5, 2, 0xffff, -EINVAL);
	patch_decode(_metadata, "session-close", 5, 2, 5, -EBADMSG);
	patch_decode(_metadata, "session-close", 5, 2, 0, 7);

	frame_vector(_metadata, "session-close", buf, &f);
	g = f;
	memset(buf + 7, 'x', STT_CLOSE_TEXT_MAX + 1);
	g.close.text_len = STT_CLOSE_TEXT_MAX + 1;
	encode_refused(_metadata, &g);
}

TEST(unknown_types)
{
	u8 buf[VEC_MAX] = { 0 }, out[VEC_MAX];
	struct stt_frame f = { 0 };
	unsigned int t;

	for (t = 0; t < 0x100; t++) {
		if (t <= STT_FRAME_COOKIE ||
		    (t >= STT_FRAME_ACK && t <= STT_FRAME_KEY_UPDATE))
			continue;
		buf[0] = t;
		EXPECT_EQ(-EOPNOTSUPP, stt_frame_decode(buf, VEC_MAX, &f)) TH_LOG("type 0x%02x", t);
		EXPECT_EQ(-EOPNOTSUPP, stt_frame_decode(buf, 1, &f)) TH_LOG("type 0x%02x", t);
		f.type = t;
		EXPECT_EQ(-EINVAL, stt_frame_encode(out, sizeof(out), &f)) TH_LOG("type 0x%02x", t);
	}
}

/* Empty variable parts may come with NULL pointers. */
TEST(empty_tails)
{
	static const u8 types[] = {
		STT_FRAME_STREAM_OPEN, STT_FRAME_DATA, STT_FRAME_SESSION_CLOSE,
	};
	struct stt_frame f, g;
	u8 buf[VEC_MAX];
	unsigned int i;
	int len;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		memset(&f, 0, sizeof(f));
		f.type = types[i];
		if (f.type == STT_FRAME_STREAM_OPEN) {
			f.open.stream = 1;
			f.open.kind = STT_KIND_BYTES;
			f.open.max_frame = 1024;
		}
		len = stt_frame_encode(buf, sizeof(buf), &f);
		EXPECT_LT(1, len) TH_LOG("type 0x%02x", f.type);
		EXPECT_EQ(len, stt_frame_decode(buf, len, &g));
		EXPECT_EQ(f.type, g.type);
	}
}

/*
 * Random descending range sets: from the top of the packet number space,
 * from anywhere, and from low numbers so that they run into packet 0; gaps
 * and lengths are small, medium or up to the 32-bit limit.
 */
static u64 pick(u64 *seed)
{
	switch (rnd(seed) % 3) {
	case 0:
		return rnd(seed) % 4;
	case 1:
		return rnd(seed) % 1000;
	}
	return rnd(seed) & 0xffffffff;
}

static unsigned int random_ranges(u64 *seed, struct stt_range *r)
{
	unsigned int want = 1 + rnd(seed) % (STT_ACK_MAX_RANGES + 1), n;
	u64 hi, len, gap;

	switch (rnd(seed) % 3) {
	case 0:
		hi = ~0ULL - rnd(seed) % 4;
		break;
	case 1:
		hi = rnd(seed);
		break;
	default:
		hi = rnd(seed) % 5000;
	}
	for (n = 0; n < want; ) {
		len = pick(seed);
		if (len > hi)
			len = hi;
		r[n].hi = hi;
		r[n].lo = hi - len;
		n++;
		/* Another range needs a missing packet and a packet below. */
		if (r[n - 1].lo < 2)
			break;
		gap = pick(seed);
		if (gap > r[n - 1].lo - 2)
			gap = r[n - 1].lo - 2;
		hi = r[n - 1].lo - gap - 2;
	}
	return n;
}

TEST(ack_random_round_trip)
{
	struct stt_range r[STT_ACK_MAX_RANGES + 1], got;
	u8 buf[1 + STT_ACK_MIN_LEN + STT_ACK_MAX_RANGES * STT_ACK_RANGE_LEN];
	int zero = 0, top = 0, full = 0, len, i;
	u64 seed = 0x2545f4914f6cdd1dULL;
	unsigned int n, k;
	struct stt_frame f;
	u32 delay;

	for (i = 0; i < 20000; i++) {
		n = random_ranges(&seed, r);
		delay = rnd(&seed);
		len = stt_ack_encode(buf, sizeof(buf), delay, r, n);
		ASSERT_EQ(1 + STT_ACK_MIN_LEN + (n - 1) * STT_ACK_RANGE_LEN, len)
			TH_LOG("iteration %d", i);
		ASSERT_EQ(len, stt_frame_decode(buf, len, &f));
		EXPECT_EQ(STT_FRAME_ACK, f.type);
		EXPECT_EQ(n - 1, f.ack.nranges);
		EXPECT_EQ(delay, f.ack.delay_us);
		EXPECT_EQ(r[0].hi, f.ack.largest);
		for (k = 0; k < n; k++) {
			stt_ack_range(&f, k, &got);
			ASSERT_EQ(r[k].lo, got.lo) TH_LOG("iteration %d range %u", i, k);
			ASSERT_EQ(r[k].hi, got.hi) TH_LOG("iteration %d range %u", i, k);
		}
		/* Stepping through them gives the same ranges. */
		stt_ack_range(&f, 0, &got);
		for (k = 1; k < n; k++) {
			stt_ack_range_next(&f, k, &got);
			ASSERT_EQ(r[k].lo, got.lo) TH_LOG("iteration %d step %u", i, k);
			ASSERT_EQ(r[k].hi, got.hi) TH_LOG("iteration %d step %u", i, k);
		}
		zero += r[n - 1].lo == 0;
		top += r[0].hi == ~0ULL;
		full += n == STT_ACK_MAX_RANGES + 1;
	}
	/* The generator reached the edges it is meant to. */
	EXPECT_LT(100, zero);
	EXPECT_LT(100, top);
	EXPECT_LT(100, full);
}

/*
 * A payload of @n copies of the frame at @frame (@flen bytes), with @pad
 * PADDING bytes after each; returns its length.
 */
static size_t repeat_frames(u8 *buf, const u8 *frame, size_t flen,
			    unsigned int n, unsigned int pad)
{
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(buf + len, frame, flen);
		len += flen;
		memset(buf + len, STT_FRAME_PADDING, pad);
		len += pad;
	}
	return len;
}

/* The caps on frames per protected packet, PADDING not counted. */
TEST(frames_per_packet_caps)
{
	static u8 buf[8192];
	struct stt_range r = { .lo = 5, .hi = 9 };
	u8 ack[64], ka[1 + STT_KEEPALIVE_LEN] = { STT_FRAME_KEEPALIVE };
	u8 fin[1 + STT_STREAM_FIN_LEN] = { STT_FRAME_STREAM_FIN, 0, 1 };
	u8 hello[1] = { STT_FRAME_HELLO };
	int alen, eliciting = -1;
	size_t len;

	alen = stt_ack_encode(ack, sizeof(ack), 0, &r, 1);
	ASSERT_LT(0, alen);

	len = repeat_frames(buf, ka, sizeof(ka), STT_PKT_FRAMES_MAX, 3);
	EXPECT_EQ(0, stt_frames_check(buf, len, &eliciting));
	EXPECT_EQ(STT_ACK_NOW, eliciting);
	len = repeat_frames(buf, ka, sizeof(ka), STT_PKT_FRAMES_MAX + 1, 0);
	EXPECT_EQ(-E2BIG, stt_frames_check(buf, len, &eliciting));

	len = repeat_frames(buf, ack, alen, STT_PKT_ACKS_MAX, 0);
	EXPECT_EQ(0, stt_frames_check(buf, len, &eliciting));
	EXPECT_EQ(STT_ACK_NONE, eliciting);
	len = repeat_frames(buf, ack, alen, STT_PKT_ACKS_MAX + 1, 0);
	EXPECT_EQ(-E2BIG, stt_frames_check(buf, len, &eliciting));

	/* Other frames after the ACKs count towards the total only. */
	len = repeat_frames(buf, ack, alen, STT_PKT_ACKS_MAX, 0);
	len += repeat_frames(buf + len, fin, sizeof(fin),
			     STT_PKT_FRAMES_MAX - STT_PKT_ACKS_MAX, 0);
	EXPECT_EQ(0, stt_frames_check(buf, len, &eliciting));
	len += repeat_frames(buf + len, fin, sizeof(fin), 1, 0);
	EXPECT_EQ(-E2BIG, stt_frames_check(buf, len, &eliciting));

	/* Padding alone, a whole datagram of it, is fine. */
	memset(buf, STT_FRAME_PADDING, sizeof(buf));
	EXPECT_EQ(0, stt_frames_check(buf, sizeof(buf), &eliciting));
	EXPECT_EQ(STT_ACK_NONE, eliciting);
	/* A bad frame is an error of its own, not a cap. */
	EXPECT_EQ(-EBADMSG, stt_frames_check(hello, 1, &eliciting));
}

TEST(ack_extremes)
{
	struct stt_range r[2], got;
	u8 buf[VEC_MAX];
	struct stt_frame f;
	int len;

	/* The very last packet number, then the longest gap below it. */
	r[0].lo = ~0ULL;
	r[0].hi = ~0ULL;
	r[1].lo = ~0ULL - 0x100000001ULL - 7;
	r[1].hi = ~0ULL - 0x100000001ULL;
	len = stt_ack_encode(buf, sizeof(buf), 9, r, 2);
	ASSERT_EQ(1 + STT_ACK_MIN_LEN + STT_ACK_RANGE_LEN, len);
	ASSERT_EQ(len, stt_frame_decode(buf, len, &f));
	EXPECT_EQ(~0ULL, f.ack.largest);
	EXPECT_EQ(0, f.ack.first_range);
	stt_ack_range(&f, 1, &got);
	EXPECT_EQ(r[1].lo, got.lo);
	EXPECT_EQ(r[1].hi, got.hi);
	r[1].hi--;
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 9, r, 2));

	/* Packet 0 alone. */
	r[0].lo = 0;
	r[0].hi = 0;
	ASSERT_EQ(1 + STT_ACK_MIN_LEN, stt_ack_encode(buf, sizeof(buf), 0, r, 1));
	ASSERT_EQ(1 + STT_ACK_MIN_LEN, stt_frame_decode(buf, 1 + STT_ACK_MIN_LEN, &f));
	EXPECT_EQ(0, f.ack.largest);
	EXPECT_EQ(0, f.ack.first_range);

	/* The longest first range. */
	r[0].lo = 0;
	r[0].hi = 0xffffffffULL;
	ASSERT_EQ(1 + STT_ACK_MIN_LEN, stt_ack_encode(buf, sizeof(buf), 0, r, 1));
	ASSERT_EQ(1 + STT_ACK_MIN_LEN, stt_frame_decode(buf, 1 + STT_ACK_MIN_LEN, &f));
	EXPECT_EQ(0xffffffff, f.ack.first_range);
	r[0].hi++;
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, 1));

	/* The longest gap, down to packet 0. */
	r[0].lo = 0x100000001ULL;
	r[0].hi = r[0].lo;
	r[1].lo = 0;
	r[1].hi = 0;
	len = stt_ack_encode(buf, sizeof(buf), 0, r, 2);
	ASSERT_EQ(1 + STT_ACK_MIN_LEN + STT_ACK_RANGE_LEN, len);
	ASSERT_EQ(len, stt_frame_decode(buf, len, &f));
	stt_ack_range(&f, 1, &got);
	EXPECT_EQ(0, got.lo);
	EXPECT_EQ(0, got.hi);
	r[0].lo++;
	r[0].hi++;
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, 2));
}

TEST(ack_encode_rules)
{
	struct stt_range r[STT_ACK_MAX_RANGES + 2];
	u8 buf[VEC_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		r[i].hi = 1000 - 10 * i;
		r[i].lo = r[i].hi - 5;
	}
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, 0));
	EXPECT_EQ(1 + STT_ACK_MIN_LEN + STT_ACK_MAX_RANGES * STT_ACK_RANGE_LEN,
		  stt_ack_encode(buf, sizeof(buf), 0, r, STT_ACK_MAX_RANGES + 1));
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, STT_ACK_MAX_RANGES + 2));

	/* One missing packet between two ranges is the least there may be. */
	r[1].hi = r[0].lo - 2;
	EXPECT_EQ(1 + STT_ACK_MIN_LEN + 2 * STT_ACK_RANGE_LEN,
		  stt_ack_encode(buf, sizeof(buf), 0, r, 3));
	r[1].hi = r[0].lo - 1;
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, 3)) TH_LOG("adjacent");
	r[1].hi = r[0].lo;
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, 3)) TH_LOG("overlapping");
	r[1].hi = r[0].hi + 20;
	r[1].lo = r[0].hi + 10;
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, 3)) TH_LOG("ascending");
	r[1].hi = 990;
	r[1].lo = 985;
	r[2].lo = r[2].hi + 1;
	EXPECT_EQ(-EINVAL, stt_ack_encode(buf, sizeof(buf), 0, r, 3)) TH_LOG("lo > hi");
	r[2].lo = r[2].hi;
	EXPECT_EQ(1 + STT_ACK_MIN_LEN + 2 * STT_ACK_RANGE_LEN,
		  stt_ack_encode(buf, sizeof(buf), 0, r, 3));
}

TEST(ack_short_cap)
{
	struct stt_range r[STT_ACK_MAX_RANGES + 1];
	int need = 1 + STT_ACK_MIN_LEN + STT_ACK_MAX_RANGES * STT_ACK_RANGE_LEN, cap;
	unsigned int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		r[i].hi = 1000 - 10 * i;
		r[i].lo = r[i].hi - 5;
	}
	for (cap = 0; cap <= need; cap++) {
		p = malloc(cap);
		ASSERT_TRUE(p || !cap);
		EXPECT_EQ(cap < need ? -ENOSPC : need,
			  stt_ack_encode(p, cap, 0, r, ARRAY_SIZE(r))) TH_LOG("cap %d", cap);
		free(p);
	}
}

/*
 * Random bytes, mostly with a known frame type or a plausible header first,
 * in exact-size heap buffers: only the documented results may come out, and
 * whatever is accepted must encode back to the same bytes.
 */
TEST(fuzz)
{
	u8 src[64], out[VEC_MAX], *p;
	u64 seed = 0x853c49e6748fea9bULL;
	struct stt_frame f;
	struct stt_hdr h;
	int i, j, len, ret;

	for (i = 0; i < 100000; i++) {
		len = rnd(&seed) % (sizeof(src) + 1);
		for (j = 0; j < (int)sizeof(src); j++)
			src[j] = rnd(&seed);
		if (rnd(&seed) & 1)
			src[0] = rnd(&seed) % (STT_FRAME_KEY_UPDATE + 1);
		p = malloc(len);
		ASSERT_TRUE(p || !len);
		if (len)
			memcpy(p, src, len);

		ret = stt_frame_decode(p, len, &f);
		if (ret > 0) {
			EXPECT_GE(len, ret);
			EXPECT_EQ(ret, encode_any(out, sizeof(out), &f))
				TH_LOG("type 0x%02x", p[0]);
			EXPECT_EQ(0, memcmp(out, p, ret))
				TH_LOG("type 0x%02x", p[0]);
		} else {
			EXPECT_TRUE(ret == -EBADMSG || ret == -EINVAL || ret == -EOPNOTSUPP)
				TH_LOG("frame: %d", ret);
		}

		if (rnd(&seed) & 1) {
			src[0] = STT_VERSION;
			src[1] &= STT_HDR_KEY_PHASE | 3;
			src[2] = 0;
			src[3] = 0;
			if (len)
				memcpy(p, src, len);
		}
		ret = stt_hdr_decode(p, len, &h);
		EXPECT_TRUE(ret == 0 || ret == -EBADMSG || ret == -EINVAL ||
			    ret == -EPROTONOSUPPORT) TH_LOG("header: %d", ret);
		free(p);
		if (_metadata->exit_code)
			break;
	}
}

TEST_HARNESS_MAIN
