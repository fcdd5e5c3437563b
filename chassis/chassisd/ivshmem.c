// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * ivshmem-doorbell server.
 *
 * Wire protocol (server to client only): each message is one 8-byte
 * little-endian signed integer, optionally carrying one file descriptor
 * (SCM_RIGHTS).  On connect: the protocol version (0), the client's peer
 * id, then -1 with the shared-memory fd; then, for every other existing
 * peer, its id once per vector with that vector's eventfd; then the
 * client's own id once per vector with its own eventfds.  Later, a new
 * peer is announced to every client by its id + eventfds.
 *
 * Deliberate deviation: a blade's eventfds live as long as the daemon, and
 * a client is told about each peer at most once.  No departure is ever
 * announced.  QEMU 7.2's ivshmem frees a peer's eventfd array when told the
 * peer left and writes into the freed array when the same id is announced
 * again (hw/misc/ivshmem.c close_peer_eventfds / process_msg_connect): with
 * ids fixed per blade, a blade that reboots would corrupt its peers' QEMU.
 * Keeping the eventfds means a peer's doorbells reach the blade's next life;
 * presence is told by the control region and VEC_EVENT instead.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ivshmem.h"
#include "log.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int send_msg(int sock, int64_t val, int fd)
{
	int64_t le = (int64_t)htole64((uint64_t)val);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	/* Never block on a client that does not read: it is dropped instead. */
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(le) ? 0 : -1;
}

/* Announce peer `id` with its eventfds. */
static int send_peer(int sock, unsigned id, const int *efd)
{
	unsigned v;

	for (v = 0; v < PCV_HW_NR_VECTORS; v++)
		if (send_msg(sock, id, efd[v]) < 0)
			return -1;
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		logmsg("socket path too long: %s", path);
		return -1;
	}
	strcpy(a.sun_path, path);

	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			logmsg("%s exists and is not a socket; not touching it", path);
			return -1;
		}
		/* A stale socket from a dead daemon is replaced; a live one is not. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof(a)) == 0) {
			close(probe);
			logmsg("%s is in use (is another chassisd running?)", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		logmsg("socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		logmsg("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int bell_init(struct bell_server *s, const char *sock_dir, unsigned nr_blades, int shm_fd)
{
	unsigned b, v;

	memset(s, 0, sizeof(*s));
	s->nr_blades = nr_blades;
	s->shm_fd = shm_fd;
	for (b = 0; b < PCV_HW_MAX_BLADES; b++) {
		s->listen_fd[b] = -1;
		s->cl[b].fd = -1;
		for (v = 0; v < PCV_HW_NR_VECTORS; v++)
			s->cl[b].efd[v] = -1;
	}
	for (v = 0; v < PCV_HW_NR_VECTORS; v++)
		s->engine_efd[v] = -1;

	for (v = 0; v < PCV_HW_NR_VECTORS; v++) {
		s->engine_efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->engine_efd[v] < 0) {
			logmsg("eventfd: %s", strerror(errno));
			goto fail;
		}
	}
	for (b = 0; b < nr_blades; b++) {
		int n = snprintf(s->path[b], sizeof(s->path[b]), "%s/bell%u.sock", sock_dir, b);

		if (n < 0 || (size_t)n >= sizeof(s->path[b])) {
			logmsg("socket directory path too long: %s", sock_dir);
			s->path[b][0] = 0;
			goto fail;
		}
		s->listen_fd[b] = listen_on(s->path[b]);
		if (s->listen_fd[b] < 0) {
			s->path[b][0] = 0;	/* not ours: do not unlink */
			goto fail;
		}
	}
	return 0;

fail:
	bell_shutdown(s);
	return -1;
}

void bell_shutdown(struct bell_server *s)
{
	unsigned b, v;

	for (b = 0; b < PCV_HW_MAX_BLADES; b++) {
		close_fd(&s->cl[b].fd);
		for (v = 0; v < PCV_HW_NR_VECTORS; v++)
			close_fd(&s->cl[b].efd[v]);
		if (s->listen_fd[b] >= 0) {
			close_fd(&s->listen_fd[b]);
			if (s->path[b][0])
				unlink(s->path[b]);
		}
	}
	for (v = 0; v < PCV_HW_NR_VECTORS; v++)
		close_fd(&s->engine_efd[v]);
}

int bell_accept(struct bell_server *s, unsigned b)
{
	int fd = accept4(s->listen_fd[b], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			logmsg("blade %u: accept: %s", b, strerror(errno));
		return -1;
	}
	if (bell_connected(s, b)) {
		logmsg("blade %u: refusing a second connection (blade already connected)", b);
		close(fd);
		return -1;
	}
	return fd;
}

static bool bell_has_efds(const struct bell_server *s, unsigned b)
{
	return s->cl[b].efd[0] >= 0;
}

int bell_attach(struct bell_server *s, unsigned b, int fd)
{
	struct bell_client *c = &s->cl[b];
	unsigned p, v;

	c->fd = fd;
	/* A blade's eventfds are made on its first power-on and kept. */
	for (v = 0; v < PCV_HW_NR_VECTORS; v++) {
		if (c->efd[v] >= 0) {
			bell_drain(c->efd[v]);	/* rings for its previous life */
			continue;
		}
		c->efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (c->efd[v] < 0) {
			logmsg("blade %u: eventfd: %s", b, strerror(errno));
			goto fail;
		}
	}
	/* This QEMU is new: it knows nobody yet. */
	for (p = 0; p < PCV_HW_MAX_BLADES; p++)
		c->told[p] = false;

	if (send_msg(fd, BELL_PROTOCOL_VERSION, -1) < 0 ||
	    send_msg(fd, b, -1) < 0 ||
	    send_msg(fd, -1, s->shm_fd) < 0)
		goto fail_io;
	/*
	 * Every peer that has ever been powered on, in id order (its eventfds
	 * reach it whenever it is up), the DMA engine last, then itself.
	 */
	for (p = 0; p < s->nr_blades; p++) {
		if (p == b || !bell_has_efds(s, p))
			continue;
		if (send_peer(fd, p, s->cl[p].efd) < 0)
			goto fail_io;
		c->told[p] = true;
	}
	if (send_peer(fd, PCV_HW_MAX_BLADES, s->engine_efd) < 0 ||
	    send_peer(fd, b, c->efd) < 0)
		goto fail_io;

	/* Tell the others how to ring the newcomer, once per QEMU instance. */
	for (p = 0; p < s->nr_blades; p++) {
		if (p == b || !bell_connected(s, p) || s->cl[p].told[b])
			continue;
		if (send_peer(s->cl[p].fd, b, c->efd) < 0)
			logmsg("blade %u: cannot announce blade %u: %s", p, b, strerror(errno));
		else
			s->cl[p].told[b] = true;
	}
	return 0;

fail_io:
	logmsg("blade %u: setup send failed: %s", b, strerror(errno));
fail:
	close_fd(&c->fd);
	return -1;
}

bool bell_client_readable(struct bell_server *s, unsigned b)
{
	char buf[256];
	unsigned i;
	ssize_t n;

	/* Clients have nothing to say in this protocol; drain and ignore (a
	 * bounded amount per call, so a chattering client cannot starve us). */
	for (i = 0; i < 16; i++) {
		n = recv(s->cl[b].fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0)
			return false;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK;
	}
	return true;
}

void bell_detach(struct bell_server *s, unsigned b)
{
	/* Eventfds stay (see the top of this file); no departure is announced. */
	close_fd(&s->cl[b].fd);
}

void bell_ring(struct bell_server *s, unsigned b, unsigned vec)
{
	uint64_t one = 1;

	if (b >= s->nr_blades || vec >= PCV_HW_NR_VECTORS || s->cl[b].efd[vec] < 0)
		return;
	/* EAGAIN means the counter is saturated: the blade is being rung already. */
	if (write(s->cl[b].efd[vec], &one, sizeof(one)) < 0 && errno != EAGAIN)
		logmsg("blade %u: ring vector %u: %s", b, vec, strerror(errno));
}

void bell_drain(int efd)
{
	uint64_t v;

	/* One read resets the counter; EAGAIN means nothing was pending. */
	if (read(efd, &v, sizeof(v)) < 0) {
		/* nothing pending */
	}
}
