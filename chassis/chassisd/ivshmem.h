/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ivshmem-doorbell server (QEMU's ivshmem client/server protocol).
 *
 * One listening UNIX socket per blade (<sock-dir>/bell<B>.sock), so the
 * doorbell peer id of a blade is its slot number.  Peer PCV_HW_MAX_BLADES
 * is the DMA engine: its eventfds are created here, announced to every
 * blade like any other peer's, and read by the daemon.
 */
#ifndef CHASSISD_IVSHMEM_H
#define CHASSISD_IVSHMEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "pcv_chassis_hw.h"

#define BELL_PROTOCOL_VERSION	0

struct bell_client {
	int fd;				/* connected socket, -1 if none */
	int efd[PCV_HW_NR_VECTORS];	/* the blade's own (receive) eventfds,
					 * made at first power-on, kept until shutdown */
	bool told[PCV_HW_MAX_BLADES];	/* this QEMU instance holds peer p's eventfds */
};

struct bell_server {
	unsigned nr_blades;
	int shm_fd;			/* control region memfd */
	int listen_fd[PCV_HW_MAX_BLADES];
	char path[PCV_HW_MAX_BLADES][sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct bell_client cl[PCV_HW_MAX_BLADES];
	int engine_efd[PCV_HW_NR_VECTORS];
};

/* Creates the engine eventfds and binds/listens every bell socket.
 * Returns 0, or -1 after logging why. */
int bell_init(struct bell_server *s, const char *sock_dir, unsigned nr_blades, int shm_fd);
/* Closes everything and unlinks the sockets. */
void bell_shutdown(struct bell_server *s);

static inline bool bell_connected(const struct bell_server *s, unsigned b)
{
	return s->cl[b].fd >= 0;
}

/*
 * Accept a connection on blade b's socket.  Returns the new socket, or -1
 * (nothing to accept, or the connection was refused because blade b is
 * already connected).  The caller then powers the blade on and calls
 * bell_attach().
 */
int bell_accept(struct bell_server *s, unsigned b);

/* Give blade b its socket (and, on its first power-on, its eventfds), send
 * it the setup sequence and announce it to every connected blade that does
 * not hold its eventfds yet.  On failure the blade is left disconnected and
 * -1 is returned. */
int bell_attach(struct bell_server *s, unsigned b, int fd);

/* Read (and discard) what blade b sent.  Returns false on EOF/error: the
 * caller then calls bell_detach(). */
bool bell_client_readable(struct bell_server *s, unsigned b);

/* Close blade b's socket.  Its eventfds stay; nobody is told (QEMU 7.2). */
void bell_detach(struct bell_server *s, unsigned b);

/* Ring vector vec of blade b (no-op if it never powered on). */
void bell_ring(struct bell_server *s, unsigned b, unsigned vec);

/* Consume pending kicks on an engine eventfd. */
void bell_drain(int efd);

#endif /* CHASSISD_IVSHMEM_H */
