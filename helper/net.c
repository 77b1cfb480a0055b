// SPDX-License-Identifier: MIT
/*
 * Network, the helper's side: the entries of the kernel's network tables (bpf/net.bpf.c) as
 * `socket` and `peer` lines. detail.c decides when and walks the tables. A socket whose last fd
 * was closed changes no more: once a tick has sent it, it and its peers leave the tables, so a
 * long session's closed connections do not fill them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "detail.h"
#include "loader.h"
#include "messages.h"
#include "output.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

static void one_sock(struct pass *p, const void *key, const void *value)
{
	const struct file_key *k = key;
	const struct sock_stats *v = value;
	uint32_t pid = detail_sent_for(p, k->slot, v->seq);
	if (pid) {
		msg_socket(p->out, p->t->seq, pid, k->dev, k->ino, v, detail_releasing(p));
		out_line(p->out);
	}
	/* a process's last: out; a closed socket, sent at the ticks before: out */
	if (detail_releasing(p) ? detail_released(p, k->slot)
				: !pid && v->released && !stamped_since(v->seq, p->since)) {
		bpf_map_delete_elem(p->fd, k);
		/* and its use as a file (the same key), whose last change came before the close
		 * and went out then: a server's every connection would otherwise keep one there
		 * until file_stats was full */
		if (!detail_releasing(p))
			bpf_map_delete_elem(bpf_map__fd(p->t->ld->skel->maps.file_stats), k);
	}
}

static void one_peer(struct pass *p, const void *key, const void *value)
{
	const struct peer_key *k = key;
	const struct peer_stats *v = value;
	uint32_t pid = detail_sent_for(p, k->slot, v->seq);
	if (pid) {
		msg_peer(p->out, p->t->seq, pid, k, v, detail_releasing(p));
		out_line(p->out);
	}
	if (detail_releasing(p)) {
		if (detail_released(p, k->slot))
			bpf_map_delete_elem(p->fd, k);
		return;
	}
	/* its socket was let go (above, this tick or before) and it was sent: out */
	struct file_key sk = { .slot = k->slot, .dev = k->dev, .ino = k->ino };
	struct sock_stats unused;
	if (!pid && bpf_map_lookup_elem(bpf_map__fd(p->t->ld->skel->maps.sock_stats), &sk, &unused))
		bpf_map_delete_elem(p->fd, k);
}

/* a released slot's TCP sockets: the kernel would find nothing through them */
static void one_owner(struct pass *p, const void *key, const void *value)
{
	const struct file_key *v = value;
	if (detail_released(p, v->slot))
		bpf_map_delete_elem(p->fd, key);
}

/* sockets before their peers: a peer line names its socket */
void net_send(struct pass *p)
{
	static struct file_key sock_keys[DETAIL_BATCH];
	static struct sock_stats socks[DETAIL_BATCH];
	static struct peer_key peer_keys[DETAIL_BATCH];
	static struct peer_stats peers[DETAIL_BATCH];
	static __u64 owner_keys[DETAIL_BATCH];
	static struct file_key owners[DETAIL_BATCH];
	struct syscope_bpf *skel = p->t->ld->skel;

	if (!(p->tables & 1u << CHANGED_NET))
		return;
	p->fd = bpf_map__fd(skel->maps.sock_stats);
	detail_each_entry(p, sock_keys, sizeof(sock_keys[0]), socks, sizeof(socks[0]), one_sock);
	p->fd = bpf_map__fd(skel->maps.peer_stats);
	detail_each_entry(p, peer_keys, sizeof(peer_keys[0]), peers, sizeof(peers[0]), one_peer);
	if (detail_releasing(p)) {
		p->fd = bpf_map__fd(skel->maps.sock_owner);
		detail_each_entry(p, owner_keys, sizeof(owner_keys[0]), owners, sizeof(owners[0]),
				  one_owner);
	}
}

/* as net_send, by key */
void net_send_keys(struct pass *p, const struct new_key *keys, uint32_t n)
{
	static struct sock_stats sock;
	static struct peer_stats peer;
	static struct file_key owner;
	struct syscope_bpf *skel = p->t->ld->skel;

	if (!(p->tables & 1u << CHANGED_NET))
		return;
	p->fd = bpf_map__fd(skel->maps.sock_stats);
	detail_each_key(p, keys, n, KEY_SOCKS, &sock, one_sock);
	p->fd = bpf_map__fd(skel->maps.peer_stats);
	detail_each_key(p, keys, n, KEY_PEERS, &peer, one_peer);
	if (detail_releasing(p)) {
		p->fd = bpf_map__fd(skel->maps.sock_owner);
		detail_each_key(p, keys, n, KEY_OWNERS, &owner, one_owner);
	}
}
