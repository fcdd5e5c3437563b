// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Tests of the management Ethernet switch in a real chassisd: fake blades
 * are datagram sockets bound where QEMU's "-netdev dgram" would bind them
 * (<sock-dir>/net<B>.sock), sending to <sock-dir>/netsw.sock.
 *
 * usage: test_netsw /path/to/chassisd
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "tap.h"

#define NB 3

static const char *bin;
static struct sockaddr_un sw_addr;
static int port_fd[NB];

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static const uint8_t MAC[NB][6] = {
	{ 0x52, 0x54, 0x00, 0x00, 0x00, 0x10 },
	{ 0x52, 0x54, 0x00, 0x00, 0x00, 0x11 },
	{ 0x52, 0x54, 0x00, 0x00, 0x00, 0x12 },
};
static const uint8_t UNKNOWN[6] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0xee };

static int bind_dgram(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if ((size_t)snprintf(a.sun_path, sizeof(a.sun_path), "%s", path) >= sizeof(a.sun_path))
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static size_t make_frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, size_t len,
			 uint32_t tag)
{
	size_t i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;		/* local experimental ethertype */
	for (i = 14; i < len; i++)
		buf[i] = (uint8_t)(tag + i);
	if (len >= 18)
		memcpy(buf + 14, &tag, 4);
	return len;
}

static bool send_from(int fd, const uint8_t *frame, size_t len)
{
	return sendto(fd, frame, len, 0, (struct sockaddr *)&sw_addr, sizeof(sw_addr)) ==
	       (ssize_t)len;
}

/* Receive one frame on port p within timeout_ms; returns its length or 0. */
static size_t recv_on(int fd, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pf, 1, timeout_ms) != 1)
		return 0;
	n = recv(fd, buf, cap, MSG_DONTWAIT);
	return n > 0 ? (size_t)n : 0;
}

static void drain_all(void)
{
	uint8_t buf[65536];
	unsigned p;

	for (p = 0; p < NB; p++)
		if (port_fd[p] >= 0)
			while (recv_on(port_fd[p], buf, sizeof(buf), 30))
				;
}

/*
 * Send a frame from port `from`, then check exactly which ports got it
 * (bit mask `want`), byte for byte.
 */
static bool deliver(unsigned from, const uint8_t *dst, const uint8_t *src, size_t len,
		    unsigned want, const char *what)
{
	static uint32_t tag = 1000;
	uint8_t frame[65536], got[65536];
	unsigned p, mask = 0, wrong = 0;
	size_t n;

	make_frame(frame, dst, src, len, ++tag);
	if (!send_from(port_fd[from], frame, len)) {
		tap_diag("%s: send failed: %s", what, strerror(errno));
		return false;
	}
	for (p = 0; p < NB; p++) {
		if (port_fd[p] < 0)
			continue;
		n = recv_on(port_fd[p], got, sizeof(got), (want & (1u << p)) ? 2000 : 60);
		if (n) {
			mask |= 1u << p;
			if (n != len || memcmp(got, frame, len))
				wrong++;
		}
	}
	if (mask != want || wrong)
		tap_diag("%s: delivered to mask %#x (want %#x), %u corrupted", what, mask, want, wrong);
	return mask == want && !wrong;
}

int main(int argc, char **argv)
{
	struct daemon d = { 0 };
	char path[256];
	unsigned p;
	int fd;

	tap_init();
	signal(SIGPIPE, SIG_IGN);
	if (argc != 2) {
		fprintf(stderr, "usage: %s /path/to/chassisd\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	if (!ok(daemon_start(&d, bin, NB, "64K", (const char *const[]){ "--verbose", NULL }) == 0,
		"chassisd starts with %d blades", NB)) {
		harness_cleanup(&d);
		return tap_done();
	}
	sw_addr.sun_family = AF_UNIX;
	snprintf(sw_addr.sun_path, sizeof(sw_addr.sun_path), "%.90s/netsw.sock", d.sock_dir);
	for (p = 0; p < NB; p++) {
		snprintf(path, sizeof(path), "%s/net%u.sock", d.sock_dir, p);
		port_fd[p] = bind_dgram(path);
	}
	ok(port_fd[0] >= 0 && port_fd[1] >= 0 && port_fd[2] >= 0, "fake blade ports bound");

	ok(deliver(0, BCAST, MAC[0], 60, 0x6, "broadcast"),
	   "broadcast from blade 0 reaches blades 1 and 2, not 0");
	ok(deliver(1, MAC[0], MAC[1], 100, 0x1, "unicast to learned"),
	   "unicast from blade 1 to blade 0's (learned) MAC reaches only blade 0");
	ok(deliver(2, MAC[1], MAC[2], 1514, 0x2, "unicast 1514"),
	   "1514-byte unicast from blade 2 to blade 1 reaches only blade 1");
	ok(deliver(0, UNKNOWN, MAC[0], 64, 0x6, "unknown unicast"),
	   "unicast to an unknown MAC floods to every other blade");
	ok(deliver(2, MCAST, MAC[2], 90, 0x3, "multicast"), "multicast floods to every other blade");
	ok(deliver(0, MAC[0], MAC[0], 64, 0x0, "to self"),
	   "a frame for a MAC learned on the sender's own port is not echoed");
	ok(deliver(0, MAC[2], MAC[0], 9014, 0x4, "jumbo"), "9014-byte jumbo frame intact");
	ok(deliver(1, MAC[2], MAC[1], 60000, 0x4, "60000"), "60000-byte frame intact");
	ok(deliver(0, MAC[1], MAC[0], 13, 0x0, "runt"), "runt (13-byte) frame dropped");

	/* MAC moves (e.g. a VM restarted elsewhere) */
	ok(deliver(2, BCAST, MAC[0], 60, 0x3, "move announce") &&
	   deliver(1, MAC[0], MAC[1], 60, 0x4, "after move"),
	   "a MAC seen on another port is re-learned there");
	ok(deliver(0, BCAST, MAC[0], 60, 0x6, "move back") &&
	   deliver(1, MAC[0], MAC[1], 60, 0x1, "after move back"), "... and back");

	/* unknown sender */
	{
		uint8_t frame[64], got[64];

		snprintf(path, sizeof(path), "%s/intruder.sock", d.sock_dir);
		fd = bind_dgram(path);
		make_frame(frame, BCAST, UNKNOWN, sizeof(frame), 1);
		ok(fd >= 0 && send_from(fd, frame, sizeof(frame)) &&
		   !recv_on(port_fd[0], got, sizeof(got), 200) &&
		   !recv_on(port_fd[1], got, sizeof(got), 10) &&
		   !recv_on(port_fd[2], got, sizeof(got), 10),
		   "frames from a socket that is not a blade port are dropped");
		if (fd >= 0)
			close(fd);
		unlink(path);
	}

	/* another spelling of the socket directory */
	{
		char link[240];

		snprintf(link, sizeof(link), "%s/alias", d.dir);
		if (symlink("sock", link) == 0) {
			snprintf(path, sizeof(path), "%.200s/net1.sock", link);
			close(port_fd[1]);
			port_fd[1] = bind_dgram(path);
			ok(port_fd[1] >= 0 && deliver(1, BCAST, MAC[1], 70, 0x5, "alias sender") &&
			   deliver(0, MAC[1], MAC[0], 70, 0x2, "alias receiver"),
			   "a blade bound through a symlinked path is recognised");
		} else {
			ok(0, "symlink: %s", strerror(errno));
		}
	}

	/* burst into a blade that is not reading (kernel queue holds ~10) */
	{
		uint8_t frame[1000], got[1000];
		unsigned i, n = 0, inorder = 1;
		uint32_t t;

		for (i = 0; i < 200; i++) {
			make_frame(frame, MAC[1], MAC[0], sizeof(frame), 50000 + i);
			send_from(port_fd[0], frame, sizeof(frame));
		}
		usleep(100000);
		while (recv_on(port_fd[1], got, sizeof(got), 300) == sizeof(got)) {
			memcpy(&t, got + 14, 4);
			if (t != 50000 + n)
				inorder = 0;
			n++;
		}
		ok(n == 200 && inorder, "burst of 200 frames to a busy blade: all delivered in order "
		   "(%u)", n);
	}

	/* blade 2 goes away: socket closed and file removed (ENOENT) */
	close(port_fd[2]);
	snprintf(path, sizeof(path), "%s/net2.sock", d.sock_dir);
	unlink(path);
	port_fd[2] = -1;
	ok(deliver(0, BCAST, MAC[0], 60, 0x2, "missing port"),
	   "with blade 2's socket gone, broadcasts still reach blade 1");
	ok(deliver(0, MAC[2], MAC[0], 60, 0x0, "to missing"), "unicast to the missing blade is "
	   "dropped quietly");

	/* stale socket file (ECONNREFUSED) */
	fd = bind_dgram(path);
	close(fd);
	ok(deliver(1, BCAST, MAC[1], 60, 0x1, "stale port"),
	   "with a stale socket file for blade 2, broadcasts still reach blade 0");
	port_fd[2] = bind_dgram(path);
	ok(deliver(0, BCAST, MAC[0], 60, 0x6, "port back"), "blade 2 back: reached again");
	drain_all();

	ok(daemon_stop(&d) == 0, "clean exit");
	snprintf(path, sizeof(path), "%s/netsw.sock", d.sock_dir);
	ok(access(path, F_OK) != 0, "netsw.sock unlinked on exit");
	if (tap_failed)
		daemon_dump_log(&d);
	for (p = 0; p < NB; p++)
		if (port_fd[p] >= 0)
			close(port_fd[p]);
	harness_cleanup(&d);
	return tap_done();
}
