#include <config.h>
#include "common/ptr_table.h"

#include <glib.h>

void
ptr_table_init(PtrTable *t, size_t min_capacity)
{
    size_t cap = 16;
    while (cap < min_capacity)
        cap *= 2;
    t->slots = g_new0(PtrSlot, cap);
    t->mask = cap - 1;
    t->count = 0;
}

void
ptr_table_free(PtrTable *t)
{
    g_free(t->slots);
    t->slots = NULL;
    t->mask = 0;
    t->count = 0;
}

static void
place(PtrSlot *slots, size_t mask, uint64_t hash, void *item)
{
    size_t i = (size_t)hash & mask;
    while (slots[i].item)
        i = (i + 1) & mask;
    slots[i].hash = hash;
    slots[i].item = item;
}

void
ptr_table_insert(PtrTable *t, uint64_t hash, void *item)
{
    if (2 * (t->count + 1) > t->mask + 1) {
        size_t cap = 2 * (t->mask + 1), mask = cap - 1;
        PtrSlot *slots = g_new0(PtrSlot, cap);
        for (size_t i = 0; i <= t->mask; i++)
            if (t->slots[i].item)
                place(slots, mask, t->slots[i].hash, t->slots[i].item);
        g_free(t->slots);
        t->slots = slots;
        t->mask = mask;
    }
    place(t->slots, t->mask, hash, item);
    t->count++;
}

bool
ptr_table_remove(PtrTable *t, uint64_t hash, const void *item)
{
    size_t i = (size_t)hash & t->mask;
    while (t->slots[i].item != item) {
        if (t->slots[i].item == NULL)
            return false;
        i = (i + 1) & t->mask;
    }
    /* Shift back every later slot of the run whose home is not between the
     * hole and it (cyclically), so that no probe meets an empty slot before
     * its item. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        if (t->slots[j].item == NULL)
            break;
        size_t home = (size_t)t->slots[j].hash & t->mask;
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i].item = NULL;
    t->slots[i].hash = 0;
    t->count--;
    return true;
}
