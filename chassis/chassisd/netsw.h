/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Management Ethernet switch.  Blades' virtio-net backends are QEMU
 * "-netdev dgram" sockets bound to <sock-dir>/net<B>.sock that send every
 * frame (one datagram each) to <sock-dir>/netsw.sock.  The switch learns
 * source MACs per port, forwards known unicast to its port, floods unknown
 * unicast, broadcast and multicast to every other port.  It runs on its
 * own thread so a long DMA never delays frames.
 */
#ifndef CHASSISD_NETSW_H
#define CHASSISD_NETSW_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>
#include <time.h>

#include "log.h"
#include "pcv_chassis_hw.h"

#define NETSW_MAC_ENTRIES	256
#define NETSW_MAC_AGE_SEC	300
#define NETSW_PORT_QUEUE	256	/* frames held for a busy receiver */
#define NETSW_MAX_FRAME		65536

struct netsw_frame {
	struct netsw_frame *next;
	size_t len;
	uint8_t data[];
};

struct netsw_port {
	struct sockaddr_un addr;	/* where frames for this blade go */
	socklen_t alen;
	char alias[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];	/* another spelling seen */
	struct netsw_frame *head, *tail;
	unsigned qlen;
	uint64_t rx, tx, dropped;
};

struct netsw_mac {
	uint8_t mac[6];
	uint8_t port;
	bool used;
	time_t seen;
};

struct netsw {
	unsigned nr_ports;
	int fd;
	int stop_fd;
	bool thread_started;
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char real_dir[PATH_MAX];
	struct netsw_port port[PCV_HW_MAX_BLADES];
	struct netsw_mac mac[NETSW_MAC_ENTRIES];
	struct ratelimit rl;
	uint64_t unknown_src, runts;
};

/* Bind <sock-dir>/netsw.sock.  Returns 0, or -1 after logging why. */
int netsw_init(struct netsw *sw, const char *sock_dir, unsigned nr_ports);
/* Start the forwarding thread. */
int netsw_start(struct netsw *sw);
/* Stop the thread (if started), free queues, close and unlink the socket. */
void netsw_stop(struct netsw *sw);

/* Handle one received frame from port `src` (exposed for tests). */
void netsw_forward(struct netsw *sw, unsigned src, const uint8_t *frame, size_t len);
/* Map a sender address to a port, -1 if it is not a blade. */
int netsw_port_of(struct netsw *sw, const struct sockaddr_un *a, socklen_t alen);

#endif /* CHASSISD_NETSW_H */
