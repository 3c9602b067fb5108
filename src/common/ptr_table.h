#ifndef SS_PTR_TABLE_H
#define SS_PTR_TABLE_H

/* An open-addressing hash set of pointers, keyed by a 64-bit hash the caller
 * computes (and compares keys for): linear probing, at most half full,
 * backward-shift deletion (no tombstones). A slot holds the full hash next
 * to the pointer, so a lookup reads one slot line and then only the item it
 * returns; GHashTable reads three arrays and the key. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t hash;
    void *item; /* NULL: empty */
} PtrSlot;

typedef struct {
    PtrSlot *slots;
    size_t mask;  /* capacity - 1, capacity a power of two */
    size_t count;
} PtrTable;

void ptr_table_init(PtrTable *t, size_t min_capacity);
void ptr_table_free(PtrTable *t);
/* Adds item (never NULL) under hash; does not look for an equal key. */
void ptr_table_insert(PtrTable *t, uint64_t hash, void *item);
/* Removes this very item (compared by pointer); false when absent. */
bool ptr_table_remove(PtrTable *t, uint64_t hash, const void *item);

/* The items stored under hash, in probe order:
 *     size_t pos = ptr_table_home(t, hash);
 *     while ((it = ptr_table_next(t, hash, &pos)) != NULL)
 *         if (key_equal(it, ...)) return it; */
static inline size_t
ptr_table_home(const PtrTable *t, uint64_t hash)
{
    return (size_t)hash & t->mask;
}

static inline void *
ptr_table_next(const PtrTable *t, uint64_t hash, size_t *pos)
{
    for (;;) {
        const PtrSlot *s = &t->slots[*pos];
        *pos = (*pos + 1) & t->mask;
        if (s->item == NULL)
            return NULL;
        if (s->hash == hash)
            return s->item;
    }
}

/* Asks for the line of hash's home slot, ahead of a lookup. */
static inline void
ptr_table_prefetch(const PtrTable *t, uint64_t hash)
{
    __builtin_prefetch(&t->slots[(size_t)hash & t->mask]);
}

/* The first item stored under hash, without comparing keys: a hint for
 * prefetching, never an answer. */
static inline void *
ptr_table_peek(const PtrTable *t, uint64_t hash)
{
    size_t pos = ptr_table_home(t, hash);
    return ptr_table_next(t, hash, &pos);
}

#endif
