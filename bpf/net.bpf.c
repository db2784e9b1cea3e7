// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Network: connect, accept, bind, listen, socket, and TCP state changes.
 * Every record carries exactly one string: the AF_UNIX path, or empty. */
#include "lib/syscall.h"
#include "lib/sock.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define VIGIL_IPPROTO_TCP	6
#define THREAD_BYTES		(16 * 1024)	/* x86_64 THREAD_SIZE without KASAN */

/* Start a net record with every body field zeroed. */
static __always_inline struct vigil_net_body *net__begin(struct vigil_rec *r, __u16 type, __s32 ret, __s32 fd)
{
	struct vigil_net_body *b = rec__begin(r, type, sizeof(*b));

	if (!b)
		return NULL;
	__builtin_memset(b, 0, sizeof(*b));
	b->ret = ret;
	b->fd = fd;
	return b;
}

/* The address the caller passed (connect's peer, bind's local end) into
 * port/addr, its family over the socket's, and its AF_UNIX path as the
 * record's one string. */
static __always_inline void net__user_addr(struct vigil_rec *r, struct vigil_net_body *b, const void *uaddr,
					   __s32 len, __u16 *port, __u8 *addr)
{
	__u16 family = sock__user_addr(uaddr, port, addr);

	if (family)
		b->family = family;
	if (family == VIGIL_AF_UNIX)
		rec__str_unix_user(r, uaddr, len);
	else
		rec__str_empty(r);
}

/* The socket's own AF_UNIX path as the record's one string, else empty. */
static __always_inline void net__sock_path(struct vigil_rec *r, struct vigil_net_body *b, struct sock *sk)
{
	if (sk && b->family == VIGIL_AF_UNIX)
		rec__str_unix_sock(r, sk);
	else
		rec__str_empty(r);
}

/* Default profile: sockets with a non-blocking connect() in flight. Their
 * SYN_SENT -> ESTABLISHED/CLOSE is the only report of how the connect
 * ended; a blocking connect's result is already in its connect event. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);	/* struct sock * */
	__type(value, __u8);
} nb_connects SEC(".maps");

#define O_NONBLOCK_	04000
#define EINPROGRESS_	115

/* Marked at enter, so a handshake that completes before sys_exit still counts. */
SEC("tp/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct file *f;
	__u64 sk;
	__u8 one = 1;

	if (capture_all)
		return 0;
	f = task__fd_file_btf(bpf_get_current_task_btf(), (int)ctx->args[0]);
	if (!f || !(f->f_flags & O_NONBLOCK_))
		return 0;
	sk = (__u64)sock__of_file(f);
	if (sk)
		bpf_map_update_elem(&nb_connects, &sk, &one, BPF_ANY);
	return 0;
}

/* connect(fd, uaddr, len): every outcome, including EINPROGRESS. The
 * destination is what the caller asked for; the source is what the
 * kernel picked (zero until it did). */
SEC("tp/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	const void *uaddr;
	struct vigil_net_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	struct sock *sk;

	if (syscall__args(ctx, &a))
		return 0;
	b = net__begin(&r, VIGIL_EV_CONNECT, ctx->ret, (__s32)a.a[0]);
	if (!b)
		return 0;
	uaddr = (const void *)a.a[1];
	sk = sock__from_fd(b->fd);
	if (!capture_all && ctx->ret != -EINPROGRESS_ && sk) {
		__u64 key = (__u64)sk;

		bpf_map_delete_elem(&nb_connects, &key); /* settled in the syscall */
	}
	sock__fill(b, sk);
	__builtin_memset(b->daddr, 0, sizeof(b->daddr));
	b->dport = 0;
	net__user_addr(&r, b, uaddr, (__s32)a.a[2], &b->dport, b->daddr);
	return rec__submit(&r);
}

/* accept/accept4: successes only (EAGAIN on non-blocking listeners would
 * flood). Both ends come from the new socket. */
static __always_inline int accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_net_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	struct sock *sk;

	if (syscall__args(ctx, &a))
		return 0;
	if (ctx->ret < 0) {
		stats__add(VIGIL_STAT_FILTERED, 1);
		return 0;
	}
	b = net__begin(&r, VIGIL_EV_ACCEPT, ctx->ret, ctx->ret);
	if (!b)
		return 0;
	sk = sock__from_fd(b->fd);
	sock__fill(b, sk);
	net__sock_path(&r, b, sk);
	return rec__submit(&r);
}

SEC("tp/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx);
}

SEC("tp/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx);
}

/* bind(fd, uaddr, len): the local address as requested. */
SEC("tp/syscalls/sys_exit_bind")
int exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	const void *uaddr;
	struct vigil_net_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = net__begin(&r, VIGIL_EV_BIND, ctx->ret, (__s32)a.a[0]);
	if (!b)
		return 0;
	uaddr = (const void *)a.a[1];
	sock__fill(b, sock__from_fd(b->fd));
	__builtin_memset(b->saddr, 0, sizeof(b->saddr));
	__builtin_memset(b->daddr, 0, sizeof(b->daddr));
	b->dport = 0;
	b->sport = 0;
	net__user_addr(&r, b, uaddr, (__s32)a.a[2], &b->sport, b->saddr);
	return rec__submit(&r);
}

/* listen(fd, backlog): local address from the socket. */
SEC("tp/syscalls/sys_exit_listen")
int exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_net_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	struct sock *sk;

	if (syscall__args(ctx, &a))
		return 0;
	b = net__begin(&r, VIGIL_EV_LISTEN, ctx->ret, (__s32)a.a[0]);
	if (!b)
		return 0;
	b->backlog = (__u32)a.a[1];
	sk = sock__from_fd(b->fd);
	sock__fill(b, sk);
	net__sock_path(&r, b, sk);
	return rec__submit(&r);
}

/* Default profile: socket() of the everyday families ships nothing that
 * connect/bind/accept do not; raw and packet sockets always ship. */
static __always_inline bool socket__skip(__u16 family, __u16 type)
{
	if (capture_all || type == 3 /* SOCK_RAW */ || type == 10 /* SOCK_PACKET */)
		return false;
	if (family == VIGIL_AF_UNIX || family == VIGIL_AF_INET || family == VIGIL_AF_INET6 ||
	    family == 16 /* AF_NETLINK */) {
		stats__add(VIGIL_STAT_FILTERED, 1);
		return true;
	}
	return false;
}

/* socket(family, type, protocol): ret is the new fd. */
SEC("tp/syscalls/sys_exit_socket")
int exit_socket(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_net_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	if (socket__skip((__u16)a.a[0], (__u16)(a.a[1] & VIGIL_SOCK_TYPE_MASK)))
		return 0;
	b = net__begin(&r, VIGIL_EV_SOCKET, ctx->ret, ctx->ret);
	if (!b)
		return 0;
	b->family = (__u16)a.a[0];
	b->type = (__u16)(a.a[1] & VIGIL_SOCK_TYPE_MASK);
	b->protocol = (__u16)a.a[2];
	rec__str_empty(&r);
	return rec__submit(&r);
}

/* Transitions only a syscall makes (connect, listen, close, shutdown):
 * the current task is the socket's user. Every other transition is
 * driven by a packet or a timer, i.e. softirq, whatever task it
 * interrupted. TCP_*: 1 ESTABLISHED, 2 SYN_SENT, 4 FIN_WAIT1, 7 CLOSE,
 * 8 CLOSE_WAIT, 9 LAST_ACK, 10 LISTEN. */
static __always_inline bool tcp__by_syscall(int old, int new)
{
	if (new == 2 || new == 10 || new == 4 || new == 9)
		return true;
	/* close(): of a listener, mid-connect, or an abort with an RST */
	return new == 7 && (old == 10 || old == 2 || old == 1 || old == 8);
}

/* True when `current` is a bystander: the idle task, or a task whose own
 * stack we are not on (x86_64 runs softirqs and hardirqs that interrupt
 * the kernel on the per-CPU IRQ stack, and a BPF frame lives on the native
 * stack). Softirqs interrupting user mode run on the task stack, hence
 * tcp__by_syscall() as well. (in_interrupt() via the __preempt_count ksym
 * would be exact but needs CONFIG_KALLSYMS_ALL, which this kernel lacks.) */
static __always_inline bool tcp__no_task_ctx(int old, int new)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long stack = (unsigned long)BPF_CORE_READ(task, stack);
	volatile __u64 marker = 0;
	unsigned long sp = (unsigned long)&marker;

	if ((bpf_get_current_pid_tgid() >> 32) == 0 || !tcp__by_syscall(old, new))
		return true;
	return sp < stack || sp >= stack + THREAD_BYTES;
}

/* Default profile: how a non-blocking connect ended (SYN_SENT ->
 * ESTABLISHED or CLOSE). The passive side's ESTABLISHED repeats accept(),
 * a blocking connect's repeats its connect event, and the eight teardown
 * transitions of a short connection repeat close(). */
static __always_inline bool tcp__skip(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;

	if (capture_all)
		return false;
	if (ctx->oldstate == 2 /* SYN_SENT */ && bpf_map_lookup_elem(&nb_connects, &sk)) {
		bpf_map_delete_elem(&nb_connects, &sk);
		return false;
	}
	stats__add(VIGIL_STAT_FILTERED, 1);
	return true;
}

/* TCP state machine, IPv4 and IPv6. Often fires in softirq. */
SEC("tp/sock/inet_sock_set_state")
int handle_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct vigil_net_body *b;
	struct vigil_rec r;
	bool no_task;

	if (ctx->protocol != VIGIL_IPPROTO_TCP || tcp__skip(ctx))
		return 0;
	no_task = tcp__no_task_ctx(ctx->oldstate, ctx->newstate);
	if (!no_task && filter__is_self())
		return 0;
	b = net__begin(&r, VIGIL_EV_TCP_STATE, 0, -1);
	if (!b)
		return 0;
	b->family = ctx->family;
	b->type = 1; /* SOCK_STREAM */
	b->protocol = ctx->protocol;
	b->sport = ctx->sport;
	b->dport = ctx->dport;
	b->old_state = ctx->oldstate;
	b->new_state = ctx->newstate;
	if (ctx->family == VIGIL_AF_INET6) {
		/* ctx may only be loaded at constant offsets: copy by helper. */
		bpf_probe_read_kernel(b->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(b->daddr, 16, ctx->daddr_v6);
	} else {
		bpf_probe_read_kernel(b->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(b->daddr, 4, ctx->daddr);
	}
	if (no_task)
		rec__flag(&r, VIGIL_F_NO_TASK_CTX);
	rec__str_empty(&r);
	return rec__submit(&r);
}
