#include <config.h>
#include "dialog/dialog.h"

#include <string.h>

#include "common/limits.h"
#include "common/hash.h"
#include "common/ptr_table.h"
#include "dialog/offer_answer.h"
#include "sdp/sdp_parse.h"
#include "sip/sip_body.h"
#include "sip/sip_header.h"
#include "sip/sip_uri.h"

/*
 * The dialog engine.
 *
 * Call  = all messages with one Call-ID.
 * Dialog = Call-ID + the unordered pair of tags (RFC 3261 §12). The tag the
 *          dialog-creating request put in From is the caller's; a dialog
 *          first seen by an in-dialog request ("mid-call") takes the sender
 *          of that request as its caller.
 *
 * Duplicate messages (retransmissions, and the copies of one message seen on
 * both sides of a proxy) are recognised by a fingerprint of what identifies
 * a message end to end (tags, CSeq, status, RSeq, body length) and processed
 * once: they are counted, shown, never labelled twice (DESIGN §2).
 */

typedef enum { PARTY_CALLER = 0, PARTY_CALLEE = 1 } Party;
typedef enum { HS_UNKNOWN = 0, HS_NO, HS_YES } HoldState;

#define OTHER(p) ((Party)(1 - (p)))
#define MAX_PENDING_OFFERS 4
G_STATIC_ASSERT(MAX_PENDING_OFFERS <= 8); /* Dialog.offers_used is 8 bits */
#define FP_RING 64
#define DIALOG_ARENA 384
#define CALL_ID_INLINE 136

typedef struct Call Call;
typedef struct Dialog Dialog;
typedef struct Transfer Transfer;

typedef struct {
    Endpoint src, dst;
    SsTransport transport;
    SsTime ts;
    uint64_t frame;
} MsgOrigin;

/* One SDP offer waiting for its answer and its transaction's outcome. */
typedef struct {
    bool used;
    Party offerer;
    SipMethod method;      /* of the transaction: INVITE, UPDATE, PRACK */
    uint32_t cseq;
    bool in_response;      /* offer in a 1xx/2xx (delayed offer): answer in PRACK/ACK */
    bool initial;          /* the dialog-creating INVITE's offer: no labels */
    bool challenged;       /* 401/407: waiting for the request to be re-sent */
    SsTime deadline;
    SdpSummary offer;
    bool have_answer;
    uint32_t answer_seq;   /* Dialog.oa_answers when the answer came */
    SdpSummary answer;
    MsgOrigin req;         /* the request of the transaction */
    MsgOrigin offer_msg;   /* the message that carried the offer */
    MsgOrigin answer_msg;
    unsigned status;       /* final status of the transaction */
} PendingOffer;

struct Transfer {
    Call *call;            /* the call that carries the REFER / INVITE */
    Dialog *dialog;
    TransferKind kind;
    bool is_replaces;      /* FLOW_REPLACES_TRANSFER (else REFER) */
    Party initiator;
    uint32_t cseq;
    MsgOrigin req;
    SsTime deadline;
    char *refer_to;        /* URI text */
    char *target_user;     /* unescaped user part of the Refer-To URI (or NULL) */
    char *target_host;
    char *referred_by;
    char *referred_by_user;
    int refer_sub;
    unsigned status;
    bool challenged;
    unsigned notify_status;
    unsigned notify_count;
    bool notify_final;
    bool notify_terminated; /* a NOTIFY said Subscription-State: terminated */
    bool has_replaces;
    char *rep_call_id, *rep_from_tag, *rep_to_tag;
    bool rep_early_only;
    bool rep_dialog_seen;
    bool rep_holds_old;    /* counted in the replaced dialog's replace_pending */
    char *new_call_id;
    char *refer_call_id;   /* replaces: the REFER that asked for it */
    TransferResult result;
    bool emitted;
    GList open_link;       /* engine->open_refers membership */
    bool in_open;
};

struct Dialog {
    /* first: what every lookup and every expiry check reads (two lines) */
    Call *call;
    char *from_tag;        /* caller */
    char *to_tag;          /* callee; NULL while trying */
    uint8_t offers_used;   /* bit i: offers[i].used (read without touching offers) */
    bool initial_done;     /* initial INVITE got its final response */
    bool challenged;       /* initial INVITE got 401/407 */
    bool ended;
    bool reported;
    bool ended_by_caller;
    bool cancel_seen;
    bool replaced;         /* an INVITE with Replaces naming it succeeded */
    DialogState state;
    DialogEndReason end_reason;
    SipMethod method;
    uint32_t initial_cseq;
    uint32_t last_invite_cseq[2]; /* of last_invite[], read by every INVITE response */
    unsigned messages;
    unsigned retransmissions;
    SsTime last, end;
    SsTime challenge_deadline; /* no re-sent INVITE by then: it failed */
    uint16_t arena_used;
    bool seen_midcall;
    uint8_t ua_stored;     /* bit p: party p's User-Agent is stored (read
                            * here, not in the far line the strings are in) */
    unsigned final_status;
    unsigned labels;
    /* the strings (tags first) live here when they fit (dialog_strdup),
     * else on the heap */
    char arena[DIALOG_ARENA];
    char *from_uri, *to_uri, *from_display, *to_display;
    char *caller_ua, *callee_ua;
    Endpoint caller, callee;
    SsTransport transport;
    SsTime start, answer;
    unsigned hold_count;
    SsTime hold_time;
    unsigned transfer_count;
    HoldState holding[2];
    SsTime hold_since[2];    /* of a labelled hold; 0 when not counted */
    bool hold_labelled[2];   /* the party's hold was labelled (so its end is a resume) */
    HoldMode hold_mode[2];   /* of its labelled hold: a resume names the mode it ends */
    uint32_t oa_answers;     /* answers seen: PendingOffer.answer_seq numbers them */
    uint32_t oa_applied;     /* answer_seq of the newest exchange applied */
    unsigned replace_pending; /* unanswered INVITEs with Replaces naming it */
    PendingOffer offers[MAX_PENDING_OFFERS];
    MsgOrigin last_invite[2];   /* each party's last INVITE (for delayed offers) */
    GPtrArray *related;    /* char* call-ids */
    char *replaced_by;
};

typedef struct {
    uint64_t id;           /* identity of the message end to end */
    uint64_t path;         /* src/dst: same path = retransmission */
} Fingerprint;

/* A place in the pending heap: the call and its key (check_at, seq) */
typedef struct {
    SsTime at;
    uint64_t seq;
    Call *c;
} PendingSlot;

/* A node of the engine's LRU lists (indices into DialogEngine.lru). */
typedef struct {
    uint32_t prev, next;
} LruNode;
enum { LRU_ACTIVE = 0, LRU_ENDED = 1 };

struct Call {
    /* what every message reads, in the first two cache lines; the lookup
     * asks for all of them at once (call_lookup_hashed) */
    uint64_t hash;         /* of the Call-ID's raw bytes, the calls table's key */
    size_t call_id_len;
    char *call_id;         /* raw bytes + NUL (may contain NUL) */
    Dialog *first_dialog;  /* dialogs[0], read before the array is */
    GPtrArray *dialogs;    /* Dialog*, creation order */
    GPtrArray *transfers;  /* Transfer*, creation order */
    unsigned messages;
    int queue;             /* 0 active, 1 ended */
    unsigned ring_n, ring_pos;
    SsTime last;
    uint32_t lru;          /* its node in engine->lru */
    bool pending;          /* in engine->pending (heap_idx is its place) */
    unsigned heap_idx;
    SsTime check_at;       /* nothing pending is due before then */
    char *call_id_text;    /* display form: NUL bytes shown as '?' */
    SsTime first;
    uint64_t seq;          /* creation order */
    bool transfer_cap_reported;
    uint64_t ring_bits;    /* dedupe's filter of the ids in ring */
    /* dialogs->len and transfers->len, here so that a message of a call
     * with one dialog and no transfer reads neither array */
    uint32_t n_dialogs, n_transfers;
    /* not cleared for a new call (call_new): written before being read */
    /* the Call-ID's raw bytes and display form, here when they fit (most
     * Call-IDs are under 64 bytes) */
    char id_inline[CALL_ID_INLINE];
    Fingerprint ring[FP_RING];
};

/* dialogs[i], without reading the array for the first */
static inline Dialog *
call_dialog(const Call *c, guint i)
{
    return i == 0 ? c->first_dialog : g_ptr_array_index(c->dialogs, i);
}

/* Freed calls and dialogs are kept for reuse, up to this many each: both
 * are over 1 KB, and glibc's malloc consolidates its fast bins on every
 * request of that size (it showed in the profile). */
#define POOL_MAX 512

struct DialogEngine {
    DialogSink sink;
    AnomalySink anomalies;
    DialogConfig cfg;
    PtrTable calls;        /* Call*, by call_hash() of the Call-ID */
    uint64_t hash_seed;
    GString *cid_scratch;  /* a message's Call-ID when it has no call */
    const char *pf_id;     /* the Call-ID dialog_engine_prefetch() hashed */
    size_t pf_len;
    uint64_t pf_hash;
    /* Two lists of calls, least recently active first: LRU_ACTIVE, and
     * LRU_ENDED (all dialogs reported). Their links sit in one dense array
     * (8 bytes a call) rather than in the calls: moving a call to the tail
     * on each of its messages touches its neighbours' links, which are then
     * in the cache, not in two cold calls. */
    LruNode *lru;          /* [0], [1]: the heads of the two lists */
    Call **lru_call;       /* the call of each node */
    uint32_t lru_cap;
    uint32_t lru_free;     /* first free node (0: none) */
    /* calls with flows waiting for an outcome, a min-heap on check_at (then
     * creation order): the expiry pass looks only at calls that are due.
     * Each slot carries its call's key, so moving through the heap reads
     * no other call. */
    PendingSlot *pend;
    guint pend_len, pend_cap;
    GQueue open_refers;    /* Transfer*: REFERs not yet linked to a new call */
    uint64_t call_seq;
    SdpSession sdp;        /* scratch */
    char decode_buf[2048]; /* scratch for Refer-To's embedded Replaces */
    DialogStats stats;
    SsTime now;
    GPtrArray *free_calls;   /* Call*, cleared, arrays kept */
    GPtrArray *free_dialogs; /* Dialog*, cleared */
};

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static char *
dup_view(const char *p, size_t len)
{
    char *s = g_malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        s[i] = p[i] ? p[i] : '?';
    s[len] = '\0';
    return s;
}

static char *
dup_str(SipStr s)
{
    return s.p ? dup_view(s.p, s.len) : NULL;
}

/* A string of d's (NUL bytes shown as '?', as dup_view does), from the
 * dialog's own arena while it has room: one allocation less per field,
 * and the strings sit next to the dialog. Freed with dialog_strfree(). */
static char *
dialog_strdup(Dialog *d, const char *p, size_t len)
{
    if (!p)
        return NULL;
    if (len >= sizeof d->arena - d->arena_used)
        return dup_view(p, len);
    char *s = d->arena + d->arena_used;
    for (size_t i = 0; i < len; i++)
        s[i] = p[i] ? p[i] : '?';
    s[len] = '\0';
    d->arena_used = (uint16_t)(d->arena_used + len + 1);
    return s;
}

static char *
dialog_str(Dialog *d, SipStr s)
{
    return dialog_strdup(d, s.p, s.len);
}

static char *
dialog_copy(Dialog *d, const char *s)
{
    return s ? dialog_strdup(d, s, strlen(s)) : NULL;
}

static void
dialog_strfree(Dialog *d, char *s)
{
    if (s && !(s >= d->arena && s < d->arena + sizeof d->arena))
        g_free(s);
}

static bool
view_eq(const char *owned, SipStr s)
{
    if (!owned)
        return s.len == 0;
    /* c is never NUL, so a shorter owned string stops at its terminator */
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i] ? s.p[i] : '?';
        if (c != owned[i])
            return false;
    }
    return owned[s.len] == '\0';
}

static bool
str_eq0(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}


static inline uint64_t
call_hash(const DialogEngine *e, const char *p, size_t len)
{
    return ss_hash64(e->hash_seed, p, len);
}

static void
origin_from_meta(MsgOrigin *o, const SipMeta *meta)
{
    o->src = meta->src;
    o->dst = meta->dst;
    o->transport = meta->transport;
    o->ts = meta->ts;
    o->frame = meta->frame;
}

static void
report(DialogEngine *e, SsAnomaly a, const char *detail)
{
    anomaly_report(&e->anomalies, a, e->now, detail);
}

static void
add_related(Dialog *d, const char *call_id)
{
    if (!d || !call_id || strcmp(call_id, d->call->call_id_text) == 0)
        return;
    if (!d->related)
        d->related = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < d->related->len; i++)
        if (strcmp(g_ptr_array_index(d->related, i), call_id) == 0)
            return;
    g_ptr_array_add(d->related, g_strdup(call_id));
}

/* ------------------------------------------------------------------ */
/* calls and dialogs                                                    */

static void transfer_free(Transfer *t);
static void emit_dialog(DialogEngine *e, Dialog *d);
static void finalize_transfer(DialogEngine *e, Transfer *t);
static void finalize_offer(DialogEngine *e, Dialog *d, PendingOffer *po, OfferResult r);
static void mark_pending(DialogEngine *e, Call *c);
static void pending_update(DialogEngine *e, Call *c);
static bool pending_check(DialogEngine *e, Call *c, SsTime now);

static void
dialog_free(DialogEngine *e, Dialog *d)
{
    dialog_strfree(d, d->from_tag);
    dialog_strfree(d, d->to_tag);
    dialog_strfree(d, d->from_uri);
    dialog_strfree(d, d->to_uri);
    dialog_strfree(d, d->from_display);
    dialog_strfree(d, d->to_display);
    dialog_strfree(d, d->caller_ua);
    dialog_strfree(d, d->callee_ua);
    g_free(d->replaced_by);
    if (d->related)
        g_ptr_array_free(d->related, TRUE);
    if (e->free_dialogs->len < POOL_MAX)
        g_ptr_array_add(e->free_dialogs, d);
    else
        g_free(d);
}

/* ---- the LRU lists ---- */

static void
lru_init(DialogEngine *e)
{
    e->lru_cap = 1024;
    e->lru = g_new(LruNode, e->lru_cap);
    e->lru_call = g_new0(Call *, e->lru_cap);
    for (uint32_t h = LRU_ACTIVE; h <= LRU_ENDED; h++)
        e->lru[h].prev = e->lru[h].next = h;
    /* nodes 2.. are free, chained through next */
    for (uint32_t i = 2; i < e->lru_cap; i++)
        e->lru[i].next = i + 1 < e->lru_cap ? i + 1 : 0;
    e->lru_free = 2;
}

static uint32_t
lru_node_new(DialogEngine *e, Call *c)
{
    if (e->lru_free == 0) {
        uint32_t old = e->lru_cap;
        e->lru_cap *= 2;
        e->lru = g_renew(LruNode, e->lru, e->lru_cap);
        e->lru_call = g_renew(Call *, e->lru_call, e->lru_cap);
        for (uint32_t i = old; i < e->lru_cap; i++)
            e->lru[i].next = i + 1 < e->lru_cap ? i + 1 : 0;
        e->lru_free = old;
    }
    uint32_t n = e->lru_free;
    e->lru_free = e->lru[n].next;
    e->lru_call[n] = c;
    return n;
}

static void
lru_node_free(DialogEngine *e, uint32_t n)
{
    e->lru_call[n] = NULL;
    e->lru[n].next = e->lru_free;
    e->lru_free = n;
}

static inline void
lru_push_tail(DialogEngine *e, uint32_t head, uint32_t n)
{
    uint32_t last = e->lru[head].prev;
    e->lru[n].prev = last;
    e->lru[n].next = head;
    e->lru[last].next = n;
    e->lru[head].prev = n;
}

static inline void
lru_unlink(DialogEngine *e, uint32_t n)
{
    uint32_t p = e->lru[n].prev, x = e->lru[n].next;
    e->lru[p].next = x;
    e->lru[x].prev = p;
}

static inline Call *
lru_first(const DialogEngine *e, uint32_t head)
{
    uint32_t n = e->lru[head].next;
    return n == head ? NULL : e->lru_call[n];
}

void
dialog_engine_prefetch(DialogEngine *e, const SipMessage *m)
{
    SipStr cid;
    if (!sip_get_call_id(m, &cid))
        return;
    e->pf_id = cid.p;
    e->pf_len = cid.len;
    e->pf_hash = call_hash(e, cid.p, cid.len);
    ptr_table_prefetch(&e->calls, e->pf_hash);
}

/* Asks for the first n cache lines of p, to be written. */
static inline void
prefetch_lines(const void *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        __builtin_prefetch((const char *)p + 64 * i, 1);
}

static Call *
call_lookup_hashed(DialogEngine *e, SipStr id, uint64_t h)
{
    size_t pos = ptr_table_home(&e->calls, h);
    Call *c;
    while ((c = ptr_table_next(&e->calls, h, &pos)) != NULL) {
        /* the lines a message reads, asked for together rather than one
         * miss after the other: the fields, the Call-ID, the ring start */
        const char *b = (const char *)c;
        __builtin_prefetch(b);
        __builtin_prefetch(b + 64);
        __builtin_prefetch(b + 128);
        __builtin_prefetch(b + 192);
        __builtin_prefetch(b + 256);
        if (c->call_id_len == id.len && memcmp(c->call_id, id.p, id.len) == 0)
            return c;
    }
    return NULL;
}

static Call *
call_lookup(DialogEngine *e, SipStr id)
{
    return call_lookup_hashed(e, id, call_hash(e, id.p, id.len));
}

static void call_destroy(DialogEngine *e, Call *c, DialogEndReason why);

static Call *
call_new(DialogEngine *e, SipStr id, uint64_t hash, SsTime ts)
{
    if (e->calls.count >= SS_MAX_CALLS) {
        /* Cap: evict the oldest ended call, else the least recently active. */
        Call *victim = lru_first(e, LRU_ENDED);
        if (!victim)
            victim = lru_first(e, LRU_ACTIVE);
        if (victim) {
            e->stats.evictions++;
            report(e, SS_ANOMALY_DIALOG_EVICTED, victim->call_id_text);
            call_destroy(e, victim, DIALOG_END_EVICTED);
        }
    }
    Call *c;
    if (e->free_calls->len) {
        c = g_ptr_array_steal_index_fast(e->free_calls, e->free_calls->len - 1);
        /* the next new call's lines, cold since its call ended, on their
         * way in the meantime */
        if (e->free_calls->len)
            prefetch_lines(g_ptr_array_index(e->free_calls, e->free_calls->len - 1), 5);
        GPtrArray *dialogs = c->dialogs, *transfers = c->transfers;
        /* the fields only: the Call-ID is copied in below, and the ring is
         * read only up to ring_n (1.2 KB less to write to a cold call) */
        memset(c, 0, offsetof(Call, id_inline));
        c->dialogs = dialogs;
        c->transfers = transfers;
    } else {
        c = g_new0(Call, 1);
        c->dialogs = g_ptr_array_new();
        c->transfers = g_ptr_array_new();
    }
    /* the raw bytes and the display form in one block */
    c->call_id = 2 * id.len + 2 <= sizeof c->id_inline ? c->id_inline : g_malloc(2 * id.len + 2);
    memcpy(c->call_id, id.p, id.len);
    c->call_id[id.len] = '\0';
    c->call_id_len = id.len;
    c->call_id_text = c->call_id + id.len + 1;
    for (size_t i = 0; i < id.len; i++)
        c->call_id_text[i] = id.p[i] ? id.p[i] : '?';
    c->call_id_text[id.len] = '\0';
    c->first = c->last = ts;
    c->seq = ++e->call_seq;
    c->hash = hash;
    ptr_table_insert(&e->calls, hash, c);
    c->lru = lru_node_new(e, c);
    lru_push_tail(e, LRU_ACTIVE, c->lru);
    c->queue = 0;
    e->stats.calls_open++;
    return c;
}

static void
call_touch(DialogEngine *e, Call *c, SsTime ts)
{
    c->last = ts;
    lru_unlink(e, c->lru);
    lru_push_tail(e, c->queue ? LRU_ENDED : LRU_ACTIVE, c->lru);
}

/* Move between the active and ended queues according to its dialogs. */
static void
call_update_queue(DialogEngine *e, Call *c)
{
    bool all_done = true;
    for (guint i = 0; i < c->dialogs->len; i++) {
        Dialog *d = g_ptr_array_index(c->dialogs, i);
        if (!d->reported) {
            all_done = false;
            break;
        }
    }
    int want = all_done ? 1 : 0;
    if (want == c->queue)
        return;
    lru_unlink(e, c->lru);
    c->queue = want;
    lru_push_tail(e, want ? LRU_ENDED : LRU_ACTIVE, c->lru);
}

static Dialog *
dialog_new(DialogEngine *e, Call *c, SsTime ts)
{
    if (c->dialogs->len >= SS_MAX_DIALOGS_PER_CALL) {
        e->stats.evictions++;
        report(e, SS_ANOMALY_DIALOG_EVICTED, "too many dialogs in one call");
        return NULL;
    }
    Dialog *d = e->free_dialogs->len ? g_ptr_array_steal_index_fast(e->free_dialogs, e->free_dialogs->len - 1)
                                     : g_new(Dialog, 1);
    /* the next new dialog's first lines (the ones cleared and filled) */
    if (e->free_dialogs->len)
        prefetch_lines(g_ptr_array_index(e->free_dialogs, e->free_dialogs->len - 1), 6);
    /* all but the offers' room (1.6 KB of a 2.4 KB dialog, most often
     * never used): a slot is cleared when an offer takes it (offer_slot),
     * and its flags here */
    const size_t offers_end = offsetof(Dialog, offers) + sizeof d->offers;
    memset(d, 0, offsetof(Dialog, offers));
    for (unsigned k = 0; k < MAX_PENDING_OFFERS; k++) {
        /* what is read of a slot no offer took: used, and what
         * fork_reopen_offer() matches a released slot on */
        d->offers[k].used = false;
        d->offers[k].initial = false;
    }
    memset((char *)d + offers_end, 0, sizeof *d - offers_end);
    d->call = c;
    d->start = d->last = ts;
    d->holding[0] = d->holding[1] = HS_NO;
    g_ptr_array_add(c->dialogs, d);
    c->n_dialogs = c->dialogs->len;
    if (c->dialogs->len == 1) {
        c->first_dialog = d;
        /* a call counts once it has a dialog, and so a record: orphan
         * responses alone make none */
        e->stats.calls++;
    }
    e->stats.dialogs++;
    /* a call with no dialog so far (orphan responses) was in the ended
     * list, where it lingers only briefly: it is active again */
    if (c->queue)
        call_update_queue(e, c);
    return d;
}

static inline bool
tags_match(const Dialog *d, SipStr a, SipStr b)
{
    return d->to_tag && ((view_eq(d->from_tag, a) && view_eq(d->to_tag, b)) ||
                         (view_eq(d->from_tag, b) && view_eq(d->to_tag, a)));
}

/* A dialog whose tags are {a, b} in either order (b may be empty). The
 * first dialog is tried before the array is read: most calls have one,
 * and its lines are on their way (dialog_engine_feed). */
static Dialog *
dialog_find(Call *c, SipStr a, SipStr b)
{
    if (c->first_dialog && tags_match(c->first_dialog, a, b))
        return c->first_dialog;
    for (guint i = 1; i < c->n_dialogs; i++) {
        Dialog *d = g_ptr_array_index(c->dialogs, i);
        if (tags_match(d, a, b))
            return d;
    }
    return NULL;
}

/* The dialog of an initial request still without a to-tag (the newest). */
static Dialog *
dialog_find_trying(Call *c, SipStr from_tag, SipMethod method)
{
    guint n = c->n_dialogs;
    if (n <= 1) {
        Dialog *d = c->first_dialog;
        return d && !d->to_tag && d->method == method && view_eq(d->from_tag, from_tag) ? d : NULL;
    }
    for (guint i = n; i-- > 0;) {
        Dialog *d = g_ptr_array_index(c->dialogs, i);
        if (!d->to_tag && d->method == method && view_eq(d->from_tag, from_tag))
            return d;
    }
    return NULL;
}

/* Any dialog of this caller tag and method (early dialogs of a fork). */
static Dialog *
dialog_find_by_caller(Call *c, SipStr from_tag, SipMethod method)
{
    for (guint i = 0; i < c->n_dialogs; i++) {
        Dialog *d = call_dialog(c, i);
        if (d->method == method && view_eq(d->from_tag, from_tag))
            return d;
    }
    return NULL;
}

static void
dialog_fill_parties(Dialog *d, const SipMessage *m, const SipMeta *meta, bool from_is_caller)
{
    SipNameAddr from, to;
    bool hf = sip_get_from(m, &from);
    bool ht = sip_get_to(m, &to);
    const SipNameAddr *cr = from_is_caller ? (hf ? &from : NULL) : (ht ? &to : NULL);
    const SipNameAddr *ce = from_is_caller ? (ht ? &to : NULL) : (hf ? &from : NULL);
    if (cr) {
        d->from_uri = dialog_str(d, cr->uri);
        d->from_display = cr->display.len ? dialog_str(d, cr->display) : NULL;
    }
    if (ce) {
        d->to_uri = dialog_str(d, ce->uri);
        d->to_display = ce->display.len ? dialog_str(d, ce->display) : NULL;
    }
    /* Endpoints: a request goes caller -> callee when sent by the caller. */
    bool sent_by_caller = m->is_request ? from_is_caller : !from_is_caller;
    d->caller = sent_by_caller ? meta->src : meta->dst;
    d->callee = sent_by_caller ? meta->dst : meta->src;
    d->transport = meta->transport;
}

static void
dialog_note_ua(Dialog *d, const SipMessage *m, Party sender)
{
    if (d->ua_stored & (1u << sender))
        return;
    char **slot = sender == PARTY_CALLER ? &d->caller_ua : &d->callee_ua;
    SipStr ua;
    if (sip_get_user_agent(m, &ua) && ua.len) {
        *slot = dialog_str(d, ua);
        d->ua_stored |= (uint8_t)(1u << sender);
    }
}

/* Party that sent a message of this dialog. */
static Party
dialog_sender(const Dialog *d, const SipMessage *m, SipStr from_tag)
{
    bool from_is_caller = view_eq(d->from_tag, from_tag);
    if (m->is_request)
        return from_is_caller ? PARTY_CALLER : PARTY_CALLEE;
    return from_is_caller ? PARTY_CALLEE : PARTY_CALLER;
}

static void
dialog_end(DialogEngine *e, Dialog *d, DialogEndReason why, SsTime ts)
{
    if (d->ended)
        return;
    d->ended = true;
    d->state = DIALOG_STATE_TERMINATED;
    d->end_reason = d->replaced ? DIALOG_END_REPLACED : why;
    d->end = ts;
    /* its record is due at end + linger: the call's next deadline is worked
     * out after the message (pending_update), or by the expiry check that
     * ended it */
    (void)e;
}

/* ------------------------------------------------------------------ */
/* emitting                                                             */

static void
emit_dialog(DialogEngine *e, Dialog *d)
{
    if (d->reported)
        return;
    d->reported = true;
    /* pending offers of an ended dialog end with it */
    for (unsigned i = 0; d->offers_used && i < MAX_PENDING_OFFERS; i++)
        if (d->offers[i].used)
            finalize_offer(e, d, &d->offers[i], OFFER_RESULT_PENDING);
    SsTime end = d->ended ? d->end : d->last;
    for (int p = 0; p < 2; p++)
        if (d->holding[p] == HS_YES && d->hold_since[p] && end > d->hold_since[p])
            d->hold_time += end - d->hold_since[p];
    DialogRecord r;
    memset(&r, 0, sizeof r);
    r.ts = e->now;
    r.call_id = d->call->call_id_text;
    r.from_tag = d->from_tag;
    r.to_tag = d->to_tag;
    r.from_uri = d->from_uri;
    r.to_uri = d->to_uri;
    r.from_display = d->from_display;
    r.to_display = d->to_display;
    r.caller_user_agent = d->caller_ua;
    r.callee_user_agent = d->callee_ua;
    r.caller = d->caller;
    r.callee = d->callee;
    r.transport = d->transport;
    r.method = d->method;
    r.state = d->state;
    r.end_reason = d->ended ? d->end_reason : DIALOG_END_NONE;
    if (!d->ended && d->replaced)
        r.end_reason = DIALOG_END_REPLACED;
    r.ended_by_caller = d->ended_by_caller;
    r.final_status = d->final_status;
    r.start = d->start;
    r.answer = d->answer;
    r.end = end;
    r.seen_midcall = d->seen_midcall;
    r.labels = d->labels;
    r.hold_count = d->hold_count;
    r.hold_time = d->hold_time;
    r.transfer_count = d->transfer_count;
    r.messages = d->messages;
    r.retransmissions = d->retransmissions;
    r.replaced_by_call_id = d->replaced_by;
    r.n_related = d->related ? d->related->len : 0;
    r.related_call_ids = d->related ? (const char *const *)d->related->pdata : NULL;
    if (e->sink.dialog)
        e->sink.dialog(e->sink.user, &r);
    call_update_queue(e, d->call);
}

static void
flow_init(FlowEvent *f, DialogEngine *e, Dialog *d, FlowKind kind, Party initiator,
          const MsgOrigin *req, SipMethod method, uint32_t cseq)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->ts = e->now;
    f->start = req->ts;
    f->frame = req->frame;
    f->call_id = d->call->call_id_text;
    f->from_tag = d->from_tag;
    f->to_tag = d->to_tag;
    f->initiator_is_caller = initiator == PARTY_CALLER;
    f->src = req->src;
    f->dst = req->dst;
    f->transport = req->transport;
    f->method = method;
    f->cseq = cseq;
    f->from_uri = d->from_uri;
    f->to_uri = d->to_uri;
    f->refer_sub = -1;
}

/* ---- the pending heap ---- */

static inline bool
pending_before(const PendingSlot *a, const PendingSlot *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static inline void
pending_place(DialogEngine *e, PendingSlot s, guint i)
{
    e->pend[i] = s;
    s.c->heap_idx = i;
}

/* Restores the heap order around the slot at i, whose key is s's. */
static void
pending_sift(DialogEngine *e, guint i, PendingSlot s)
{
    guint n = e->pend_len;
    while (i > 0) {
        guint up = (i - 1) / 2;
        if (!pending_before(&s, &e->pend[up]))
            break;
        pending_place(e, e->pend[up], i);
        i = up;
    }
    for (;;) {
        guint l = 2 * i + 1, r = l + 1, m = i;
        const PendingSlot *best = &s;
        if (l < n && pending_before(&e->pend[l], best)) {
            m = l;
            best = &e->pend[l];
        }
        if (r < n && pending_before(&e->pend[r], best)) {
            m = r;
            best = &e->pend[r];
        }
        if (m == i)
            break;
        pending_place(e, *best, i);
        i = m;
    }
    pending_place(e, s, i);
}

/* The same after a check that may have left check_at as it was (the key
 * in its slot is then still right, and so is the order). */
static void
pending_refix(DialogEngine *e, Call *c)
{
    if (e->pend[c->heap_idx].at == c->check_at)
        return;
    PendingSlot s = { c->check_at, c->seq, c };
    pending_sift(e, c->heap_idx, s);
}

/* Restores the heap order around c after its check_at changed. */
static void
pending_fix(DialogEngine *e, Call *c)
{
    PendingSlot s = { c->check_at, c->seq, c };
    pending_sift(e, c->heap_idx, s);
}

static void
pending_remove(DialogEngine *e, Call *c)
{
    if (!c->pending)
        return;
    c->pending = false;
    guint i = c->heap_idx;
    PendingSlot last = e->pend[--e->pend_len];
    if (last.c != c)
        pending_sift(e, i, last);
}

/* Something of c may now wait for a deadline: look at it in the next expiry
 * pass (which works out when it is due next). Every place that adds a
 * deadline calls this (it also enters a call that waited for nothing); one
 * moved earlier on the call a message is on is picked up by
 * pending_update() after the message; one moved later needs nothing (the
 * call is looked at early, and waits again). */
static void
mark_pending(DialogEngine *e, Call *c)
{
    if (c->pending && c->check_at == 0)
        return; /* already due */
    c->check_at = 0;
    if (!c->pending) {
        c->pending = true;
        if (e->pend_len == e->pend_cap) {
            e->pend_cap = e->pend_cap ? 2 * e->pend_cap : 256;
            e->pend = g_renew(PendingSlot, e->pend, e->pend_cap);
        }
        c->heap_idx = e->pend_len++;
    }
    pending_fix(e, c);
}

/* A party's media state changed through an offer or an answer: emit hold
 * or resume (DESIGN §2). `sdp` is what the party sent; `msg` the message
 * that carried it; `req` the request of the transaction. */
static void
hold_transition(DialogEngine *e, Dialog *d, Party who, const SdpSummary *sdp, OfferResult result,
                const PendingOffer *po, bool labelled)
{
    bool holds = oa_holds(sdp);
    bool receives = oa_receives(sdp);
    HoldState before = d->holding[who];
    FlowKind kind;
    if (holds && before != HS_YES)
        kind = FLOW_HOLD;
    else if (receives && before == HS_YES)
        kind = FLOW_RESUME;
    else
        return;
    bool takes_effect = result != OFFER_RESULT_REJECTED;
    /* a resume ends a hold that was labelled; one that was not (the
     * dialog-creating offer held, or an early UPDATE did) ends silently:
     * labels come only from what was observed (DESIGN §2) */
    if (kind == FLOW_RESUME && !d->hold_labelled[who])
        labelled = false;
    if (takes_effect) {
        d->holding[who] = holds ? HS_YES : HS_NO;
        if (kind == FLOW_HOLD) {
            d->hold_since[who] = labelled ? po->req.ts : 0;
            d->hold_labelled[who] = labelled;
        } else if (!labelled) {
            d->hold_since[who] = 0;
            d->hold_labelled[who] = false;
        }
    }
    if (!labelled)
        return;
    FlowEvent f;
    flow_init(&f, e, d, kind, who, &po->req, po->method, po->cseq);
    /* Where the holding SDP was carried: the request, the response, the ACK. */
    const MsgOrigin *carrier = who == po->offerer ? &po->offer_msg : &po->answer_msg;
    f.src = carrier->src;
    f.dst = carrier->dst;
    f.transport = carrier->transport;
    f.offer_result = result;
    f.status_code = po->status;
    f.double_hold = d->holding[OTHER(who)] == HS_YES;
    if (kind == FLOW_HOLD) {
        f.hold_mode = oa_hold_mode(sdp);
        if (takes_effect)
            d->hold_mode[who] = f.hold_mode;
        if (takes_effect) {
            d->hold_count++;
            d->labels |= SS_LABEL_HOLD;
            e->stats.labels[0]++;
        }
    } else {
        f.hold_mode = d->hold_mode[who];
        if (takes_effect) {
            SsTime since = d->hold_since[who];
            if (since && po->req.ts >= since) {
                f.hold_duration = po->req.ts - since;
                d->hold_time += f.hold_duration;
            }
            d->hold_since[who] = 0;
            d->hold_labelled[who] = false;
            d->labels |= SS_LABEL_RESUME;
            e->stats.labels[1]++;
        }
    }
    if (e->sink.flow)
        e->sink.flow(e->sink.user, &f);
}

static void
offer_set_used(Dialog *d, PendingOffer *po, bool on)
{
    unsigned bit = 1u << (unsigned)(po - d->offers);
    po->used = on;
    if (on)
        d->offers_used |= (uint8_t)bit;
    else
        d->offers_used &= (uint8_t)~bit;
}

/* The offer/answer exchange of po is over (or given up). */
static void
finalize_offer(DialogEngine *e, Dialog *d, PendingOffer *po, OfferResult r)
{
    if (!po->used)
        return;
    offer_set_used(d, po, false);
    if (r == OFFER_RESULT_ACCEPTED && po->have_answer && !oa_answer_valid(&po->offer, &po->answer)) {
        r = OFFER_RESULT_ANSWER_MISMATCH;
        report(e, SS_ANOMALY_OA_ANSWER_MISMATCH, d->call->call_id_text);
    } else if (r == OFFER_RESULT_ACCEPTED && !po->have_answer) {
        r = OFFER_RESULT_ANSWER_MISMATCH;
        report(e, SS_ANOMALY_OA_ANSWER_MISMATCH, "2xx without an SDP answer");
    }
    /* Labels only in a confirmed dialog, never for the dialog-creating
     * exchange (DESIGN §2: "an offer ... in a confirmed dialog"); the
     * initial exchange still sets each party's media state. */
    bool labelled = !po->initial && d->state == DIALOG_STATE_CONFIRMED;
    /* An exchange answered before a newer one that was already applied
     * (an INVITE answered in a reliable 18x and finalized at its 200,
     * after an UPDATE of the early dialog, RFC 3262, RFC 3311 §5.1) says
     * nothing about the media state any more. */
    if (po->have_answer && po->answer_seq < d->oa_applied)
        return;
    if (po->have_answer)
        d->oa_applied = po->answer_seq;
    HoldState offerer_before = d->holding[po->offerer];
    hold_transition(e, d, po->offerer, &po->offer, r, po, labelled);
    bool offerer_went_on_hold = offerer_before != HS_YES && d->holding[po->offerer] == HS_YES;
    /* The answerer holds by choice when the offer let it receive and its
     * answer refuses to (RFC 3264 §6.1 allows it; used by delayed-offer
     * re-INVITEs, whose offer comes in the 2xx and the hold in the ACK).
     * Not when the offer itself put the answerer on hold: "inactive" is
     * then one of the two answers §6.1 allows to "sendonly", not a hold of
     * its own. */
    if (po->have_answer && r != OFFER_RESULT_REJECTED) {
        Party ans = OTHER(po->offerer);
        if (oa_holds(&po->answer) && oa_offer_lets_answerer_receive(&po->offer) && !offerer_went_on_hold)
            hold_transition(e, d, ans, &po->answer, r, po, labelled);
        else if (oa_receives(&po->answer) && d->holding[ans] == HS_YES)
            hold_transition(e, d, ans, &po->answer, r, po, labelled);
    }
}

/* The first answer to po numbers the exchange (a 2xx repeating an answer
 * already given in a reliable 18x does not). */
static void
offer_answered(Dialog *d, PendingOffer *po)
{
    if (!po->have_answer)
        po->answer_seq = ++d->oa_answers;
    po->have_answer = true;
}

static PendingOffer *
offer_slot(DialogEngine *e, Dialog *d)
{
    for (unsigned i = 0; i < MAX_PENDING_OFFERS; i++)
        if (!d->offers[i].used)
            return &d->offers[i];
    /* All in flight: the oldest is given up (its outcome stays pending). */
    PendingOffer *old = &d->offers[0];
    for (unsigned i = 1; i < MAX_PENDING_OFFERS; i++)
        if (d->offers[i].req.ts < old->req.ts)
            old = &d->offers[i];
    finalize_offer(e, d, old, OFFER_RESULT_PENDING);
    return old;
}

static PendingOffer *
offer_find(Dialog *d, Party offerer, SipMethod method, uint32_t cseq, int in_response)
{
    for (unsigned i = 0; d->offers_used && i < MAX_PENDING_OFFERS; i++) {
        PendingOffer *po = &d->offers[i];
        if (po->used && po->offerer == offerer && po->cseq == cseq && po->method == method &&
            (in_response < 0 || po->in_response == (bool)in_response))
            return po;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* transfers                                                            */

static void
transfer_free(Transfer *t)
{
    g_free(t->refer_to);
    g_free(t->target_user);
    g_free(t->target_host);
    g_free(t->referred_by);
    g_free(t->referred_by_user);
    g_free(t->rep_call_id);
    g_free(t->rep_from_tag);
    g_free(t->rep_to_tag);
    g_free(t->new_call_id);
    g_free(t->refer_call_id);
    g_free(t);
}

static void
transfer_close_open(DialogEngine *e, Transfer *t)
{
    if (t->in_open) {
        g_queue_unlink(&e->open_refers, &t->open_link);
        t->in_open = false;
    }
}

/* Whether the record of d, ended, waits for a transfer to resolve: an
 * INVITE with Replaces naming d is unanswered (its 200 makes the end a
 * replacement, RFC 3891 §3, and it may be captured after d's BYE or 487),
 * or a REFER sent in d is not linked to its new call yet (the transferor
 * often hangs up right after the 202; the REFER's subscription outlives
 * the dialog, RFC 5589 §6). The call's expiry check reports it anyway at
 * end + SS_TRANSACTION_LINGER. */
static bool
dialog_record_waits(const Dialog *d)
{
    if (d->replace_pending)
        return true;
    const GPtrArray *ts = d->call->transfers;
    for (guint i = 0; i < d->call->n_transfers; i++) {
        const Transfer *t = g_ptr_array_index(ts, i);
        if (t->dialog == d && !t->is_replaces && !t->emitted && !t->new_call_id)
            return true;
    }
    return false;
}

/* d has ended: its record now, unless it waits (dialog_record_waits) */
static void
emit_ended_dialog(DialogEngine *e, Dialog *d)
{
    if (dialog_record_waits(d))
        mark_pending(e, d->call);
    else
        emit_dialog(e, d);
}

/* What d's record waited for has resolved. */
static void
dialog_record_release(DialogEngine *e, Dialog *d)
{
    if (d && d->ended && !d->reported && !dialog_record_waits(d))
        emit_dialog(e, d);
}

/* The dialog an INVITE with Replaces names, if known. */
static Dialog *
replaced_dialog(DialogEngine *e, const Transfer *t)
{
    SipStr cid = { t->rep_call_id ? t->rep_call_id : "", t->rep_call_id ? strlen(t->rep_call_id) : 0 };
    SipStr ft = { t->rep_from_tag ? t->rep_from_tag : "", t->rep_from_tag ? strlen(t->rep_from_tag) : 0 };
    SipStr tt = { t->rep_to_tag ? t->rep_to_tag : "", t->rep_to_tag ? strlen(t->rep_to_tag) : 0 };
    Call *c = call_lookup(e, cid);
    return c ? dialog_find(c, ft, tt) : NULL;
}

static void
finalize_transfer(DialogEngine *e, Transfer *t)
{
    if (t->emitted)
        return;
    t->emitted = true;
    Dialog *d = t->dialog;
    FlowEvent f;
    flow_init(&f, e, d, t->is_replaces ? FLOW_REPLACES_TRANSFER : FLOW_REFER_TRANSFER,
              t->initiator, &t->req, t->is_replaces ? SIP_METHOD_INVITE : SIP_METHOD_REFER,
              t->cseq);
    f.transfer_kind = t->kind;
    f.transfer_result = t->result;
    f.status_code = t->status;
    f.refer_to = t->refer_to;
    f.referred_by = t->referred_by;
    f.notify_status = t->notify_status;
    f.notify_count = t->notify_count;
    f.refer_sub = t->refer_sub;
    if (t->has_replaces) {
        f.replaces_call_id = t->rep_call_id;
        f.replaces_from_tag = t->rep_from_tag;
        f.replaces_to_tag = t->rep_to_tag;
        f.replaces_early_only = t->rep_early_only;
        f.replaces_dialog_seen = t->rep_dialog_seen;
    }
    f.new_call_id = t->new_call_id;
    f.refer_call_id = t->refer_call_id;
    if (e->sink.flow)
        e->sink.flow(e->sink.user, &f);
    if (t->rep_holds_old) {
        t->rep_holds_old = false;
        Dialog *old = replaced_dialog(e, t);
        if (old && old->replace_pending) {
            old->replace_pending--;
            dialog_record_release(e, old);
        }
    } else if (!t->is_replaces) {
        dialog_record_release(e, d);
    }
}

/* user part of a URI, unescaped (RFC 3261 §19.1.4 compares it decoded) */
static char *
uri_user(SipStr uri_text, char **host)
{
    SipUri u;
    *host = NULL;
    if (!sip_uri_parse(uri_text, &u))
        return NULL;
    if (u.host.len)
        *host = g_ascii_strdown(u.host.p, (gssize)u.host.len);
    if (!u.user.len)
        return NULL;
    char buf[512];
    size_t n = sip_str_unescape(u.user, buf, sizeof buf);
    if (n == (size_t)-1)
        return dup_str(u.user);
    /* a telephone number (tel:, or a SIP user=phone user): its visual
     * separators do not count in comparisons (RFC 3966 §5.6, RFC 3261
     * §19.1.6) */
    if (n && (buf[0] == '+' || (buf[0] >= '0' && buf[0] <= '9'))) {
        size_t k = 0;
        bool phone = true;
        for (size_t i = 0; i < n && phone; i++)
            phone = (buf[i] >= '0' && buf[i] <= '9') || buf[i] == '+' || buf[i] == '-' || buf[i] == '.' ||
                    buf[i] == '(' || buf[i] == ')';
        if (phone) {
            for (size_t i = 0; i < n; i++)
                if (buf[i] != '-' && buf[i] != '.' && buf[i] != '(' && buf[i] != ')')
                    buf[k++] = buf[i];
            n = k;
        }
    }
    return dup_view(buf, n);
}

static void
refer_result_from_notify(Transfer *t)
{
    if (t->notify_status >= 300)
        t->result = TRANSFER_RESULT_FAILED;
    else if (t->notify_status >= 200)
        t->result = TRANSFER_RESULT_SUCCEEDED;
}

/* ------------------------------------------------------------------ */
/* SDP offer/answer per message (RFC 3264 §4-§8, RFC 3262 §5, RFC 3311) */

static SdpRole
handle_sdp(DialogEngine *e, Dialog *d, const SipMessage *m, const SipMeta *meta, Party sender,
           const SipCSeq *cs, const SdpSummary *sdp, bool initial, const MsgOrigin *req_origin)
{
    MsgOrigin here;
    origin_from_meta(&here, meta);
    if (m->is_request) {
        SipMethod meth = m->method;
        if (meth == SIP_METHOD_ACK) {
            PendingOffer *po = offer_find(d, OTHER(sender), SIP_METHOD_INVITE, cs->seq, 1);
            if (!po && d->seen_midcall && cs->seq == d->initial_cseq)
                return SDP_ROLE_ANSWER; /* of an exchange seen in part (above) */
            if (!po) {
                report(e, SS_ANOMALY_OA_UNEXPECTED_ANSWER, "SDP in ACK without an offer in the 2xx");
                return SDP_ROLE_UNEXPECTED;
            }
            offer_answered(d, po);
            po->answer = *sdp;
            po->answer_msg = here;
            finalize_offer(e, d, po, OFFER_RESULT_ACCEPTED);
            return SDP_ROLE_ANSWER;
        }
        if (meth == SIP_METHOD_PRACK) {
            for (unsigned i = 0; i < MAX_PENDING_OFFERS; i++) {
                PendingOffer *po = &d->offers[i];
                if (po->used && po->offerer == OTHER(sender) && po->in_response &&
                    po->method == SIP_METHOD_INVITE) {
                    offer_answered(d, po);
                    po->answer = *sdp;
                    po->answer_msg = here;
                    finalize_offer(e, d, po, OFFER_RESULT_ACCEPTED);
                    return SDP_ROLE_ANSWER;
                }
            }
        }
        if (meth != SIP_METHOD_INVITE && meth != SIP_METHOD_UPDATE && meth != SIP_METHOD_PRACK)
            return SDP_ROLE_NONE;
        /* A new offer. The sender's own challenged offer is superseded by
         * the re-sent request (401/407, RFC 3261 §22.2). */
        for (unsigned i = 0; i < MAX_PENDING_OFFERS; i++) {
            PendingOffer *po = &d->offers[i];
            if (po->used && po->offerer == sender && po->challenged)
                offer_set_used(d, po, false);
        }
        /* RFC 3264 §4: an offer while the other party's is unanswered is glare
         * (one of them normally gets 491). */
        for (unsigned i = 0; i < MAX_PENDING_OFFERS; i++) {
            PendingOffer *po = &d->offers[i];
            if (po->used && !po->challenged && po->offerer == OTHER(sender) && !po->have_answer &&
                !po->initial && meth != SIP_METHOD_PRACK) {
                report(e, SS_ANOMALY_OA_GLARE, d->call->call_id_text);
                break;
            }
        }
        PendingOffer *po = offer_slot(e, d);
        memset(po, 0, sizeof *po);
        offer_set_used(d, po, true);
        po->offerer = sender;
        po->method = meth;
        po->cseq = cs->seq;
        po->initial = initial;
        po->offer = *sdp;
        po->req = here;
        po->offer_msg = here;
        po->deadline = meta->ts + SS_OFFER_TIMEOUT;
        mark_pending(e, d->call);
        return SDP_ROLE_OFFER;
    }

    /* a response: sender answered a request of the other party */
    SipMethod meth = cs->method;
    if (meth != SIP_METHOD_INVITE && meth != SIP_METHOD_UPDATE && meth != SIP_METHOD_PRACK)
        return SDP_ROLE_NONE;
    if (m->status < 100 || (m->status >= 300 && m->status < 700))
        return m->status >= 300 ? SDP_ROLE_UNEXPECTED : SDP_ROLE_NONE;
    PendingOffer *po = offer_find(d, OTHER(sender), meth, cs->seq, 0);
    if (po) {
        if (!po->have_answer || m->status >= 200) {
            offer_answered(d, po);
            po->answer = *sdp;
            po->answer_msg = here;
        }
        return SDP_ROLE_ANSWER;
    }
    if (meth != SIP_METHOD_INVITE)
        return SDP_ROLE_UNEXPECTED;
    /* The dialog was first seen by this INVITE's response (the capture
     * missed the INVITE): its SDP answers an offer that was not observed,
     * or is a delayed offer; which, and what either means for holds, is
     * not known (DESIGN §2: never guessed). */
    if (d->seen_midcall && cs->seq == d->initial_cseq && !d->last_invite[OTHER(sender)].ts)
        return SDP_ROLE_ANSWER;
    /* Delayed offer: the INVITE had no SDP, the offer is in this 1xx/2xx
     * and the answer comes in the PRACK or the ACK (RFC 3261 §13.2.1). */
    PendingOffer *prev = offer_find(d, sender, SIP_METHOD_INVITE, cs->seq, 1);
    if (prev)
        return SDP_ROLE_OFFER; /* the 2xx repeats the offer of a reliable 1xx */
    po = offer_slot(e, d);
    memset(po, 0, sizeof *po);
    offer_set_used(d, po, true);
    po->offerer = sender;
    po->method = SIP_METHOD_INVITE;
    po->cseq = cs->seq;
    po->in_response = true;
    po->initial = initial;
    po->offer = *sdp;
    po->req = req_origin ? *req_origin : here;
    po->offer_msg = here;
    po->status = m->status;
    po->deadline = meta->ts + SS_OFFER_TIMEOUT;
    mark_pending(e, d->call);
    return SDP_ROLE_OFFER;
}

/* A final response ended the transaction of an offer sent in its request. */
static void
offer_final_response(DialogEngine *e, Dialog *d, Party req_sender, const SipCSeq *cs,
                     unsigned status)
{
    PendingOffer *po = offer_find(d, req_sender, cs->method, cs->seq, 0);
    if (!po)
        return;
    po->status = status;
    if (status >= 200 && status < 300) {
        finalize_offer(e, d, po, OFFER_RESULT_ACCEPTED);
    } else if (status == 401 || status == 407) {
        po->challenged = true;
        po->deadline = e->now + SS_OFFER_TIMEOUT;
        mark_pending(e, d->call);
    } else {
        finalize_offer(e, d, po, OFFER_RESULT_REJECTED);
    }
}

/* ------------------------------------------------------------------ */
/* REFER (RFC 3515), NOTIFY of the implicit subscription, Replaces      */

/* Room for one more transfer in c (SS_MAX_TRANSFERS_PER_CALL); the first
 * refusal is reported. Keeps a REFER storm from growing memory and the
 * per-call transfer scans without bound. */
static bool
transfer_room(DialogEngine *e, Call *c)
{
    if (c->transfers->len < SS_MAX_TRANSFERS_PER_CALL)
        return true;
    if (!c->transfer_cap_reported) {
        c->transfer_cap_reported = true;
        report(e, SS_ANOMALY_TRANSFER_CAP, c->call_id_text);
    }
    return false;
}

static void
on_refer(DialogEngine *e, Dialog *d, const SipMessage *m, const SipMeta *meta, Party sender,
         const SipCSeq *cs)
{
    SipReferTo rt;
    if (!sip_get_refer_to(m, &rt, e->decode_buf, sizeof e->decode_buf)) {
        report(e, SS_ANOMALY_REFER_NO_REFER_TO, d->call->call_id_text);
        return;
    }
    char *refer_to = dup_str(rt.addr.uri);
    /* A REFER re-sent after a 401/407 continues the challenged transfer. */
    Transfer *t = NULL;
    for (guint i = 0; i < d->call->transfers->len; i++) {
        Transfer *x = g_ptr_array_index(d->call->transfers, i);
        if (x->dialog == d && !x->is_replaces && x->challenged && !x->emitted &&
            x->initiator == sender && str_eq0(x->refer_to, refer_to)) {
            t = x;
            break;
        }
    }
    if (t) {
        g_free(refer_to);
        t->challenged = false;
        t->status = 0;
        t->cseq = cs->seq;
        t->result = TRANSFER_RESULT_PENDING;
        t->deadline = meta->ts + SS_TRANSFER_WINDOW;
        return;
    }
    if (!transfer_room(e, d->call)) {
        g_free(refer_to);
        return;
    }
    t = g_new0(Transfer, 1);
    t->call = d->call;
    t->dialog = d;
    t->initiator = sender;
    t->cseq = cs->seq;
    origin_from_meta(&t->req, meta);
    t->deadline = meta->ts + SS_TRANSFER_WINDOW;
    t->refer_to = refer_to;
    t->target_user = uri_user(rt.addr.uri, &t->target_host);
    SipNameAddr rb;
    if (sip_get_referred_by(m, &rb)) {
        char *host;
        t->referred_by = dup_str(rb.uri);
        t->referred_by_user = uri_user(rb.uri, &host);
        g_free(host);
    }
    t->refer_sub = sip_get_refer_sub(m);
    t->result = TRANSFER_RESULT_PENDING;
    if (rt.has_replaces) {
        t->kind = TRANSFER_ATTENDED;
        t->has_replaces = true;
        t->rep_call_id = dup_str(rt.replaces.call_id);
        t->rep_from_tag = dup_str(rt.replaces.from_tag);
        t->rep_to_tag = dup_str(rt.replaces.to_tag);
        t->rep_early_only = rt.replaces.early_only;
        Call *c = call_lookup(e, rt.replaces.call_id);
        t->rep_dialog_seen = c && dialog_find(c, rt.replaces.from_tag, rt.replaces.to_tag);
        if (c) {
            /* the consultation call is related to the transferor's call */
            add_related(d, c->call_id_text);
            Dialog *cd = dialog_find(c, rt.replaces.from_tag, rt.replaces.to_tag);
            add_related(cd, d->call->call_id_text);
        }
    } else {
        t->kind = TRANSFER_BLIND;
        SipUri u = rt.uri;
        if (u.headers.len && sip_uri_header_get(u.headers, "Replaces", &(SipStr){ 0 }))
            report(e, SS_ANOMALY_REFER_BAD_REPLACES, d->call->call_id_text);
    }
    d->labels |= SS_LABEL_REFER_TRANSFER;
    d->transfer_count++;
    e->stats.labels[2]++;
    g_ptr_array_add(d->call->transfers, t);
    d->call->n_transfers = d->call->transfers->len;
    t->open_link.data = t;
    g_queue_push_tail_link(&e->open_refers, &t->open_link);
    t->in_open = true;
    mark_pending(e, d->call);
}

static Transfer *
transfer_for_refer_response(Dialog *d, Party refer_sender, uint32_t cseq)
{
    for (guint i = d->call->transfers->len; i-- > 0;) {
        Transfer *t = g_ptr_array_index(d->call->transfers, i);
        if (t->dialog == d && !t->is_replaces && t->initiator == refer_sender && t->cseq == cseq)
            return t;
    }
    return NULL;
}

/* The NOTIFYs have told all they will (a final sipfrag, or the end of
 * the subscription) and the new call, if any, is linked. Not before the
 * REFER's own final response: it may be captured after the NOTIFYs
 * (RFC 3515 §2.4.4 lets them overtake it), and the flow reports it. */
static bool
transfer_settled(const Transfer *t)
{
    if (t->status == 0 || !(t->notify_final || t->notify_terminated))
        return false;
    return t->new_call_id || t->notify_status >= 300 || t->notify_terminated || !t->in_open;
}

static void
on_refer_response(DialogEngine *e, Dialog *d, const SipMessage *m, Party req_sender,
                  const SipCSeq *cs)
{
    if (m->status < 200)
        return;
    Transfer *t = transfer_for_refer_response(d, req_sender, cs->seq);
    if (!t || t->emitted)
        return;
    t->status = m->status;
    if (m->status < 300) {
        /* RFC 4488 §4: the recipient may confirm "Refer-Sub: false" */
        int rs = sip_get_refer_sub(m);
        if (rs == 0)
            t->refer_sub = 0;
        if (t->result == TRANSFER_RESULT_PENDING)
            t->result = TRANSFER_RESULT_UNKNOWN;
        /* the NOTIFYs came first */
        if (transfer_settled(t)) {
            transfer_close_open(e, t);
            finalize_transfer(e, t);
        }
    } else if (m->status == 401 || m->status == 407) {
        t->challenged = true;
        t->result = TRANSFER_RESULT_REJECTED;
        t->deadline = e->now + SS_TRANSFER_WINDOW;
    } else {
        t->result = TRANSFER_RESULT_REJECTED;
        transfer_close_open(e, t);
        finalize_transfer(e, t);
    }
}

static void
on_notify(DialogEngine *e, Dialog *d, const SipMessage *m, Party sender)
{
    SipEvent ev;
    if (!sip_get_event(m, &ev) || !sip_str_ieq(ev.package, "refer"))
        return;
    /* RFC 3515 §2.4.6: the id parameter is the CSeq of the REFER. */
    long id = -1;
    if (ev.id.len && ev.id.len < 12) {
        char tmp[16];
        memcpy(tmp, ev.id.p, ev.id.len);
        tmp[ev.id.len] = '\0';
        char *end;
        id = strtol(tmp, &end, 10);
        if (*end)
            id = -1;
    }
    Transfer *t = NULL;
    if (id < 0) {
        /* No id: only the first REFER's NOTIFYs may omit it (RFC 3515
         * §2.4.6), so the oldest REFER still waiting for its final NOTIFY
         * (agents that never send id use one REFER at a time: then that is
         * the only one waiting) */
        for (guint i = 0; i < d->call->transfers->len; i++) {
            Transfer *x = g_ptr_array_index(d->call->transfers, i);
            if (x->dialog == d && !x->is_replaces && x->initiator != sender && !x->notify_final &&
                !x->emitted && x->status < 300 && x->refer_sub != 0) {
                t = x;
                break;
            }
        }
    }
    for (guint i = d->call->transfers->len; !t && i-- > 0;) {
        Transfer *x = g_ptr_array_index(d->call->transfers, i);
        if (x->dialog != d || x->is_replaces || x->initiator == sender)
            continue;
        if (id >= 0 && x->cseq != (uint32_t)id)
            continue;
        t = x;
    }
    if (!t)
        return;
    t->notify_count++;
    SipStr frag;
    unsigned st = 0;
    if (sip_body_find(m, "message/sipfrag", &frag))
        st = sip_sipfrag_status(frag);
    else if (m->body.len && !sip_message_header(m, SIP_HDR_CONTENT_TYPE))
        /* some agents omit the Content-Type: a body that is a status line
         * is still the sipfrag (RFC 3515 §2.4.5 says what it must be) */
        st = sip_sipfrag_status(sip_span_str(m, m->body));
    if (st == 0) {
        report(e, SS_ANOMALY_NOTIFY_BAD_SIPFRAG, d->call->call_id_text);
    } else {
        t->notify_status = st;
    }
    SipSubState ss;
    bool terminated = sip_get_subscription_state(m, &ss) && sip_str_ieq(ss.state, "terminated");
    if (st >= 200) {
        t->notify_final = true;
        refer_result_from_notify(t);
    }
    if (terminated)
        t->notify_terminated = true;
    if ((st >= 200 || terminated) && !t->emitted) {
        if (t->status == 0 && t->result == TRANSFER_RESULT_PENDING)
            t->result = TRANSFER_RESULT_UNKNOWN;
        if (transfer_settled(t)) {
            transfer_close_open(e, t);
            finalize_transfer(e, t);
        }
    }
}

static bool
replaces_equal(const Transfer *t, const SipReplaces *r)
{
    if (!t->has_replaces || !view_eq(t->rep_call_id, r->call_id))
        return false;
    return (view_eq(t->rep_from_tag, r->from_tag) && view_eq(t->rep_to_tag, r->to_tag)) ||
           (view_eq(t->rep_from_tag, r->to_tag) && view_eq(t->rep_to_tag, r->from_tag));
}

/* A new INVITE may be the call a REFER asked for (DESIGN §2): after the
 * REFER, within SS_TRANSFER_WINDOW, to the Refer-To target, from the
 * transferee (Referred-By, or the REFER's destination address), or
 * carrying the very Replaces the Refer-To embedded. */
static Transfer *
match_refer(DialogEngine *e, Dialog *nd, const SipMessage *m, const SipMeta *meta,
            const SipReplaces *rep)
{
    if (!e->open_refers.length)
        return NULL;
    char *ruser = NULL, *rhost = NULL, *tuser = NULL, *thost = NULL, *buser = NULL, *bhost = NULL;
    ruser = uri_user(sip_span_str(m, m->request_uri), &rhost);
    SipNameAddr to, rb;
    if (sip_get_to(m, &to))
        tuser = uri_user(to.uri, &thost);
    bool has_rb = sip_get_referred_by(m, &rb);
    if (has_rb)
        buser = uri_user(rb.uri, &bhost);
    Transfer *best = NULL;
    int best_score = 0;
    unsigned candidates = 0;
    for (GList *l = e->open_refers.head; l; l = l->next) {
        Transfer *t = l->data;
        if (t->call == nd->call || meta->ts < t->req.ts)
            continue;
        if (meta->ts - t->req.ts > SS_TRANSFER_WINDOW)
            continue;
        if (t->status >= 300)
            continue;
        int score = 0;
        if (rep && replaces_equal(t, rep)) {
            score = 4;
        } else {
            bool user_match = t->target_user &&
                              (str_eq0(t->target_user, ruser) || str_eq0(t->target_user, tuser));
            if (!t->target_user && t->target_host)
                user_match = str_eq0(t->target_host, rhost) || str_eq0(t->target_host, thost);
            if (!user_match)
                continue;
            bool from_transferee = endpoint_addr_equal(&meta->src, &t->req.dst);
            bool rb_match = has_rb && t->referred_by_user && str_eq0(t->referred_by_user, buser);
            /* a Refer-To with a host only (a PBX, a gateway) matches every
             * call to that host: only Referred-By tells it is this one */
            if (!t->target_user && !rb_match)
                continue;
            if (rb_match && from_transferee)
                score = 3;
            else if (rb_match || from_transferee)
                score = 2;
            else if (has_rb)
                score = 1;
            else
                continue;
        }
        candidates++;
        if (score > best_score || (score == best_score && best && t->req.ts > best->req.ts)) {
            best = t;
            best_score = score;
        }
    }
    if (best && candidates > 1 && best_score < 2)
        report(e, SS_ANOMALY_TRANSFER_AMBIGUOUS, nd->call->call_id_text);
    if (best && candidates > 1 && best_score < 2)
        best = NULL;
    g_free(ruser);
    g_free(rhost);
    g_free(tuser);
    g_free(thost);
    g_free(buser);
    g_free(bhost);
    return best;
}

static void
link_transfer(DialogEngine *e, Transfer *t, Dialog *nd)
{
    g_free(t->new_call_id);
    t->new_call_id = g_strdup(nd->call->call_id_text);
    add_related(t->dialog, nd->call->call_id_text);
    add_related(nd, t->call->call_id_text);
    if (t->has_replaces && t->rep_call_id)
        add_related(nd, t->rep_call_id);
    transfer_close_open(e, t);
    /* Its last NOTIFY came before the new call was seen. */
    if (t->notify_final && t->status != 0)
        finalize_transfer(e, t);
    else
        dialog_record_release(e, t->dialog);
}

static void
on_invite_replaces(DialogEngine *e, Dialog *nd, const SipMessage *m, const SipMeta *meta,
                   const SipReplaces *rep, Transfer *refer)
{
    if (!transfer_room(e, nd->call))
        return;
    Transfer *t = g_new0(Transfer, 1);
    t->call = nd->call;
    t->dialog = nd;
    t->is_replaces = true;
    t->kind = TRANSFER_REPLACES;
    t->initiator = PARTY_CALLER;
    SipCSeq cs;
    t->cseq = sip_get_cseq(m, &cs) ? cs.seq : 0;
    origin_from_meta(&t->req, meta);
    t->deadline = meta->ts + SS_TRANSFER_WINDOW;
    t->refer_to = dup_str(sip_span_str(m, m->request_uri));
    SipNameAddr rb;
    if (sip_get_referred_by(m, &rb))
        t->referred_by = dup_str(rb.uri);
    t->refer_sub = -1;
    t->has_replaces = true;
    t->rep_call_id = dup_str(rep->call_id);
    t->rep_from_tag = dup_str(rep->from_tag);
    t->rep_to_tag = dup_str(rep->to_tag);
    t->rep_early_only = rep->early_only;
    t->result = TRANSFER_RESULT_PENDING;
    Call *c = call_lookup(e, rep->call_id);
    Dialog *old = c ? dialog_find(c, rep->from_tag, rep->to_tag) : NULL;
    t->rep_dialog_seen = old != NULL;
    if (!old)
        report(e, SS_ANOMALY_REPLACES_UNKNOWN_DIALOG, nd->call->call_id_text);
    else {
        old->replace_pending++;
        t->rep_holds_old = true;
        add_related(old, nd->call->call_id_text);
        add_related(nd, old->call->call_id_text);
    }
    if (refer)
        t->refer_call_id = g_strdup(refer->call->call_id_text);
    nd->labels |= SS_LABEL_REPLACES_TRANSFER;
    nd->transfer_count++;
    e->stats.labels[3]++;
    g_ptr_array_add(nd->call->transfers, t);
    nd->call->n_transfers = nd->call->transfers->len;
    mark_pending(e, nd->call);
}

/* The INVITE with Replaces got its final response. */
static void
replaces_final(DialogEngine *e, Dialog *nd, unsigned status)
{
    for (guint i = 0; i < nd->call->transfers->len; i++) {
        Transfer *t = g_ptr_array_index(nd->call->transfers, i);
        if (!t->is_replaces || t->dialog != nd || t->emitted)
            continue;
        if (status == 401 || status == 407)
            continue; /* re-sent with credentials */
        t->status = status;
        t->result = status < 300 ? TRANSFER_RESULT_SUCCEEDED : TRANSFER_RESULT_FAILED;
        if (status < 300) {
            Dialog *old = replaced_dialog(e, t);
            if (old && !old->replaced) {
                /* RFC 3891 §3: the old dialog is ended (BYE, or CANCEL when
                 * early) by the UA that accepted; that end is a replacement. */
                old->replaced = true;
                g_free(old->replaced_by);
                old->replaced_by = g_strdup(nd->call->call_id_text);
                if (old->ended && !old->reported)
                    old->end_reason = DIALOG_END_REPLACED;
            }
        }
        finalize_transfer(e, t);
    }
}

/* ------------------------------------------------------------------ */
/* the message path                                                     */

static bool
dedupe(Call *c, const SipMessage *m, const SipMeta *meta, SipStr ftag, SipStr ttag,
       const SipCSeq *cs, bool *retrans)
{
    /* the fixed-size parts as three words, mixed as ss_hash64 mixes eight
     * bytes (built in registers: a struct on the stack read back as words
     * stalled); the strings each end with their length mixed in, so
     * "ab"+"c" differs from "a"+"bc" */
    const uint64_t words[3] = {
        (uint64_t)(m->is_request ? -1 : sip_get_rseq(m)),
        (uint64_t)cs->seq | (uint64_t)(m->is_request ? 0 : m->status) << 32,
        (uint64_t)m->body.len | (uint64_t)(m->is_request ? 1 : 2) << 32,
    };
    uint64_t id = UINT64_C(14695981039346656037);
    for (unsigned i = 0; i < 3; i++)
        id = ss_hash64_word(id, words[i]);
    id = ss_hash64(id, ftag.p, ftag.len);
    id = ss_hash64(id, ttag.p, ttag.len);
    id = ss_hash64(id, cs->method_text.p, cs->method_text.len);
    if (m->is_request) {
        /* a different Request-URI is a different request (forked / redirected) */
        id = ss_hash64(id, m->buf + m->request_uri.off, m->request_uri.len);
    }
    uint64_t path = UINT64_C(14695981039346656037);
    path = ss_hash64(path, &meta->src, sizeof meta->src);
    path = ss_hash64(path, &meta->dst, sizeof meta->dst);
    /* ring_bits has the bit of every id in the ring (and maybe of some
     * overwritten): no bit, no need to read the ring */
    uint64_t bit = UINT64_C(1) << (id >> 58);
    if (c->ring_bits & bit) {
        for (unsigned i = 0; i < c->ring_n; i++) {
            if (c->ring[i].id == id) {
                *retrans = c->ring[i].path == path;
                return true;
            }
        }
    }
    c->ring[c->ring_pos].id = id;
    c->ring[c->ring_pos].path = path;
    c->ring_bits |= bit;
    c->ring_pos = (c->ring_pos + 1) % FP_RING;
    if (c->ring_n < FP_RING) {
        c->ring_n++;
    } else if (c->ring_pos == 0) {
        /* a full round overwritten: drop the bits of the ids gone */
        c->ring_bits = 0;
        for (unsigned i = 0; i < FP_RING; i++)
            c->ring_bits |= UINT64_C(1) << (c->ring[i].id >> 58);
    }
    return false;
}

static void
emit_message(DialogEngine *e, const SipMessage *m, const SipMeta *meta, Call *c, Dialog *d,
             Party sender, bool retrans, bool has_sdp, SdpRole role, const SdpSummary *sdp)
{
    if (!e->sink.message)
        return;
    MsgEvent ev;
    memset(&ev, 0, sizeof ev);
    ev.ts = meta->ts;
    ev.frame = meta->frame;
    ev.last_frame = meta->last_frame;
    ev.src = meta->src;
    ev.dst = meta->dst;
    ev.transport = meta->transport;
    ev.msg = m;
    ev.call_id = c ? c->call_id_text : NULL;
    ev.in_call = c != NULL;
    SipStr cid;
    if (!c && sip_get_call_id(m, &cid)) {
        /* no call (OPTIONS, REGISTER, an orphan response): the record
         * still names its Call-ID, in the display form calls use */
        g_string_truncate(e->cid_scratch, 0);
        for (size_t i = 0; i < cid.len; i++)
            g_string_append_c(e->cid_scratch, cid.p[i] ? cid.p[i] : '?');
        ev.call_id = e->cid_scratch->str;
    }
    if (d) {
        ev.dialog_from_tag = d->from_tag;
        ev.dialog_to_tag = d->to_tag;
        ev.from_caller = sender == PARTY_CALLER;
    }
    ev.retransmission = retrans;
    ev.incomplete = meta->incomplete;
    if (has_sdp) {
        ev.has_sdp = true;
        ev.sdp_role = role;
        ev.sdp_dir = oa_first_direction(sdp, &ev.sdp_null_addr);
        ev.sdp_holds = oa_holds(sdp);
        ev.sdp_family = oa_first_family(sdp);
    }
    e->sink.message(e->sink.user, &ev);
}

/* A branch forked after its sibling's 2xx (which finalized the INVITE's
 * offer there): the offer, copied from the sibling, waits again for this
 * branch's answer. */
static void
fork_reopen_offer(Dialog *d)
{
    d->offers_used = 0;
    for (unsigned k = 0; k < MAX_PENDING_OFFERS; k++) {
        PendingOffer *po = &d->offers[k];
        po->used = false;
        if (po->initial && po->method == SIP_METHOD_INVITE && po->cseq == d->initial_cseq &&
            !d->offers_used) {
            offer_set_used(d, po, true);
            po->have_answer = false;
            po->answer_seq = 0;
            po->status = 0;
        }
    }
}

/* A 2xx of its own for a dialog another branch's 2xx had ended as
 * fork_lost, its record not yet written: it was not lost after all. */
static void
fork_answered(Dialog *d, const SipMessage *m, const SipCSeq *cs)
{
    if (!d->ended || d->reported || d->end_reason != DIALOG_END_FORK_LOST || m->is_request ||
        m->status < 200 || m->status >= 300 || cs->method != d->method || cs->seq != d->initial_cseq)
        return;
    d->ended = false;
    d->end = 0;
    d->end_reason = DIALOG_END_NONE;
    d->state = DIALOG_STATE_EARLY;
    d->initial_done = false;
}

static bool
creates_call(const SipMessage *m, const SipCSeq *cs, bool has_to_tag)
{
    SipMethod meth = m->is_request ? m->method : cs->method;
    switch (meth) {
    case SIP_METHOD_INVITE:
    case SIP_METHOD_REFER:
        return true;
    case SIP_METHOD_ACK:
    case SIP_METHOD_BYE:
    case SIP_METHOD_UPDATE:
    case SIP_METHOD_PRACK:
    case SIP_METHOD_INFO:
    case SIP_METHOD_CANCEL:
        /* in-dialog requests of a call seen from its middle */
        return m->is_request && has_to_tag && meth != SIP_METHOD_CANCEL;
    default:
        return false;
    }
}

void
dialog_engine_feed(DialogEngine *e, const SipMessage *m, const SipMeta *meta)
{
    if (meta->ts > e->now)
        e->now = meta->ts;
    e->stats.messages++;
    /* the hash dialog_engine_prefetch() worked out, if it was for this
     * message: used once, then forgotten */
    const char *pf_id = e->pf_id;
    e->pf_id = NULL;

    SipStr cid;
    SipNameAddr from, to;
    SipCSeq cs;
    if (!sip_get_call_id(m, &cid) || !sip_get_from(m, &from) || !sip_get_to(m, &to) ||
        !sip_get_cseq(m, &cs) || cid.len == 0) {
        emit_message(e, m, meta, NULL, NULL, PARTY_CALLER, false, false, SDP_ROLE_NONE, NULL);
        return;
    }
    SipStr ftag = from.tag, ttag = to.tag;
    bool has_ttag = ttag.len > 0;

    uint64_t h = cid.p == pf_id && cid.len == e->pf_len ? e->pf_hash : call_hash(e, cid.p, cid.len);
    Call *c = call_lookup_hashed(e, cid, h);
    if (!c) {
        if (!creates_call(m, &cs, has_ttag)) {
            emit_message(e, m, meta, NULL, NULL, PARTY_CALLER, false, false, SDP_ROLE_NONE, NULL);
            return;
        }
        c = call_new(e, cid, h, meta->ts);
    }
    /* Its own deadlines that are due first, as the expiry pass would have
     * (it runs at most once a capture second, and only when packets come):
     * what this message finds must not depend on unrelated traffic. */
    if (c->pending && c->check_at <= e->now)
        pending_check(e, c, e->now);
    if (c->first_dialog) {
        /* its tags and what a message updates, on the way during the
         * dedupe and the SDP parse */
        const char *b = (const char *)c->first_dialog;
        __builtin_prefetch(b);
        __builtin_prefetch(b + 64);
        __builtin_prefetch(b + 128);
        __builtin_prefetch(b + 192);
    }
    call_touch(e, c, meta->ts);
    c->messages++;

    bool retrans = false;
    if (dedupe(c, m, meta, ftag, ttag, &cs, &retrans)) {
        if (retrans)
            e->stats.retransmissions++;
        /* count it on its dialog */
        Dialog *d = has_ttag ? dialog_find(c, ftag, ttag) : dialog_find_trying(c, ftag, cs.method);
        if (!d && !has_ttag)
            d = dialog_find_by_caller(c, ftag, cs.method);
        Party sender = PARTY_CALLER;
        if (d) {
            d->messages++;
            d->retransmissions += retrans;
            d->last = meta->ts;
            sender = dialog_sender(d, m, ftag);
        }
        emit_message(e, m, meta, c, d, sender, retrans, false, SDP_ROLE_NONE, NULL);
        return;
    }

    /* SDP, if any (also inside multipart, RFC 5621) */
    SdpSummary sdp;
    bool has_sdp = false;
    SipStr body;
    if (m->body.len && sip_body_find(m, "application/sdp", &body) &&
        sdp_parse(body.p, body.len, &e->sdp)) {
        oa_summarize(&e->sdp, &sdp);
        has_sdp = true;
        for (unsigned i = 0; i < e->sdp.n_anomalies; i++)
            report(e, e->sdp.anomalies[i], c->call_id_text);
    }

    Dialog *d = NULL;
    Party sender = PARTY_CALLER;
    SdpRole role = SDP_ROLE_NONE;
    bool fork_refused = false;
    SipMethod tmeth = m->is_request ? m->method : cs.method;

    if (m->is_request) {
        if (has_ttag) {
            d = dialog_find(c, ftag, ttag);
            if (!d && m->method == SIP_METHOD_ACK) {
                /* ACK of a 2xx whose dialog we know only as trying */
                d = dialog_find_trying(c, ftag, SIP_METHOD_INVITE);
            }
            if (!d && m->method == SIP_METHOD_NOTIFY) {
                /* A NOTIFY may come before the 2xx of the out-of-dialog
                 * REFER it reports on, and then makes the dialog (RFC 3515
                 * §2.4.4, RFC 6665 §4.1.2.4): its To-tag is the REFER's
                 * From-tag, its From-tag the dialog's other tag. */
                d = dialog_find_trying(c, ttag, SIP_METHOD_REFER);
                if (d)
                    d->to_tag = dialog_str(d, ftag);
            }
            if (!d && m->method != SIP_METHOD_NOTIFY && m->method != SIP_METHOD_SUBSCRIBE &&
                m->method != SIP_METHOD_CANCEL && creates_call(m, &cs, true)) {
                /* seen from the middle of the call */
                d = dialog_new(e, c, meta->ts);
                if (d) {
                    d->from_tag = dialog_str(d, ftag);
                    d->to_tag = dialog_str(d, ttag);
                    d->method = SIP_METHOD_INVITE;
                    d->state = DIALOG_STATE_CONFIRMED;
                    d->seen_midcall = true;
                    d->holding[0] = d->holding[1] = HS_UNKNOWN;
                    d->initial_done = true;
                    dialog_fill_parties(d, m, meta, true);
                    report(e, SS_ANOMALY_DIALOG_MIDCALL, c->call_id_text);
                }
            }
        } else if (m->method == SIP_METHOD_INVITE || m->method == SIP_METHOD_REFER) {
            d = dialog_find_trying(c, ftag, m->method);
            if (!d)
                d = dialog_find_by_caller(c, ftag, m->method);
            if (d && d->initial_done && !d->challenged && d->to_tag) {
                d = NULL; /* a new INVITE with a reused from-tag: treat as new dialog */
            }
            if (!d) {
                d = dialog_new(e, c, meta->ts);
                if (d) {
                    d->from_tag = dialog_str(d, ftag);
                    d->method = m->method;
                    d->state = DIALOG_STATE_TRYING;
                    d->initial_cseq = cs.seq;
                    dialog_fill_parties(d, m, meta, true);
                }
            } else {
                /* Re-sent after 401/407 with a higher CSeq (RFC 3261 §22.2).
                 * The challenge's to-tag made no dialog (§12.1: only 101-199
                 * and 2xx do): the dialog is trying again. */
                d->initial_cseq = cs.seq;
                d->challenged = false;
                d->initial_done = false;
                if (d->state < DIALOG_STATE_CONFIRMED) {
                    dialog_strfree(d, d->to_tag);
                    d->to_tag = NULL;
                    d->state = DIALOG_STATE_TRYING;
                    d->final_status = 0;
                }
            }
        } else {
            d = dialog_find_trying(c, ftag, cs.method);
            if (!d)
                d = dialog_find_by_caller(c, ftag, cs.method);
        }
    } else {
        /* a response */
        if (has_ttag)
            d = dialog_find(c, ftag, ttag);
        if (!d && (cs.method == SIP_METHOD_INVITE || cs.method == SIP_METHOD_REFER)) {
            Dialog *tr = dialog_find_trying(c, ftag, cs.method);
            if (tr && has_ttag) {
                tr->to_tag = dialog_str(tr, ttag); /* the first response with a to-tag */
                d = tr;
            } else if (tr) {
                d = tr;
            } else if (has_ttag) {
                Dialog *sib = dialog_find_by_caller(c, ftag, cs.method);
                /* a branch answering after another's 2xx, while the INVITE
                 * transaction still takes 2xx (RFC 3261 §13.2.2.4): the
                 * sibling to fork from is then the answered one (the first
                 * may have lost the fork) */
                bool late_branch = false;
                if (sib && sib->initial_done && cs.method == SIP_METHOD_INVITE) {
                    for (guint i = 0; i < c->dialogs->len && !late_branch; i++) {
                        Dialog *x = g_ptr_array_index(c->dialogs, i);
                        if (x->method == cs.method && str_eq0(x->from_tag, sib->from_tag) &&
                            cs.seq == x->initial_cseq && x->final_status >= 200 && x->final_status < 300 &&
                            x->answer && meta->ts - x->answer < SS_TRANSACTION_LINGER) {
                            sib = x;
                            late_branch = true;
                        }
                    }
                }
                if (sib && (!sib->initial_done || late_branch) && c->dialogs->len >= SS_MAX_DIALOGS_PER_CALL) {
                    /* one fork too many: counted once as an eviction, the
                     * response is shown without a dialog */
                    fork_refused = true;
                    e->stats.evictions++;
                    report(e, SS_ANOMALY_DIALOG_EVICTED, "too many dialogs in one call");
                } else if (sib && (!sib->initial_done || late_branch)) {
                    /* forking (RFC 3261 §12.1.2, §13.2.2.4): another early dialog */
                    d = dialog_new(e, c, meta->ts);
                    if (d) {
                        d->from_tag = dialog_copy(d, sib->from_tag);
                        d->to_tag = dialog_str(d, ttag);
                        d->from_uri = dialog_copy(d, sib->from_uri);
                        d->to_uri = dialog_copy(d, sib->to_uri);
                        d->from_display = dialog_copy(d, sib->from_display);
                        d->to_display = dialog_copy(d, sib->to_display);
                        d->caller_ua = dialog_copy(d, sib->caller_ua);
                        if (d->caller_ua)
                            d->ua_stored |= 1u << PARTY_CALLER;
                        d->caller = sib->caller;
                        d->callee = sib->callee;
                        d->transport = sib->transport;
                        d->method = sib->method;
                        d->initial_cseq = sib->initial_cseq;
                        d->state = DIALOG_STATE_TRYING;
                        d->start = sib->start;
                        memcpy(d->offers, sib->offers, sizeof d->offers);
                        d->offers_used = sib->offers_used;
                        /* the copied answers keep their numbers */
                        d->oa_answers = sib->oa_answers;
                        d->oa_applied = sib->oa_applied;
                        if (late_branch)
                            fork_reopen_offer(d);
                    }
                }
            }
        }
        if (!d && has_ttag && !fork_refused &&
            (cs.method == SIP_METHOD_INVITE || cs.method == SIP_METHOD_BYE ||
             cs.method == SIP_METHOD_UPDATE || cs.method == SIP_METHOD_REFER ||
             cs.method == SIP_METHOD_PRACK)) {
            /* A response whose request we did not see. */
            report(e, SS_ANOMALY_DIALOG_ORPHAN_RESPONSE, c->call_id_text);
            d = dialog_new(e, c, meta->ts);
            if (d) {
                d->from_tag = dialog_str(d, ftag);
                d->to_tag = dialog_str(d, ttag);
                d->method = cs.method == SIP_METHOD_REFER ? SIP_METHOD_REFER : SIP_METHOD_INVITE;
                d->seen_midcall = true;
                d->holding[0] = d->holding[1] = HS_UNKNOWN;
                dialog_fill_parties(d, m, meta, true);
                if (cs.method == SIP_METHOD_INVITE && !(m->status >= 200 && m->status < 300)) {
                    d->state = DIALOG_STATE_TRYING;
                    d->initial_cseq = cs.seq;
                } else {
                    d->state = DIALOG_STATE_CONFIRMED;
                    d->initial_done = true;
                    d->initial_cseq = cs.seq;
                    /* its final status, not its setup time: the INVITE
                     * was not seen */
                    if (cs.method == SIP_METHOD_INVITE)
                        d->final_status = m->status;
                }
            }
        } else if (!d && !fork_refused) {
            report(e, SS_ANOMALY_DIALOG_ORPHAN_RESPONSE, c->call_id_text);
        }
    }

    if (!d) {
        emit_message(e, m, meta, c, NULL, PARTY_CALLER, false, has_sdp, SDP_ROLE_NONE, &sdp);
        /* a call without any dialog (orphan responses) lingers only briefly */
        call_update_queue(e, c);
        pending_update(e, c);
        return;
    }

    sender = dialog_sender(d, m, ftag);
    d->messages++;
    d->last = meta->ts;
    dialog_note_ua(d, m, sender);
    fork_answered(d, m, &cs);

    bool initial_txn = tmeth == d->method && cs.seq == d->initial_cseq && !d->initial_done &&
                       !d->seen_midcall;
    if (d->seen_midcall && d->state != DIALOG_STATE_CONFIRMED && cs.seq == d->initial_cseq &&
        cs.method == SIP_METHOD_INVITE && !d->initial_done)
        initial_txn = true;

    MsgOrigin here;
    origin_from_meta(&here, meta);

    if (m->is_request) {
        switch (m->method) {
        case SIP_METHOD_INVITE:
            if (has_sdp)
                role = handle_sdp(e, d, m, meta, sender, &cs, &sdp, initial_txn, NULL);
            if (!has_ttag) {
                SipReplaces rep;
                bool has_rep = sip_get_replaces(m, &rep);
                if (!has_rep && sip_message_header(m, SIP_HDR_REPLACES))
                    report(e, SS_ANOMALY_REPLACES_BAD_HEADER, c->call_id_text);
                Transfer *refer = match_refer(e, d, m, meta, has_rep ? &rep : NULL);
                if (has_rep) {
                    bool already = false;
                    for (guint i = 0; i < c->transfers->len; i++) {
                        Transfer *t = g_ptr_array_index(c->transfers, i);
                        if (t->is_replaces && t->dialog == d)
                            already = true;
                    }
                    if (!already)
                        on_invite_replaces(e, d, m, meta, &rep, refer);
                }
                if (refer)
                    link_transfer(e, refer, d);
            }
            /* remember the request for a delayed offer in its 2xx */
            d->last_invite[sender] = here;
            d->last_invite_cseq[sender] = cs.seq;
            break;
        case SIP_METHOD_UPDATE:
        case SIP_METHOD_PRACK:
        case SIP_METHOD_ACK:
            if (has_sdp)
                role = handle_sdp(e, d, m, meta, sender, &cs, &sdp, initial_txn, NULL);
            else if (m->method == SIP_METHOD_ACK) {
                PendingOffer *po = offer_find(d, OTHER(sender), SIP_METHOD_INVITE, cs.seq, 1);
                if (po) /* the 2xx offer never got its answer */
                    finalize_offer(e, d, po, OFFER_RESULT_ACCEPTED);
            }
            break;
        case SIP_METHOD_BYE:
            /* The dialog ends with the BYE (RFC 3261 §15.1.2); its record
             * waits for the BYE's response so that it counts every
             * message, or for the linger time when none comes. */
            if (!d->ended)
                d->ended_by_caller = sender == PARTY_CALLER;
            dialog_end(e, d, DIALOG_END_BYE, meta->ts);
            mark_pending(e, c);
            break;
        case SIP_METHOD_CANCEL:
            d->cancel_seen = true;
            for (guint i = 0; i < c->dialogs->len; i++) {
                Dialog *x = g_ptr_array_index(c->dialogs, i);
                if (view_eq(x->from_tag, ftag) && !x->initial_done)
                    x->cancel_seen = true;
            }
            d->ended_by_caller = true;
            break;
        case SIP_METHOD_REFER:
            on_refer(e, d, m, meta, sender, &cs);
            break;
        case SIP_METHOD_NOTIFY:
            on_notify(e, d, m, sender);
            break;
        default:
            break;
        }
    } else {
        unsigned st = m->status;
        Party req_sender = OTHER(sender);
        if (has_sdp) {
            const MsgOrigin *ro = NULL;
            if (cs.method == SIP_METHOD_INVITE && d->last_invite_cseq[req_sender] == cs.seq &&
                d->last_invite[req_sender].ts)
                ro = &d->last_invite[req_sender];
            role = handle_sdp(e, d, m, meta, sender, &cs, &sdp, initial_txn, ro);
        }
        if (cs.method == SIP_METHOD_INVITE || cs.method == SIP_METHOD_UPDATE ||
            cs.method == SIP_METHOD_PRACK) {
            if (st >= 200)
                offer_final_response(e, d, req_sender, &cs, st);
        }
        if (initial_txn && (cs.method == SIP_METHOD_INVITE || cs.method == SIP_METHOD_REFER)) {
            if (st > 100 && st < 200 && has_ttag && d->state == DIALOG_STATE_TRYING)
                d->state = DIALOG_STATE_EARLY;
            if (st >= 200 && st < 300) {
                d->state = DIALOG_STATE_CONFIRMED;
                d->initial_done = true;
                d->final_status = st;
                if (!d->answer)
                    d->answer = meta->ts;
                /* other early dialogs of this INVITE lost the fork */
                for (guint i = 0; i < c->n_dialogs; i++) {
                    Dialog *x = call_dialog(c, i);
                    if (x != d && !x->initial_done && x->method == d->method &&
                        str_eq0(x->from_tag, d->from_tag) && x->state == DIALOG_STATE_EARLY) {
                        /* RFC 3261 §13.2.2.4: another branch may still
                         * answer with its own 2xx until the INVITE
                         * transaction completes, 64*T1 after this one;
                         * its record waits that long (undone by a 2xx
                         * of its own, fork_answered()) */
                        x->initial_done = true;
                        dialog_end(e, x, DIALOG_END_FORK_LOST, meta->ts);
                        mark_pending(e, c);
                    }
                }
                if (cs.method == SIP_METHOD_INVITE)
                    replaces_final(e, d, st);
            } else if (st >= 300) {
                if (st == 401 || st == 407) {
                    /* RFC 3261 §22.2: normally re-sent with credentials
                     * (same from-tag, higher CSeq); if not, it failed. */
                    d->challenged = true;
                    d->final_status = st;
                    d->challenge_deadline = meta->ts + SS_TRANSACTION_LINGER;
                    mark_pending(e, c);
                } else {
                    d->final_status = st;
                    if (cs.method == SIP_METHOD_INVITE)
                        replaces_final(e, d, st);
                    /* every dialog of this INVITE ends */
                    for (guint i = 0; i < c->dialogs->len; i++) {
                        Dialog *x = g_ptr_array_index(c->dialogs, i);
                        if (x->initial_done || !str_eq0(x->from_tag, d->from_tag) ||
                            x->method != d->method)
                            continue;
                        x->initial_done = true;
                        x->final_status = st;
                        bool cancelled = st == 487 || x->cancel_seen;
                        x->ended_by_caller = cancelled;
                        dialog_end(e, x, cancelled ? DIALOG_END_CANCEL : DIALOG_END_REJECTED,
                                   meta->ts);
                        emit_ended_dialog(e, x);
                    }
                }
            }
        } else if (cs.method == SIP_METHOD_BYE && st >= 200) {
            /* the BYE itself may not have been captured: its response
             * ends the dialog all the same */
            if (!d->ended) {
                d->ended_by_caller = req_sender == PARTY_CALLER;
                dialog_end(e, d, DIALOG_END_BYE, meta->ts);
            }
            emit_ended_dialog(e, d);
        }
        if (cs.method == SIP_METHOD_REFER)
            on_refer_response(e, d, m, req_sender, &cs);
    }
    pending_update(e, c);
    emit_message(e, m, meta, c, d, sender, false, has_sdp, role, &sdp);
}

/* ------------------------------------------------------------------ */
/* time: timeouts, end of input                                         */

typedef enum {
    CHECK_DUE,  /* give up waiting on what is overdue at `now` */
    CHECK_ALL,  /* on everything (end of input, call destroyed) */
    CHECK_NONE, /* on nothing: only work out when the next deadline is */
} CheckMode;

/* Gives up waiting on what `mode` says in one call; true when nothing is
 * pending any more. c->check_at becomes the earliest deadline left. */
static bool
call_check_pending(DialogEngine *e, Call *c, SsTime now, CheckMode mode)
{
    bool left = false;
    SsTime next = INT64_MAX;
#define ACT(t) (mode == CHECK_ALL || (mode == CHECK_DUE && now >= (t)))
#define LEFT_UNTIL(t) \
    do { \
        left = true; \
        if ((t) < next) \
            next = (t); \
    } while (0)
    for (guint i = 0; i < c->n_dialogs; i++) {
        Dialog *d = call_dialog(c, i);
        if (d->ended && !d->reported) {
            if (ACT(d->end + SS_TRANSACTION_LINGER))
                emit_dialog(e, d);
            else
                LEFT_UNTIL(d->end + SS_TRANSACTION_LINGER);
        }
        if (d->challenged && !d->initial_done && !d->reported) {
            if (ACT(d->challenge_deadline)) {
                d->initial_done = true;
                dialog_end(e, d, DIALOG_END_REJECTED, d->last);
                emit_dialog(e, d);
            } else {
                LEFT_UNTIL(d->challenge_deadline);
            }
        }
        for (unsigned k = 0; d->offers_used && k < MAX_PENDING_OFFERS; k++) {
            PendingOffer *po = &d->offers[k];
            if (!(d->offers_used & (1u << k)))
                continue;
            if (ACT(po->deadline))
                finalize_offer(e, d, po,
                               po->challenged ? OFFER_RESULT_REJECTED : OFFER_RESULT_PENDING);
            else
                LEFT_UNTIL(po->deadline);
        }
    }
    for (guint i = 0; i < c->n_transfers; i++) {
        Transfer *t = g_ptr_array_index(c->transfers, i);
        if (t->emitted)
            continue;
        if (ACT(t->deadline)) {
            if (t->result == TRANSFER_RESULT_PENDING && t->status >= 200 && t->status < 300)
                t->result = TRANSFER_RESULT_UNKNOWN;
            if (t->refer_sub == 0 && t->new_call_id && t->result == TRANSFER_RESULT_UNKNOWN) {
                /* no NOTIFY by agreement (RFC 4488): the new call tells */
                SipStr nc = { t->new_call_id, strlen(t->new_call_id) };
                Call *ncall = call_lookup(e, nc);
                Dialog *nd = ncall && ncall->dialogs->len ? g_ptr_array_index(ncall->dialogs, 0) : NULL;
                if (nd && nd->final_status >= 200)
                    t->result = nd->final_status < 300 ? TRANSFER_RESULT_SUCCEEDED
                                                       : TRANSFER_RESULT_FAILED;
            }
            transfer_close_open(e, t);
            finalize_transfer(e, t);
        } else {
            LEFT_UNTIL(t->deadline);
        }
    }
#undef LEFT_UNTIL
#undef ACT
    c->check_at = next;
    return !left;
}

/* After a message of c: its pending state worked out now, while it is in
 * the cache, so that the expiry pass looks at it only when a deadline is
 * due (and never for a call with nothing left to wait for). */
static void
pending_update(DialogEngine *e, Call *c)
{
    if (!c->pending)
        return;
    if (call_check_pending(e, c, e->now, CHECK_NONE))
        pending_remove(e, c);
    else
        pending_refix(e, c);
}

/* The expiry check of one pending call: it leaves the heap when nothing is
 * left to wait for, else it moves to its next deadline. */
static bool
pending_check(DialogEngine *e, Call *c, SsTime now)
{
    if (call_check_pending(e, c, now, CHECK_DUE)) {
        pending_remove(e, c);
        return true;
    }
    pending_refix(e, c);
    return false;
}

static void
call_destroy(DialogEngine *e, Call *c, DialogEndReason why)
{
    SsTime now = e->now;
    pending_remove(e, c);
    call_check_pending(e, c, now, CHECK_ALL);
    bool any = false;
    unsigned labels = 0;
    for (guint i = 0; i < c->dialogs->len; i++) {
        Dialog *d = g_ptr_array_index(c->dialogs, i);
        if (!d->reported) {
            if (!d->ended && why != DIALOG_END_NONE) {
                d->ended = true;
                d->end_reason = d->replaced ? DIALOG_END_REPLACED : why;
                d->end = why == DIALOG_END_END_OF_INPUT || why == DIALOG_END_EVICTED ? now : d->last;
            }
            emit_dialog(e, d);
        }
        labels |= d->labels;
        any = true;
    }
    if (any && e->sink.call_end) {
        CallEnd ce = { now, c->call_id_text, c->dialogs->len, c->messages, labels };
        e->sink.call_end(e->sink.user, &ce);
    }
    for (guint i = 0; i < c->transfers->len; i++) {
        Transfer *t = g_ptr_array_index(c->transfers, i);
        transfer_close_open(e, t);
        transfer_free(t);
    }
    for (guint i = 0; i < c->dialogs->len; i++)
        dialog_free(e, g_ptr_array_index(c->dialogs, i));
    lru_unlink(e, c->lru);
    lru_node_free(e, c->lru);
    ptr_table_remove(&e->calls, c->hash, c);
    if (c->call_id != c->id_inline)
        g_free(c->call_id);
    if (e->free_calls->len < POOL_MAX && c->dialogs->len <= 8 && c->transfers->len <= 8) {
        g_ptr_array_set_size(c->dialogs, 0);
        c->n_dialogs = c->n_transfers = 0;
        g_ptr_array_set_size(c->transfers, 0);
        g_ptr_array_add(e->free_calls, c);
    } else {
        g_ptr_array_free(c->dialogs, TRUE);
        g_ptr_array_free(c->transfers, TRUE);
        g_free(c);
    }
    e->stats.calls_open--;
}

void
dialog_engine_expire(DialogEngine *e, SsTime now)
{
    if (now > e->now)
        e->now = now;
    now = e->now;
    /* flows waiting for an outcome: the due calls, earliest first (each
     * moves on to its next deadline, past now, or leaves) */
    Call *c;
    while (e->pend_len && e->pend[0].at <= now)
        pending_check(e, e->pend[0].c, now);
    /* ended calls linger for late retransmissions, then go */
    while ((c = lru_first(e, LRU_ENDED)) && now - c->last >= SS_ENDED_LINGER) {
        if (c->pending && !pending_check(e, c, now))
            break;
        call_destroy(e, c, DIALOG_END_NONE);
    }
    /* idle calls time out */
    SsTime idle = e->cfg.idle_timeout ? e->cfg.idle_timeout : SS_DIALOG_IDLE_TIMEOUT;
    while ((c = lru_first(e, LRU_ACTIVE)) && now - c->last >= idle)
        call_destroy(e, c, DIALOG_END_TIMEOUT);
}

static gint
call_seq_cmp(gconstpointer a, gconstpointer b)
{
    const Call *x = *(Call *const *)a, *y = *(Call *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
dialog_engine_finish(DialogEngine *e, SsTime now)
{
    if (now > e->now)
        e->now = now;
    GPtrArray *all = g_ptr_array_new();
    for (size_t i = 0; i <= e->calls.mask; i++)
        if (e->calls.slots[i].item)
            g_ptr_array_add(all, e->calls.slots[i].item);
    g_ptr_array_sort(all, call_seq_cmp);
    /* First every open flow (they may link calls), then the calls. */
    for (guint i = 0; i < all->len; i++)
        call_check_pending(e, g_ptr_array_index(all, i), e->now, CHECK_ALL);
    for (guint i = 0; i < all->len; i++)
        call_destroy(e, g_ptr_array_index(all, i), DIALOG_END_END_OF_INPUT);
    g_ptr_array_free(all, TRUE);
}

DialogEngine *
dialog_engine_new(const DialogSink *sink, const AnomalySink *anomalies, const DialogConfig *cfg)
{
    DialogEngine *e = g_new0(DialogEngine, 1);
    if (sink)
        e->sink = *sink;
    if (anomalies)
        e->anomalies = *anomalies;
    if (cfg)
        e->cfg = *cfg;
    ptr_table_init(&e->calls, 1024);
    e->cid_scratch = g_string_new(NULL);
    /* the table's layout is not visible in any output: a seed per run
     * keeps crafted Call-IDs from piling onto one probe run */
    e->hash_seed = ((uint64_t)g_random_int() << 32 | g_random_int()) ^ UINT64_C(14695981039346656037);
    e->free_calls = g_ptr_array_new();
    e->free_dialogs = g_ptr_array_new();
    lru_init(e);
    g_queue_init(&e->open_refers);
    return e;
}

void
dialog_engine_get_stats(const DialogEngine *e, DialogStats *st)
{
    *st = e->stats;
}

void
dialog_engine_free(DialogEngine *e)
{
    if (!e)
        return;
    /* Free without reporting: dialog_engine_finish() reports. */
    e->sink.message = NULL;
    e->sink.flow = NULL;
    e->sink.dialog = NULL;
    e->sink.call_end = NULL;
    e->anomalies.fn = NULL;
    GPtrArray *all = g_ptr_array_new();
    for (size_t i = 0; i <= e->calls.mask; i++)
        if (e->calls.slots[i].item)
            g_ptr_array_add(all, e->calls.slots[i].item);
    for (guint i = 0; i < all->len; i++)
        call_destroy(e, g_ptr_array_index(all, i), DIALOG_END_NONE);
    g_ptr_array_free(all, TRUE);
    ptr_table_free(&e->calls);
    g_free(e->lru);
    g_free(e->lru_call);
    g_string_free(e->cid_scratch, TRUE);
    g_free(e->pend);
    for (guint i = 0; i < e->free_calls->len; i++) {
        Call *c = g_ptr_array_index(e->free_calls, i);
        g_ptr_array_free(c->dialogs, TRUE);
        g_ptr_array_free(c->transfers, TRUE);
        g_free(c);
    }
    g_ptr_array_free(e->free_calls, TRUE);
    g_ptr_array_set_free_func(e->free_dialogs, g_free);
    g_ptr_array_free(e->free_dialogs, TRUE);
    g_free(e);
}
