/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-internal declarations shared between the kernel-only files: the
 * per-namespace state, endpoints, sessions and the STT socket, and the entry
 * points each file offers the others.  Wire constants live in proto.h; pure
 * helpers declare themselves in their own headers.
 */
#ifndef _STT_H
#define _STT_H

#include <linux/hrtimer.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <linux/stt.h>

#include "compat.h"
#include "proto.h"
#include "stats.h"
#include "replay.h"
#include "ranges.h"
#include "sent.h"
#include "rtt.h"
#include "cc.h"
#include "pace.h"
#include "bucket.h"

/**
 * struct stt_sysctl - the net.stt.* settings of one namespace
 * @max_concurrent_streams: open streams a session may carry
 * @handshake_timeout_ms: how long connect() waits for a handshake
 * @handshake_retry_ms: first handshake retransmission delay (doubles)
 * @keepalive_ms: idle time after which a KEEPALIVE is sent; 0 never
 * @idle_timeout_ms: silence after which a session is closed
 * @rekey_after_mbytes: MiB sealed under one key before a key update
 * @rekey_after_packets: packets sealed under one key before a key update
 * @rekey_after_ms: age of a key after which it is updated
 * @suites: cipher suites a new socket offers (bits of %STT_SUITES_ALL)
 * @max_frame: default maximum frame size of a new stream
 * @stream_sndbuf: default send buffer of a new stream, bytes
 * @stream_rcvbuf: default receive buffer (and window) of a new stream, bytes
 * @rto_initial_ms: retransmission timeout before the first RTT sample
 * @rto_min_ms: smallest retransmission timeout
 * @rto_max_ms: largest retransmission timeout (backoff stops there)
 * @user_timeout_ms: how long sent data may stay unacknowledged before the
 *	session fails with ETIMEDOUT
 * @mem_max_kbytes: KiB of queued stream data the namespace's sockets may
 *	hold; windows and send buffers shrink from half of it on (mem.c)
 * @session_rcvbuf: bytes of stream data, over all streams of a session,
 *	received and not yet read that the session window allows
 * @udp_checksum: 1 to fill in the UDP checksum of the datagrams sent, 0 to
 *	send them with none (the AEAD tag covers every byte of the packet);
 *	received datagrams without one are accepted either way
 * @handshake_cookie_threshold: half-open server sessions from which on a
 *	HELLO must carry a cookie (cookie.c); 0 asks for one always
 * @max_half_open: half-open server sessions the namespace keeps at most;
 *	a new one evicts the oldest
 * @handshake_ratelimit: HELLOs per second one source address may have
 *	answered while the namespace is under load
 * @congestion_control: the congestion controller of a new socket, an
 *	&enum stt_congestion (the sysctl reads and writes its name)
 * @limit_output_bytes: most bytes (truesize) a session keeps in the local
 *	qdisc and device queues (txq.c)
 *
 * All ints, as the proc handlers want them.  Read with READ_ONCE().
 */
struct stt_sysctl {
	int max_concurrent_streams;
	int handshake_timeout_ms;
	int handshake_retry_ms;
	int keepalive_ms;
	int idle_timeout_ms;
	int rekey_after_mbytes;
	int rekey_after_packets;
	int rekey_after_ms;
	int suites;
	int max_frame;
	int stream_sndbuf;
	int stream_rcvbuf;
	int rto_initial_ms;
	int rto_min_ms;
	int rto_max_ms;
	int user_timeout_ms;
	int mem_max_kbytes;
	int session_rcvbuf;
	int udp_checksum;
	int handshake_cookie_threshold;
	int max_half_open;
	int handshake_ratelimit;
	int congestion_control;
	int limit_output_bytes;
};

/**
 * struct stt_stats - one CPU's counters
 * @v: indexed by enum stt_stat
 */
struct stt_stats {
	u64 v[STT_STAT_MAX];
};

struct stt_rl_slot;

/**
 * struct stt_net - STT in one network namespace
 * @net: the namespace
 * @lock: serialises endpoint creation and removal and listener changes
 * @endpoints: every endpoint of the namespace, under @lock
 * @sysctl: the settings
 * @sysctl_hdr: registration of the settings
 * @sysctl_table: this namespace's copy of the sysctl table
 * @stats: the counters
 * @proc_dir: /proc/net/stt
 * @sessions_lock: protects @session_list, @half_open and @nhalf_open,
 *	and serialises the writers of @ids and @peers
 * @ids: sessions by local id (rhashtable; readers use RCU)
 * @peers: sessions by peer address and port (rhltable; readers use RCU)
 * @session_list: every session, for teardown
 * @half_open: server sessions waiting for AUTH_PROOF, oldest first
 * @nhalf_open: how many (read locklessly by the receive path)
 * @hs_queue: received handshake packets waiting for @hs_work; its lock
 *	also orders enqueueing against @dying
 * @hs_work: processes handshake packets in process context
 * @dying: set once the namespace exits (under @hs_queue's lock and
 *	@sessions_lock); no new session or queued work
 * @cookie_lock: protects @cookie_secret, @cookie_prev and @cookie_born
 * @cookie_secret: the key cookies are made with now
 * @cookie_prev: the one before, still accepted
 * @cookie_born: jiffies when @cookie_secret was made
 * @rl_lock: protects @rl
 * @rl_key: hashes source addresses onto @rl
 * @rl: the per-source handshake rate limit (cookie.c)
 * @live: sessions not yet destroyed (closed ones included)
 * @mem: bytes (skb truesize) queued on the namespace's STT sockets (mem.c)
 */
struct stt_net {
	struct net *net;
	struct mutex lock;		/* endpoints, listeners */
	struct list_head endpoints;
	struct stt_sysctl sysctl;
	struct ctl_table_header *sysctl_hdr;
	struct ctl_table *sysctl_table;
	struct stt_stats __percpu *stats;
	struct proc_dir_entry *proc_dir;
	spinlock_t sessions_lock;	/* session table writers */
	struct rhashtable ids;
	struct rhltable peers;
	struct list_head session_list;
	struct list_head half_open;
	int nhalf_open;
	struct sk_buff_head hs_queue;
	struct work_struct hs_work;
	bool dying;
	spinlock_t cookie_lock;		/* cookie secrets */
	u8 cookie_secret[STT_KEY_LEN];
	u8 cookie_prev[STT_KEY_LEN];
	unsigned long cookie_born;
	spinlock_t rl_lock;		/* rl */
	siphash_key_t rl_key;
	struct stt_rl_slot *rl;
	atomic_t live;
	atomic_long_t mem;
};

extern unsigned int stt_net_id;

static inline struct stt_net *stt_net(const struct net *net)
{
	return net_generic(net, stt_net_id);
}

static inline void stt_count(struct stt_net *sn, enum stt_stat stat, u64 n)
{
	this_cpu_add(sn->stats->v[stat], n);
}

#define STT_INC(sn, stat) stt_count(sn, STT_STAT_##stat, 1)

/**
 * union stt_inaddr - an IPv4 or IPv6 socket address
 * @sa: the common prefix, for the family
 * @v4: IPv4
 * @v6: IPv6
 */
union stt_inaddr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/*
 * Same family, address, port (and IPv6 scope).  Every stt_inaddr is zeroed
 * before it is filled in (stt_inaddr_clear()), so that it can also serve
 * as a hash key byte for byte.
 */
static inline bool stt_inaddr_equal(const union stt_inaddr *a,
				    const union stt_inaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->v4.sin_port == b->v4.sin_port &&
		       a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr;
	return a->v6.sin6_port == b->v6.sin6_port &&
	       ipv6_addr_equal(&a->v6.sin6_addr, &b->v6.sin6_addr) &&
	       a->v6.sin6_scope_id == b->v6.sin6_scope_id;
}

static inline void stt_inaddr_clear(union stt_inaddr *a)
{
	memset(a, 0, sizeof(*a));
}

/**
 * struct stt_endpoint - a kernel UDP socket STT sends and receives on
 * @node: in stt_net.endpoints
 * @refs: one per socket bound to it and per session using it
 * @sn: the namespace
 * @udp: the UDP socket
 * @local: the address it is bound to (port filled in after binding)
 * @listener: the STT socket accepting streams here, or NULL; changed under
 *	stt_net.lock, read under RCU by the receive path
 * @shared: the namespace's default client endpoint for its family
 * @owner: the user whose socket made it; only that user's sockets may bind
 *	its address and port, unless @reuse
 * @reuse: the socket that made it set %SO_REUSEADDR, and so consents to
 *	other users' sockets that set it too
 * @rcu: frees it once the receive hook cannot be running with it
 */
struct stt_endpoint {
	struct list_head node;
	struct rcu_head rcu;
	refcount_t refs;
	struct stt_net *sn;
	struct socket *udp;
	union stt_inaddr local;
	struct sock *listener;
	bool shared;
	kuid_t owner;
	bool reuse;
};

/**
 * struct stt_key - one direction's AEAD key of one generation
 * @tfm: the AEAD transform, keyed
 * @req: one request per CPU for @tfm, so that no packet allocates one
 * @gen: key generation
 * @packets: packets sealed with it
 * @bytes: bytes sealed with it
 * @born: jiffies when it was made
 * @secret: the traffic secret this key came from (for the next one)
 */
struct stt_key {
	struct crypto_aead *tfm;
	struct aead_request __percpu *req;
	u32 gen;
	atomic64_t packets;
	atomic64_t bytes;
	unsigned long born;
	u8 secret[STT_KEY_LEN];
};

/* struct stt_sent and its ring: sent.h. */

enum stt_session_state {
	STT_SS_HELLO_SENT,	/* client: waiting for CHALLENGE */
	STT_SS_PROOF_SENT,	/* client: waiting for FINAL */
	STT_SS_CHALLENGED,	/* server: waiting for AUTH_PROOF */
	STT_SS_ESTABLISHED,
	STT_SS_CLOSED,
};

struct stt_handshake;

/**
 * struct stt_session - the encrypted channel between two nodes
 * @id_node: in stt_net.ids, by @local_id
 * @peer_node: in stt_net.peers, by @peer
 * @node: in stt_net.session_list
 * @ho_node: in stt_net.half_open while @half_open
 * @half_open: a server session waiting for AUTH_PROOF (stt_net's lock)
 * @rcu: frees the session after readers are done
 * @refs: the hash table's reference, one per socket and per timer in flight
 * @sn: the namespace
 * @ep: the endpoint it runs on (holds a reference)
 * @peer: the peer's address
 * @local_id: the id the peer puts in packets to us
 * @peer_id: the id we put in packets to the peer
 * @client: this node sent HELLO
 * @psk: the pre-shared key it was authenticated with
 * @peer_proof: (server) the client's proof from its AUTH_PROOF, so that a
 *	repeated one is answered only when it is the same
 * @soft_error: (client, handshaking) what an unauthenticated answer said
 *	(%EKEYREJECTED for a CHALLENGE whose proof failed): the handshake
 *	goes on, and fails with this at @soft_deadline if no good answer
 *	came by then (handshake.c); a proof that verifies clears it
 * @soft_deadline: jiffies; see @soft_error
 * @suite: the cipher suite agreed
 * @lock: protects the state, the handshake and key changes
 * @state: an enum stt_session_state
 * @error: why it closed, a positive errno for the sockets
 * @wq: connect() waits here for the handshake
 * @hs: handshake state, until established
 * @timer: handshake retransmission and timeout, then keepalive and idle
 * @deadline: jiffies at which the handshake gives up
 * @rto: current handshake retransmission timeout, jiffies
 * @rto_initial_ms: loss recovery's retransmission timeout before the first
 *	RTT sample, ms: %STT_RETRANSMIT_TIMEOUT of the connecting socket or the
 *	accepting listener, fixed at creation
 * @cc_algo: its congestion controller, an &enum stt_congestion:
 *	%STT_CONGESTION of the connecting socket or the accepting listener,
 *	fixed at creation
 * @tx: the sending key, once derived (RCU)
 * @rx: the receiving key, once derived (RCU)
 * @tx_pn: next protected packet number to send, under @pn_lock
 * @pn_lock: makes taking a packet number, the sending key and the packet's
 *	record one step, and replacing the key another, so that every packet
 *	sealed under a newer key has a higher number than every packet of the
 *	older one (the receiver tells the keys apart by packet number) and
 *	records are in number order.  Also guards the sender's loss recovery
 *	state below.
 * @rx_next: the peer's next receiving key, made ahead (RCU)
 * @rx_prev: the peer's previous key, for late packets (RCU)
 * @rx_stale: a key retired by the last promotion, to free after RCU
 * @rx_phase_pn: number of the first packet opened with @rx
 * @tx_work: makes the next sending key
 * @rx_work: makes the next receiving key and frees @rx_stale
 * @peer_ready_gen: the newest of our key generations the peer said it
 *	can open (KEY_UPDATE); we never seal with a newer one
 * @rx_lock: serialises the replay window and receiving key changes
 * @replay: which protected packet numbers were received
 * @destroy_work: frees the session after the last reference is gone
 * @last_rx: jiffies of the last authentic packet from the peer
 * @last_tx: jiffies of the last protected packet sent
 * @last_use: jiffies of the last time a socket attached or detached
 * @socks: the sockets whose streams run on this session, under @lock
 * @nsocks: how many
 * @streams: stream sockets by stream id (RCU readers; writers take the
 *	xarray's lock)
 * @nstreams: streams in @streams that count against the stream limit (all
 *	but those closed by their application), under the xarray's lock
 * @streams_closed: the session closed; no stream may enter @streams
 * @next_stream: the next stream id to try when assigning one
 * @open_next: the open number of our next STREAM_OPEN, under the xarray's
 *	lock
 * @peer_opens: which of the peer's open numbers were dealt with, under the
 *	xarray's lock
 * @dgram: largest UDP payload to send on this path, bytes
 * @local: our address on this path, once established
 * @tx_lock: protects @tx_ready
 * @tx_ready: streams that may have something to send, in round-robin order
 * @tx_flags: %STT_TX_BUSY while a pusher runs, %STT_TX_AGAIN when it must
 *	look again
 * @push_work: runs the pusher for contexts that must not do it themselves
 * @sent: ring of records of the packets in flight (recovery.c), @pn_lock
 * @sent_head: index of the oldest record (free-running, masked on use)
 * @sent_tail: index the next record goes to
 * @largest_acked: the largest packet number the peer acknowledged, plus
 *	one; 0 before the first acknowledgment
 * @rtt: RTT estimate
 * @cc: congestion state
 * @rto_backoff: retransmission timeouts in a row without an acknowledgment
 * @progress: when an acknowledgment last settled a packet, or the first
 *	packet went out after none was in flight (ktime_get_ns())
 * @last_pto: when the retransmission timer last fired (ktime_get_ns())
 * @loss_time: when the time threshold declares the next packet below the
 *	largest acknowledged lost, or 0
 * @loss_pkts: the packet threshold; grows when losses prove spurious
 * @reo_wnd: time added to the time threshold, ns; grows to cover the
 *	lateness of each loss that proves spurious
 * @pto_probes: DATA packets that may leave after a timeout whatever the
 *	congestion window says
 * @rtx_timer: time-threshold losses, the retransmission timeout and the user
 *	timeout
 * @pacer: when the next DATA packet may leave; only the pusher touches it
 * @pace_timer: runs the pusher when the pacer lets the next packet go, or
 *	when a packet left the local queues of a throttled session (txq.c)
 * @txsk: the socket the session's packets are charged to while in the
 *	local queues (txq.c); NULL before the session is established
 * @tx_cpu: the CPU the pusher last sent DATA from (txq.c)
 * @rx_ranges: packet numbers received, for ACK frames (@rx_lock)
 * @rx_largest_time: when the largest of them arrived (@rx_lock)
 * @rx_nacked: the highest packet number a NACK reported missing (@rx_lock)
 * @ack_hist: the largest numbers of the last ACK frames sent (@rx_lock)
 * @ack_floor: the lowest number an ACK frame still reports (@rx_lock)
 * @ack_pending: ack-eliciting packets received since the last ACK
 * @ack_timer: sends a delayed ACK
 * @snd_total: the session's flow control as a sender: the sum over its
 *	streams of the highest offset sent (new data only, not
 *	retransmissions).  Only the pusher touches it (%STT_TX_BUSY).
 * @snd_max_total: the peer's session window: the most @snd_total may
 *	reach (WINDOW_UPDATE for stream 0); it never decreases
 * @rcv_total: the session's flow control as a receiver: the sum over its
 *	streams of the highest offset received, or the final size once known
 * @rcv_consumed: bytes of the peer's streams read by applications or
 *	thrown away (a stream reset or closed, its socket closed)
 * @rcv_max_total: the session window advertised: the most @rcv_total may
 *	reach; it never decreases
 * @flow_timer: looks again at a session window update that memory
 *	pressure held back
 */
struct stt_session {
	struct rhash_head id_node;
	struct rhlist_head peer_node;
	struct list_head node;
	struct list_head ho_node;
	bool half_open;
	struct rcu_head rcu;
	refcount_t refs;
	struct stt_net *sn;
	struct stt_endpoint *ep;
	union stt_inaddr peer;
	u32 local_id;
	u32 peer_id;
	bool client;
	u8 psk[STT_KEY_LEN];
	u8 peer_proof[STT_MAC_LEN];
	int soft_error;
	unsigned long soft_deadline;
	u8 suite;
	spinlock_t lock;		/* state, handshake, keys */
	enum stt_session_state state;
	int error;
	wait_queue_head_t wq;
	struct stt_handshake *hs;
	struct timer_list timer;
	unsigned long deadline;
	unsigned long rto;
	u32 rto_initial_ms;
	u8 cc_algo;
	struct stt_key __rcu *tx;
	struct stt_key __rcu *rx;
	u64 tx_pn;
	spinlock_t pn_lock;		/* tx, tx_pn */
	struct stt_key __rcu *rx_next;
	struct stt_key __rcu *rx_prev;
	struct stt_key *rx_stale;
	u64 rx_phase_pn;
	struct work_struct tx_work;
	struct work_struct rx_work;
	u32 peer_ready_gen;
	spinlock_t rx_lock;		/* replay window, rx key changes */
	struct stt_replay replay;
	struct work_struct destroy_work;
	unsigned long last_rx;
	unsigned long last_tx;
	unsigned long last_use;
	struct list_head socks;
	unsigned int nsocks;
	struct xarray streams;
	unsigned int nstreams;
	bool streams_closed;
	u16 next_stream;
	u64 open_next;
	struct stt_replay peer_opens;
	unsigned int dgram;
	union stt_inaddr local;
	spinlock_t tx_lock;		/* tx_ready */
	struct list_head tx_ready;
	unsigned long tx_flags;
	struct work_struct push_work;

	struct stt_sent_ring *sent;
	u32 sent_head;
	u32 sent_tail;
	u64 largest_acked;
	struct stt_rtt rtt;
	struct stt_cc cc;
	unsigned int rto_backoff;
	u64 progress;
	u64 last_pto;
	u64 loss_time;
	u32 loss_pkts;
	u64 reo_wnd;
	u32 pto_probes;
	struct timer_list rtx_timer;
	struct stt_pacer pacer;
	struct hrtimer pace_timer;
	struct sock *txsk;
	int tx_cpu;

	struct stt_ranges rx_ranges;
	u64 rx_largest_time;
	u64 rx_nacked;
	struct stt_ack_history ack_hist;
	u64 ack_floor;
	u32 ack_pending;
	struct timer_list ack_timer;

	u64 snd_total;
	atomic64_t snd_max_total;
	atomic64_t rcv_total;
	atomic64_t rcv_consumed;
	atomic64_t rcv_max_total;
	struct timer_list flow_timer;
};

/* Raise @v to @to unless it is that high already; whether it rose. */
static inline bool stt_raise64(atomic64_t *v, u64 to)
{
	s64 old = atomic64_read(v);

	do {
		if ((u64)old >= to)
			return false;
	} while (!atomic64_try_cmpxchg(v, &old, to));
	return true;
}

#define STT_TX_BUSY	0
#define STT_TX_AGAIN	1
#define STT_TX_THROTTLED 2	/* waits for the local queues (txq.c) */

/**
 * struct stt_skb_cb - what a queued handshake packet carries in skb->cb
 * @ep: the endpoint it arrived on (holds a reference)
 * @peer: where it came from, IPv6 scope included; read in softirq, since
 *	the interface the packet came in on is in the part of skb->cb that
 *	this overwrites
 * @verified: a HELLO whose cookie verified (and was charged to its
 *	source's rate) on the way in
 */
struct stt_skb_cb {
	struct stt_endpoint *ep;
	union stt_inaddr peer;
	bool verified;
};

#define STT_SKB_CB(skb) ((struct stt_skb_cb *)(skb)->cb)

/**
 * struct stt_chunk_cb - what a queued chunk of stream data carries in skb->cb
 * @offset: stream offset of its first byte
 * @len: bytes of stream data in it
 * @used: bytes of it the reader already consumed (receive side)
 * @flags: %STT_DATA_FIN and %STT_DATA_MSG_END
 * @acked: (send side) the peer acknowledged it
 * @lost: (send side) it must be sent again
 *
 * On the send side a chunk is the packet's plaintext: the skb holds room for
 * the packet header and the DATA frame header in front of the data, and it
 * stays queued until the peer acknowledges it.  Each transmission seals it
 * into a new packet skb (out of place), under a new packet number.
 * On the receive side it is the decrypted packet, pulled and trimmed to the
 * data of its DATA frame.
 */
struct stt_chunk_cb {
	u64 offset;
	u32 len;
	u32 used;
	u8 flags;
	u8 acked;
	u8 lost;
};

#define STT_CHUNK_CB(skb) ((struct stt_chunk_cb *)(skb)->cb)

/* Bits of stt_sock.sflags. */
enum {
	STT_SF_OPENING,		/* STREAM_OPEN sent, no answer yet */
	STT_SF_OPEN,		/* the peer accepted, or we accepted */
	STT_SF_REFUSED,		/* the peer refused the open */
	STT_SF_FIN_QUEUED,	/* our end of the stream is decided */
	STT_SF_FIN_SENT,	/* ... and sent */
	STT_SF_FIN_RCVD,	/* the peer's final size is known */
	STT_SF_RESET_RCVD,	/* the peer aborted the stream */
	STT_SF_RESET_SENT,	/* we aborted it */
	STT_SF_IN_TABLE,	/* in the session's stream table */
	STT_SF_ORPHAN,		/* closed by the application, still sending */
	STT_SF_WANT_OPEN,	/* connect() waits for the session to open it */
	STT_SF_PEER_OPENED,	/* the peer opened it (accepted here) */
	STT_SF_FIN_ACKED,	/* the peer acknowledged our whole stream */
	STT_SF_UNCOUNTED,	/* no longer counts against the stream limit */
	STT_SF_WINDOW_WAIT,	/* memory pressure holds a window update back */
	STT_SF_FINAL_COUNTED,	/* the session counted the peer's final size */
	STT_SF_PUBLISHED,	/* a lookup under RCU may have seen it */
	STT_SF_REMOVING,	/* stt_stream_remove() is under way */
};

/**
 * struct stt_sock - one STT stream socket
 * @sk: the generic socket; must stay first so that sk_alloc() sizes it
 * @psk: the pre-shared key set with %STT_PSK
 * @psk_set: whether @psk was set
 * @suites: the cipher suites this socket offers or accepts
 * @ep: the endpoint it is bound to, or NULL
 * @session: the session its stream runs on, or NULL
 * @session_node: in stt_session.socks once connected
 * @sflags: STT_SF_* bits (atomic bit operations)
 * @stream_id: the stream id, once connected or accepted
 * @want_stream: the stream id connect() asked for, or %STT_STREAM_ANY
 * @kind: %STT_KIND_BYTES or %STT_KIND_MESSAGES
 * @priority: %STT_PRIORITY
 * @nodelay: %STT_NODELAY
 * @cork: %STT_CORK
 * @label_len: length of @label
 * @label: %STT_LABEL
 * @max_frame: our maximum frame size
 * @peer_max_frame: the peer's, from its STREAM_OPEN (or ours)
 * @max_streams: %STT_MAX_STREAMS, 0 for the sysctl
 * @reset_code: the code of a STREAM_RESET received
 * @rto_initial_ms: %STT_RETRANSMIT_TIMEOUT, ms
 * @cc_algo: %STT_CONGESTION, an &enum stt_congestion
 * @open_rto: current STREAM_OPEN retransmission timeout, jiffies
 * @open_deadline: jiffies at which an unanswered STREAM_OPEN gives up
 * @open_nr: the open number of the stream's STREAM_OPEN, ours or the peer's
 * @tx_node: in stt_session.tx_ready, under its tx_lock
 * @tx_quantum: bytes left of the stream's current turn; a turn cut short by
 *	the congestion window or the pusher's budget goes on where it stopped
 *	(only the pusher touches it)
 * @pending: the partial chunk short writes are coalesced into, under the
 *	write queue's lock; the write queue holds the chunks ready to go
 * @pending_corked: @pending waits for more data (cork, %MSG_MORE), not just
 *	for the stream's earlier data to go
 * @snd_nxt: stream offset of the next byte written (sendmsg, socket lock)
 * @snd_sent: stream offset up to which data was sent (write queue lock)
 * @snd_max: the peer's max_data for this stream (write queue lock)
 * @snd_win0: the window the peer granted at the start; a SEQPACKET message
 *	may not be longer
 * @rtxq: chunks sent and not yet acknowledged, by offset (its own lock)
 * @rtx_lost: chunks of @rtxq marked lost, to send again (@rtxq's lock)
 * @rcv_nxt: the next in-order stream offset (receive queue lock)
 * @rcv_read: offset up to which the application has read
 * @rcv_adv: the max_data last advertised to the peer
 * @rcv_final: the stream's final size, once %STT_SF_FIN_RCVD
 * @rcv_highest: the highest offset received (or the final size, once
 *	%STT_SF_FINAL_COUNTED): what the session's @rcv_total counts of this
 *	stream (receive queue lock)
 * @rcv_msgs: complete messages in the receive queue (SEQPACKET)
 * @ooo: data received ahead of @rcv_nxt: disjoint ranges in an rbtree by
 *	offset (receive queue lock)
 * @ooo_mem: the buffers (truesize) of @ooo, bytes (receive queue lock)
 * @accept_list: streams waiting for accept() (listener; its receive queue
 *	lock)
 * @accept_node: in the listener's @accept_list
 * @bytes_sent: statistics for %STT_INFO
 * @bytes_rcvd: statistics for %STT_INFO
 * @frames_sent: statistics for %STT_INFO
 * @frames_rcvd: statistics for %STT_INFO
 * @frames_retrans: statistics for %STT_INFO
 * @bytes_retrans: statistics for %STT_INFO
 */
struct stt_sock {
	struct sock sk;
	u8 psk[STT_KEY_LEN];
	bool psk_set;
	u8 suites;
	struct stt_endpoint *ep;
	struct stt_session *session;
	struct list_head session_node;

	unsigned long sflags;
	u16 stream_id;
	u16 want_stream;
	u8 kind;
	u8 priority;
	bool nodelay;
	bool cork;
	u8 label_len;
	char label[STT_LABEL_MAX];
	u16 max_frame;
	u16 peer_max_frame;
	u32 max_streams;
	u32 reset_code;
	u32 rto_initial_ms;
	u8 cc_algo;
	unsigned long open_rto;
	unsigned long open_deadline;
	u32 open_nr;

	struct list_head tx_node;
	long tx_quantum;
	struct sk_buff *pending;
	bool pending_corked;
	u64 snd_nxt;
	u64 snd_sent;
	u64 snd_max;
	u64 snd_win0;
	struct sk_buff_head rtxq;
	u32 rtx_lost;

	u64 rcv_nxt;
	u64 rcv_read;
	u64 rcv_adv;
	u64 rcv_final;
	u64 rcv_highest;
	u32 rcv_msgs;
	struct rb_root ooo;
	u32 ooo_mem;

	struct list_head accept_list;
	struct list_head accept_node;

	u64 bytes_sent;
	u64 bytes_rcvd;
	u64 frames_sent;
	u64 frames_rcvd;
	u64 frames_retrans;
	u64 bytes_retrans;
};

static inline struct stt_sock *stt_sk(const struct sock *sk)
{
	return container_of(sk, struct stt_sock, sk);
}

extern int stt_family;
extern struct workqueue_struct *stt_wq;

/* socket.c */
int stt_socket_init(void);
void stt_socket_exit(void);
struct sock *stt_sock_alloc(struct net *net, int type, gfp_t gfp);

/* sockopt.c */
int stt_setsockopt(struct socket *sock, int level, int optname,
		   sockptr_t optval, unsigned int optlen);
int stt_getsockopt(struct socket *sock, int level, int optname,
		   char __user *optval, int __user *optlen);

struct stt_frame;

/* stream.c */
int stt_stream_send_ctl(struct stt_session *s, const struct stt_frame *f);
void stt_stream_send_window(struct stt_sock *ssk, bool force);
void stt_stream_session_window(struct stt_session *s, bool force);
void stt_stream_flow_timer(struct timer_list *t);
int stt_stream_open(struct stt_session *s, struct stt_sock *ssk, u16 want);
void stt_stream_open_cancel(struct stt_sock *ssk);
int stt_stream_open_done(struct stt_sock *ssk);
void stt_stream_open_ready(struct stt_session *s, struct stt_sock *ssk);
void stt_stream_open_waiting(struct stt_session *s);
void stt_stream_timer(struct timer_list *t);
struct stt_sock *stt_stream_lookup(struct stt_session *s, u16 id);
void stt_stream_remove(struct stt_sock *ssk);
void stt_stream_remove_wait(struct stt_sock *ssk);
void stt_stream_maybe_done(struct stt_sock *ssk);
bool stt_stream_sent_all(struct stt_sock *ssk);
void stt_stream_abort(struct stt_sock *ssk, u32 code);
void stt_stream_orphan(struct stt_sock *ssk);
void stt_stream_rcv_frame(struct stt_session *s, const struct stt_frame *f);
void stt_stream_session_closed(struct stt_session *s);
void stt_stream_ctl_settled(struct stt_session *s, const struct stt_sent *rec,
			    bool acked);

/* txq.c */
void stt_txq_init(struct stt_session *s);
void stt_txq_release(struct stt_session *s);
void stt_txq_charge(struct stt_session *s, struct sk_buff *skb);
bool stt_txq_full(struct stt_session *s, u64 rate);
int stt_txq_register(void);
void stt_txq_exit(void);

/* output.c */
void stt_output_push(struct stt_session *s, bool may_sleep);
void stt_output_push_work(struct work_struct *work);
enum hrtimer_restart stt_output_pace_timer(struct hrtimer *t);
void stt_output_schedule(struct stt_session *s, struct stt_sock *ssk,
			 bool may_sleep);
void stt_output_unschedule(struct stt_session *s, struct stt_sock *ssk);
void stt_output_flush(struct stt_sock *ssk);
void stt_output_fin(struct stt_sock *ssk);
int stt_output_sendmsg(struct stt_sock *ssk, struct msghdr *msg, size_t len);
bool stt_output_writable(struct stt_sock *ssk);
void stt_output_acked(struct stt_session *s, u16 id, u64 offset);
void stt_output_lost(struct stt_session *s, u16 id, u64 offset);
void stt_output_purge(struct stt_sock *ssk);

/* recovery.c; STT_ACK_* (how soon a packet wants an ack) is in codec.h */

/* Ranges an ACK frame riding on a data packet holds at most; its size. */
#define STT_ACK_PIGGY_RANGES	4
#define STT_ACK_PIGGY_LEN	(1 + STT_ACK_MIN_LEN + \
				 (STT_ACK_PIGGY_RANGES - 1) * STT_ACK_RANGE_LEN)

void stt_recovery_init(struct stt_session *s);
int stt_recovery_ready(struct stt_session *s);
void stt_recovery_established(struct stt_session *s, u64 rtt);
void stt_recovery_stop(struct stt_session *s);
void stt_recovery_destroy(struct stt_session *s);
bool stt_recovery_room(struct stt_session *s, u32 bytes);
void stt_recovery_info(struct stt_session *s, struct stt_info *info);
void stt_recovery_sent(struct stt_session *s, const struct stt_sent *rec,
		       u64 pn);
void stt_recovery_rcv_pn(struct stt_session *s, u64 pn, int eliciting);
unsigned int stt_recovery_ack_piggyback(struct stt_session *s, u8 *buf,
					unsigned int room);
void stt_recovery_rcv_ack(struct stt_session *s, const struct stt_frame *f);
void stt_recovery_rcv_nack(struct stt_session *s, const struct stt_frame *f);
void stt_recovery_forget(struct stt_session *s, u16 id);

/* input.c */
void stt_input_purge_ooo(struct stt_sock *ssk);
bool stt_input_data(struct stt_session *s, struct sk_buff *skb,
		    const struct stt_frame *f, bool take, bool *refused);
void stt_input_fin(struct stt_session *s, struct stt_sock *ssk, u64 final);
bool stt_input_reset(struct stt_session *s, struct stt_sock *ssk, u64 final);
void stt_input_removed(struct stt_sock *ssk);
void stt_input_discard(struct stt_sock *ssk);
bool stt_input_readable(struct stt_sock *ssk);
int stt_input_recvmsg(struct stt_sock *ssk, struct msghdr *msg, size_t len,
		      int flags);

/* mem.c */
struct seq_file;

/* How often a window or sender held back by memory pressure looks again. */
#define STT_MEM_RETRY	(HZ / 10)

u64 stt_mem_used(struct stt_net *sn);
u64 stt_mem_max(struct stt_net *sn);
bool stt_mem_pressure(struct stt_net *sn);
u64 stt_mem_scale(struct stt_net *sn, u64 budget);
bool stt_mem_room(struct stt_net *sn, u64 bytes);
void stt_mem_charge_w(struct sk_buff *skb, struct sock *sk);
void stt_mem_charge_r(struct sk_buff *skb, struct sock *sk);
int stt_mem_show(struct seq_file *seq, void *v);

/* netns.c */
int stt_net_register(void);
void stt_net_unregister(void);

/* endpoint.c */
struct stt_endpoint *stt_endpoint_get(struct stt_net *sn,
				      const union stt_inaddr *local,
				      const struct sock *sk);
void stt_endpoint_put(struct stt_endpoint *ep);
int stt_endpoint_xmit(struct stt_endpoint *ep, struct sk_buff *skb,
		      const union stt_inaddr *peer);
struct sk_buff *stt_endpoint_alloc_skb(unsigned int len, gfp_t gfp);
unsigned int stt_endpoint_skb_truesize(unsigned int len);
unsigned int stt_endpoint_dgram(struct stt_endpoint *ep,
				const union stt_inaddr *peer,
				union stt_inaddr *src);
void stt_endpoint_net_exit(struct stt_net *sn);
void stt_session_refused(struct stt_endpoint *ep, const union stt_inaddr *peer);

/* cookie.c */
int stt_cookie_net_init(struct stt_net *sn);
void stt_cookie_net_exit(struct stt_net *sn);
bool stt_cookie_gate(struct stt_endpoint *ep, struct sk_buff *skb,
		     const union stt_inaddr *peer, bool *verified);

/* crypto.c */
void stt_hmac_sha256(const u8 *key, size_t key_len, const u8 *a, size_t a_len,
		     const u8 *b, size_t b_len, u8 out[STT_MAC_LEN]);
void stt_hkdf_extract(const u8 *salt, const u8 *ikm, u8 prk[STT_MAC_LEN]);
void stt_hkdf_expand(const u8 *prk, const char *label, const u8 *ctx,
		     size_t ctx_len, u8 out[STT_KEY_LEN]);
struct stt_key *stt_key_new(u8 suite, const u8 *secret, u32 gen);
void stt_key_free(struct stt_key *key);
int stt_seal(struct stt_key *key, struct sk_buff *skb, u64 pn);
int stt_seal_copy(struct stt_key *key, const u8 *src, struct sk_buff *skb,
		  u64 pn);
int stt_open(struct stt_key *key, struct sk_buff *skb, u64 pn);

/* session.c */
int stt_session_net_init(struct stt_net *sn);
void stt_session_net_exit(struct stt_net *sn);
struct stt_session *stt_session_lookup(struct stt_net *sn, u32 local_id);
struct stt_session *stt_session_new(struct stt_net *sn, struct stt_endpoint *ep,
				    const union stt_inaddr *peer, bool client,
				    const u8 *psk, u32 rto_initial_ms,
				    u8 cc_algo);
struct stt_session *stt_session_find_hello(struct stt_net *sn,
					   struct stt_endpoint *ep,
					   const union stt_inaddr *peer,
					   u32 peer_id, const u8 *hello);
void stt_session_evict_half_open(struct stt_net *sn);
void stt_session_half_open_done(struct stt_session *s);
bool stt_session_under_load(struct stt_net *sn);
void stt_session_send_final(struct stt_session *s);
void stt_session_established(struct stt_session *s, u64 rtt);
void stt_session_attach(struct stt_session *s, struct stt_sock *ssk);
void stt_session_detach(struct stt_session *s, struct stt_sock *ssk);
struct stt_session *stt_session_connect(struct stt_sock *ssk,
					struct stt_endpoint *ep,
					const union stt_inaddr *peer);
void stt_session_put(struct stt_session *s);
void stt_session_close(struct stt_session *s, int error);
void stt_session_abort(struct stt_session *s, u32 reason, int error);
int stt_session_xmit(struct stt_session *s, struct sk_buff *skb,
		     const u8 *src, const struct stt_sent *rec);
int stt_session_send(struct stt_session *s, const u8 *frames, size_t len,
		     const struct stt_sent *rec);
int stt_session_rcv(struct stt_endpoint *ep, struct sk_buff *skb);

/* rekey.c */
void stt_rekey_account(struct stt_session *s, struct stt_key *key,
		       unsigned int len);
struct stt_key *stt_rekey_rx_key(struct stt_session *s, u8 key_phase, u64 pn);
void stt_rekey_rx_opened(struct stt_session *s, struct stt_key *key, u64 pn);
void stt_rekey_setup(struct stt_session *s);
void stt_rekey_start(struct stt_session *s);
void stt_rekey_destroy(struct stt_session *s);
void stt_rekey_peer_ready(struct stt_session *s, u32 gen);
void stt_rekey_established(struct stt_session *s);
void stt_rekey_reannounce(struct stt_session *s, u32 gen);

/* handshake.c */
int stt_handshake_start(struct stt_session *s, u8 suites);
void stt_handshake_rcv(struct stt_net *sn, struct stt_endpoint *ep,
		       struct sk_buff *skb);
void stt_handshake_retransmit(struct stt_session *s);
void stt_handshake_free(struct stt_session *s);
void stt_handshake_final(struct stt_session *s);
bool stt_handshake_hello_is(const struct stt_session *s, const u8 *frame);

#endif /* _STT_H */
