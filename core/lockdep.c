/* SPDX-License-Identifier: MIT */
/*
 * Lock discipline (the fast checks are inline in core/internal.h; the
 * per-cpu queue lock of core/slab_cpu.c checks its own). Each thread keeps
 * the stack of spinlocks it holds, as lockdep keeps a task's held_locks.
 * The titles are lockdep's:
 *   WARNING: bad unlock balance detected!         unlock of a lock not held
 *   WARNING: possible recursive locking detected  the holder locks again
 *   WARNING: held lock freed!                     destroy of a held lock
 *   WARNING: lockdep_assert_held failed           guarded state changed
 *                                                 without its lock
 *   BUG: MAX_LOCK_DEPTH too low!                  more than LOCK_MAX_HELD
 * The caller goes on without the mutex operation (which would hang or be
 * undefined), so a report handler that returns sees the call finish.
 */
#include <string.h>

#include "internal.h"

_Thread_local struct held_locks held_locks;

/* A report that itself misuses a lock (the report lock) cannot report. */
static _Thread_local bool in_lock_report;

/* The live machines, to find the one a lock belongs to: room for the fuzz
 * targets' snapshot cache (16 booted machines) and the runs beside it. */
#define LOCKDEP_MAX_MACHINES 64
static struct {
	pthread_mutex_t lock;
	struct machine *m[LOCKDEP_MAX_MACHINES];
} machines = { .lock = PTHREAD_MUTEX_INITIALIZER };

bool lockdep_machine_add(struct machine *m)
{
	bool added = false;

	pthread_mutex_lock(&machines.lock);
	for (unsigned int i = 0; i < LOCKDEP_MAX_MACHINES && !added; i++) {
		if (!machines.m[i]) {
			machines.m[i] = m;
			added = true;
		}
	}
	pthread_mutex_unlock(&machines.lock);
	return added;
}

void lockdep_machine_remove(struct machine *m)
{
	pthread_mutex_lock(&machines.lock);
	for (unsigned int i = 0; i < LOCKDEP_MAX_MACHINES; i++)
		if (machines.m[i] == m)
			machines.m[i] = NULL;
	pthread_mutex_unlock(&machines.lock);
}

unsigned int lockdep_machine_slots(uintptr_t m)
{
	unsigned int n = 0;

	pthread_mutex_lock(&machines.lock);
	for (unsigned int i = 0; i < LOCKDEP_MAX_MACHINES; i++)
		n += (uintptr_t)machines.m[i] == m;
	pthread_mutex_unlock(&machines.lock);
	return n;
}

unsigned int lockdep_held_depth(void)
{
	return held_locks.depth;
}

static bool machine_holds(const struct machine *m, const void *p)
{
	const uint8_t *b = p;

	return host_arena_contains(m->arena, p) ||
	       (m->mem_base && b >= m->mem_base && b < m->mem_base + m->mem_size);
}

void lockdep_forget_machine(struct machine *m)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < held_locks.depth; i++)
		if (!machine_holds(m, held_locks.lock[i]))
			held_locks.lock[kept++] = held_locks.lock[i];
	held_locks.depth = kept;
}

static struct machine *lock_machine(const void *lock)
{
	struct machine *found = NULL;

	pthread_mutex_lock(&machines.lock);
	for (unsigned int i = 0; i < LOCKDEP_MAX_MACHINES && !found; i++)
		if (machines.m[i] && machine_holds(machines.m[i], lock))
			found = machines.m[i];
	pthread_mutex_unlock(&machines.lock);
	return found;
}

static const char *const misuse_titles[] = {
	[LOCK_BAD_UNLOCK] = "WARNING: bad unlock balance detected!",
	[LOCK_RECURSIVE] = "WARNING: possible recursive locking detected",
	[LOCK_HELD_FREED] = "WARNING: held lock freed!",
	[LOCK_NOT_HELD] = "WARNING: lockdep_assert_held failed",
	[LOCK_TOO_DEEP] = "BUG: MAX_LOCK_DEPTH too low!",
};

static const char *const misuse_what[] = {
	[LOCK_BAD_UNLOCK] = "is trying to release a lock it does not hold",
	[LOCK_RECURSIVE] = "is trying to acquire a lock it already holds",
	[LOCK_HELD_FREED] = "is destroying a lock that is held",
	[LOCK_NOT_HELD] = "changes state guarded by a lock it does not hold",
	[LOCK_TOO_DEEP] = "holds more locks than the held-lock stack has room for",
};

void lock_misuse(const void *lock, enum lock_misuse kind, const char *what, const char *func)
{
	struct machine *m = lock_machine(lock);

	if (in_lock_report || !m) {
		fprintf(stderr, "slabfuzz: %s: %s %s: %s (%s)\n", misuse_titles[kind], func,
			misuse_what[kind], what, m ? "while reporting one" : "no machine owns it");
		abort();
	}
	in_lock_report = true;
	report(m, kind == LOCK_TOO_DEEP ? SF_REPORT_BUG : SF_REPORT_WARN, misuse_titles[kind],
	       &REPORT_CTX_NONE(NULL), "%s %s: %s\nlocks held by this thread: %u\n", func,
	       misuse_what[kind], what, held_locks.depth);
	in_lock_report = false;
}

bool lock_held_slow(const void *lock)
{
	for (unsigned int i = 0; i < held_locks.depth; i++)
		if (held_locks.lock[i] == lock)
			return true;
	return false;
}

/* An unlock of a lock held below the innermost one, or of one not held. */
void lock_release_slow(spinlock_t *l, const char *what, const char *func)
{
	unsigned int d = held_locks.depth;

	for (unsigned int i = d; i-- > 0;) {
		if (held_locks.lock[i] != l)
			continue;
		memmove(&held_locks.lock[i], &held_locks.lock[i + 1],
			(d - 1 - i) * sizeof(held_locks.lock[0]));
		held_locks.depth = d - 1;
		pthread_mutex_unlock(&l->mutex);
		return;
	}
	lock_misuse(l, LOCK_BAD_UNLOCK, what, func);
}

/* Held by this thread (it is on the stack) or by another (trylock fails). */
void spin_lock_destroy_at(spinlock_t *l, const char *what, const char *func)
{
	if (lock_held(l) || pthread_mutex_trylock(&l->mutex)) {
		lock_misuse(l, LOCK_HELD_FREED, what, func);
		return;
	}
	pthread_mutex_unlock(&l->mutex);
	pthread_mutex_destroy(&l->mutex);
}
