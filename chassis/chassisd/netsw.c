// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Management Ethernet switch (learning bridge over UNIX datagram sockets). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netsw.h"

static time_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int netsw_init(struct netsw *sw, const char *sock_dir, unsigned nr_ports)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	unsigned p;
	int n, rcvbuf = 4 << 20;

	memset(sw, 0, sizeof(*sw));
	sw->fd = sw->stop_fd = -1;
	sw->nr_ports = nr_ports;
	sw->rl.burst = 5;
	if (!realpath(sock_dir, sw->real_dir))
		sw->real_dir[0] = 0;

	for (p = 0; p < nr_ports; p++) {
		struct netsw_port *port = &sw->port[p];

		port->addr.sun_family = AF_UNIX;
		n = snprintf(port->addr.sun_path, sizeof(port->addr.sun_path), "%s/net%u.sock",
			     sock_dir, p);
		if (n < 0 || (size_t)n >= sizeof(port->addr.sun_path)) {
			logmsg("socket directory path too long: %s", sock_dir);
			return -1;
		}
		port->alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	n = snprintf(sw->path, sizeof(sw->path), "%s/netsw.sock", sock_dir);
	if (n < 0 || (size_t)n >= sizeof(sw->path)) {
		logmsg("socket directory path too long: %s", sock_dir);
		sw->path[0] = 0;
		return -1;
	}
	strcpy(a.sun_path, sw->path);
	if (lstat(sw->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			logmsg("%s exists and is not a socket; not touching it", sw->path);
			sw->path[0] = 0;
			return -1;
		}
		/* A datagram socket cannot be probed for liveness the way a
		 * listening one can; the bell sockets (bound first) already
		 * proved no other daemon owns this directory. */
		unlink(sw->path);
	}
	sw->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sw->fd < 0) {
		logmsg("socket: %s", strerror(errno));
		sw->path[0] = 0;
		return -1;
	}
	if (bind(sw->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		logmsg("cannot bind %s: %s", sw->path, strerror(errno));
		close(sw->fd);
		sw->fd = -1;
		sw->path[0] = 0;
		return -1;
	}
	setsockopt(sw->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(sw->fd, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof(rcvbuf));
	sw->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sw->stop_fd < 0) {
		logmsg("eventfd: %s", strerror(errno));
		netsw_stop(sw);
		return -1;
	}
	return 0;
}

/* "net<digits>.sock" -> port number, or -1. */
static int parse_port_name(const char *name, unsigned nr_ports)
{
	unsigned long v;
	char *end;

	if (strncmp(name, "net", 3) != 0 || name[3] < '0' || name[3] > '9')
		return -1;
	v = strtoul(name + 3, &end, 10);
	if (strcmp(end, ".sock") != 0 || v >= nr_ports)
		return -1;
	return (int)v;
}

int netsw_port_of(struct netsw *sw, const struct sockaddr_un *a, socklen_t alen)
{
	char path[sizeof(a->sun_path) + 1], dir[PATH_MAX], *slash;
	size_t len;
	unsigned p;
	int port;

	if (alen <= offsetof(struct sockaddr_un, sun_path) || a->sun_family != AF_UNIX)
		return -1;
	len = alen - offsetof(struct sockaddr_un, sun_path);
	if (len > sizeof(a->sun_path))
		len = sizeof(a->sun_path);
	memcpy(path, a->sun_path, len);
	path[len] = 0;		/* the kernel may or may not include the NUL */
	if (!path[0])
		return -1;	/* unnamed or abstract */

	for (p = 0; p < sw->nr_ports; p++)
		if (!strcmp(path, sw->port[p].addr.sun_path) ||
		    (sw->port[p].alias[0] && !strcmp(path, sw->port[p].alias)))
			return (int)p;

	/* Another spelling of the socket directory (symlink, "//", ...). */
	slash = strrchr(path, '/');
	if (!slash || !sw->real_dir[0])
		return -1;
	port = parse_port_name(slash + 1, sw->nr_ports);
	if (port < 0)
		return -1;
	*slash = 0;
	if (!realpath(path[0] ? path : "/", dir) || strcmp(dir, sw->real_dir) != 0)
		return -1;
	*slash = '/';
	snprintf(sw->port[port].alias, sizeof(sw->port[port].alias), "%s", path);
	return port;
}

static void learn(struct netsw *sw, const uint8_t *mac, unsigned port)
{
	struct netsw_mac *free_e = NULL, *oldest = NULL;
	time_t t = now_sec();
	unsigned i;

	for (i = 0; i < NETSW_MAC_ENTRIES; i++) {
		struct netsw_mac *m = &sw->mac[i];

		if (!m->used) {
			if (!free_e)
				free_e = m;
			continue;
		}
		if (!memcmp(m->mac, mac, 6)) {
			if (m->port != port)
				logdbg("netsw: %02x:%02x:%02x:%02x:%02x:%02x moved to blade %u",
				       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], port);
			m->port = (uint8_t)port;
			m->seen = t;
			return;
		}
		if (!oldest || m->seen < oldest->seen)
			oldest = m;
	}
	if (!free_e)
		free_e = oldest;
	memcpy(free_e->mac, mac, 6);
	free_e->port = (uint8_t)port;
	free_e->used = true;
	free_e->seen = t;
	logdbg("netsw: learned %02x:%02x:%02x:%02x:%02x:%02x on blade %u",
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], port);
}

static int lookup(struct netsw *sw, const uint8_t *mac)
{
	time_t t = now_sec();
	unsigned i;

	for (i = 0; i < NETSW_MAC_ENTRIES; i++) {
		struct netsw_mac *m = &sw->mac[i];

		if (m->used && !memcmp(m->mac, mac, 6)) {
			if (t - m->seen > NETSW_MAC_AGE_SEC) {
				m->used = false;
				return -1;
			}
			return m->port;
		}
	}
	return -1;
}

static void drop_queue(struct netsw_port *port)
{
	while (port->head) {
		struct netsw_frame *f = port->head;

		port->head = f->next;
		free(f);
		port->dropped++;
	}
	port->tail = NULL;
	port->qlen = 0;
}

/* 1 sent, 0 receiver busy (retry later), -1 dropped. */
static int try_send(struct netsw *sw, unsigned p, const uint8_t *frame, size_t len)
{
	struct netsw_port *port = &sw->port[p];
	unsigned long supp;
	ssize_t n;

	n = sendto(sw->fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   (struct sockaddr *)&port->addr, port->alen);
	if (n >= 0) {
		port->tx++;
		return 1;
	}
	switch (errno) {
	case EAGAIN:
	case ENOBUFS:
		return 0;
	case ENOENT:		/* blade not running */
	case ECONNREFUSED:	/* stale socket file */
	case ENOTCONN:
		return -1;
	default:
		if (ratelimit_ok(&sw->rl, &supp))
			logmsg("netsw: send to blade %u: %s%s", p, strerror(errno),
			       supp ? " (more suppressed)" : "");
		return -1;
	}
}

static void flush_port(struct netsw *sw, unsigned p)
{
	struct netsw_port *port = &sw->port[p];

	while (port->head) {
		struct netsw_frame *f = port->head;
		int r = try_send(sw, p, f->data, f->len);

		if (r == 0)
			return;
		if (r < 0) {
			drop_queue(port);
			return;
		}
		port->head = f->next;
		if (!port->head)
			port->tail = NULL;
		port->qlen--;
		free(f);
	}
}

static void output(struct netsw *sw, unsigned p, const uint8_t *frame, size_t len)
{
	struct netsw_port *port = &sw->port[p];
	struct netsw_frame *f;
	int r;

	/* Keep order: if frames are queued for this port, queue behind them. */
	if (!port->head) {
		r = try_send(sw, p, frame, len);
		if (r != 0) {
			if (r < 0)
				port->dropped++;
			return;
		}
	}
	if (port->qlen >= NETSW_PORT_QUEUE) {
		port->dropped++;
		return;
	}
	f = malloc(sizeof(*f) + len);
	if (!f) {
		port->dropped++;
		return;
	}
	f->next = NULL;
	f->len = len;
	memcpy(f->data, frame, len);
	if (port->tail)
		port->tail->next = f;
	else
		port->head = f;
	port->tail = f;
	port->qlen++;
}

void netsw_forward(struct netsw *sw, unsigned src, const uint8_t *frame, size_t len)
{
	const uint8_t *dst = frame, *smac = frame + 6;
	unsigned p;
	int out;

	if (src >= sw->nr_ports)
		return;
	if (len < 14) {
		sw->runts++;
		return;
	}
	sw->port[src].rx++;
	if (!(smac[0] & 1))
		learn(sw, smac, src);
	out = (dst[0] & 1) ? -1 : lookup(sw, dst);
	if (out >= 0) {
		if ((unsigned)out != src)
			output(sw, (unsigned)out, frame, len);
		return;
	}
	for (p = 0; p < sw->nr_ports; p++)
		if (p != src)
			output(sw, p, frame, len);
}

static bool queues_pending(const struct netsw *sw)
{
	unsigned p;

	for (p = 0; p < sw->nr_ports; p++)
		if (sw->port[p].head)
			return true;
	return false;
}

static void *netsw_thread(void *arg)
{
	struct netsw *sw = arg;
	static uint8_t buf[NETSW_MAX_FRAME];
	unsigned p;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = sw->fd, .events = POLLIN },
			{ .fd = sw->stop_fd, .events = POLLIN },
		};
		int i;

		/* Busy receivers: retry their queues every millisecond. */
		if (poll(pfd, 2, queues_pending(sw) ? 1 : -1) < 0 && errno != EINTR) {
			logmsg("netsw: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		for (p = 0; p < sw->nr_ports; p++)
			if (sw->port[p].head)
				flush_port(sw, p);
		for (i = 0; i < 64; i++) {
			struct sockaddr_un a;
			socklen_t alen = sizeof(a);
			ssize_t n;
			int port;

			n = recvfrom(sw->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&a,
				     &alen);
			if (n < 0)
				break;
			port = netsw_port_of(sw, &a, alen);
			if (port < 0) {
				unsigned long supp;

				sw->unknown_src++;
				if (log_verbose && ratelimit_ok(&sw->rl, &supp))
					logmsg("netsw: dropping a frame from an unknown sender");
				continue;
			}
			netsw_forward(sw, (unsigned)port, buf, (size_t)n);
		}
	}
	return NULL;
}

int netsw_start(struct netsw *sw)
{
	int err = pthread_create(&sw->thread, NULL, netsw_thread, sw);

	if (err) {
		logmsg("netsw: cannot start thread: %s", strerror(err));
		return -1;
	}
	sw->thread_started = true;
	return 0;
}

void netsw_stop(struct netsw *sw)
{
	unsigned p;

	if (sw->thread_started) {
		uint64_t one = 1;

		if (write(sw->stop_fd, &one, sizeof(one)) < 0)
			logmsg("netsw: cannot stop thread: %s", strerror(errno));
		pthread_join(sw->thread, NULL);
		sw->thread_started = false;
	}
	for (p = 0; p < PCV_HW_MAX_BLADES; p++)
		drop_queue(&sw->port[p]);
	if (sw->stop_fd >= 0)
		close(sw->stop_fd);
	if (sw->fd >= 0)
		close(sw->fd);
	if (sw->path[0])
		unlink(sw->path);
	sw->fd = sw->stop_fd = -1;
	sw->path[0] = 0;
}
