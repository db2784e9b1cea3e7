/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Sockets: fd -> struct sock, addresses out of sock_common and out of user
 * sockaddrs, and the AF_UNIX path. Sits on top of record.h (strings). */
#ifndef __VIGIL_SOCK_H
#define __VIGIL_SOCK_H

#include "path.h"
#include <bpf/bpf_endian.h>

#define VIGIL_AF_UNIX	1
#define VIGIL_AF_INET	2
#define VIGIL_AF_INET6	10
#define VIGIL_S_IFMT	0170000
#define VIGIL_S_IFSOCK	0140000
#define VIGIL_S_IFIFO	0010000
#define VIGIL_SOCK_TYPE_MASK 0xf	/* strips SOCK_NONBLOCK / SOCK_CLOEXEC */
#define UNIX_PATH_BYTES	108		/* sizeof(sockaddr_un.sun_path) */

/* S_IFMT bits of the inode behind f, 0 when there is no file. */
static __always_inline __u32 sock__file_ifmt(struct file *f)
{
	if (!f)
		return 0;
	return BPF_CORE_READ(f, f_inode, i_mode) & VIGIL_S_IFMT;
}

/* The struct sock behind a file, NULL if it is not a socket. */
static __always_inline struct sock *sock__of_file(struct file *f)
{
	struct socket *so;

	if (sock__file_ifmt(f) != VIGIL_S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(so, sk);
}

/* The struct sock behind fd of the current task, NULL if fd is not a socket. */
static __always_inline struct sock *sock__from_fd(int fd)
{
	return sock__of_file(task__fd_file((struct task_struct *)bpf_get_current_task(), fd));
}

/* Family, type, protocol and both ends as the socket knows them now. */
static __always_inline void sock__fill(struct vigil_net_body *b, struct sock *sk)
{
	__u16 family;

	if (!sk)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	b->family = family;
	b->type = BPF_CORE_READ(sk, sk_type);
	b->protocol = BPF_CORE_READ(sk, sk_protocol);
	if (family != VIGIL_AF_INET && family != VIGIL_AF_INET6)
		return;
	b->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	b->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == VIGIL_AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)b->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)b->daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&b->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&b->daddr, sk, __sk_common.skc_v6_daddr);
	}
}

/* Parse a user sockaddr (read at exit) into family, port and address:
 * sockaddr_in keeps the address at +4, sockaddr_in6 at +8, port at +2. */
static __always_inline __u16 sock__user_addr(const void *uaddr, __u16 *port, __u8 addr[16])
{
	__u16 family = 0, nport = 0;

	if (!uaddr || bpf_probe_read_user(&family, sizeof(family), uaddr))
		return 0;
	if (family == VIGIL_AF_INET) {
		bpf_probe_read_user(&nport, sizeof(nport), uaddr + 2);
		bpf_probe_read_user(addr, 4, uaddr + 4);
	} else if (family == VIGIL_AF_INET6) {
		bpf_probe_read_user(&nport, sizeof(nport), uaddr + 2);
		bpf_probe_read_user(addr, 16, uaddr + 8);
	}
	*port = bpf_ntohs(nport);
	return family;
}

/* Append an abstract AF_UNIX name: not NUL-terminated, its length is the
 * address length minus family and the leading NUL. Written "@name", the
 * notation ss(8) uses. user selects the address space of name. */
static __always_inline void rec__str_unix_abstract(struct vigil_rec *r, const void *name, __s64 len, bool user)
{
	__u32 off = r->off & REC_MASK;
	__u32 n;

	if (len <= 0 || rec__room(r, UNIX_PATH_BYTES + 1) < UNIX_PATH_BYTES + 1) {
		rec__str_empty(r);
		return;
	}
	n = len > UNIX_PATH_BYTES - 1 ? UNIX_PATH_BYTES - 1 : len;
	r->s->buf[(off + 2) & REC_MASK] = '@';
	if ((user ? bpf_probe_read_user(&r->s->buf[(off + 3) & REC_MASK], n & 127, name) :
		    bpf_probe_read_kernel(&r->s->buf[(off + 3) & REC_MASK], n & 127, name))) {
		rec__str_empty(r);
		return;
	}
	rec__str_commit(r, n + 1);
}

/* Append sun_path of a user sockaddr_un of addrlen bytes. */
static __always_inline void rec__str_unix_user(struct vigil_rec *r, const void *uaddr, __s64 addrlen)
{
	char c = 0;

	if (!uaddr || bpf_probe_read_user(&c, 1, uaddr + 2)) {
		rec__str_empty(r);
		return;
	}
	if (c)
		rec__str_user(r, uaddr + 2, UNIX_PATH_BYTES);
	else
		rec__str_unix_abstract(r, uaddr + 3, addrlen - 3, true);
}

/* Append the bound path of an AF_UNIX socket (empty when unbound). */
static __always_inline void rec__str_unix_sock(struct vigil_rec *r, struct sock *sk)
{
	struct unix_sock *u = (struct unix_sock *)sk;
	struct unix_address *ua = BPF_CORE_READ(u, addr);
	const char *path;
	char c = 0;

	if (!ua) {
		rec__str_empty(r);
		return;
	}
	path = ua->name[0].sun_path;
	bpf_probe_read_kernel(&c, 1, path);
	if (c)
		rec__str_kernel(r, path, UNIX_PATH_BYTES);
	else
		rec__str_unix_abstract(r, path + 1, (__s64)BPF_CORE_READ(ua, len) - 3, false);
}

#endif /* __VIGIL_SOCK_H */
