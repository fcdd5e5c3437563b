// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcv-agent: runs `chassis exec` jobs inside a blade, as its PID 1.
 *
 * The host and the blade share a job directory over 9p.  The host creates
 * JOBS/<id>.tmp/, writes "argv" (NUL-separated) and optionally "cwd" and
 * "env" (NUL-separated KEY=VALUE), then renames it to JOBS/<id>/.  The agent
 * notices the new directory, writes "pid", runs the command with stdout and
 * stderr going to files there (the host streams them), and when it ends
 * writes its exit status to "rc" (128+signal if killed) by rename, so "rc"
 * appearing means the output is complete.  A "cancel" file makes the agent
 * SIGTERM the job's process group, then SIGKILL it 2 s later.
 *
 * The host retires a job by renaming it to <id>.dead before deleting it.
 * As PID 1 it also reaps every orphan, and it never exits (that would panic
 * the blade).
 *
 * It also ends the TCP connections to a peer blade that is gone (see
 * watch_peers()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS	256
#define MAX_FILE	(256 * 1024)
/*
 * Scans of the job directory: every 20 ms while jobs come and go, slower
 * the longer none has.  Each scan is several 9p round trips, which a TCG
 * blade pays dearly: scanning every 20 ms all along cost an idle blade
 * ~11% of its CPU, and in an 8-blade chassis on 2 host cores the idle
 * blades' agents took that from the blades doing work.  The end of a job
 * wakes the agent (SIGCHLD; it reaps 20 ms later, see main), so only the
 * start of a job after a quiet spell waits longer, at most POLL_MAX_NS.
 */
#define POLL_MIN_NS	20000000L	/* 20 ms ... */
#define POLL_MID_NS	50000000L	/* ... 50 ms after 2 s without a job event ... */
#define POLL_MAX_NS	200000000L	/* ... 200 ms after 10 s */
#define NS_PER_S	1000000000LL
#define KILL_GRACE_S	2
#define PEERS		"/sys/kernel/debug/pcieverbs/pciev0/peers"
#define MAX_BLADES	8
#define WATCH_NS	500000000LL	/* peers looked at every 0.5 s */

struct job {
	pid_t pid;			/* 0: free slot */
	char name[128];
	time_t term_sent;		/* when SIGTERM was sent, 0 if not */
};

static struct job jobs[MAX_JOBS];
static const char *jobdir;
static sigset_t orig_mask;		/* restored in children */
static long long last_event_ns;		/* a job started or ended */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/*
 * Names of recently finished jobs: the host deletes a finished job's
 * directory while we may be scanning, and a half-deleted one must not look
 * new (its "pid" gone, the directory still there).
 */
#define DONE_RING	1024
static char done_names[DONE_RING][128];
static unsigned int done_next;

static int job_done(const char *name)
{
	unsigned int i;

	for (i = 0; i < DONE_RING; i++)
		if (done_names[i][0] && !strcmp(done_names[i], name))
			return 1;
	return 0;
}

static void mark_done(const char *name)
{
	snprintf(done_names[done_next], sizeof(done_names[0]), "%s", name);
	done_next = (done_next + 1) % DONE_RING;
}

static int job_path(char *buf, size_t len, const char *job, const char *file)
{
	int n = snprintf(buf, len, "%s/%s/%s", jobdir, job, file);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Read a whole small file; returns its length or -1.  NUL-terminated. */
static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total < cap - 1 && (n = read(fd, buf + total, cap - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

static void write_file_atomic(const char *job, const char *file, const char *text)
{
	char tmp[4096], dst[4096];
	int fd;

	if (job_path(dst, sizeof(dst), job, file) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", dst) >= (int)sizeof(tmp))
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		perror("pcv-agent: write");
	close(fd);
	rename(tmp, dst);
}

/* Split a NUL-separated buffer into a NULL-terminated vector. */
static char **split_nul(char *buf, ssize_t len)
{
	size_t n = 0, i = 0;
	char **v;
	ssize_t k;

	for (k = 0; k < len; k++)
		n += buf[k] == '\0';
	if (len > 0 && buf[len - 1] != '\0')
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (k = 0; k < len && i < n; i++) {
		v[i] = buf + k;
		k += strlen(buf + k) + 1;
	}
	return v;
}

/* In the child: set up and exec, or exit 127 with a message on stderr. */
static void run_child(const char *name)
{
	static char argv_buf[MAX_FILE], env_buf[MAX_FILE], cwd[4096];
	char path[4096];
	ssize_t alen, elen;
	char **argv, **env;
	int fd, i;

	setsid();
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
	if (job_path(path, sizeof(path), name, "stdout") == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
	}
	if (job_path(path, sizeof(path), name, "stderr") == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	for (i = 3; i < 1024; i++)
		close(i);

	if (job_path(path, sizeof(path), name, "argv") ||
	    (alen = read_file(path, argv_buf, sizeof(argv_buf))) <= 0) {
		fprintf(stderr, "pcv-agent: job %s has no argv\n", name);
		_exit(127);
	}
	argv = split_nul(argv_buf, alen);
	if (job_path(path, sizeof(path), name, "env") == 0 &&
	    (elen = read_file(path, env_buf, sizeof(env_buf))) > 0) {
		env = split_nul(env_buf, elen);
		for (i = 0; env && env[i]; i++)
			putenv(env[i]);
	}
	if (job_path(path, sizeof(path), name, "cwd") == 0 &&
	    read_file(path, cwd, sizeof(cwd)) > 0 && chdir(cwd) != 0) {
		fprintf(stderr, "pcv-agent: cannot chdir to %s: %s\n", cwd, strerror(errno));
		_exit(127);
	}
	if (!argv || !argv[0]) {
		fprintf(stderr, "pcv-agent: empty command\n");
		_exit(127);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "pcv-agent: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int job_known(const char *name)
{
	int i;

	for (i = 0; i < MAX_JOBS; i++)
		if (jobs[i].pid && !strcmp(jobs[i].name, name))
			return 1;
	return 0;
}

static void start_job(const char *name)
{
	char path[4096], pidtxt[32];
	struct stat st;
	pid_t pid;
	int i;

	if (job_path(path, sizeof(path), name, "pid") || stat(path, &st) == 0)
		return;		/* started before (e.g. by a previous agent) */
	for (i = 0; i < MAX_JOBS && jobs[i].pid; i++)
		;
	if (i == MAX_JOBS)
		return;		/* full: try again on the next scan */
	if (strlen(name) >= sizeof(jobs[i].name))
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		run_child(name);
	jobs[i].pid = pid;
	jobs[i].term_sent = 0;
	strcpy(jobs[i].name, name);
	last_event_ns = now_ns();
	snprintf(pidtxt, sizeof(pidtxt), "%d\n", pid);
	write_file_atomic(name, "pid", pidtxt);
}

/*
 * Start the jobs that appeared.  A new job is a rename into the directory,
 * which changes its mtime: one 9p stat tells whether to read the directory
 * at all (opendir, readdir, close: several round trips).  Read it anyway
 * once a second, in case two changes share an mtime.
 */
static void scan(void)
{
	static struct timespec seen_mtime;
	static long long last_full;
	long long now = now_ns();
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (stat(jobdir, &st) == 0) {
		if (st.st_mtim.tv_sec == seen_mtime.tv_sec &&
		    st.st_mtim.tv_nsec == seen_mtime.tv_nsec && now - last_full < NS_PER_S)
			return;
		seen_mtime = st.st_mtim;
	}
	last_full = now;
	d = opendir(jobdir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || (len > 4 && !strcmp(e->d_name + len - 4, ".tmp")) ||
		    (len > 5 && !strcmp(e->d_name + len - 5, ".dead")))
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		if (!job_known(e->d_name) && !job_done(e->d_name))
			start_job(e->d_name);
	}
	closedir(d);
}

static void check_cancels(void)
{
	time_t now = time(NULL);
	char path[4096];
	struct stat st;
	int i;

	for (i = 0; i < MAX_JOBS; i++) {
		struct job *j = &jobs[i];

		if (!j->pid)
			continue;
		if (!j->term_sent) {
			if (job_path(path, sizeof(path), j->name, "cancel") == 0 &&
			    stat(path, &st) == 0) {
				kill(-j->pid, SIGTERM);
				j->term_sent = now;
			}
		} else if (now - j->term_sent >= KILL_GRACE_S) {
			kill(-j->pid, SIGKILL);
		}
	}
}

static void reap(void)
{
	char rc[32];
	pid_t pid;
	int st, i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < MAX_JOBS; i++) {
			if (jobs[i].pid != pid)
				continue;
			if (WIFEXITED(st))
				snprintf(rc, sizeof(rc), "%d\n", WEXITSTATUS(st));
			else
				snprintf(rc, sizeof(rc), "%d\n", 128 + WTERMSIG(st));
			/* The group may have stragglers holding stdout: end them. */
			kill(-pid, SIGKILL);
			write_file_atomic(jobs[i].name, "rc", rc);
			mark_done(jobs[i].name);
			jobs[i].pid = 0;
			last_event_ns = now_ns();
			break;
		}
	}
}

/*
 * A peer blade that is gone -- its link down because it was powered off
 * ("absent") or stayed silent past the heartbeat timeout -- never answers
 * TCP again, and every connection to it would retransmit for ~15 minutes
 * (tcp_retries2) before failing.  Open MPI's mpirun, whose job had already
 * aborted when the fabric flushed the ranks' QPs to that blade, waited all
 * that time for the connection to the dead blade's daemon: the job hung.
 * So when a peer's link goes down for one of those reasons, destroy every
 * TCP socket to its management and IPoIB addresses (`ss -K`, SOCK_DESTROY):
 * their owners get ECONNABORTED at once, as if the peer had reset them.  A
 * peer that is only slow (reported silent, link kept) is left alone.
 */
static void forget_peer(int p)
{
	char mgmt[32], ib[32], msg[128];
	pid_t pid;
	int fd;

	snprintf(mgmt, sizeof(mgmt), "10.200.0.%d", p + 1);
	snprintf(ib, sizeof(ib), "10.201.0.%d", p + 1);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		int n = snprintf(msg, sizeof(msg),
				 "<6>pcv-agent: blade %d is gone: ending TCP to %s and %s\n",
				 p, mgmt, ib);

		n = write(fd, msg, n);	/* a log line only: no retry */
		close(fd);
	}
	pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &orig_mask, NULL);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setsid();
		execlp("ss", "ss", "-K", "dst", mgmt, "or", "dst", ib, (char *)NULL);
		_exit(127);
	}
	/* reap() collects it like any orphan. */
}

static void watch_peers(void)
{
	static char was_up[MAX_BLADES];
	char buf[4096], *line, *save = NULL;
	ssize_t n;
	int fd = open(PEERS, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;		/* no driver (yet) */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char state[32], reason[32];
		int p, up;

		/* "peer state reason ...": the header line does not parse. */
		if (sscanf(line, "%d %31s %31s", &p, state, reason) != 3 ||
		    p < 0 || p >= MAX_BLADES)
			continue;
		up = !strcmp(state, "up");
		if (was_up[p] && !up &&
		    (!strcmp(reason, "absent") || !strcmp(reason, "heartbeat-timeout")))
			forget_peer(p);
		was_up[p] = up;
	}
}

static void on_sigchld(int sig)
{
	(void)sig;	/* never runs: SIGCHLD stays blocked, for sigtimedwait */
}

int main(int argc, char **argv)
{
	long long last_watch = 0, idle;
	const struct timespec grace = { 0, POLL_MIN_NS };
	struct timespec ts = { 0, 0 };
	sigset_t chld;

	if (argc != 2) {
		fprintf(stderr, "usage: pcv-agent JOBDIR\n");
		return 2;
	}
	jobdir = argv[1];
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	/* A handler, not SIG_DFL: a blocked default-ignored signal may be dropped. */
	signal(SIGCHLD, on_sigchld);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &orig_mask);
	last_event_ns = now_ns();
	for (;;) {
		long long now;

		reap();
		scan();
		check_cancels();
		now = now_ns();
		if (now - last_watch >= WATCH_NS) {
			watch_peers();
			last_watch = now;
		}
		idle = now - last_event_ns;
		ts.tv_nsec = idle < 2 * NS_PER_S ? POLL_MIN_NS :
			     idle < 10 * NS_PER_S ? POLL_MID_NS : POLL_MAX_NS;
		/*
		 * Sleep, or until a child ends.  Then give it 20 ms before the
		 * reap, which SIGKILLs the job's process group: a daemon the
		 * job started (t80: sshd) must have left the group by setsid()
		 * by then, and reaping at once killed it first (the old 20 ms
		 * scans gave it 0-20 ms).
		 */
		if (sigtimedwait(&chld, NULL, &ts) == SIGCHLD)
			nanosleep(&grace, NULL);
	}
}
