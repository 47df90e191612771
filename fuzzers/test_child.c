/* SPDX-License-Identifier: MIT */
#include "test_child.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int test_child_run(void (*fn)(void *arg), void *arg, bool both, char *out, size_t cap)
{
	int fd[2], status;
	size_t n = 0;
	ssize_t k;
	pid_t pid;

	if (pipe(fd))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (!pid) {
		close(fd[0]);
		if (both)
			dup2(fd[1], 1);
		dup2(fd[1], 2);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	close(fd[1]);
	for (;;) {
		char rest[4096];

		/* Past cap, read on and drop it: a full pipe would block the child. */
		k = n + 1 < cap ? read(fd[0], out + n, cap - 1 - n) : read(fd[0], rest, sizeof(rest));
		if (k <= 0)
			break;
		if (n + 1 < cap)
			n += (size_t)k;
	}
	out[n] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	return status;
}
