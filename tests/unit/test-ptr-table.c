/* common/ptr_table: the open-addressing set the dialog engine keeps its
 * calls in, checked against a plain array after every step. */
#include <config.h>
#include <glib.h>
#include "common/ptr_table.h"

typedef struct {
    uint64_t hash;
    int id;
} Item;

/* Every stored item must be found by probing from its home slot. */
static void
check_all_reachable(const PtrTable *t, Item *items, const gboolean *present, int n)
{
    size_t stored = 0;
    for (size_t i = 0; i <= t->mask; i++)
        stored += t->slots[i].item != NULL;
    g_assert_cmpuint(stored, ==, t->count);
    for (int i = 0; i < n; i++) {
        size_t pos = ptr_table_home(t, items[i].hash);
        void *it;
        gboolean found = FALSE;
        while ((it = ptr_table_next(t, items[i].hash, &pos)) != NULL)
            if (it == &items[i])
                found = TRUE;
        g_assert_cmpint(found, ==, present[i]);
    }
}

/* Few distinct home slots, so runs wrap around the end of the array and
 * deletions have to shift items back across it. */
static void
test_collisions_model(void)
{
    enum { N = 300 };
    Item items[N];
    gboolean present[N] = { 0 };
    GRand *r = g_rand_new_with_seed(7);
    for (int i = 0; i < N; i++) {
        /* homes cluster near the top of a 1024-slot array; high bits differ */
        items[i].hash = ((uint64_t)g_rand_int(r) << 32) | (1016u + (guint)g_rand_int_range(r, 0, 12));
        items[i].id = i;
    }
    PtrTable t;
    ptr_table_init(&t, 1000);
    g_assert_cmpuint(t.mask + 1, ==, 1024);
    for (int step = 0; step < 20000; step++) {
        int i = g_rand_int_range(r, 0, N);
        if (present[i]) {
            g_assert_true(ptr_table_remove(&t, items[i].hash, &items[i]));
            present[i] = FALSE;
        } else {
            ptr_table_insert(&t, items[i].hash, &items[i]);
            present[i] = TRUE;
        }
        if (step % 97 == 0)
            check_all_reachable(&t, items, present, N);
    }
    check_all_reachable(&t, items, present, N);
    /* removing what is not there */
    for (int i = 0; i < N; i++)
        if (!present[i])
            g_assert_false(ptr_table_remove(&t, items[i].hash, &items[i]));
    ptr_table_free(&t);
    g_rand_free(r);
}

/* Equal hashes: all items come back, in insertion order along the run. */
static void
test_equal_hashes(void)
{
    Item items[5];
    PtrTable t;
    ptr_table_init(&t, 4);
    for (int i = 0; i < 5; i++) {
        items[i].hash = 42;
        items[i].id = i;
        ptr_table_insert(&t, 42, &items[i]);
    }
    size_t pos = ptr_table_home(&t, 42);
    Item *it;
    int k = 0;
    while ((it = ptr_table_next(&t, 42, &pos)) != NULL)
        g_assert_cmpint(it->id, ==, k++);
    g_assert_cmpint(k, ==, 5);
    g_assert_true(ptr_table_peek(&t, 42) == &items[0]);
    g_assert_null(ptr_table_peek(&t, 43));
    g_assert_true(ptr_table_remove(&t, 42, &items[2]));
    pos = ptr_table_home(&t, 42);
    k = 0;
    while ((it = ptr_table_next(&t, 42, &pos)) != NULL) {
        g_assert_cmpint(it->id, !=, 2);
        k++;
    }
    g_assert_cmpint(k, ==, 4);
    ptr_table_free(&t);
}

/* Growing keeps it at most half full and every item reachable. */
static void
test_growth(void)
{
    enum { N = 5000 };
    static Item items[N];
    static gboolean present[N];
    PtrTable t;
    ptr_table_init(&t, 0);
    for (int i = 0; i < N; i++) {
        items[i].hash = (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15);
        ptr_table_insert(&t, items[i].hash, &items[i]);
        present[i] = TRUE;
        g_assert_cmpuint(2 * t.count, <=, t.mask + 1);
    }
    check_all_reachable(&t, items, present, N);
    ptr_table_free(&t);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ptr-table/collisions-model", test_collisions_model);
    g_test_add_func("/ptr-table/equal-hashes", test_equal_hashes);
    g_test_add_func("/ptr-table/growth", test_growth);
    return g_test_run();
}
