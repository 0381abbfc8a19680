// SPDX-License-Identifier: GPL-2.0
/*
 * Socket options at level SOL_STT: checking and storing what setsockopt()
 * passes (keys, cipher suites, the stream's label, frame size, priority,
 * coalescing, stream limit, initial retransmission timeout and congestion
 * controller) and answering getsockopt(), including the stream's struct
 * stt_info.  Options at SOL_SOCKET (SO_SNDBUF, SO_RCVBUF, SO_LINGER,
 * SO_RCVTIMEO...) are the socket core's.
 */
#include <linux/net.h>

#include "stt.h"

static int stt_opt_int(sockptr_t optval, unsigned int optlen, int *val)
{
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(val, optval, sizeof(*val)))
		return -EFAULT;
	return 0;
}

/* Options that travel in STREAM_OPEN cannot change once it is sent. */
static bool stt_opt_too_late(const struct stt_sock *ssk)
{
	return ssk->session || ssk->sk.sk_state == TCP_LISTEN;
}

static int stt_set_psk(struct stt_sock *ssk, sockptr_t optval,
		       unsigned int optlen)
{
	u8 key[STT_PSK_LEN];
	int err = -EISCONN;

	if (optlen != STT_PSK_LEN)
		return -EINVAL;
	if (copy_from_sockptr(key, optval, sizeof(key)))
		return -EFAULT;
	lock_sock(&ssk->sk);
	/*
	 * A listener's key is read by the handshake and by stream opens
	 * without the socket lock: it must not change under them.
	 */
	if (!stt_opt_too_late(ssk)) {
		memcpy(ssk->psk, key, sizeof(key));
		ssk->psk_set = true;
		err = 0;
	}
	release_sock(&ssk->sk);
	memzero_explicit(key, sizeof(key));
	return err;
}

static int stt_set_label(struct stt_sock *ssk, sockptr_t optval,
			 unsigned int optlen)
{
	char label[STT_LABEL_MAX];
	int err = 0;

	if (optlen > STT_LABEL_MAX)
		return -EINVAL;
	if (copy_from_sockptr(label, optval, optlen))
		return -EFAULT;
	lock_sock(&ssk->sk);
	if (stt_opt_too_late(ssk)) {
		err = -EISCONN;
	} else {
		memcpy(ssk->label, label, optlen);
		ssk->label_len = optlen;
	}
	release_sock(&ssk->sk);
	return err;
}

/*
 * The congestion controller, by name: it is the session's, so it is chosen
 * before there is one (a listener's applies to the sessions it accepts).
 */
static int stt_set_congestion(struct stt_sock *ssk, sockptr_t optval,
			      unsigned int optlen)
{
	char name[STT_CONGESTION_NAME_MAX];
	int algo, err = 0;

	if (!optlen)
		return -EINVAL;
	optlen = min_t(unsigned int, optlen, sizeof(name) - 1);
	if (copy_from_sockptr(name, optval, optlen))
		return -EFAULT;
	name[optlen] = '\0';
	algo = stt_cc_find(name);
	if (algo < 0)
		return algo;
	lock_sock(&ssk->sk);
	if (ssk->session)
		err = -EISCONN;
	else
		WRITE_ONCE(ssk->cc_algo, algo);
	release_sock(&ssk->sk);
	return err;
}

/* The controller in force: the session's once there is one. */
static u8 stt_congestion(const struct stt_sock *ssk)
{
	return ssk->session ? ssk->session->cc_algo : ssk->cc_algo;
}

/* An int option; @val is checked against its range already. */
static int stt_set_int(struct stt_sock *ssk, int optname, int val)
{
	bool flush = false;
	int err = 0;

	lock_sock(&ssk->sk);
	switch (optname) {
	case STT_CIPHER:
		ssk->suites = val;
		break;
	case STT_MAX_FRAME:
		if (stt_opt_too_late(ssk))
			err = -EISCONN;
		else
			ssk->max_frame = val;
		break;
	case STT_NODELAY:
		ssk->nodelay = val;
		flush = val;
		break;
	case STT_CORK:
		ssk->cork = val;
		flush = !val;
		break;
	case STT_PRIORITY:
		WRITE_ONCE(ssk->priority, val);
		break;
	case STT_MAX_STREAMS:
		WRITE_ONCE(ssk->max_streams, val);
		break;
	case STT_RETRANSMIT_TIMEOUT:
		WRITE_ONCE(ssk->rto_initial_ms, val);
		break;
	}
	if (flush && test_bit(STT_SF_IN_TABLE, &ssk->sflags))
		stt_output_flush(ssk);
	release_sock(&ssk->sk);
	return err;
}

/**
 * stt_setsockopt() - set an option at %SOL_STT
 * @sock: the socket
 * @level: must be %SOL_STT
 * @optname: the option
 * @optval: its value
 * @optlen: the value's length
 *
 * Return: 0, -%ENOPROTOOPT for an unknown option, -%EINVAL for a value out
 * of range, -%EISCONN for an option that must be set before connect(),
 * -%ENOENT for an unknown congestion controller.
 */
int stt_setsockopt(struct socket *sock, int level, int optname,
		   sockptr_t optval, unsigned int optlen)
{
	struct stt_sock *ssk = stt_sk(sock->sk);
	int val, lo = 0, hi = 1, err;

	if (level != SOL_STT)
		return -ENOPROTOOPT;

	switch (optname) {
	case STT_PSK:
		return stt_set_psk(ssk, optval, optlen);
	case STT_CONGESTION:
		return stt_set_congestion(ssk, optval, optlen);
	case STT_LABEL:
		return stt_set_label(ssk, optval, optlen);
	case STT_CIPHER:
		lo = 1;
		hi = STT_SUITES_ALL;
		break;
	case STT_MAX_FRAME:
		lo = STT_MAX_FRAME_MIN;
		hi = STT_MAX_FRAME_MAX;
		break;
	case STT_NODELAY:
	case STT_CORK:
		break;
	case STT_PRIORITY:
		hi = STT_PRIORITY_MAX;
		break;
	case STT_MAX_STREAMS:
		lo = 1;
		hi = 65535;
		break;
	case STT_RETRANSMIT_TIMEOUT:
		lo = STT_RETRANSMIT_TIMEOUT_MIN;
		hi = STT_RETRANSMIT_TIMEOUT_MAX;
		break;
	default:
		return -ENOPROTOOPT;
	}
	err = stt_opt_int(optval, optlen, &val);
	if (err)
		return err;
	if (val < lo || val > hi)
		return -EINVAL;
	return stt_set_int(ssk, optname, val);
}

static u8 stt_info_state(const struct stt_sock *ssk)
{
	const struct sock *sk = &ssk->sk;

	if (sk->sk_state == TCP_LISTEN)
		return STT_STATE_LISTEN;
	if (test_bit(STT_SF_RESET_RCVD, &ssk->sflags) ||
	    test_bit(STT_SF_RESET_SENT, &ssk->sflags))
		return STT_STATE_RESET;
	if (!test_bit(STT_SF_OPEN, &ssk->sflags))
		return ssk->session ? STT_STATE_CONNECTING : STT_STATE_CLOSED;
	if (test_bit(STT_SF_FIN_QUEUED, &ssk->sflags))
		return test_bit(STT_SF_FIN_RCVD, &ssk->sflags) ?
		       STT_STATE_CLOSED : STT_STATE_SEND_CLOSED;
	if (test_bit(STT_SF_FIN_RCVD, &ssk->sflags))
		return STT_STATE_RECV_CLOSED;
	return STT_STATE_OPEN;
}

static void stt_info_fill(struct stt_sock *ssk, struct stt_info *info)
{
	struct stt_session *s = ssk->session;
	struct sock *sk = &ssk->sk;

	memset(info, 0, sizeof(*info));
	info->stti_version = STT_INFO_VERSION;
	info->stti_state = stt_info_state(ssk);
	info->stti_priority = READ_ONCE(ssk->priority);
	info->stti_kind = ssk->kind;
	info->stti_max_frame = ssk->max_frame;
	info->stti_peer_max_frame = ssk->peer_max_frame;
	info->stti_congestion = stt_congestion(ssk);
	if (test_bit(STT_SF_OPEN, &ssk->sflags))
		info->stti_stream = ssk->stream_id;
	if (s) {
		info->stti_session = s->local_id;
		info->stti_peer_session = s->peer_id;
		info->stti_mtu = READ_ONCE(s->dgram);
		info->stti_srtt_us = div_u64(READ_ONCE(s->rtt.srtt),
					     NSEC_PER_USEC);
		info->stti_rttvar_us = div_u64(READ_ONCE(s->rtt.rttvar),
					       NSEC_PER_USEC);
		stt_recovery_info(s, info);
	}
	info->stti_bytes_sent = READ_ONCE(ssk->bytes_sent);
	info->stti_frames_sent = READ_ONCE(ssk->frames_sent);
	info->stti_bytes_retrans = READ_ONCE(ssk->bytes_retrans);
	info->stti_frames_retrans = READ_ONCE(ssk->frames_retrans);

	spin_lock_bh(&sk->sk_write_queue.lock);
	info->stti_snd_queued = ssk->snd_nxt - ssk->snd_sent;
	if (ssk->snd_max > ssk->snd_sent)
		info->stti_snd_window = ssk->snd_max - ssk->snd_sent;
	spin_unlock_bh(&sk->sk_write_queue.lock);

	spin_lock_bh(&sk->sk_receive_queue.lock);
	info->stti_bytes_received = ssk->bytes_rcvd;
	info->stti_frames_received = ssk->frames_rcvd;
	info->stti_rcv_queued = ssk->rcv_nxt - ssk->rcv_read;
	if (ssk->rcv_adv > ssk->rcv_nxt)
		info->stti_rcv_window = ssk->rcv_adv - ssk->rcv_nxt;
	spin_unlock_bh(&sk->sk_receive_queue.lock);
}

/**
 * stt_getsockopt() - read an option at %SOL_STT
 * @sock: the socket
 * @level: must be %SOL_STT
 * @optname: the option
 * @optval: where the value goes
 * @optlen: in: room at @optval; out: bytes written
 *
 * Return: 0, -%ENOPROTOOPT for an unknown option, -%EPERM for the key.
 */
int stt_getsockopt(struct socket *sock, int level, int optname,
		   char __user *optval, int __user *optlen)
{
	struct stt_sock *ssk = stt_sk(sock->sk);
	struct sock *sk = sock->sk;
	char label[STT_LABEL_MAX];
	char cc[STT_CONGESTION_NAME_MAX] = "";
	struct stt_info info;
	const void *src = &info;
	int len, val, size;

	if (level != SOL_STT)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	lock_sock(sk);
	switch (optname) {
	case STT_PSK:
		release_sock(sk);
		return -EPERM;		/* keys are write-only */
	case STT_LABEL:
		size = ssk->label_len;
		memcpy(label, ssk->label, size);
		src = label;
		break;
	case STT_INFO:
		stt_info_fill(ssk, &info);
		size = sizeof(info);
		break;
	case STT_CONGESTION:
		strscpy(cc, stt_cc_name(stt_congestion(ssk)), sizeof(cc));
		src = cc;
		size = sizeof(cc);
		break;
	case STT_CIPHER:
		val = ssk->suites;
		break;
	case STT_MAX_FRAME:
		val = ssk->max_frame;
		break;
	case STT_NODELAY:
		val = ssk->nodelay;
		break;
	case STT_CORK:
		val = ssk->cork;
		break;
	case STT_PRIORITY:
		val = ssk->priority;
		break;
	case STT_MAX_STREAMS:
		val = READ_ONCE(stt_net(sock_net(sk))->sysctl.max_concurrent_streams);
		if (ssk->max_streams && ssk->max_streams < val)
			val = ssk->max_streams;
		break;
	case STT_RETRANSMIT_TIMEOUT:
		val = ssk->rto_initial_ms;
		break;
	default:
		release_sock(sk);
		return -ENOPROTOOPT;
	}
	release_sock(sk);
	if (src == &info && optname != STT_INFO) {
		src = &val;
		size = sizeof(val);
	}
	len = min(len, size);
	if (put_user(len, optlen) || copy_to_user(optval, src, len))
		return -EFAULT;
	return 0;
}
