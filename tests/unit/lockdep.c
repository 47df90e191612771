/* SPDX-License-Identifier: MIT */
/*
 * Lock discipline (core/lockdep.c): each misuse of a spinlock or of the
 * per-cpu queue lock is one report with lockdep's title, the call goes on
 * without hanging, and correct use (nested, out of order) reports nothing.
 */
#include <pthread.h>
#include <string.h>

#include "test.h"

#include "slab.h"

#define BAD_UNLOCK "WARNING: bad unlock balance detected!"
#define RECURSIVE "WARNING: possible recursive locking detected"
#define HELD_FREED "WARNING: held lock freed!"
#define NOT_HELD "WARNING: lockdep_assert_held failed"

static struct machine *boot(unsigned int cpus)
{
	struct sf_topology t;

	sf_topology_simple(&t, 1, cpus, 16);
	return test_machine(&t, NULL, STAGE_RUNNING);
}

/* A lock of the machine's own (in its host arena), for destroy tests. */
static spinlock_t *new_lock(struct machine *m)
{
	spinlock_t *l = host_alloc(m->arena, sizeof(*l));

	if (l)
		spin_lock_init(l);
	return l;
}

static void test_correct_use_is_silent(void)
{
	struct machine *m = boot(1);
	spinlock_t *a, *b;

	assert_nonnull(m);
	a = new_lock(m);
	b = new_lock(m);
	assert_true(a && b);
	spin_lock(a);
	spin_lock(b);
	lockdep_assert_held(a);
	lockdep_assert_held(b);
	spin_unlock(a);		/* not the innermost: allowed */
	expect_false(lock_held(a));
	expect_true(lock_held(b));
	spin_unlock(b);
	expect_true(spin_trylock(a));
	expect_false(spin_trylock(a));	/* held: fails, as in the kernel */
	spin_unlock(a);
	spin_lock_destroy(a);
	spin_lock_destroy(b);
	expect_eq(held_locks.depth, 0);
	expect_no_reports(m);
	host_free(m->arena, a);
	host_free(m->arena, b);
	machine_destroy(m);
}

static void test_unlock_not_held(void)
{
	struct machine *m = boot(1);

	assert_nonnull(m);
	spin_unlock(&m->shrinker_lock);
	expect_only_reports(m, BAD_UNLOCK, 1);
	/* The lock still works: nothing was unlocked. */
	spin_lock(&m->shrinker_lock);
	spin_unlock(&m->shrinker_lock);
	expect_only_reports(m, BAD_UNLOCK, 1);
	expect_str_contains(sf_reports_get(m, 0)->body, "&m->shrinker_lock");
	expect_str_contains(sf_reports_get(m, 0)->body, "test_unlock_not_held");
	machine_destroy(m);
}

static void test_recursive_lock(void)
{
	struct machine *m = boot(1);

	assert_nonnull(m);
	spin_lock(&m->shrinker_lock);
	spin_lock(&m->shrinker_lock);	/* a self-deadlock: reported, not hung */
	expect_only_reports(m, RECURSIVE, 1);
	spin_unlock(&m->shrinker_lock);
	expect_false(lock_held(&m->shrinker_lock));
	spin_unlock(&m->shrinker_lock);	/* the outer unlock is now unbalanced */
	expect_eq(sf_reports_count(m, BAD_UNLOCK), 1);
	machine_destroy(m);
}

static void test_destroy_held(void)
{
	struct machine *m = boot(1);
	spinlock_t *l;

	assert_nonnull(m);
	l = new_lock(m);
	assert_nonnull(l);
	spin_lock(l);
	spin_lock_destroy(l);
	expect_only_reports(m, HELD_FREED, 1);
	spin_unlock(l);
	spin_lock_destroy(l);
	expect_only_reports(m, HELD_FREED, 1);
	host_free(m->arena, l);
	machine_destroy(m);
}

struct holder {
	spinlock_t *l;
	atomic_int state;	/* 1: holds it, 2: may let go */
};

static void *hold_fn(void *arg)
{
	struct holder *h = arg;

	spin_lock(h->l);
	atomic_store(&h->state, 1);
	while (atomic_load(&h->state) != 2)
		sched_yield();
	spin_unlock(h->l);
	return NULL;
}

/* Another thread's lock: destroy reports, unlock by this thread reports. */
static void test_other_threads_lock(void)
{
	struct machine *m = boot(1);
	struct holder h = { 0 };
	pthread_t th;

	assert_nonnull(m);
	h.l = new_lock(m);
	assert_nonnull(h.l);
	assert_true(pthread_create(&th, NULL, hold_fn, &h) == 0);
	while (atomic_load(&h.state) != 1)
		sched_yield();
	spin_lock_destroy(h.l);
	expect_eq(sf_reports_count(m, HELD_FREED), 1);
	spin_unlock(h.l);
	expect_eq(sf_reports_count(m, BAD_UNLOCK), 1);
	lockdep_assert_held(h.l);
	expect_eq(sf_reports_count(m, NOT_HELD), 1);
	atomic_store(&h.state, 2);
	pthread_join(th, NULL);
	spin_lock_destroy(h.l);
	expect_eq(test_errors(m), 3);
	host_free(m->arena, h.l);
	machine_destroy(m);
}

static void test_assert_held(void)
{
	struct machine *m = boot(1);

	assert_nonnull(m);
	lockdep_assert_held(&m->shrinker_lock);
	expect_only_reports(m, NOT_HELD, 1);
	expect_str_contains(sf_reports_get(m, 0)->body, "&m->shrinker_lock");
	spin_lock(&m->shrinker_lock);
	lockdep_assert_held(&m->shrinker_lock);
	spin_unlock(&m->shrinker_lock);
	expect_only_reports(m, NOT_HELD, 1);
	machine_destroy(m);
}

/* The asymmetric per-cpu queue lock, both its owner and its remote side. */
static void test_cpu_queue_lock(void)
{
	struct machine *m = boot(2);
	struct kmem_cache *s;
	struct kmem_cache_cpu *c;

	assert_nonnull(m);
	s = kmem_cache_create(m, "lockdep_test", 64, 0, 0, NULL);
	assert_nonnull(s);
	c = &s->cpu_slab[1];

	cpu_queue_unlock_remote(c);
	expect_only_reports(m, BAD_UNLOCK, 1);
	cpu_queue_lock_remote(m, c);
	cpu_queue_lock_remote(m, c);	/* waited for itself before */
	expect_eq(sf_reports_count(m, RECURSIVE), 1);
	cpu_queue_unlock_remote(c);
	expect_eq(test_errors(m), 2);

	cpu_queue_unlock(c);		/* the owner, outside */
	expect_eq(sf_reports_count(m, BAD_UNLOCK), 2);
	cpu_queue_lock(c);
	cpu_queue_lock(c);		/* the owner, inside already */
	expect_eq(sf_reports_count(m, RECURSIVE), 2);
	cpu_queue_unlock(c);
	expect_eq(test_errors(m), 4);

	/* Balanced: all cpus (lock_all) and the owner's slow path. */
	cpu_queues_lock_all(m, s);
	cpu_queues_unlock_all(m, s);
	cpu_queues_unlock_all(m, s);	/* once too often: one per cpu */
	expect_eq(sf_reports_count(m, BAD_UNLOCK), 4);
	expect_eq(test_errors(m), 6);
	kmem_cache_destroy(m, s);
	expect_eq(test_errors(m), 6);
	machine_destroy(m);
}

/*
 * Every live machine is in the registry a misuse report needs: past its
 * room machine_create refuses ("too many live machines") instead of making
 * a machine whose lock misuse could only abort. The last machine made
 * still reports its own misuse.
 */
static void test_registry_room(void)
{
	struct machine *ms[80];
	struct sf_topology t;
	struct sf_error err;
	unsigned int n = 0;
	char why[128];
	spinlock_t *l;

	sf_topology_simple(&t, 1, 1, 1);
	memset(&err, 0, sizeof(err));
	while (n < 80 && (ms[n] = machine_create(&t, NULL, &err)))
		n++;
	expect_true(n >= 18 && n < 80);	/* the snapshot cache's 16 and two runs fit */
	expect_true(!strcmp(err.field, "host") && !strcmp(err.msg, "too many live machines"));
	/* The refused machine's arena was put away empty: its struct machine
	 * went back before it (the leak check found it kept once). */
	expect_true(machine_leaked(why, sizeof(why)) == 0);
	if (n) {
		sf_set_report_handler(ms[n - 1], sf_report_collect, NULL);
		l = new_lock(ms[n - 1]);
		assert_nonnull(l);
		spin_unlock(l);
		expect_only_reports(ms[n - 1], BAD_UNLOCK, 1);
	}
	while (n)
		machine_destroy(ms[--n]);
}

int main(void)
{
	RUN(test_correct_use_is_silent);
	RUN(test_unlock_not_held);
	RUN(test_recursive_lock);
	RUN(test_destroy_held);
	RUN(test_other_threads_lock);
	RUN(test_assert_held);
	RUN(test_cpu_queue_lock);
	RUN(test_registry_room);
	return test_summary();
}
