// SPDX-License-Identifier: GPL-2.0
/*
 * Network: each tracked process's sockets, whom they talked to, and how much. At the exit of the
 * syscalls that make, connect, accept, listen on, send on, receive on or close a socket fd, the
 * socket is found through the fd's struct file (file->private_data) and kept per (slot, socket)
 * in sock_stats: protocol, local address, direction, connects and their failures, the times it
 * was opened, established and closed. Its traffic is kept per (slot, socket, remote address) in
 * peer_stats: a connected socket has one peer, read from the kernel's socket; an unconnected
 * datagram socket has one per address it sent to or received from, read from the call's own
 * sockaddr. TCP's state changes come from sock:inet_sock_set_state, which names the socket only:
 * sock_owner leads from it to the entry. Built as part of syscope.bpf.c (files.bpf.c calls in).
 */
#include "tracked.bpf.h"
#include "fds.bpf.h"
#include "keys.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10
#define SOCK_STREAM_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_UDPLITE_ 136
#define EALREADY_ 114
#define EINPROGRESS_ 115
#define EISCONN_ 106
#define TCP_ESTABLISHED_ 1
#define TCP_SYN_SENT_ 2
#define TCP_CLOSE_ 7

/* the socket behind a socket file (the caller checked the file's kind) */
static __always_inline struct sock *sock_of(bool direct, struct file *f)
{
	struct socket *so = (struct socket *)KREAD(direct, f, private_data);
	return KREAD(direct, so, sk);
}

static __always_inline __u8 proto_of(__u16 family, __u16 protocol)
{
	if (family == AF_UNIX_)
		return NET_UNIX;
	if (family != AF_INET_ && family != AF_INET6_)
		return NET_OTHER;
	if (protocol == IPPROTO_TCP_)
		return NET_TCP;
	if (protocol == IPPROTO_UDP_ || protocol == IPPROTO_UDPLITE_)
		return NET_UDP;
	return NET_OTHER;
}

/* ---- addresses ---- */

/* a Unix socket's own bound name into a (none: len 0); the kernel keeps its exact length */
static __always_inline void unix_name(bool direct, struct sock *sk, struct net_addr *a)
{
	if (!sk)
		return;
	struct unix_address *ua = KREAD(direct, (struct unix_sock *)sk, addr);
	if (!ua)
		return;
	__u32 n = KREAD(direct, ua, len);
	if (n <= sizeof(__u16)) /* only sun_family */
		return;
	n -= sizeof(__u16);
	/* at most NET_PATH_MAX, compared on the very register the read is given: the verifier
	 * follows that one, and the compiler would compare a copy */
	asm volatile("if %0 <= %1 goto +1; %0 = %1" : "+r"(n) : "i"(NET_PATH_MAX));
	if (!bpf_core_read(a->path, n, &ua->name[0].sun_path))
		a->len = n;
}

/* the socket's local or remote address, as the kernel holds it */
static __always_inline void sk_addr(bool direct, struct sock *sk, bool remote, struct net_addr *a)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->family = KREAD(direct, sk, __sk_common.skc_family);
	if (a->family == AF_INET_) {
		__u32 ip = remote ? KREAD(direct, sk, __sk_common.skc_daddr)
				  : KREAD(direct, sk, __sk_common.skc_rcv_saddr);
		__builtin_memcpy(a->addr, &ip, sizeof(ip));
	} else if (a->family == AF_INET6_) {
		if (remote)
			bpf_core_read(a->addr, sizeof(a->addr), &sk->__sk_common.skc_v6_daddr);
		else
			bpf_core_read(a->addr, sizeof(a->addr), &sk->__sk_common.skc_v6_rcv_saddr);
	} else if (a->family == AF_UNIX_) {
		unix_name(direct, remote ? KREAD(direct, (struct unix_sock *)sk, peer) : sk, a);
		return;
	} else {
		return;
	}
	a->port = remote ? bpf_ntohs(KREAD(direct, sk, __sk_common.skc_dport))
			 : KREAD(direct, sk, __sk_common.skc_num);
}

/* A sockaddr in user memory (connect's, sendto's, recvfrom's) into a; false when there is none
 * to read. An abstract Unix name's length is the caller's addrlen, which we do not keep: its
 * trailing NULs are taken as padding. */
static __always_inline bool user_addr(const void *u, struct net_addr *a)
{
	struct {
		__u16 family;
		__u16 port; /* network order */
		__u32 v4; /* sockaddr_in; in sockaddr_in6, flowinfo, and the address follows */
	} h;
	if (!u || bpf_probe_read_user(&h, sizeof(h), u))
		return false;
	__builtin_memset(a, 0, sizeof(*a));
	a->family = h.family;
	if (h.family == AF_INET_) {
		__builtin_memcpy(a->addr, &h.v4, sizeof(h.v4));
	} else if (h.family == AF_INET6_) {
		if (bpf_probe_read_user(a->addr, sizeof(a->addr), u + 8))
			return false;
	} else if (h.family == AF_UNIX_) {
		const char *path = u + sizeof(__u16);
		char first = 0;
		bpf_probe_read_user(&first, 1, path);
		if (first) {
			long n = bpf_probe_read_user_str(a->path, NET_PATH_MAX, path);
			if (n <= 1)
				return false;
			a->len = n - 1;
			return true;
		}
		if (bpf_probe_read_user(a->path, NET_PATH_MAX, path))
			return false;
		/* abstract: up to the last non-NUL byte */
		for (int i = NET_PATH_MAX - 1; i > 0; i--) {
			if (a->path[i]) {
				a->len = i + 1;
				break;
			}
		}
		if (!a->len)
			a->len = 1;
		return true;
	} else {
		return false;
	}
	a->port = bpf_ntohs(h.port);
	return true;
}

static __always_inline __u64 addr_hash(const struct net_addr *a)
{
	const __u64 prime = 0x100000001b3ULL;
	__u64 h = 0xcbf29ce484222325ULL;
	h = (h ^ a->family) * prime;
	h = (h ^ a->port) * prime;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->addr[i]) * prime;
	__u32 len = a->len;
	for (int i = 0; i < NET_PATH_MAX; i++) {
		if (i >= len)
			break;
		h = (h ^ (__u8)a->path[i]) * prime;
	}
	return h;
}

/* ---- entries ---- */

/* The process's entry for the socket behind f, made on first sight; NULL when its table is full
 * (counted) or f is no socket. k: its key. */
static __always_inline struct sock_stats *sock_entry(bool direct, __u32 slot, struct file *f,
						     struct sock **skp, struct file_key *k)
{
	if (!f || kind_of(direct, f) != FILE_SOCKET)
		return NULL;
	struct sock *sk = sock_of(direct, f);
	if (!sk)
		return NULL;
	*skp = sk;
	file_key_of(direct, slot, f, k);
	struct sock_stats *s = bpf_map_lookup_elem(&sock_stats, k);
	if (s)
		return s;
	__u32 z = 0;
	struct net_scratch *n = bpf_map_lookup_elem(&net_scratch, &z);
	if (!n)
		return NULL;
	struct sock_stats *v = &n->sock;
	__builtin_memset(v, 0, sizeof(*v));
	v->opened_ns = bpf_ktime_get_ns();
	v->family = KREAD(direct, sk, __sk_common.skc_family);
	v->type = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type);
	v->proto = proto_of(v->family, BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol));
	v->state = KREAD(direct, sk, __sk_common.skc_state);
	stamp(&v->seq, CHANGED_NET);
	sk_addr(direct, sk, false, &v->local);
	sk_addr(direct, sk, true, &v->remote);
	if (!bpf_map_update_elem(&sock_stats, k, v, BPF_NOEXIST)) {
		note_key(KEY_SOCKS, k->slot, k, sizeof(*k));
	} else if (!bpf_map_lookup_elem(&sock_stats, k)) {
		drop(DROP_NET);
		return NULL;
	}
	/* TCP's state changes reach the entry through its struct sock; the last process to
	 * take the socket up gets them (a server's child that handles a connection) */
	if (v->proto == NET_TCP) {
		__u64 key = (__u64)sk;
		if (bpf_map_update_elem(&sock_owner, &key, k, BPF_ANY))
			drop(DROP_NET);
		else
			note_key(KEY_OWNERS, k->slot, &key, sizeof(key));
	}
	return bpf_map_lookup_elem(&sock_stats, k);
}

/* what the kernel says of the socket now: its state, and its local address once it has one */
static __always_inline void refresh(bool direct, struct sock_stats *s, struct sock *sk)
{
	s->state = KREAD(direct, sk, __sk_common.skc_state);
	if (!s->local.port && !s->local.len)
		sk_addr(direct, sk, false, &s->local);
	stamp(&s->seq, CHANGED_NET);
}

/* where a call's bytes went or came from: a datagram socket's call may name its peer */
static __always_inline void call_remote(bool direct, struct sock_stats *s, struct sock *sk,
					__u8 cls, __u64 u, struct net_addr *a)
{
	if (s->type != SOCK_STREAM_ && u) {
		const void *name = (const void *)u;
		/* the msghdr's first field is msg_name */
		if ((cls == DETAIL_SENDMSG || cls == DETAIL_RECVMSG) &&
		    bpf_probe_read_user(&name, sizeof(name), (const void *)u))
			name = NULL;
		if (user_addr(name, a))
			return;
	}
	sk_addr(direct, sk, true, a);
}

/* `calls` sends or receives of ret bytes in all on socket file f, with the peer they went to
 * or came from. u: the call's sockaddr (DETAIL_SENDTO, DETAIL_RECVFROM) or msghdr
 * (DETAIL_SENDMSG, DETAIL_RECVMSG, and one of sendmmsg's) in user memory, 0 for the other
 * classes. */
static __always_inline void net_io_body(bool direct, __u32 slot, struct file *f, __u8 cls, __u64 u,
					bool write, long ret, __u32 calls)
{
	struct sock *sk;
	struct file_key k;
	struct sock_stats *s = sock_entry(direct, slot, f, &sk, &k);
	if (!s)
		return;
	if (!s->direction)
		s->direction = write ? NET_OUT : NET_IN;
	refresh(direct, s, sk);
	if (ret < 0) /* nothing moved, and an unconnected socket's peer is not known */
		return;
	__u32 z = 0;
	struct net_scratch *n = bpf_map_lookup_elem(&net_scratch, &z);
	if (!n)
		return;
	struct peer_stats *v = &n->peer;
	call_remote(direct, s, sk, cls, u, &v->remote);
	struct peer_key pk = { .slot = k.slot, .dev = k.dev, .ino = k.ino };
	pk.hash = addr_hash(&v->remote);
	__u64 now = bpf_ktime_get_ns();
	struct peer_stats *p = bpf_map_lookup_elem(&peer_stats, &pk);
	if (!p) {
		v->sends = v->bytes_sent = v->recvs = v->bytes_received = 0;
		v->first_ns = now;
		v->last_ns = now;
		stamp(&v->seq, CHANGED_NET);
		if (!bpf_map_update_elem(&peer_stats, &pk, v, BPF_NOEXIST)) {
			note_key(KEY_PEERS, pk.slot, &pk, sizeof(pk));
		} else if (!bpf_map_lookup_elem(&peer_stats, &pk)) {
			drop(DROP_NET);
			return;
		}
		p = bpf_map_lookup_elem(&peer_stats, &pk);
		if (!p)
			return;
	}
	if (write) {
		__sync_fetch_and_add(&p->sends, calls);
		__sync_fetch_and_add(&p->bytes_sent, ret);
	} else {
		__sync_fetch_and_add(&p->recvs, calls);
		__sync_fetch_and_add(&p->bytes_received, ret);
	}
	p->last_ns = now;
	stamp(&p->seq, CHANGED_NET);
}

/* net_io_body as a global BPF function (fds.bpf.h, "Verified once"); a BPF function takes five
 * arguments at most: the class, the direction and the count of calls go in one */
#define NET_IO_HOW(cls, write, calls) ((__u64)(cls) | (__u64) !!(write) << 8 | (__u64)(calls) << 32)

__attribute__((noinline)) int net_io_direct(__u32 slot, __u64 f, __u64 u, long ret, __u64 how)
{
	net_io_body(true, slot, (struct file *)f, (__u8)how, u, (how >> 8) & 1, ret, how >> 32);
	return 0;
}

__attribute__((noinline)) int net_io_probe(__u32 slot, __u64 f, __u64 u, long ret, __u64 how)
{
	net_io_body(false, slot, (struct file *)f, (__u8)how, u, (how >> 8) & 1, ret, how >> 32);
	return 0;
}

static __always_inline void net_io(bool direct, __u32 slot, struct file *f, __u8 cls, __u64 u,
				   bool write, long ret, __u32 calls)
{
	if (direct)
		net_io_direct(slot, (__u64)f, u, ret, NET_IO_HOW(cls, write, calls));
	else
		net_io_probe(slot, (__u64)f, u, ret, NET_IO_HOW(cls, write, calls));
}

/* ---- the calls that shape a socket ---- */

/* connect's entry: whether this call starts an attempt (a TCP socket already connecting, or
 * whose asynchronous failure was counted, is asked for its outcome instead); bit 32 of arg[0].
 * CONNECT_TRIED (the counts-only mode's exit): an attempt that TCP's state change counted. */
#define CONNECT_STARTS (1ULL << 32)
#define CONNECT_TRIED (1ULL << 33)

/* connect's socket (NULL: none kept), each call an attempt where TCP's state changes are not
 * seen (another protocol, or the classic tracepoint mode): its later outcome is not seen either,
 * so it counts as made */
static __always_inline struct sock_stats *connect_socket(bool direct, struct task_struct *task,
							 __u32 slot, struct thread_state *t,
							 struct sock **sk)
{
	struct file_key k;
	struct sock_stats *s =
		sock_entry(direct, slot, fd_file(direct, task, (int)t->arg[0]), sk, &k);
	if (s && (s->proto != NET_TCP || !tcp_states_on))
		t->arg[0] |= CONNECT_STARTS;
	return s;
}

static __always_inline void connect_enter(bool direct, struct task_struct *task, __u32 slot,
					  struct thread_state *t)
{
	struct sock *sk;
	struct sock_stats *s = connect_socket(direct, task, slot, t, &sk);
	if (!s || (t->arg[0] & CONNECT_STARTS))
		return;
	if (s->pending == CONNECT_FAILED || KREAD(direct, sk, __sk_common.skc_state) != TCP_CLOSE_)
		return;
	t->arg[0] |= CONNECT_STARTS;
	/* the outcome may come before this call returns (a refusal on loopback is handled in
	 * the call), or after it (EINPROGRESS): inet_sock_set_state then counts a failure */
	s->pending = CONNECT_IN_FLIGHT;
}

static __always_inline void connect_exit(bool direct, struct task_struct *task, __u32 slot,
					 struct thread_state *t, long ret)
{
	struct sock *sk;
	struct file_key k;
	struct sock_stats *s =
		sock_entry(direct, slot, fd_file(direct, task, (int)(__u32)t->arg[0]), &sk, &k);
	if (!s)
		return;
	bool starts = t->arg[0] & CONNECT_STARTS;
	if (s->direction != NET_LISTEN)
		s->direction = NET_OUT;
	if (starts)
		__sync_fetch_and_add(&s->connects, 1);
	if (starts || (t->arg[0] & CONNECT_TRIED)) {
		/* whom it tried; a connected Unix socket's peer has its exact name */
		bool named = false;
		if (!ret && s->family == AF_UNIX_) {
			sk_addr(direct, sk, true, &s->remote);
			named = s->remote.len;
		}
		if (!named && !user_addr((const void *)t->arg[1], &s->remote))
			sk_addr(direct, sk, true, &s->remote);
		if (ret && ret != -EINPROGRESS_ && s->pending != CONNECT_FAILED) {
			__sync_fetch_and_add(&s->connect_errors, 1);
			s->errno_ = -ret;
		}
	}
	/* an asynchronous failure, already counted, is reported by this call too: once */
	if (ret != -EINPROGRESS_)
		s->pending = CONNECT_NONE;
	refresh(direct, s, sk); /* a connect binds the local end */
}

/*
 * connect in the counts-only mode, whose exit sees the socket only after the call: a TCP
 * attempt is counted where its state goes from CLOSE to SYN_SENT (tcp_state), however and
 * whenever the call ends; here, one that failed before that (no route, a bad address), or one
 * on a socket this exit meets first. A call asking for an attempt's outcome (EALREADY, EISCONN,
 * or after EINPROGRESS: 0, or the error already counted) starts none. Other protocols: each call.
 */
static __always_inline void connect_at_exit(bool direct, struct task_struct *task, __u32 slot,
					    struct thread_state *t, long ret)
{
	struct sock *sk;
	stamp_slot(slot);
	struct sock_stats *s = connect_socket(direct, task, slot, t, &sk);
	if (!s)
		return;
	/* TCP with its states (each call of the others is an attempt: connect_socket) */
	bool by_state = !(t->arg[0] & CONNECT_STARTS);
	if (by_state && s->syn_counted) {
		s->syn_counted = 0;
		t->arg[0] |= CONNECT_TRIED;
	} else if (by_state && ret != -EALREADY_ && ret != -EISCONN_ &&
		   s->pending != CONNECT_FAILED &&
		   ((ret < 0 && ret != -EINPROGRESS_) || !s->connects)) {
		t->arg[0] |= CONNECT_STARTS;
		/* a socket first met here, still connecting: its outcome is tcp_state's to count */
		if (ret == -EINPROGRESS_)
			s->pending = CONNECT_IN_FLIGHT;
	}
	connect_exit(direct, task, slot, t, ret);
}

/* accept: the listening socket's count, and the new one's entry */
static __always_inline void accept_exit(bool direct, struct task_struct *task, __u32 slot,
					struct thread_state *t, long ret)
{
	struct sock *sk;
	struct file_key k;
	if (ret < 0)
		return;
	struct sock_stats *s =
		sock_entry(direct, slot, fd_file(direct, task, (int)t->arg[0]), &sk, &k);
	if (s) {
		__sync_fetch_and_add(&s->accepts, 1);
		s->direction = NET_LISTEN;
		stamp(&s->seq, CHANGED_NET);
	}
	s = sock_entry(direct, slot, fd_file(direct, task, ret), &sk, &k);
	if (s) {
		s->direction = NET_IN;
		refresh(direct, s, sk);
	}
}

/* listen and bind: the local address it has now, and for listen its direction */
static __always_inline void bound_exit(bool direct, struct task_struct *task, __u32 slot,
				       struct thread_state *t, bool listen, long ret)
{
	struct sock *sk;
	struct file_key k;
	if (ret)
		return;
	struct sock_stats *s =
		sock_entry(direct, slot, fd_file(direct, task, (int)t->arg[0]), &sk, &k);
	if (!s)
		return;
	if (listen)
		s->direction = NET_LISTEN;
	sk_addr(direct, sk, false, &s->local);
	refresh(direct, s, sk);
}

/* close's entry: a socket file's key when this fd is its last reference (the file is gone by
 * the exit), and the file itself in arg[3] for a slow close's target (latency.bpf.c): its fd is
 * gone by the exit, the file not yet (the last reference's fput runs as the call returns to user
 * space, after the exit hook) */
static __always_inline void close_enter(bool direct, struct task_struct *task,
					struct thread_state *t)
{
	struct file *f = fd_file(direct, task, (int)t->arg[0]);
	t->arg[1] = 0;
	t->arg[3] = (__u64)f;
	if (!f || kind_of(direct, f) != FILE_SOCKET || !last_reference(direct, f))
		return;
	struct file_key k;
	file_key_of(direct, 0, f, &k);
	t->arg[0] = k.dev;
	t->arg[1] = k.ino;
	t->arg[2] = k.name;
}

static __always_inline void close_exit(__u32 slot, struct thread_state *t, long ret)
{
	if (ret || !t->arg[1])
		return;
	struct file_key k = {
		.slot = slot, .dev = t->arg[0], .ino = t->arg[1], .name = (__u32)t->arg[2]
	};
	struct sock_stats *s = bpf_map_lookup_elem(&sock_stats, &k);
	if (!s)
		return;
	if (!s->closed_ns)
		s->closed_ns = bpf_ktime_get_ns();
	s->released = 1;
	/* closed while it was still connecting: EINPROGRESS never completed */
	if (s->pending == CONNECT_IN_FLIGHT) {
		__sync_fetch_and_add(&s->connect_errors, 1);
		s->errno_ = EINPROGRESS_;
		s->pending = CONNECT_FAILED;
	}
	stamp(&s->seq, CHANGED_NET);
}

/* ---- TCP state: sock:inet_sock_set_state ---- */

static __always_inline void tcp_state(struct sock *sk, int newstate)
{
	__u64 key = (__u64)sk;
	struct file_key *k = bpf_map_lookup_elem(&sock_owner, &key);
	if (!k)
		return;
	struct sock_stats *s = bpf_map_lookup_elem(&sock_stats, k);
	if (!s) {
		/* its process is gone, or the helper let its entry go */
		bpf_map_delete_elem(&sock_owner, &key);
		return;
	}
	stamp_slot(k->slot);
	__u64 now = bpf_ktime_get_ns();
	s->state = newstate;
	if (newstate == TCP_SYN_SENT_ && counts_only) {
		/* the counts-only mode's attempt (connect_at_exit): its connect's entry is not seen */
		__sync_fetch_and_add(&s->connects, 1);
		s->pending = CONNECT_IN_FLIGHT;
		s->syn_counted = 1;
	} else if (newstate == TCP_ESTABLISHED_) {
		if (!s->established_ns)
			s->established_ns = now;
		if (s->pending == CONNECT_IN_FLIGHT)
			s->pending = CONNECT_NONE;
	} else if (newstate == TCP_CLOSE_) {
		/* a connect that ends here failed: refused, timed out, or closed before it
		 * completed (no error then: EINPROGRESS never completed) */
		int err = BPF_CORE_READ(sk, sk_err);
		if (s->pending == CONNECT_IN_FLIGHT) {
			__sync_fetch_and_add(&s->connect_errors, 1);
			s->errno_ = err > 0 ? err : EINPROGRESS_;
			s->pending = CONNECT_FAILED;
		} else if (err > 0) {
			/* an established connection's end: reset by the peer, timed out */
			s->close_errno = err;
		}
		if (!s->closed_ns)
			s->closed_ns = now;
		bpf_map_delete_elem(&sock_owner, &key);
	}
	stamp(&s->seq, CHANGED_NET);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(btf_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	tcp_state((struct sock *)sk, newstate);
	return 0;
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(raw_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	tcp_state((struct sock *)sk, newstate);
	return 0;
}
