/* test-output.c - the text and NDJSON writers, on events built by hand.
 *
 * Exact output is the specification: the long outputs are fixtures in
 * tests/unit/output-fixtures/ (set SIPSLEUTH_UPDATE_FIXTURES=1 to rewrite
 * them, then review the diff); the short ones are asserted inline. Every
 * JSON stream also goes through tests/validate-json.py and the schema
 * (skipped when python3-jsonschema is missing).
 */
#include <config.h>

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dialog/dialog_event.h"
#include "output/output.h"
#include "sip/sip_parse.h"

#define SEC INT64_C(1000000000)
#define MS INT64_C(1000000)
/* 2023-11-14T22:13:20Z */
#define T0 (INT64_C(1700000000) * SEC)

/* ---- helpers ---- */

static Endpoint
ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    Endpoint e = { .family = 4, .port = port };
    e.addr[0] = a;
    e.addr[1] = b;
    e.addr[2] = c;
    e.addr[3] = d;
    return e;
}

#define EP_ALICE ep4(192, 0, 2, 10, 5060)
#define EP_BOB ep4(198, 51, 100, 20, 5060)
#define EP_CAROL ep4(203, 0, 113, 30, 5062)

/* A memory stream the writers write into. */
typedef struct {
    char *data;
    size_t size;
    FILE *f;
} Mem;

static void
mem_open(Mem *m)
{
    m->data = NULL;
    m->size = 0;
    m->f = open_memstream(&m->data, &m->size);
    g_assert_nonnull(m->f);
}

/* Closes the stream; m->data holds the text (caller frees). */
static void
mem_close(Mem *m)
{
    g_assert_cmpint(fclose(m->f), ==, 0);
    m->f = NULL;
}

/* SIP messages, parsed by the real parser: the writers read them through
 * the sip/ accessors. Each lives in its own buffer (the message borrows). */
typedef struct {
    char *text;
    size_t len;
    SipMessage *msg;
} Parsed;

static Parsed *
parsed_new(const char *text, size_t len)
{
    Parsed *p = g_new0(Parsed, 1);
    p->text = g_memdup2(text, len);
    p->len = len;
    p->msg = g_new0(SipMessage, 1);
    g_assert_cmpint(sip_message_parse(p->msg, p->text, p->len), ==, SIP_PARSE_OK);
    return p;
}

static void
parsed_free(Parsed *p)
{
    g_free(p->text);
    g_free(p->msg);
    g_free(p);
}

static const char sdp_sendrecv[] =
    "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\na=sendrecv\r\n";
static const char sdp_sendonly[] =
    "v=0\r\no=alice 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\na=sendonly\r\n";

/* A request or response of call 1 (alice -> bob, tags a1 / b1). */
static Parsed *
sip_msg(const char *start_line, const char *cseq, bool to_tag, const char *body)
{
    GString *s = g_string_new(start_line);
    g_string_append(s, "\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\n"
                       "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n");
    g_string_append_printf(s, "To: <sip:bob@example.com>%s\r\n", to_tag ? ";tag=b1" : "");
    g_string_append_printf(s, "Call-ID: call-1@192.0.2.10\r\nCSeq: %s\r\n", cseq);
    if (body)
        g_string_append(s, "Content-Type: application/sdp\r\n");
    g_string_append_printf(s, "Content-Length: %zu\r\n\r\n%s", body ? strlen(body) : 0,
                           body ? body : "");
    Parsed *p = parsed_new(s->str, s->len);
    g_string_free(s, TRUE);
    return p;
}

static MsgEvent
msg_event(const Parsed *p, SsTime ts, uint64_t frame, bool from_caller)
{
    MsgEvent ev = {
        .ts = ts,
        .frame = frame,
        .last_frame = frame,
        .src = from_caller ? EP_ALICE : EP_BOB,
        .dst = from_caller ? EP_BOB : EP_ALICE,
        .transport = SS_TRANSPORT_UDP,
        .msg = p->msg,
        .call_id = "call-1@192.0.2.10",
        .in_call = true,
        .dialog_from_tag = "a1",
        .dialog_to_tag = "b1",
        .from_caller = from_caller,
    };
    return ev;
}

static void
set_sdp(MsgEvent *ev, SdpRole role, SdpDirection dir, bool holds)
{
    ev->has_sdp = true;
    ev->sdp_role = role;
    ev->sdp_dir = dir;
    ev->sdp_holds = holds;
}

/* ---- the flows of the scenario (DESIGN.md §2) ---- */

static FlowEvent
flow_hold(void)
{
    FlowEvent f = {
        .kind = FLOW_HOLD,
        .start = T0 + 10 * SEC,
        .ts = T0 + 10 * SEC + 50 * MS,
        .frame = 6,
        .call_id = "call-1@192.0.2.10",
        .from_tag = "a1",
        .to_tag = "b1",
        .initiator_is_caller = true,
        .src = EP_ALICE,
        .dst = EP_BOB,
        .transport = SS_TRANSPORT_UDP,
        .method = SIP_METHOD_INVITE,
        .cseq = 2,
        .from_uri = "sip:alice@example.com",
        .to_uri = "sip:bob@example.com",
        .hold_mode = HOLD_MODE_SENDONLY,
        .offer_result = OFFER_RESULT_ACCEPTED,
        .status_code = 200,
        .refer_sub = -1,
    };
    return f;
}

static FlowEvent
flow_resume(void)
{
    FlowEvent f = flow_hold();
    f.kind = FLOW_RESUME;
    f.start = T0 + 20 * SEC;
    f.ts = T0 + 20 * SEC + 40 * MS;
    f.frame = 9;
    f.cseq = 3;
    f.hold_duration = 10 * SEC + 1 * MS;
    return f;
}

static FlowEvent
flow_blind(void)
{
    FlowEvent f = {
        .kind = FLOW_REFER_TRANSFER,
        .start = T0 + 30 * SEC,
        .ts = T0 + 31 * SEC,
        .frame = 12,
        .call_id = "call-1@192.0.2.10",
        .from_tag = "a1",
        .to_tag = "b1",
        .initiator_is_caller = false,
        .src = EP_BOB,
        .dst = EP_ALICE,
        .transport = SS_TRANSPORT_UDP,
        .method = SIP_METHOD_REFER,
        .cseq = 1,
        .from_uri = "sip:alice@example.com",
        .to_uri = "sip:bob@example.com",
        .status_code = 202,
        .transfer_kind = TRANSFER_BLIND,
        .transfer_result = TRANSFER_RESULT_SUCCEEDED,
        .refer_to = "sip:carol@example.com",
        .referred_by = "sip:bob@example.com",
        .notify_status = 200,
        .notify_count = 2,
        .refer_sub = -1,
        .new_call_id = "call-2@192.0.2.10",
    };
    return f;
}

static const char *const call1_related[] = { "call-2@192.0.2.10" };

static DialogRecord
dialog_call1(void)
{
    DialogRecord d = {
        .ts = T0 + 32 * SEC,
        .call_id = "call-1@192.0.2.10",
        .from_tag = "a1",
        .to_tag = "b1",
        .from_uri = "sip:alice@example.com",
        .to_uri = "sip:bob@example.com",
        .from_display = "Alice",
        .caller_user_agent = "softphone/1.0",
        .callee_user_agent = "deskphone/2.1",
        .caller = EP_ALICE,
        .callee = EP_BOB,
        .transport = SS_TRANSPORT_UDP,
        .method = SIP_METHOD_INVITE,
        .state = DIALOG_STATE_TERMINATED,
        .end_reason = DIALOG_END_BYE,
        .ended_by_caller = true,
        .final_status = 200,
        .start = T0,
        .answer = T0 + 2 * SEC + 345 * MS,
        .end = T0 + 32 * SEC,
        .labels = SS_LABEL_HOLD | SS_LABEL_RESUME | SS_LABEL_REFER_TRANSFER,
        .hold_count = 1,
        .hold_time = 10 * SEC + 1 * MS,
        .transfer_count = 1,
        .messages = 20,
        .retransmissions = 1,
        .n_related = 1,
        .related_call_ids = call1_related,
    };
    return d;
}

/* call-3: an attended transfer that failed; call-5: the INVITE with
 * Replaces (early-only) that a PBX sent for it. */
static FlowEvent
flow_attended(void)
{
    FlowEvent f = flow_blind();
    f.call_id = "call-3@198.51.100.20";
    f.from_tag = "b3";
    f.to_tag = "a3";
    f.initiator_is_caller = true;
    f.src = EP_BOB;
    f.dst = EP_ALICE;
    f.start = T0 + 40 * SEC;
    f.ts = T0 + 45 * SEC;
    f.frame = 30;
    f.from_uri = "sip:bob@example.com";
    f.to_uri = "sip:alice@example.com";
    f.transfer_kind = TRANSFER_ATTENDED;
    f.transfer_result = TRANSFER_RESULT_FAILED;
    f.refer_to = "<sip:carol@example.com?Replaces=call-4%40x%3Bto-tag%3Dc4%3Bfrom-tag%3Db4>";
    f.notify_status = 486;
    f.notify_count = 1;
    f.refer_sub = 1;
    f.replaces_call_id = "call-4@x";
    f.replaces_from_tag = "b4";
    f.replaces_to_tag = "c4";
    f.replaces_dialog_seen = true;
    f.new_call_id = NULL;
    return f;
}

static FlowEvent
flow_replaces(void)
{
    FlowEvent f = {
        .kind = FLOW_REPLACES_TRANSFER,
        .start = T0 + 41 * SEC,
        .ts = T0 + 42 * SEC,
        .frame = 33,
        .call_id = "call-5@203.0.113.30",
        .from_tag = "c5",
        .to_tag = "a5",
        .initiator_is_caller = true,
        .src = EP_CAROL,
        .dst = EP_ALICE,
        .transport = SS_TRANSPORT_TCP,
        .method = SIP_METHOD_INVITE,
        .cseq = 1,
        .from_uri = "sip:carol@example.com",
        .to_uri = "sip:alice@example.com",
        .status_code = 200,
        .transfer_kind = TRANSFER_REPLACES,
        .transfer_result = TRANSFER_RESULT_SUCCEEDED,
        .refer_to = "sip:alice@192.0.2.10",
        .refer_sub = -1,
        .replaces_call_id = "call-4@x",
        .replaces_from_tag = "b4",
        .replaces_to_tag = "c4",
        .replaces_early_only = true,
        .replaces_dialog_seen = false,
        .refer_call_id = "call-3@198.51.100.20",
    };
    return f;
}

static const char *const call3_related[] = { "call-5@203.0.113.30" };
static const char *const call5_related[] = { "call-3@198.51.100.20", "call-4@x" };

static DialogRecord
dialog_call3(void)
{
    DialogRecord d = {
        .ts = T0 + 46 * SEC,
        .call_id = "call-3@198.51.100.20",
        .from_tag = "b3",
        .to_tag = "a3",
        .from_uri = "sip:bob@example.com",
        .to_uri = "sip:alice@example.com",
        .caller = EP_BOB,
        .callee = EP_ALICE,
        .transport = SS_TRANSPORT_UDP,
        .method = SIP_METHOD_INVITE,
        .state = DIALOG_STATE_TERMINATED,
        .end_reason = DIALOG_END_BYE,
        .ended_by_caller = false,
        .final_status = 200,
        .start = T0 + 35 * SEC,
        .answer = T0 + 36 * SEC,
        .end = T0 + 46 * SEC,
        .labels = SS_LABEL_REFER_TRANSFER,
        .transfer_count = 1,
        .messages = 10,
        .n_related = 1,
        .related_call_ids = call3_related,
    };
    return d;
}

static DialogRecord
dialog_call5(void)
{
    DialogRecord d = {
        .ts = T0 + 50 * SEC,
        .call_id = "call-5@203.0.113.30",
        .from_tag = "c5",
        .to_tag = "a5",
        .from_uri = "sip:carol@example.com",
        .to_uri = "sip:alice@example.com",
        .to_display = "Alice \"A\" Smith",
        .callee_user_agent = "deskphone/2.1",
        .caller = EP_CAROL,
        .callee = EP_ALICE,
        .transport = SS_TRANSPORT_TCP,
        .method = SIP_METHOD_INVITE,
        .state = DIALOG_STATE_CONFIRMED,
        .end_reason = DIALOG_END_END_OF_INPUT,
        .final_status = 200,
        .start = T0 + 41 * SEC,
        .answer = T0 + 41 * SEC + 200 * MS,
        .end = T0 + 50 * SEC,
        .labels = SS_LABEL_REPLACES_TRANSFER,
        .transfer_count = 1,
        .messages = 5,
        .n_related = 2,
        .related_call_ids = call5_related,
    };
    return d;
}

static RunStats
run_stats(void)
{
    RunStats st = {
        .first_ts = T0,
        .last_ts = T0 + 50 * SEC,
        .packets = 40,
        .bytes = 24000,
        .ip_packets = 40,
        .udp_datagrams = 30,
        .tcp_segments = 10,
        .ip_fragments = 2,
        .ip_reassembled = 1,
        .tcp_gaps = 1,
        .tcp_gap_bytes = 100,
        .sip_messages = 36,
        .sip_requests = 18,
        .sip_responses = 18,
        .sip_retransmissions = 1,
        .calls = 3,
        .dialogs = 3,
        .labels = { 1, 1, 2, 1 },
        .anomalies_total = 4,
    };
    st.anomalies[SS_ANOMALY_SIP_BARE_LF] = 3;
    st.anomalies[SS_ANOMALY_TCP_GAP] = 1;
    return st;
}

/* Feeds the whole scenario: call 1 (messages, hold, resume, blind
 * transfer, dialog, end), then the attended / replaces flows, the end of
 * input. Messages go in only when with_msgs (the ladder tests). */
static void
feed_scenario(OutputWriter *w, bool with_msgs)
{
    if (with_msgs) {
        Parsed *inv = sip_msg("INVITE sip:bob@example.com SIP/2.0", "1 INVITE", false, sdp_sendrecv);
        Parsed *ok = sip_msg("SIP/2.0 200 OK", "1 INVITE", true, sdp_sendrecv);
        Parsed *ack = sip_msg("ACK sip:bob@198.51.100.20 SIP/2.0", "1 ACK", true, NULL);
        Parsed *hold = sip_msg("INVITE sip:bob@198.51.100.20 SIP/2.0", "2 INVITE", true, sdp_sendonly);
        Parsed *hold_ok = sip_msg("SIP/2.0 200 OK", "2 INVITE", true, sdp_sendrecv);
        Parsed *bye = sip_msg("BYE sip:bob@198.51.100.20 SIP/2.0", "4 BYE", true, NULL);
        Parsed *bye_ok = sip_msg("SIP/2.0 200 OK", "4 BYE", true, NULL);
        MsgEvent ev;

        ev = msg_event(inv, T0, 1, true);
        set_sdp(&ev, SDP_ROLE_OFFER, SDP_DIR_SENDRECV, false);
        output_message(w, &ev);
        ev = msg_event(inv, T0 + 500 * MS, 2, true);
        ev.retransmission = true;
        set_sdp(&ev, SDP_ROLE_OFFER, SDP_DIR_SENDRECV, false);
        output_message(w, &ev);
        ev = msg_event(ok, T0 + 2 * SEC + 345 * MS, 3, false);
        set_sdp(&ev, SDP_ROLE_ANSWER, SDP_DIR_SENDRECV, false);
        output_message(w, &ev);
        ev = msg_event(ack, T0 + 2 * SEC + 400 * MS, 4, true);
        output_message(w, &ev);
        ev = msg_event(hold, T0 + 10 * SEC, 6, true);
        set_sdp(&ev, SDP_ROLE_OFFER, SDP_DIR_SENDONLY, true);
        output_message(w, &ev);
        ev = msg_event(hold_ok, T0 + 10 * SEC + 50 * MS, 7, false);
        set_sdp(&ev, SDP_ROLE_ANSWER, SDP_DIR_RECVONLY, false);
        output_message(w, &ev);
        FlowEvent f = flow_hold();
        output_flow(w, &f);
        f = flow_resume();
        output_flow(w, &f);
        f = flow_blind();
        output_flow(w, &f);
        ev = msg_event(bye, T0 + 32 * SEC, 20, true);
        output_message(w, &ev);
        ev = msg_event(bye_ok, T0 + 32 * SEC, 21, false);
        output_message(w, &ev);

        parsed_free(inv);
        parsed_free(ok);
        parsed_free(ack);
        parsed_free(hold);
        parsed_free(hold_ok);
        parsed_free(bye);
        parsed_free(bye_ok);
    } else {
        FlowEvent f = flow_hold();
        output_flow(w, &f);
        f = flow_resume();
        output_flow(w, &f);
        f = flow_blind();
        output_flow(w, &f);
    }
    DialogRecord d = dialog_call1();
    output_dialog(w, &d);
    CallEnd ce = { .ts = d.ts, .call_id = d.call_id, .n_dialogs = 1, .messages = 20,
                   .labels = d.labels };
    output_call_end(w, &ce);

    /* flows are written when their outcome is known: the replaces flow
     * (ts 42 s) after the attended one (ts 45 s), so JSON clamps it */
    FlowEvent f = flow_attended();
    output_flow(w, &f);
    f = flow_replaces();
    output_flow(w, &f);
    d = dialog_call3();
    output_dialog(w, &d);
    ce = (CallEnd){ .ts = d.ts, .call_id = d.call_id, .n_dialogs = 1, .messages = 10,
                    .labels = d.labels };
    output_call_end(w, &ce);
    output_anomaly(w, SS_ANOMALY_TCP_GAP, T0 + 46 * SEC, 35, "100 bytes lost");
    /* end of input: call-5 is still open; its call is printed by finish */
    d = dialog_call5();
    output_dialog(w, &d);

    RunStats st = run_stats();
    output_finish(w, &st);
}

/* ---- comparing with fixtures ---- */

static void
check_fixture(const char *name, const char *actual)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "unit", "output-fixtures", name, NULL);
    if (g_getenv("SIPSLEUTH_UPDATE_FIXTURES")) {
        g_autoptr(GError) err = NULL;
        g_assert_true(g_file_set_contents(path, actual, -1, &err));
        g_test_message("rewrote %s", path);
        return;
    }
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;
    g_assert_true(g_file_get_contents(path, &expected, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(actual, ==, expected);
}

/* Runs tests/validate-json.py on the NDJSON text; skips when python3 or
 * python3-jsonschema is missing. */
static void
validate_json(const char *ndjson)
{
    g_autofree char *python = g_find_program_in_path("python3");
    if (!python) {
        g_test_skip("python3 not found");
        return;
    }
    g_autofree char *script = g_test_build_filename(G_TEST_DIST, "validate-json.py", NULL);
    g_autofree char *schema = g_test_build_filename(G_TEST_DIST, "..", "docs",
                                                    "sipsleuth.schema.json", NULL);
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = NULL;
    int fd = g_file_open_tmp("sipsleuth-XXXXXX.ndjson", &tmp, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_true(g_file_set_contents(tmp, ndjson, -1, &err));

    const char *argv[] = { python, script, "--schema", schema, tmp, NULL };
    g_autofree char *out = NULL, *errout = NULL;
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &errout, &status, &err));
    g_assert_no_error(err);
    g_unlink(tmp);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        g_test_skip("python3-jsonschema not installed");
        return;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        g_test_message("validate-json.py:\n%s%s", out, errout);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpstr(out, ==, "");
}

static OutputOptions
json_opts(unsigned emit)
{
    OutputOptions o = { .emit = emit };
    return o;
}

static char *
json_run(unsigned emit, bool with_msgs)
{
    Mem m;
    mem_open(&m);
    OutputOptions o = json_opts(emit);
    OutputWriter *w = output_json_new(m.f, &o);
    feed_scenario(w, with_msgs);
    g_assert_false(output_failed(w));
    output_free(w);
    mem_close(&m);
    return m.data;
}

/* Like g_str_has_prefix(), but shows both texts when it fails. */
static void
assert_prefix(const char *s, const char *prefix)
{
    g_autofree char *head = g_strndup(s, strlen(prefix));
    g_assert_cmpstr(head, ==, prefix);
}

static unsigned
count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- JSON tests ---- */

static void
test_json_flows(void)
{
    g_autofree char *out = json_run(EMIT_FLOW | EMIT_DIALOG | EMIT_STATS | EMIT_ANOMALY, false);
    check_fixture("json-flows.ndjson", out);
    validate_json(out);
}

static void
test_json_all(void)
{
    g_autofree char *out = json_run(EMIT_FLOW | EMIT_DIALOG | EMIT_MESSAGE | EMIT_STATS |
                                        EMIT_ANOMALY, true);
    check_fixture("json-all.ndjson", out);
    /* 8 messages, 5 flows, 3 dialogs, 1 anomaly, 1 stats */
    g_assert_cmpuint(count_lines(out), ==, 18);
    validate_json(out);
}

/* The first record written, inline: key order is part of the contract. */
static void
test_json_key_order(void)
{
    Mem m;
    mem_open(&m);
    OutputOptions o = json_opts(EMIT_FLOW);
    o.observer_hostname = "sbc1";
    o.observer_interface = "eth0";
    OutputWriter *w = output_json_new(m.f, &o);
    FlowEvent f = flow_hold();
    output_flow(w, &f);
    output_free(w);
    mem_close(&m);
    g_assert_cmpstr(m.data, ==,
        "{\"@timestamp\":\"2023-11-14T22:13:30.050000Z\",\"schema_version\":\"1.0\","
        "\"event\":{\"kind\":\"event\",\"dataset\":\"sipsleuth.flow\",\"action\":\"hold\","
        "\"sequence\":1,\"start\":\"2023-11-14T22:13:30.000000Z\"},"
        "\"observer\":{\"hostname\":\"sbc1\",\"ingress\":{\"interface\":{\"name\":\"eth0\"}}},"
        "\"source\":{\"ip\":\"192.0.2.10\",\"port\":5060},"
        "\"destination\":{\"ip\":\"198.51.100.20\",\"port\":5060},"
        "\"network\":{\"transport\":\"udp\",\"type\":\"ipv4\"},"
        "\"related\":{\"ip\":[\"192.0.2.10\",\"198.51.100.20\"]},"
        "\"sip\":{\"call_id\":\"call-1@192.0.2.10\",\"dialog\":{\"from_tag\":\"a1\",\"to_tag\":\"b1\"},"
        "\"initiator\":\"caller\",\"method\":\"INVITE\",\"cseq\":2,\"frame\":6,"
        "\"from\":{\"uri\":\"sip:alice@example.com\"},\"to\":{\"uri\":\"sip:bob@example.com\"},"
        "\"hold\":{\"mode\":\"sendonly\",\"result\":\"accepted\",\"status_code\":200,"
        "\"double_hold\":false}}}\n");
    validate_json(m.data);
    free(m.data);
}

/* Sequence counts the records written (not the events seen), and
 * @timestamp is clamped so it never goes back. */
static void
test_json_sequence_clamp(void)
{
    Mem m;
    mem_open(&m);
    OutputOptions o = json_opts(EMIT_FLOW | EMIT_ANOMALY);
    OutputWriter *w = output_json_new(m.f, &o);
    FlowEvent f = flow_resume(); /* ts 22:13:40.040 */
    output_flow(w, &f);
    DialogRecord d = dialog_call1(); /* not selected: no record, no number */
    output_dialog(w, &d);
    output_anomaly(w, SS_ANOMALY_FRAG_TIMEOUT, T0 + 5 * SEC, 0, NULL); /* earlier */
    output_anomaly(w, SS_ANOMALY_TCP_GAP, T0 + 60 * SEC, 7, "x");
    output_free(w);
    mem_close(&m);

    gchar **lines = g_strsplit(m.data, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 4);
    g_assert_true(g_str_has_prefix(lines[0], "{\"@timestamp\":\"2023-11-14T22:13:40.040000Z\""));
    g_assert_nonnull(strstr(lines[0], "\"sequence\":1,"));
    g_assert_cmpstr(lines[1], ==,
        "{\"@timestamp\":\"2023-11-14T22:13:40.040000Z\",\"schema_version\":\"1.0\","
        "\"event\":{\"kind\":\"event\",\"dataset\":\"sipsleuth.anomaly\","
        "\"action\":\"frag_timeout\",\"sequence\":2},"
        "\"anomaly\":{\"code\":\"frag_timeout\","
        "\"description\":\"IP fragments never completed (timeout)\"}}");
    g_assert_cmpstr(lines[2], ==,
        "{\"@timestamp\":\"2023-11-14T22:14:20.000000Z\",\"schema_version\":\"1.0\","
        "\"event\":{\"kind\":\"event\",\"dataset\":\"sipsleuth.anomaly\","
        "\"action\":\"tcp_gap\",\"sequence\":3},"
        "\"anomaly\":{\"code\":\"tcp_gap\","
        "\"description\":\"TCP bytes never captured; stream skipped the gap\","
        "\"frame\":7,\"detail\":\"x\"}}");
    g_assert_cmpstr(lines[3], ==, "");
    validate_json(m.data);
    g_strfreev(lines);
    free(m.data);
}

static void
test_json_emit_selection(void)
{
    g_autofree char *dialogs = json_run(EMIT_DIALOG, true);
    g_assert_cmpuint(count_lines(dialogs), ==, 3);
    g_assert_null(strstr(dialogs, "\"dataset\":\"sipsleuth.flow\""));
    g_assert_nonnull(strstr(dialogs, "\"sequence\":1,"));
    g_assert_nonnull(strstr(dialogs, "\"sequence\":3,"));
    g_assert_null(strstr(dialogs, "\"sequence\":4,"));

    g_autofree char *stats = json_run(EMIT_STATS, true);
    g_assert_cmpuint(count_lines(stats), ==, 1);
    g_assert_cmpstr(stats, ==,
        "{\"@timestamp\":\"2023-11-14T22:14:10.000000Z\",\"schema_version\":\"1.0\","
        "\"event\":{\"kind\":\"event\",\"dataset\":\"sipsleuth.stats\",\"action\":\"stats\","
        "\"sequence\":1,\"start\":\"2023-11-14T22:13:20.000000Z\","
        "\"end\":\"2023-11-14T22:14:10.000000Z\",\"duration\":50000000000},"
        "\"stats\":{\"packets\":40,\"bytes\":24000,\"ip_packets\":40,\"non_ip\":0,"
        "\"udp_datagrams\":30,\"tcp_segments\":10,\"ip_fragments\":2,\"ip_reassembled\":1,"
        "\"frag_timeouts\":0,\"frag_evictions\":0,\"tcp_gaps\":1,\"tcp_gap_bytes\":100,"
        "\"tcp_retransmissions\":0,\"tcp_stream_evictions\":0,\"sip_messages\":36,"
        "\"sip_requests\":18,\"sip_responses\":18,\"sip_retransmissions\":1,"
        "\"sip_incomplete\":0,\"non_sip_payloads\":0,\"calls\":3,\"dialogs\":3,"
        "\"dialog_evictions\":0,\"labels\":{\"hold\":1,\"resume\":1,\"refer_transfer\":2,"
        "\"replaces_transfer\":1},\"live\":false,\"anomalies_total\":4,"
        "\"anomalies\":{\"tcp_gap\":1,\"sip_bare_lf\":3}}}\n");

    /* 0 means the default: flows and dialogs */
    g_autofree char *dflt = json_run(0, true);
    g_assert_cmpuint(count_lines(dflt), ==, 8);
    g_assert_null(strstr(dflt, "sipsleuth.message"));
    g_assert_null(strstr(dflt, "sipsleuth.stats"));
    g_assert_null(strstr(dflt, "sipsleuth.anomaly"));

    g_autofree char *msgs = json_run(EMIT_MESSAGE, true);
    g_assert_cmpuint(count_lines(msgs), ==, 8);
    g_assert_null(strstr(msgs, "sipsleuth.flow"));
    validate_json(msgs);
}

/* Hostile strings: NUL bytes, quotes, backslashes, control characters and
 * bytes that are not UTF-8 come out as valid JSON, byte values kept. */
/* The NDJSON message record of ev alone (caller frees). */
static char *
json_message_text(const MsgEvent *ev)
{
    Mem m;
    mem_open(&m);
    OutputOptions o = json_opts(EMIT_MESSAGE);
    OutputWriter *w = output_json_new(m.f, &o);
    output_message(w, ev);
    output_free(w);
    mem_close(&m);
    return m.data;
}

static void
test_json_escaping(void)
{
    static const char text[] =
        "SIP/2.0 486 Busy\x00Here \x1b[31m\xff\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\n"
        "From: \"Al\\\"i\\\\c\x00" "e\x01\x7f\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc0\xaf\xed\xa0\x80\xe9\" "
        "<sip:alice@example.com>;tag=a\x00" "1\r\n"
        "To: <sip:bob@example.com>;tag=b1\r\n"
        "Call-ID: call-x\r\n"
        "CSeq: 1 INVITE\r\n"
        "Content-Length: 0\r\n\r\n";
    Parsed *p = parsed_new(text, sizeof text - 1);
    MsgEvent ev = msg_event(p, T0, 1, false);
    ev.call_id = "call-x";
    ev.dialog_from_tag = NULL;
    ev.dialog_to_tag = NULL;

    Mem m = { .data = json_message_text(&ev) };

    g_assert_nonnull(strstr(m.data, "\"reason\":\"Busy\\u0000Here \\u001b[31m\\u00ff\""));
    /* display name without its quotes, its escapes kept as sent
     * (sip_header.h), then JSON-escaped */
    g_assert_nonnull(strstr(m.data,
        "\"display_name\":\"Al\\\\\\\"i\\\\\\\\c\\u0000e\\u0001\\u007f\\t\xc3\xa9\xe2\x82\xac"
        "\xf0\x9f\x98\x80\\u00c0\\u00af\\u00ed\\u00a0\\u0080\\u00e9\""));
    g_assert_nonnull(strstr(m.data, "\"tag\":\"a\\u00001\""));
    g_assert_true(g_utf8_validate(m.data, -1, NULL));
    validate_json(m.data);
    free(m.data);
    parsed_free(p);
}

/* The escaping rule, written the plain way (one byte at a time, RFC 3629
 * decoding by value) to check the writer's block-at-a-time version. */
static void
ref_escape(GString *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)c);
        } else if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c == '\b' ? 'b' : 'f');
        } else if (c >= 0x20 && c < 0x7f) {
            g_string_append_c(out, (char)c);
        } else {
            size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
            unsigned cp = len == 4 ? c & 7 : len == 3 ? c & 15 : c & 31;
            bool ok = len > 0 && i + len <= n;
            for (size_t k = 1; ok && k < len; k++) {
                ok = (p[i + k] & 0xc0) == 0x80;
                cp = cp << 6 | (p[i + k] & 0x3fu);
            }
            static const unsigned min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
            if (ok && cp >= min_cp[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
                g_string_append_len(out, (const char *)p + i, (gssize)len);
                i += len;
                continue;
            }
            g_string_append_printf(out, "\\u00%02x", c);
        }
        i++;
    }
}

/* The reason phrase comes out exactly as the plain rule says, or, past the
 * 1024-byte cap, as a prefix of it cut between two characters and ended by
 * "…". */
static void
check_reason(const GString *reason, int round)
{
    GString *text = g_string_new("SIP/2.0 486 ");
    g_string_append_len(text, reason->str, (gssize)reason->len);
    g_string_append(text, "\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\n"
                          "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b1\r\n"
                          "Call-ID: call-r\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    Parsed *p = parsed_new(text->str, text->len);
    MsgEvent ev = msg_event(p, T0, 1, false);
    ev.call_id = "call-r";
    Mem m = { .data = json_message_text(&ev) };

    GString *ref = g_string_new(NULL);
    ref_escape(ref, (const unsigned char *)reason->str, reason->len);
    GString *want = g_string_new("\"reason\":\"");
    const char *at = strstr(m.data, want->str);
    g_assert_nonnull(at);
    at += want->len;
    const char *end = strstr(at, "\",\"cseq\"");
    g_assert_nonnull(end);
    size_t got = (size_t)(end - at);
    bool whole = got == ref->len && memcmp(at, ref->str, got) == 0;
    if (ref->len <= 1016 || (ref->len <= 1024 && whole)) {
        /* under the cap (or just past it, when the last step before the
         * check ends the string): exactly the plain rule */
        if (!whole)
            g_error("round %d: reason of %zu bytes escaped differently", round, reason->len);
    } else {
        /* over it: a prefix of the plain rule's output, cut between
         * two characters after 1009-1024 bytes, then U+2026 */
        g_assert_cmpuint(got, >=, 1009 + 3);
        g_assert_cmpuint(got, <=, 1024 + 3);
        g_assert_cmpmem(at + got - 3, 3, "\xe2\x80\xa6", 3);
        if (memcmp(at, ref->str, got - 3) != 0)
            g_error("round %d: cut reason of %zu bytes is no prefix of its escaping", round, reason->len);
    }
    g_string_free(ref, TRUE);
    g_assert_true(g_utf8_validate(m.data, -1, NULL));
    free(m.data);
    parsed_free(p);
    g_string_free(want, TRUE);
    g_string_free(text, TRUE);
}

/* Random reason phrases (controls, quotes, backslashes, DEL, valid and
 * broken UTF-8, long plain runs; up to 9000 bytes). */
static void
test_json_escaping_random(void)
{
    static const char *const pieces[] = {
        "plain text ", "\"", "\\", "\x01", "\x1f", "\x7f", "\t", "\b", "\f", "\xc3\xa9", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe9", "\x80", "\xff",
        "\xe2\x82", "abcdefghijklmnopqrstuvwxyz0123456789", "\x00",
    };
    GRand *r = g_rand_new_with_seed(4475);
    for (int round = 0; round < 300; round++) {
        GString *reason = g_string_new(NULL);
        size_t target = (size_t)g_rand_int_range(r, 0, round % 10 == 0 ? 9000 : 200);
        while (reason->len < target) {
            unsigned k = (unsigned)g_rand_int_range(r, 0, G_N_ELEMENTS(pieces));
            g_string_append_len(reason, pieces[k], k == G_N_ELEMENTS(pieces) - 1 ? 1 : (gssize)strlen(pieces[k]));
        }
        check_reason(reason, round);
        g_string_free(reason, TRUE);
    }
    g_rand_free(r);
}

/* Every length of plain text up to past the cap, alone and with one byte
 * to escape at its start, in its middle or at its end: the writer copies
 * plain values in blocks, and the block edges and the cap must not show. */
static void
test_json_escaping_lengths(void)
{
    static const char special[] = { '"', '\x01', '\x7f', '\xe9' };
    for (size_t n = 0; n <= 1100; n++) {
        if (n > 80 && n < 980 && n % 16 != 0 && n % 16 != 1 && n % 16 != 15)
            continue;
        GString *reason = g_string_new(NULL);
        for (size_t i = 0; i < n; i++)
            g_string_append_c(reason, (char)('a' + i % 26));
        check_reason(reason, (int)n);
        for (size_t k = 0; n > 0 && k < 3; k++) {
            size_t at = k == 0 ? 0 : k == 1 ? n / 2 : n - 1;
            char keep = reason->str[at];
            reason->str[at] = special[(n + k) % G_N_ELEMENTS(special)];
            check_reason(reason, (int)n);
            reason->str[at] = keep;
        }
        g_string_free(reason, TRUE);
    }
}

/* RFC 3339 timestamps in UTC with microseconds, across days, leap days,
 * years and before 1970 (the writer remembers the date of the last day). */
static void
test_time_rfc3339(void)
{
    static const struct {
        int64_t sec, nsec;
        const char *want;
    } cases[] = {
        { 0, 0, "1970-01-01T00:00:00.000000Z" },
        { 1704067200, 833742000, "2024-01-01T00:00:00.833742Z" },
        { 1704067199, 999999999, "2023-12-31T23:59:59.999999Z" },
        { 951782399, 1000, "2000-02-28T23:59:59.000001Z" },
        { 951782400, 0, "2000-02-29T00:00:00.000000Z" },
        { 951868799, 120000, "2000-02-29T23:59:59.000120Z" },
        { 1704067200, 833742000, "2024-01-01T00:00:00.833742Z" },
        { 1700000000, 0, "2023-11-14T22:13:20.000000Z" },
        { -1, 999999000, "1969-12-31T23:59:59.999999Z" },
        { -86400, 0, "1969-12-31T00:00:00.000000Z" },
        { 4102444799, 0, "2099-12-31T23:59:59.000000Z" },
        { 1700000000, 0, "2023-11-14T22:13:20.000000Z" },
        { 1700000000, 999999999, "2023-11-14T22:13:20.999999Z" },
        /* the ends of SsTime (the writer remembers the last second too) */
        { 9223372036, 854775807, "2262-04-11T23:47:16.854775Z" },
        { -9223372036, -854775808, "1677-09-21T00:12:43.145224Z" },
        { 1700000000, 1000, "2023-11-14T22:13:20.000001Z" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char buf[SS_TIME_RFC3339_LEN];
        g_assert_cmpstr(ss_time_rfc3339(cases[i].sec * SEC + cases[i].nsec, buf), ==, cases[i].want);
    }
}

/* Integers at the edges of their digit counts and of 32 bits, in a flow
 * record's frame (uint64) and a resume's duration_ms (int64). */
static void
test_json_numbers(void)
{
    static const struct {
        uint64_t v;
        const char *text;
    } cases[] = {
        { 0, "0" },
        { 9, "9" },
        { 10, "10" },
        { 99, "99" },
        { 100, "100" },
        { 999, "999" },
        { 1000, "1000" },
        { 65535, "65535" },
        { 999999999, "999999999" },
        { 1000000000, "1000000000" },
        { 4294967295u, "4294967295" },
        { 4294967296u, "4294967296" },
        { 9999999999u, "9999999999" },
        { 10000000000u, "10000000000" },
        { 9223372036854775807u, "9223372036854775807" },
        { 9999999999999999999u, "9999999999999999999" },
        { 10000000000000000000u, "10000000000000000000" },
        { 18446744073709551615u, "18446744073709551615" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Mem m;
        mem_open(&m);
        OutputOptions o = json_opts(EMIT_FLOW);
        OutputWriter *w = output_json_new(m.f, &o);
        FlowEvent f = flow_resume();
        f.frame = cases[i].v;
        /* a duration_ms of v ms, where it fits */
        uint64_t ms = cases[i].v <= (uint64_t)INT64_MAX / SS_NSEC_PER_MSEC ? cases[i].v : 0;
        f.hold_duration = (SsTime)ms * SS_NSEC_PER_MSEC;
        output_flow(w, &f);
        output_free(w);
        mem_close(&m);
        g_autofree char *frame = g_strdup_printf(",\"frame\":%s,", cases[i].text);
        g_autofree char *dur = g_strdup_printf(",\"duration_ms\":%" G_GUINT64_FORMAT "}", ms);
        g_assert_nonnull(strstr(m.data, frame));
        g_assert_nonnull(strstr(m.data, dur));
        free(m.data);
    }
}

/* A message's anomalies: listed in its record, and one anomaly record
 * each, but not again for its retransmission. */
static void
test_json_message_anomalies(void)
{
    static const char text[] =
        "OPTIONS sip:bob@example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK9\n"
        "From: <sip:alice@example.com>;tag=o1\n"
        "To: <sip:bob@example.com>\n"
        "Call-ID: opt-1\n"
        "CSeq: 7 OPTIONS\n"
        "Content-Length: 0\n\n";
    Parsed *p = parsed_new(text, sizeof text - 1);
    g_assert_cmpuint(p->msg->n_anomalies, ==, 1);
    MsgEvent ev = msg_event(p, T0 + 1 * SEC, 3, true);
    ev.call_id = "opt-1";
    ev.dialog_from_tag = NULL;
    ev.dialog_to_tag = NULL;

    Mem m;
    mem_open(&m);
    OutputOptions o = json_opts(EMIT_MESSAGE | EMIT_ANOMALY);
    OutputWriter *w = output_json_new(m.f, &o);
    output_message(w, &ev);
    ev.retransmission = true;
    ev.frame = 4;
    ev.last_frame = 5;
    ev.ts += 500 * MS;
    output_message(w, &ev);
    output_free(w);
    mem_close(&m);

    gchar **lines = g_strsplit(m.data, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 4);
    g_assert_cmpstr(lines[0], ==,
        "{\"@timestamp\":\"2023-11-14T22:13:21.000000Z\",\"schema_version\":\"1.0\","
        "\"event\":{\"kind\":\"event\",\"dataset\":\"sipsleuth.message\",\"action\":\"request\","
        "\"sequence\":1},\"source\":{\"ip\":\"192.0.2.10\",\"port\":5060},"
        "\"destination\":{\"ip\":\"198.51.100.20\",\"port\":5060},"
        "\"network\":{\"transport\":\"udp\",\"type\":\"ipv4\"},"
        "\"related\":{\"ip\":[\"192.0.2.10\",\"198.51.100.20\"]},"
        "\"sip\":{\"call_id\":\"opt-1\",\"frame\":3,\"message\":{\"type\":\"request\","
        "\"length\":198,\"incomplete\":false,\"retransmission\":false},"
        "\"method\":\"OPTIONS\",\"request_uri\":\"sip:bob@example.com\",\"cseq\":7,"
        "\"from\":{\"uri\":\"sip:alice@example.com\",\"tag\":\"o1\"},"
        "\"to\":{\"uri\":\"sip:bob@example.com\"},\"anomalies\":[\"sip_bare_lf\"]}}");
    g_assert_cmpstr(lines[1], ==,
        "{\"@timestamp\":\"2023-11-14T22:13:21.000000Z\",\"schema_version\":\"1.0\","
        "\"event\":{\"kind\":\"event\",\"dataset\":\"sipsleuth.anomaly\","
        "\"action\":\"sip_bare_lf\",\"sequence\":2},"
        "\"source\":{\"ip\":\"192.0.2.10\",\"port\":5060},"
        "\"destination\":{\"ip\":\"198.51.100.20\",\"port\":5060},"
        "\"network\":{\"transport\":\"udp\",\"type\":\"ipv4\"},"
        "\"related\":{\"ip\":[\"192.0.2.10\",\"198.51.100.20\"]},"
        "\"anomaly\":{\"code\":\"sip_bare_lf\",\"description\":\"line ends with LF only (not CRLF)\","
        "\"frame\":3},\"sip\":{\"call_id\":\"opt-1\"}}");
    g_assert_nonnull(strstr(lines[2], "\"sequence\":3},"));
    g_assert_nonnull(strstr(lines[2], "\"frame\":4,\"message\":{\"type\":\"request\","
                                      "\"length\":198,\"last_frame\":5,\"incomplete\":false,"
                                      "\"retransmission\":true}"));
    g_assert_cmpstr(lines[3], ==, "");
    validate_json(m.data);
    g_strfreev(lines);
    free(m.data);
    parsed_free(p);
}

static void
test_json_write_error(void)
{
    /* /dev/full: ENOSPC on flush (live flushes every record) */
    FILE *f = fopen("/dev/full", "w");
    if (!f) {
        g_test_skip("/dev/full not available");
        return;
    }
    OutputOptions o = json_opts(EMIT_FLOW);
    o.live = true;
    OutputWriter *w = output_json_new(f, &o);
    FlowEvent fl = flow_hold();
    output_flow(w, &fl);
    g_assert_true(output_failed(w));
    g_assert_cmpint(w->err_no, ==, ENOSPC);
    output_flow(w, &fl); /* nothing more is tried */
    g_assert_cmpint(w->err_no, ==, ENOSPC);
    output_free(w);
    fclose(f);

    /* a closed pipe: EPIPE (SIGPIPE ignored as the pipeline does) */
    int fds[2];
    g_assert_cmpint(pipe(fds), ==, 0);
    close(fds[0]);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    f = fdopen(fds[1], "w");
    o.live = false;
    w = output_json_new(f, &o);
    output_flow(w, &fl);
    RunStats st = run_stats();
    output_finish(w, &st); /* the flush at the end finds it */
    g_assert_true(output_failed(w));
    g_assert_cmpint(w->err_no, ==, EPIPE);
    output_free(w);
    fclose(f);

    /* the text writer too */
    g_assert_cmpint(pipe(fds), ==, 0);
    close(fds[0]);
    f = fdopen(fds[1], "w");
    OutputOptions to = { .live = true };
    w = output_text_new(f, &to);
    DialogRecord d = dialog_call1();
    output_dialog(w, &d);
    g_assert_false(output_failed(w));
    CallEnd ce = { .ts = d.ts, .call_id = d.call_id, .n_dialogs = 1 };
    output_call_end(w, &ce);
    g_assert_true(output_failed(w));
    g_assert_cmpint(w->err_no, ==, EPIPE);
    output_free(w);
    fclose(f);
    signal(SIGPIPE, old);
}

/* ---- text tests ---- */

static char *
text_run(int verbose, bool flow, bool color, bool with_msgs)
{
    Mem m;
    mem_open(&m);
    OutputOptions o = { .verbose = verbose, .flow = flow, .color = color };
    OutputWriter *w = output_text_new(m.f, &o);
    feed_scenario(w, with_msgs);
    g_assert_false(output_failed(w));
    output_free(w);
    mem_close(&m);
    return m.data;
}

static void
test_text_summary_lines(void)
{
    g_autofree char *out = text_run(0, false, false, true);
    g_assert_cmpstr(out, ==,
        "2023-11-14 22:13:20.000000  call-1@192.0.2.10  alice@example.com -> bob@example.com  "
        "UDP  completed  setup=2.345s  dur=32.000s  [hold resume refer_transfer]\n"
        "  linked: call-2@192.0.2.10\n"
        "2023-11-14 22:13:55.000000  call-3@198.51.100.20  bob@example.com -> alice@example.com  "
        "UDP  completed  setup=1.000s  dur=11.000s  [refer_transfer]\n"
        "  linked: call-5@203.0.113.30\n"
        "  linked: call-4@x\n"
        "2023-11-14 22:14:01.000000  call-5@203.0.113.30  carol@example.com -> alice@example.com  "
        "TCP  open  setup=0.200s  dur=9.000s  [replaces_transfer]\n"
        "  linked: call-3@198.51.100.20\n"
        "  linked: call-4@x\n"
        "\n"
        "Summary:\n"
        "  calls: 3  dialogs: 3\n"
        "  SIP messages: 36 (requests 18, responses 18, retransmissions 1, incomplete 0)\n"
        "  labels: hold 1, resume 1, refer_transfer 2, replaces_transfer 1\n"
        "  anomalies: 4 (sip_bare_lf 3, tcp_gap 1)\n"
        "  packets: 40 (24000 bytes), IP fragments: 2 (reassembled 1), TCP gaps: 1\n");
}

/* "linked:" lists the calls a Replaces names only when they were captured,
 * as the JSON records' related_call_ids do (an attended REFER rejected
 * before any new call, naming a consultation call seen elsewhere). */
static void
test_text_links_unseen_replaces(void)
{
    for (int seen = 0; seen <= 1; seen++) {
        Mem m;
        mem_open(&m);
        OutputOptions o = { 0 };
        OutputWriter *w = output_text_new(m.f, &o);
        FlowEvent f = flow_blind();
        f.transfer_kind = TRANSFER_ATTENDED;
        f.transfer_result = TRANSFER_RESULT_REJECTED;
        f.status_code = 488;
        f.notify_status = 0;
        f.new_call_id = NULL;
        f.replaces_call_id = "call-9@x";
        f.replaces_from_tag = "a9";
        f.replaces_to_tag = "c9";
        f.replaces_dialog_seen = seen;
        output_flow(w, &f);
        DialogRecord d = dialog_call1();
        d.related_call_ids = NULL;
        d.n_related = 0;
        output_dialog(w, &d);
        CallEnd ce = { .ts = d.ts, .call_id = d.call_id, .n_dialogs = 1 };
        output_call_end(w, &ce);
        output_free(w);
        mem_close(&m);
        g_assert_cmpint(strstr(m.data, "linked: call-9@x") != NULL, ==, seen);
        g_free(m.data);
    }
}

static void
test_text_timeline_ladder(void)
{
    g_autofree char *out = text_run(1, true, false, true);
    check_fixture("text-flows.txt", out);
    /* the ladder fits 80 columns with 2 endpoints */
    gchar **lines = g_strsplit(out, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (strchr(lines[i], '|'))
            g_assert_cmpuint(strlen(lines[i]), <=, 80);
    }
    g_strfreev(lines);
}

static void
test_text_timeline_only(void)
{
    g_autofree char *out = text_run(1, false, false, false);
    assert_prefix(out,
        "2023-11-14 22:13:20.000000  call-1@192.0.2.10  alice@example.com -> bob@example.com  "
        "UDP  completed  setup=2.345s  dur=32.000s  [hold resume refer_transfer]\n"
        "  linked: call-2@192.0.2.10\n"
        "    +2.345s  answered (200)\n"
        "   +10.000s  hold: caller holds callee (sendonly, accepted 200)\n"
        "   +20.000s  resume: caller resumes callee after 10.001s (accepted 200)\n"
        "   +30.000s  blind transfer: callee refers caller to sip:carol@example.com "
        "(REFER 202, NOTIFY 200, succeeded) -> call call-2@192.0.2.10\n"
        "   +32.000s  ended: BYE from caller\n"
        "\n");
    g_assert_nonnull(strstr(out,
        "    +5.000s  attended transfer: caller refers callee to "
        "<sip:carol@example.com?Replaces=call-4%40x%3Bto-tag%3Dc4%3Bfrom-tag%3Db4> replacing "
        "call-4@x (REFER 202, NOTIFY 486, failed)\n"));
    g_assert_nonnull(strstr(out,
        "    +0.000s  replaces transfer: INVITE replaces call-4@x early-only (200, succeeded) "
        "after REFER in call-3@198.51.100.20\n"));
}

/* Three endpoints (a proxy in the middle) and one IPv6 endpoint whose
 * name is shortened: the ladder stays within 80 columns. */
static void
test_text_ladder_three(void)
{
    Parsed *inv = sip_msg("INVITE sip:bob@example.com SIP/2.0", "1 INVITE", false, sdp_sendrecv);
    Parsed *ok = sip_msg("SIP/2.0 200 OK", "1 INVITE", true, NULL);
    Endpoint proxy = ep4(203, 0, 113, 1, 5060);
    Endpoint v6 = { .family = 6, .port = 5070 };
    static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                    0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44 };
    memcpy(v6.addr, a6, 16);

    Mem m;
    mem_open(&m);
    OutputOptions o = { .flow = true };
    OutputWriter *w = output_text_new(m.f, &o);
    MsgEvent ev = msg_event(inv, T0, 1, true);
    ev.dst = proxy;
    set_sdp(&ev, SDP_ROLE_OFFER, SDP_DIR_SENDRECV, false);
    output_message(w, &ev);
    ev.src = proxy;
    ev.dst = v6;
    ev.ts += 20 * MS;
    ev.frame = 2;
    output_message(w, &ev);
    ev = msg_event(ok, T0 + 3 * SEC, 3, false);
    ev.src = v6;
    ev.dst = proxy;
    output_message(w, &ev);
    ev.src = proxy;
    ev.dst = EP_ALICE;
    ev.ts += 10 * MS;
    ev.frame = 4;
    output_message(w, &ev);
    CallEnd ce = { .ts = ev.ts, .call_id = ev.call_id };
    output_call_end(w, &ce);
    output_free(w);
    mem_close(&m);
    g_assert_cmpstr(m.data, ==,
        "2023-11-14 22:13:20.000000  call-1@192.0.2.10  192.0.2.10:5060 -> 203.0.113.1:5060  "
        "UDP  INVITE  msgs=4  dur=3.010s\n"
        "\n"
        "            192.0.2.10:5060         203.0.113.1:5060      ~:def0:1122:3344]:5070\n"
        "                   |                        |                        |\n"
        "    +0.000s        |- INVITE (1) sendrecv ->|                        |\n"
        "    +0.020s        |                        |- INVITE (1) sendrecv ->|\n"
        "    +3.000s        |                        |<----- 200 OK (1) ------|\n"
        "    +3.010s        |<----- 200 OK (1) ------|                        |\n");
    gchar **lines = g_strsplit(m.data, "\n", -1);
    for (guint i = 1; lines[i]; i++)
        g_assert_cmpuint(strlen(lines[i]), <=, 80);
    g_strfreev(lines);
    free(m.data);
    parsed_free(inv);
    parsed_free(ok);
}

static void
test_text_color(void)
{
    g_autofree char *plain = text_run(0, false, false, false);
    g_assert_null(strchr(plain, '\033'));
    g_autofree char *color = text_run(1, false, true, false);
    g_assert_nonnull(strstr(color, "  \033[36m[hold resume refer_transfer]\033[0m\n"));
    g_assert_nonnull(strstr(color, "NOTIFY 486, \033[31mfailed\033[0m)"));
    g_assert_nonnull(strstr(color, "(\033[31msip_bare_lf\033[0m 3, \033[31mtcp_gap\033[0m 1)"));
}

/* Wire strings never reach the terminal raw. */
static void
test_text_sanitize(void)
{
    Mem m;
    mem_open(&m);
    OutputOptions o = { .verbose = 0 };
    OutputWriter *w = output_text_new(m.f, &o);
    DialogRecord d = dialog_call1();
    d.call_id = "evil\x1b]0;pwned\x07\xff@x";
    d.from_uri = "sip:\xc2\x9b" "1m@h;transport=udp";
    d.to_uri = NULL;
    d.n_related = 0;
    d.labels = 0;
    d.end_reason = DIALOG_END_REJECTED;
    d.final_status = 486;
    d.answer = 0;
    output_dialog(w, &d);
    CallEnd ce = { .ts = d.ts, .call_id = d.call_id, .n_dialogs = 1 };
    output_call_end(w, &ce);
    output_free(w);
    mem_close(&m);
    g_assert_cmpstr(m.data, ==,
        "2023-11-14 22:13:20.000000  evil\\x1b]0;pwned\\x07\\xff@x  \\xc2\\x9b1m@h -> "
        "198.51.100.20:5060  UDP  failed 486  setup=-  dur=32.000s\n");
    free(m.data);
}

/* Live: a call is written (and flushed) as soon as it ends. */
static void
test_text_live(void)
{
    Mem m;
    mem_open(&m);
    OutputOptions o = { .live = true };
    OutputWriter *w = output_text_new(m.f, &o);
    DialogRecord d = dialog_call1();
    output_dialog(w, &d);
    g_assert_cmpuint(m.size, ==, 0);
    CallEnd ce = { .ts = d.ts, .call_id = d.call_id, .n_dialogs = 1 };
    output_call_end(w, &ce);
    g_assert_cmpuint(m.size, ==, strlen(
        "2023-11-14 22:13:20.000000  call-1@192.0.2.10  alice@example.com -> bob@example.com  "
        "UDP  completed  setup=2.345s  dur=32.000s  [hold resume refer_transfer]\n"
        "  linked: call-2@192.0.2.10\n"));
    output_free(w);
    mem_close(&m);
    free(m.data);
}

/* ---- names ---- */

static void
test_names(void)
{
    g_assert_cmpstr(ss_label_name(SS_LABEL_HOLD), ==, "hold");
    g_assert_cmpstr(ss_label_name(SS_LABEL_RESUME), ==, "resume");
    g_assert_cmpstr(ss_label_name(SS_LABEL_REFER_TRANSFER), ==, "refer_transfer");
    g_assert_cmpstr(ss_label_name(SS_LABEL_REPLACES_TRANSFER), ==, "replaces_transfer");
    for (unsigned i = 0; i < SS_LABEL_COUNT; i++)
        g_assert_cmpuint(ss_label_from_name(ss_label_name((SsLabel)(1u << i))), ==, 1u << i);
    g_assert_cmpuint(ss_label_from_name("Hold"), ==, 0);
    g_assert_cmpuint(ss_label_from_name(""), ==, 0);
    g_assert_cmpuint(ss_label_from_name(NULL), ==, 0);

    g_assert_cmpstr(flow_kind_name(FLOW_REPLACES_TRANSFER), ==, "replaces_transfer");
    g_assert_cmpstr(hold_mode_name(HOLD_MODE_NULL_ADDRESS), ==, "null_address");
    g_assert_cmpstr(hold_mode_name(HOLD_MODE_INACTIVE), ==, "inactive");
    g_assert_cmpstr(offer_result_name(OFFER_RESULT_ANSWER_MISMATCH), ==, "answer_mismatch");
    g_assert_cmpstr(offer_result_name(OFFER_RESULT_PENDING), ==, "pending");
    g_assert_cmpstr(transfer_kind_name(TRANSFER_ATTENDED), ==, "attended");
    g_assert_cmpstr(transfer_result_name(TRANSFER_RESULT_REJECTED), ==, "rejected");
    g_assert_cmpstr(transfer_result_name(TRANSFER_RESULT_PENDING), ==, "pending");
    g_assert_cmpstr(dialog_state_name(DIALOG_STATE_EARLY), ==, "early");
    g_assert_cmpstr(dialog_end_reason_name(DIALOG_END_FORK_LOST), ==, "fork_lost");
    g_assert_cmpstr(dialog_end_reason_name(DIALOG_END_END_OF_INPUT), ==, "end_of_input");
    g_assert_cmpstr(dialog_end_reason_name((DialogEndReason)99), ==, "unknown");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/output/names", test_names);
    g_test_add_func("/output/json/key-order", test_json_key_order);
    g_test_add_func("/output/json/flows", test_json_flows);
    g_test_add_func("/output/json/all-kinds", test_json_all);
    g_test_add_func("/output/json/sequence-clamp", test_json_sequence_clamp);
    g_test_add_func("/output/json/emit-selection", test_json_emit_selection);
    g_test_add_func("/output/json/escaping", test_json_escaping);
    g_test_add_func("/output/json/escaping-random", test_json_escaping_random);
    g_test_add_func("/output/json/escaping-lengths", test_json_escaping_lengths);
    g_test_add_func("/output/json/numbers", test_json_numbers);
    g_test_add_func("/output/time-rfc3339", test_time_rfc3339);
    g_test_add_func("/output/json/message-anomalies", test_json_message_anomalies);
    g_test_add_func("/output/write-error", test_json_write_error);
    g_test_add_func("/output/text/summary-lines", test_text_summary_lines);
    g_test_add_func("/output/text/timeline", test_text_timeline_only);
    g_test_add_func("/output/text/links-unseen-replaces", test_text_links_unseen_replaces);
    g_test_add_func("/output/text/timeline-ladder", test_text_timeline_ladder);
    g_test_add_func("/output/text/ladder-three", test_text_ladder_three);
    g_test_add_func("/output/text/color", test_text_color);
    g_test_add_func("/output/text/sanitize", test_text_sanitize);
    g_test_add_func("/output/text/live", test_text_live);
    return g_test_run();
}
