#include <config.h>
#include "dialog/call_select.h"

#include <glib.h>
#include <string.h>

#include "sip/sip_header.h"
#include "sip/sip_uri.h"

struct CallSelect {
    bool active;
    bool frozen;
    char **call_ids;
    GPtrArray *users;     /* GPatternSpec* */
    unsigned labels;
    GHashTable *selected; /* call-id -> itself */
    GHashTable *links;    /* call-id -> GPtrArray of call-ids */
};

CallSelect *
call_select_new(const char *const *call_ids, const char *const *users, unsigned labels)
{
    CallSelect *s = g_new0(CallSelect, 1);
    s->call_ids = g_strdupv((char **)call_ids);
    s->users = g_ptr_array_new_with_free_func((GDestroyNotify)g_pattern_spec_free);
    for (const char *const *u = users; u && *u; u++)
        g_ptr_array_add(s->users, g_pattern_spec_new(*u));
    s->labels = labels;
    s->active = (call_ids && *call_ids) || (users && *users) || labels;
    s->selected = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)g_ptr_array_unref);
    return s;
}

bool
call_select_active(const CallSelect *s)
{
    return s->active;
}

/* select id and everything linked to it */
static void
select_call(CallSelect *s, const char *id)
{
    if (!id || g_hash_table_contains(s->selected, id))
        return;
    GPtrArray *todo = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(todo, g_strdup(id));
    while (todo->len) {
        char *x = g_ptr_array_steal_index(todo, todo->len - 1);
        if (g_hash_table_contains(s->selected, x)) {
            g_free(x);
            continue;
        }
        g_hash_table_add(s->selected, x);
        GPtrArray *l = g_hash_table_lookup(s->links, x);
        for (guint i = 0; l && i < l->len; i++)
            if (!g_hash_table_contains(s->selected, g_ptr_array_index(l, i)))
                g_ptr_array_add(todo, g_strdup(g_ptr_array_index(l, i)));
    }
    g_ptr_array_free(todo, TRUE);
}

static void
add_edge(CallSelect *s, const char *a, const char *b)
{
    GPtrArray *l = g_hash_table_lookup(s->links, a);
    if (!l) {
        l = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(s->links, g_strdup(a), l);
    }
    for (guint i = 0; i < l->len; i++)
        if (!strcmp(g_ptr_array_index(l, i), b))
            return;
    g_ptr_array_add(l, g_strdup(b));
}

static void
link_calls(CallSelect *s, const char *a, const char *b)
{
    if (!a || !b || !strcmp(a, b))
        return;
    add_edge(s, a, b);
    add_edge(s, b, a);
    if (!s->frozen) {
        if (g_hash_table_contains(s->selected, a))
            select_call(s, b);
        else if (g_hash_table_contains(s->selected, b))
            select_call(s, a);
    }
}

static bool
id_wanted(const CallSelect *s, const char *id)
{
    for (char **c = s->call_ids; c && *c; c++)
        if (!strcmp(*c, id))
            return true;
    return false;
}

/* --user: the glob against the URI as sent, and against its user part */
static bool
uri_wanted(const CallSelect *s, const char *p, size_t len)
{
    if (!p || !s->users->len)
        return false;
    char *uri = g_strndup(p, len);
    char *user = NULL;
    SipUri u;
    SipStr t = { uri, strlen(uri) };
    if (sip_uri_parse(t, &u) && u.user.len)
        user = g_strndup(u.user.p, u.user.len);
    bool hit = false;
    for (guint i = 0; i < s->users->len && !hit; i++) {
        GPatternSpec *ps = g_ptr_array_index(s->users, i);
        hit = g_pattern_spec_match_string(ps, uri) || (user && g_pattern_spec_match_string(ps, user));
    }
    g_free(uri);
    g_free(user);
    return hit;
}

void
call_select_note_message(CallSelect *s, const MsgEvent *ev)
{
    if (!s->active || s->frozen || !ev->call_id || !ev->in_call)
        return;
    if (g_hash_table_contains(s->selected, ev->call_id))
        return;
    if (id_wanted(s, ev->call_id)) {
        select_call(s, ev->call_id);
        return;
    }
    if (!s->users->len || !ev->msg)
        return;
    SipNameAddr na;
    if ((sip_get_from(ev->msg, &na) && uri_wanted(s, na.uri.p, na.uri.len)) ||
        (sip_get_to(ev->msg, &na) && uri_wanted(s, na.uri.p, na.uri.len)))
        select_call(s, ev->call_id);
}

void
call_select_note_flow(CallSelect *s, const FlowEvent *ev)
{
    if (!s->active)
        return;
    link_calls(s, ev->call_id, ev->new_call_id);
    link_calls(s, ev->call_id, ev->replaces_call_id);
    link_calls(s, ev->call_id, ev->refer_call_id);
    if (s->frozen)
        return;
    static const unsigned kind_label[] = {
        [FLOW_HOLD] = SS_LABEL_HOLD,
        [FLOW_RESUME] = SS_LABEL_RESUME,
        [FLOW_REFER_TRANSFER] = SS_LABEL_REFER_TRANSFER,
        [FLOW_REPLACES_TRANSFER] = SS_LABEL_REPLACES_TRANSFER,
    };
    if (s->labels & kind_label[ev->kind])
        select_call(s, ev->call_id);
    if (id_wanted(s, ev->call_id))
        select_call(s, ev->call_id);
}

void
call_select_note_dialog(CallSelect *s, const DialogRecord *rec)
{
    if (!s->active)
        return;
    for (unsigned i = 0; i < rec->n_related; i++)
        link_calls(s, rec->call_id, rec->related_call_ids[i]);
    if (s->frozen)
        return;
    if ((s->labels & rec->labels) || id_wanted(s, rec->call_id) ||
        (rec->from_uri && uri_wanted(s, rec->from_uri, strlen(rec->from_uri))) ||
        (rec->to_uri && uri_wanted(s, rec->to_uri, strlen(rec->to_uri))))
        select_call(s, rec->call_id);
}

void
call_select_freeze(CallSelect *s)
{
    /* close over links: every call reachable from a selected one */
    GPtrArray *seeds = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, s->selected);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(seeds, g_strdup(k));
    g_hash_table_remove_all(s->selected);
    for (guint i = 0; i < seeds->len; i++)
        select_call(s, g_ptr_array_index(seeds, i));
    g_ptr_array_free(seeds, TRUE);
    s->frozen = true;
}

bool
call_select_is_selected(const CallSelect *s, const char *call_id)
{
    if (!s->active)
        return true;
    return call_id && g_hash_table_contains(s->selected, call_id);
}

unsigned
call_select_count(const CallSelect *s)
{
    return g_hash_table_size(s->selected);
}

void
call_select_free(CallSelect *s)
{
    if (!s)
        return;
    g_strfreev(s->call_ids);
    g_ptr_array_free(s->users, TRUE);
    g_hash_table_destroy(s->selected);
    g_hash_table_destroy(s->links);
    g_free(s);
}
