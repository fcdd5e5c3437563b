// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The side channel: framed messages over a TCP connection (two blades) or a
 * socketpair (loopback).  Every read has a deadline.  Within a case, each
 * side may send ABORT once when it fails; the other side notices it at its
 * next sync (or while polling a CQ) and stops.  Both sides end every case by
 * exchanging RESULT, skipping whatever else of the case is still in flight.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "conform.h"

#define MSG_MAGIC 0x43564350u	/* "PCVC" */

struct hdr {
	uint32_t magic;
	uint32_t type;
	uint32_t case_no;
	uint32_t step;
	uint32_t len;
};

int write_full(int fd, const void *p, size_t len)
{
	const uint8_t *q = p;

	while (len) {
		ssize_t n = send(fd, q, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		q += n;
		len -= n;
	}
	return 0;
}

int read_full(int fd, void *p, size_t len, int tmo_ms)
{
	uint8_t *q = p;
	uint64_t deadline = now_ms() + tmo_ms;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(deadline - now_ms());
		int r;
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		n = recv(fd, q, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -EPIPE;
		q += n;
		len -= n;
	}
	return 0;
}

int ch_send(struct ctx *c, uint32_t type, uint32_t step, const void *p, uint32_t len)
{
	struct hdr h = { htole32(MSG_MAGIC), htole32(type), htole32(c->case_no),
			 htole32(step), htole32(len) };

	if (write_full(c->fd, &h, sizeof(h)) || (len && write_full(c->fd, p, len))) {
		c->proto_error = true;
		return -1;
	}
	return 0;
}

int ch_recv_raw(struct ctx *c, uint32_t *type, uint32_t *case_no, uint32_t *step,
		void *p, uint32_t cap, uint32_t *len, int tmo_ms)
{
	struct hdr h;
	uint8_t sink[256];
	uint32_t n, keep;
	int r;

	r = read_full(c->fd, &h, sizeof(h), tmo_ms);
	if (r)
		return r;
	if (le32toh(h.magic) != MSG_MAGIC) {
		c->proto_error = true;
		return -EPROTO;
	}
	*type = le32toh(h.type);
	*case_no = le32toh(h.case_no);
	*step = le32toh(h.step);
	n = le32toh(h.len);
	if (n > (1u << 20)) {
		c->proto_error = true;
		return -EPROTO;
	}
	keep = n < cap ? n : cap;
	if (keep && read_full(c->fd, p, keep, 30000)) {
		c->proto_error = true;
		return -EPIPE;
	}
	for (n -= keep; n;) {
		uint32_t k = n < sizeof(sink) ? n : sizeof(sink);

		if (read_full(c->fd, sink, k, 30000)) {
			c->proto_error = true;
			return -EPIPE;
		}
		n -= k;
	}
	if (len)
		*len = keep;
	return 0;
}

static void stash_result(struct ctx *c, const void *p, uint32_t len)
{
	uint32_t st = 0;

	memcpy(&st, p, len >= 4 ? 4 : 0);
	c->have_peer_result = true;
	c->peer_result = len >= 4 ? (int)le32toh(st) : RES_FAIL;
	len = len >= 4 ? len - 4 : 0;
	if (len >= sizeof(c->peer_diag))
		len = sizeof(c->peer_diag) - 1;
	memcpy(c->peer_diag, (const uint8_t *)p + 4, len);
	c->peer_diag[len] = 0;
}

bool ch_expect(struct ctx *c, uint32_t type, uint32_t step, void *p, uint32_t len,
	       uint32_t *got_len, int tmo_ms)
{
	static __thread uint8_t tmp[DIAG_MAX + 64];

	if (c->peer_aborted || c->proto_error || c->have_peer_result)
		return false;
	for (;;) {
		uint32_t t, cn, s, n = 0;
		int r = ch_recv_raw(c, &t, &cn, &s, tmp, sizeof(tmp), &n, tmo_ms);

		if (r == -ETIMEDOUT) {
			fail(c, "side channel: no message %u/%u from the peer in %d ms", type,
			     step, tmo_ms);
			return false;
		}
		if (r) {
			c->proto_error = true;
			fail(c, "side channel broken (%s)", strerror(-r));
			return false;
		}
		if (cn != (uint32_t)c->case_no) {
			c->proto_error = true;
			fail(c, "side channel: message for case %u during case %d", cn, c->case_no);
			return false;
		}
		if (t == MSG_ABORT) {
			c->peer_aborted = true;
			if (c->result == RES_PASS)
				c->result = RES_ABORTED;
			return false;
		}
		if (t == MSG_RESULT) {
			stash_result(c, tmp, n);
			if (c->result == RES_PASS)
				c->result = RES_ABORTED;
			return false;
		}
		if (t == type && s == step) {
			if (p)
				memcpy(p, tmp, n < len ? n : len);
			if (got_len)
				*got_len = n;
			return true;
		}
		c->proto_error = true;
		fail(c, "side channel: got message %u/%u while expecting %u/%u", t, s, type,
		     step);
		return false;
	}
}

/* Non-blocking: has the peer sent ABORT? */
void check_abort(struct ctx *c)
{
	struct hdr h;
	ssize_t n;

	if (c->peer_aborted || c->proto_error)
		return;
	n = recv(c->fd, &h, sizeof(h), MSG_PEEK | MSG_DONTWAIT);
	if (n == (ssize_t)sizeof(h) && le32toh(h.magic) == MSG_MAGIC &&
	    le32toh(h.type) == MSG_ABORT && le32toh(h.len) == 0) {
		if (recv(c->fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h)) {
			c->peer_aborted = true;
			if (c->result == RES_PASS)
				c->result = RES_ABORTED;
		}
	}
}

/* The peer may legitimately be busy in a long wait before it reaches the same
 * step: allow several completion budgets.
 */
static int sync_tmo(struct ctx *c)
{
	return c->tmo_ms * 4 + 30000;
}

bool sync_step(struct ctx *c, uint32_t step)
{
	if (FAILED(c))
		return false;
	if (ch_send(c, MSG_SYNC, step, NULL, 0))
		return fail(c, "side channel send failed");
	return ch_expect(c, MSG_SYNC, step, NULL, 0, NULL, sync_tmo(c));
}

bool xchg(struct ctx *c, uint32_t step, const void *out, void *in, uint32_t len)
{
	uint32_t got = 0;

	if (FAILED(c))
		return false;
	if (ch_send(c, MSG_DATA, step, out, len))
		return fail(c, "side channel send failed");
	if (!ch_expect(c, MSG_DATA, step, in, len, &got, sync_tmo(c)))
		return false;
	if (got != len)
		return fail(c, "side channel: step %u carried %u bytes, expected %u", step, got,
			    len);
	return true;
}

bool send_u64(struct ctx *c, uint32_t step, uint64_t v)
{
	uint64_t le = htole64(v);

	if (FAILED(c))
		return false;
	if (ch_send(c, MSG_DATA, step, &le, sizeof(le)))
		return fail(c, "side channel send failed");
	return true;
}

bool recv_u64(struct ctx *c, uint32_t step, uint64_t *v)
{
	uint64_t le = 0;

	if (FAILED(c))
		return false;
	if (!ch_expect(c, MSG_DATA, step, &le, sizeof(le), NULL, sync_tmo(c)))
		return false;
	*v = le64toh(le);
	return true;
}

/* ---- TCP ------------------------------------------------------------------------ */
int tcp_listen(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

int tcp_accept(int lfd, int tmo_ms)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int one = 1, fd;

	if (poll(&pfd, 1, tmo_ms) <= 0)
		return -1;
	fd = accept(lfd, NULL, NULL);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Connect, retrying while the peer is not listening yet. */
int tcp_connect(const char *host, int port, int tmo_ms)
{
	uint64_t deadline = now_ms() + tmo_ms;
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
	char ps[16];
	int one = 1;

	snprintf(ps, sizeof(ps), "%d", port);
	do {
		if (getaddrinfo(host, ps, &hints, &res) == 0) {
			int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);

			if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
				freeaddrinfo(res);
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				return fd;
			}
			if (fd >= 0)
				close(fd);
			freeaddrinfo(res);
		}
		usleep(200000);
	} while (now_ms() < deadline);
	return -1;
}
