/* SPDX-License-Identifier: MIT */
/*
 * Queue resize while other cpus allocate and free (short; also run under
 * the tsan preset). Two worker threads bound to cpus 1 and 2 (nodes 0 and
 * 1, so frees cross nodes through the alien caches) allocate, write a
 * cookie, hand half their objects to the other thread and free; the main
 * thread retunes the cache all the while. At the end every object is back
 * and the checker proves none was lost or duplicated.
 */
#include <pthread.h>

#include "test.h"

#include "slab.h"

enum { ROUNDS = 2000, BATCH = 32, RING = 4096 };

struct shared {
	struct machine *m;
	struct kmem_cache *s;
	atomic_bool stop;
	/* objects handed from worker i to worker 1 - i */
	pthread_mutex_t lock;
	void *ring[2][RING];
	unsigned int head[2], tail[2];
};

struct worker {
	struct shared *sh;
	int id;
	int cpu;
	unsigned long bad_cookie;
};

static void ring_put(struct shared *sh, int to, void *x)
{
	pthread_mutex_lock(&sh->lock);
	if (sh->head[to] - sh->tail[to] < RING) {
		sh->ring[to][sh->head[to]++ % RING] = x;
		x = NULL;
	}
	pthread_mutex_unlock(&sh->lock);
	if (x)
		kmem_cache_free(sh->m, sh->s, x);
}

static void *ring_get(struct shared *sh, int me)
{
	void *x = NULL;

	pthread_mutex_lock(&sh->lock);
	if (sh->tail[me] != sh->head[me])
		x = sh->ring[me][sh->tail[me]++ % RING];
	pthread_mutex_unlock(&sh->lock);
	return x;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	void *objs[BATCH];

	cpu_bind(sh->m, w->cpu);
	for (int r = 0; r < ROUNDS; r++) {
		void *x;

		for (int i = 0; i < BATCH; i++) {
			objs[i] = kmem_cache_alloc(sh->m, sh->s, GFP_ATOMIC);
			if (objs[i])
				*(uintptr_t *)objs[i] = (uintptr_t)objs[i] ^ 0x5a5a;
		}
		for (int i = 0; i < BATCH; i++) {
			if (!objs[i])
				continue;
			if (*(uintptr_t *)objs[i] != ((uintptr_t)objs[i] ^ 0x5a5a))
				w->bad_cookie++;
			if (i & 1)
				ring_put(sh, 1 - w->id, objs[i]);
			else
				kmem_cache_free(sh->m, sh->s, objs[i]);
		}
		while ((x = ring_get(sh, w->id)))
			kmem_cache_free(sh->m, sh->s, x);
	}
	cpu_bind(sh->m, -1);
	return NULL;
}

static void test_resize_during_alloc_free(void)
{
	static struct shared sh;
	struct worker w[2] = { { &sh, 0, 1, 0 }, { &sh, 1, 2, 0 } };
	static const unsigned int tunes[][3] = { { 1, 1, 0 }, { 16, 8, 2 }, { 120, 60, 8 },
						 { 4, 2, 1 }, { 200, 100, 0 } };
	struct sf_topology t;
	pthread_t th[2];
	void *x;

	sf_topology_default(&t);
	memset(&sh, 0, sizeof(sh));
	pthread_mutex_init(&sh.lock, NULL);
	sh.m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(sh.m);
	sh.s = kmem_cache_create(sh.m, "resized", 48, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(sh.s);
	for (int i = 0; i < 2; i++)
		assert_true(pthread_create(&th[i], NULL, worker_fn, &w[i]) == 0);
	for (unsigned int i = 0; i < 200; i++) {
		const unsigned int *tu = tunes[i % 5];

		expect_eq(kmem_cache_tune(sh.m, sh.s, tu[0], tu[1], tu[2]), 0);
		if (i % 16 == 0)
			kmem_cache_shrink(sh.m, sh.s);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++)
		while ((x = ring_get(&sh, i)))
			kmem_cache_free(sh.m, sh.s, x);
	expect_eq(w[0].bad_cookie + w[1].bad_cookie, 0);
	expect_true(check_machine(sh.m));
	kmem_cache_destroy(sh.m, sh.s);	/* every object back: no report */
	expect_no_reports(sh.m);
	machine_destroy(sh.m);
	pthread_mutex_destroy(&sh.lock);
}

int main(void)
{
	RUN(test_resize_during_alloc_free);
	return test_summary();
}
