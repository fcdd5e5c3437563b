// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * chassisd: the pcieverbs emulated chassis daemon.
 *
 * It plays the chassis hardware for QEMU blades: the doorbell (ivshmem)
 * server with the control region, blade presence, the agent DMA engine of
 * every blade, and the management Ethernet switch.
 *
 * Threads: the main thread runs the doorbell server and the DMA engine in
 * one poll loop (so presence changes never race with a descriptor in
 * flight); the switch has its own thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctrl.h"
#include "dma_engine.h"
#include "hwio.h"
#include "ivshmem.h"
#include "log.h"
#include "netsw.h"
#include "ram.h"

#define CHASSISD_NICE	(-10)	/* see main() */

/*
 * Default 0 (no spinning), measured on the 2-core KVM build machine with two
 * TCG blades, one posting 8-byte WRITE_IMMs back to back and spinning on the
 * status, the other burning CPU:
 *   spin 0:  median 8 us, p90 10-17 us, daemon ~1.7 s CPU per 300k ops
 *   spin 10: median 18 us, p90 18-28 us, ~3.5 s CPU
 *   spin 50: median 2.2 us, but p90 ~59 us, p99 0.7-1 ms, ~5 s CPU
 * The two vCPUs of that machine effectively share one core's worth of CPU:
 * while the daemon spins the blade often does not run at all, so spinning
 * only pays with a spare core (idle second blade: spin 50 gave 1.7 us
 * median vs 4.5 us).
 */
#define DEFAULT_SPIN_US		0
#define MAX_SPIN_US		1000000
#define MIN_RAM_SIZE		(64ULL << 10)
#define MAX_RAM_SIZE		(2ULL << 30)	/* file offset == guest physical below the PCI hole */

struct chassis {
	unsigned nr_blades;
	uint64_t ram_size;
	const char *ram_dir, *sock_dir;
	unsigned vmaj, vmin;
	unsigned spin_us;

	struct pcv_ctrl ctrl;
	struct pcv_ram ram;
	struct bell_server bell;
	struct netsw sw;
	struct pcv_dma_engine dma;
	int sig_fd;
	struct ratelimit err_rl[PCV_HW_MAX_BLADES];
};

/* ---------------------------------------------------------------------- */
/* Engine callbacks.                                                       */

static void on_irq(void *arg, unsigned b)
{
	struct chassis *c = arg;

	bell_ring(&c->bell, b, PCV_HW_VEC_DMA);
}

static void on_desc_error(void *arg, unsigned b, uint32_t index,
			  const struct pcv_hw_dma_desc *d, uint32_t status)
{
	struct chassis *c = arg;
	unsigned long supp;

	if (!ratelimit_ok(&c->err_rl[b], &supp))
		return;
	if (supp)
		logmsg("blade %u: %lu DMA error messages suppressed", b, supp);
	logmsg("blade %u: DMA descriptor %u failed with %s (0x%04x): op %u flags 0x%x len %u "
	       "src %u:0x%llx dst %u:0x%llx", b, index, pcv_dma_status_name(status), status,
	       le16toh(d->opcode), le16toh(d->flags), le32toh(d->len), d->src_blade,
	       (unsigned long long)le64toh(d->src_addr), d->dst_blade,
	       (unsigned long long)le64toh(d->dst_addr));
}

static void on_ring_error(void *arg, unsigned b, uint32_t sts, const char *why)
{
	struct chassis *c = arg;
	unsigned long supp;

	if (!ratelimit_ok(&c->err_rl[b], &supp))
		return;
	if (supp)
		logmsg("blade %u: %lu DMA error messages suppressed", b, supp);
	logmsg("blade %u: DMA ring stopped, %s: %s", b,
	       sts == PCV_HW_DMA_STS_ERR_CONFIG ? "ERR_CONFIG" : "ERR_INDEX", why);
}

static void on_ring_state(void *arg, unsigned b, const struct pcv_dma_ring *ring)
{
	(void)arg;
	if (ring->state == PCV_DMA_RING_RUNNING)
		logdbg("blade %u: DMA ring latched: base 0x%llx, %u descriptors, wb 0x%llx, "
		       "config_gen %u", b, (unsigned long long)ring->base, ring->size,
		       (unsigned long long)ring->wb, ring->latched_gen);
	else
		logdbg("blade %u: DMA ring disabled", b);
}

static const struct pcv_dma_ops engine_ops = {
	.irq = on_irq,
	.desc_error = on_desc_error,
	.ring_error = on_ring_error,
	.ring_state = on_ring_state,
};

/* ---------------------------------------------------------------------- */
/* Presence.                                                               */

static void ring_event_others(struct chassis *c, unsigned b)
{
	unsigned p;

	for (p = 0; p < c->nr_blades; p++)
		if (p != b && bell_connected(&c->bell, p))
			bell_ring(&c->bell, p, PCV_HW_VEC_EVENT);
}

static void blade_connect(struct chassis *c, unsigned b, int fd)
{
	uint32_t gen = ctrl_power_on(&c->ctrl, b);

	pcv_dma_set_present(&c->dma, b, true);
	if (bell_attach(&c->bell, b, fd) < 0) {
		/* Never announced to anybody: just power it off again. */
		ctrl_power_off(&c->ctrl, b);
		pcv_dma_set_present(&c->dma, b, false);
		logmsg("blade %u: connection failed during setup", b);
		return;
	}
	logmsg("blade %u connected (generation %u)", b, gen);
	ring_event_others(c, b);
}

static void blade_disconnect(struct chassis *c, unsigned b)
{
	ctrl_power_off(&c->ctrl, b);
	pcv_dma_set_present(&c->dma, b, false);
	bell_detach(&c->bell, b);
	ram_zero(&c->ram, b);
	logmsg("blade %u disconnected", b);
	ring_event_others(c, b);
}

/* ---------------------------------------------------------------------- */
/* Main loop.                                                              */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool any_ring_running(const struct chassis *c)
{
	unsigned b;

	for (b = 0; b < c->nr_blades; b++)
		if (c->dma.present[b] && c->dma.ring[b].state == PCV_DMA_RING_RUNNING)
			return true;
	return false;
}

/*
 * Adaptive polling: after the last piece of work, watch the producer
 * indices for a little while before going to sleep, so a blade that posts
 * again soon is served without a wake-up.  Returns true if work showed up.
 *
 * No PAUSE in the loop: on the KVM build machine PAUSE-based spinning was
 * no better (pause-loop exits let the host deschedule the vCPU).  Off by
 * default: see DEFAULT_SPIN_US for why.
 */
static bool spin_for_work(struct chassis *c)
{
	uint64_t deadline;

	if (!c->spin_us || !any_ring_running(c))
		return false;
	deadline = now_ns() + (uint64_t)c->spin_us * 1000;
	do {
		if (pcv_dma_has_work(&c->dma))
			return true;
	} while (now_ns() < deadline);
	/* one last look: the thread may have been descheduled past the deadline */
	return pcv_dma_has_work(&c->dma);
}

enum { PFD_SIG, PFD_ENGINE, PFD_LISTEN = PFD_ENGINE + PCV_HW_NR_VECTORS,
       PFD_CLIENT = PFD_LISTEN + PCV_HW_MAX_BLADES, PFD_MAX = PFD_CLIENT + PCV_HW_MAX_BLADES };

static int run(struct chassis *c)
{
	struct pollfd pfd[PFD_MAX];
	unsigned b, v;

	for (;;) {
		bool more = pcv_dma_run(&c->dma);
		int timeout = -1;

		if (more || spin_for_work(c))
			timeout = 0;

		pfd[PFD_SIG] = (struct pollfd){ .fd = c->sig_fd, .events = POLLIN };
		for (v = 0; v < PCV_HW_NR_VECTORS; v++)
			pfd[PFD_ENGINE + v] = (struct pollfd){ .fd = c->bell.engine_efd[v],
							       .events = POLLIN };
		for (b = 0; b < PCV_HW_MAX_BLADES; b++) {
			pfd[PFD_LISTEN + b] = (struct pollfd){ .fd = c->bell.listen_fd[b],
							       .events = POLLIN };
			pfd[PFD_CLIENT + b] = (struct pollfd){ .fd = c->bell.cl[b].fd,
							       .events = POLLIN };
		}
		if (poll(pfd, PFD_MAX, timeout) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			return 1;
		}

		if (pfd[PFD_SIG].revents) {
			struct signalfd_siginfo si;

			if (read(c->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				logmsg("exiting on %s", strsignal((int)si.ssi_signo));
				return 0;
			}
		}
		/* Kicks first: the descriptors they announce are run at the top. */
		for (v = 0; v < PCV_HW_NR_VECTORS; v++)
			if (pfd[PFD_ENGINE + v].revents)
				bell_drain(c->bell.engine_efd[v]);
		for (b = 0; b < c->nr_blades; b++)
			if (pfd[PFD_CLIENT + b].revents && bell_connected(&c->bell, b) &&
			    !bell_client_readable(&c->bell, b))
				blade_disconnect(c, b);
		for (b = 0; b < c->nr_blades; b++) {
			if (pfd[PFD_LISTEN + b].revents) {
				int fd = bell_accept(&c->bell, b);

				if (fd >= 0)
					blade_connect(c, b, fd);
			}
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Command line.                                                           */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chassisd --blades N --ram-size BYTES --ram-dir DIR --sock-dir DIR\n"
		"                [--ctrl-version MAJ.MIN] [--dma-spin-us N] [--verbose]\n"
		"\n"
		"  --blades N              blades in the chassis, 1..%d\n"
		"  --ram-size BYTES        RAM per blade; power of two, %lluK..%lluG;\n"
		"                          suffixes K, M, G (binary) accepted\n"
		"  --ram-dir DIR           where blade<B>.ram live (created if missing)\n"
		"  --sock-dir DIR          where bell<B>.sock and netsw.sock are created\n"
		"  --ctrl-version MAJ.MIN  control region version to advertise (default %d.%d)\n"
		"  --dma-spin-us N         poll for DMA work N us after the last work before\n"
		"                          sleeping (default %d, 0 = never spin)\n"
		"  --verbose               log ring changes and switch learning\n",
		PCV_HW_MAX_BLADES, MIN_RAM_SIZE >> 10, MAX_RAM_SIZE >> 30,
		PCV_HW_CTRL_VERSION_MAJOR, PCV_HW_CTRL_VERSION_MINOR, DEFAULT_SPIN_US);
}

static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "chassisd: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see chassisd --help)\n");
	exit(2);
}

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static bool parse_u64(const char *s, uint64_t *out, char **end)
{
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno)
		return false;
	*out = v;
	return true;
}

static unsigned parse_uint(const char *s, const char *what, uint64_t min, uint64_t max)
{
	uint64_t v;
	char *end;

	if (!parse_u64(s, &v, &end) || *end || v < min || v > max) {
		fprintf(stderr, "chassisd: invalid %s '%s': expected an integer %llu..%llu\n",
			what, s, (unsigned long long)min, (unsigned long long)max);
		exit(2);
	}
	return (unsigned)v;
}

static uint64_t parse_size(const char *s)
{
	uint64_t v, mult = 1;
	char *end;

	if (!parse_u64(s, &v, &end))
		die_usage("invalid --ram-size '%s': expected a number of bytes", s);
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mult = 1ULL << 10; break;
		case 'm': case 'M': mult = 1ULL << 20; break;
		case 'g': case 'G': mult = 1ULL << 30; break;
		default:
			die_usage("invalid --ram-size '%s': bad suffix (K, M or G)", s);
		}
		if (end[1])
			die_usage("invalid --ram-size '%s': trailing characters", s);
	}
	if (v > MAX_RAM_SIZE / mult)
		die_usage("invalid --ram-size '%s': at most 2G", s);
	v *= mult;
	if (v < MIN_RAM_SIZE || v > MAX_RAM_SIZE)
		die_usage("invalid --ram-size '%s': must be 64K..2G", s);
	if (v & (v - 1))
		die_usage("invalid --ram-size '%s': must be a power of two (it is a PCI BAR)", s);
	return v;
}

static void parse_version(const char *s, unsigned *maj, unsigned *min)
{
	uint64_t a, b;
	char *end;

	if (!parse_u64(s, &a, &end) || *end != '.' || a > 0xffff ||
	    !parse_u64(end + 1, &b, &end) || *end || b > 0xffff)
		die_usage("invalid --ctrl-version '%s': expected MAJ.MIN, each 0..65535", s);
	*maj = (unsigned)a;
	*min = (unsigned)b;
}

static void check_dir(const char *opt, const char *dir)
{
	struct stat st;

	if (!*dir)
		die_usage("%s: empty path", opt);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "chassisd: %s %s: not a directory\n", opt, dir);
		exit(2);
	}
	if (access(dir, W_OK | X_OK) < 0) {
		fprintf(stderr, "chassisd: %s %s: not writable\n", opt, dir);
		exit(2);
	}
}

static void parse_args(struct chassis *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "blades", required_argument, NULL, 'n' },
		{ "ram-size", required_argument, NULL, 's' },
		{ "ram-dir", required_argument, NULL, 'r' },
		{ "sock-dir", required_argument, NULL, 'd' },
		{ "ctrl-version", required_argument, NULL, 'V' },
		{ "dma-spin-us", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	c->vmaj = PCV_HW_CTRL_VERSION_MAJOR;
	c->vmin = PCV_HW_CTRL_VERSION_MINOR;
	c->spin_us = DEFAULT_SPIN_US;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case 'n': c->nr_blades = parse_uint(optarg, "--blades", 1, PCV_HW_MAX_BLADES); break;
		case 's': c->ram_size = parse_size(optarg); break;
		case 'r': c->ram_dir = optarg; break;
		case 'd': c->sock_dir = optarg; break;
		case 'V': parse_version(optarg, &c->vmaj, &c->vmin); break;
		case 'p': c->spin_us = parse_uint(optarg, "--dma-spin-us", 0, MAX_SPIN_US); break;
		case 'v': log_verbose = true; break;
		case 'h': usage(stdout); exit(0);
		case ':':
			die_usage("option %s needs an argument", argv[optind - 1]);
			break;
		default:
			die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!c->nr_blades)
		die_usage("%s", "--blades is required");
	if (!c->ram_size)
		die_usage("%s", "--ram-size is required");
	if (!c->ram_dir)
		die_usage("%s", "--ram-dir is required");
	if (!c->sock_dir)
		die_usage("%s", "--sock-dir is required");
	check_dir("--ram-dir", c->ram_dir);
	check_dir("--sock-dir", c->sock_dir);
	if (strlen(c->sock_dir) + sizeof("/netsw.sock") > sizeof(((struct sockaddr_un *)0)->sun_path))
		die_usage("--sock-dir '%s' is too long for a UNIX socket path", c->sock_dir);
}

int main(int argc, char **argv)
{
	static struct chassis chassis;
	struct chassis *c = &chassis;
	sigset_t sigs;
	unsigned b;
	int rc = 1, err;

	c->sig_fd = -1;
	parse_args(c, argc, argv);
	for (b = 0; b < PCV_HW_MAX_BLADES; b++)
		c->err_rl[b].burst = 10;

	/*
	 * The daemon is the chassis' hardware (DMA engine, doorbells, switch),
	 * which on a real chassis never waits for a blade's CPU.  The blades'
	 * vCPUs share the host's cores with it, and two MPI ranks busy-polling
	 * kept the engine off a core for whole time slices mid-transfer.  Ahead
	 * of them, then, where the host lets us (root); the switch thread
	 * inherits it.  Best effort: a daemon at nice 0 is only slower.
	 */
	if (setpriority(PRIO_PROCESS, 0, CHASSISD_NICE) < 0)
		logmsg("nice %d refused (%s): running at the blades' priority", CHASSISD_NICE,
		       strerror(errno));

	/* Signals are read from a signalfd by the main loop; block them in
	 * every thread (the switch thread inherits this mask). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	c->sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->sig_fd < 0) {
		logmsg("signalfd: %s", strerror(errno));
		return 1;
	}

	err = ctrl_create(&c->ctrl, c->nr_blades, c->ram_size, c->vmaj, c->vmin);
	if (err) {
		logmsg("cannot create the control region: %s", strerror(-err));
		return 1;
	}
	if (ram_open(&c->ram, c->ram_dir, c->nr_blades, c->ram_size) < 0)
		goto out_ctrl;
	if (pcv_dma_init(&c->dma, c->nr_blades, c->ram_size, c->ram.map, c->ctrl.base,
			 &engine_ops, c) < 0) {
		logmsg("cannot initialise the DMA engine");
		goto out_ram;
	}
	if (bell_init(&c->bell, c->sock_dir, c->nr_blades, c->ctrl.fd) < 0)
		goto out_ram;
	if (netsw_init(&c->sw, c->sock_dir, c->nr_blades) < 0)
		goto out_bell;
	if (netsw_start(&c->sw) < 0)
		goto out_sw;

	logmsg("%u blade%s, %llu KiB RAM each, control region v%u.%u, chassis id 0x%08x, "
	       "dma spin %u us, sockets in %s, RAM in %s", c->nr_blades,
	       c->nr_blades == 1 ? "" : "s", (unsigned long long)(c->ram_size >> 10), c->vmaj,
	       c->vmin, le32toh(((struct pcv_hw_ctrl_hdr *)c->ctrl.base)->chassis_id),
	       c->spin_us, c->sock_dir, c->ram_dir);
	printf("chassisd ready\n");
	fflush(stdout);

	rc = run(c);

out_sw:
	netsw_stop(&c->sw);
out_bell:
	bell_shutdown(&c->bell);
out_ram:
	ram_close(&c->ram);
out_ctrl:
	ctrl_destroy(&c->ctrl);
	close(c->sig_fd);
	return rc;
}
