// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Test harness: run a real chassisd in a private temporary directory. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "tap.h"

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int harness_dirs(struct daemon *d)
{
	if (d->dir[0])
		return 0;
	strcpy(d->dir, "/tmp/chassisd-test-XXXXXX");
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->ram_dir, sizeof(d->ram_dir), "%s/ram", d->dir);
	snprintf(d->sock_dir, sizeof(d->sock_dir), "%s/sock", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/chassisd.log", d->dir);
	if (mkdir(d->ram_dir, 0700) < 0 || mkdir(d->sock_dir, 0700) < 0)
		return -1;
	return 0;
}

int daemon_start(struct daemon *d, const char *bin, unsigned blades, const char *ram_size,
		 const char *const *extra)
{
	char nb[16], line[256];
	const char *argv[32];
	int pipefd[2], n = 0, got = 0;
	uint64_t deadline;

	if (harness_dirs(d) < 0)
		return -1;
	snprintf(nb, sizeof(nb), "%u", blades);
	argv[n++] = bin;
	argv[n++] = "--blades";
	argv[n++] = nb;
	argv[n++] = "--ram-size";
	argv[n++] = ram_size;
	argv[n++] = "--ram-dir";
	argv[n++] = d->ram_dir;
	argv[n++] = "--sock-dir";
	argv[n++] = d->sock_dir;
	while (extra && *extra && n < 30)
		argv[n++] = *extra++;
	argv[n] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		int log = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(pipefd[1], STDOUT_FILENO);
		if (log >= 0)
			dup2(log, STDERR_FILENO);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	d->out_fd = pipefd[0];

	/* Wait for the ready line (5 s). */
	deadline = mono_ns() + 5000000000ULL;
	while (mono_ns() < deadline) {
		struct pollfd p = { .fd = d->out_fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(d->out_fd, line + got, sizeof(line) - 1 - got);
		if (r <= 0)
			break;
		got += (int)r;
		line[got] = 0;
		if (strstr(line, "chassisd ready\n"))
			return 0;
	}
	tap_diag("chassisd did not become ready");
	daemon_dump_log(d);
	daemon_stop(d);
	return -1;
}

int daemon_stop(struct daemon *d)
{
	uint64_t deadline;
	int status;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	deadline = mono_ns() + 5000000000ULL;
	while (mono_ns() < deadline) {
		pid_t r = waitpid(d->pid, &status, WNOHANG);

		if (r == d->pid) {
			d->pid = 0;
			close(d->out_fd);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(2000);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	close(d->out_fd);
	return -1;
}

static void rm_tree(const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	dir = opendir(path);
	if (dir) {
		while ((e = readdir(dir))) {
			char sub[512];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(dir);
	}
	rmdir(path);
}

void harness_cleanup(struct daemon *d)
{
	if (d->pid > 0)
		daemon_stop(d);
	if (d->dir[0])
		rm_tree(d->dir);
	d->dir[0] = 0;
}

void daemon_dump_log(const struct daemon *d)
{
	char line[1024];
	FILE *f = fopen(d->log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		tap_diag("chassisd: %s", line);
	}
	fclose(f);
}

int daemon_log_has(const struct daemon *d, const char *needle)
{
	char line[1024];
	FILE *f = fopen(d->log, "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

int run_capture(char *const argv[], char *buf, size_t len)
{
	int pipefd[2], status;
	size_t got = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t r = read(pipefd[0], buf + got, len - 1 - got);

		if (r <= 0)
			break;
		got += (size_t)r;
		if (got >= len - 1)
			break;
	}
	buf[got] = 0;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
