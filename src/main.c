/* main.c - options, usage, exit codes only. Everything else is in
 * libsipsleuth (pipeline.c wires it). */
#include <config.h>

#include <glib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "common/sslog.h"
#include "pipeline.h"

static void
on_signal(int sig)
{
    (void)sig;
    pipeline_request_stop();
}

static unsigned
parse_emit(const char *s, GError **err)
{
    unsigned emit = 0;
    g_auto(GStrv) parts = g_strsplit(s, ",", -1);
    for (char **p = parts; *p; p++) {
        char *w = g_strstrip(*p);
        if (!strcmp(w, "flow"))
            emit |= EMIT_FLOW;
        else if (!strcmp(w, "dialog"))
            emit |= EMIT_DIALOG;
        else if (!strcmp(w, "message"))
            emit |= EMIT_MESSAGE;
        else if (!strcmp(w, "stats"))
            emit |= EMIT_STATS;
        else if (!strcmp(w, "anomaly"))
            emit |= EMIT_ANOMALY;
        else if (!strcmp(w, "all"))
            emit |= EMIT_FLOW | EMIT_DIALOG | EMIT_MESSAGE | EMIT_STATS | EMIT_ANOMALY;
        else {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--emit: unknown record kind '%s' (flow, dialog, message, stats, anomaly, all)",
                        w);
            return 0;
        }
    }
    return emit;
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    g_auto(GStrv) files = NULL;
    /* g_autofree: every early return (usage errors) frees them too */
    g_autofree char *iface = NULL;
    g_autofree char *filter = NULL;
    g_autofree char *format = NULL;
    g_autofree char *write_file = NULL;
    g_autofree char *drop_user = NULL;
    g_auto(GStrv) emit = NULL;
    g_autofree char *color = NULL;
    g_auto(GStrv) call_ids = NULL;
    g_auto(GStrv) users = NULL;
    g_auto(GStrv) labels = NULL;
    int snaplen = 0, buffer_kib = 0, idle_timeout = 0;
    gint64 count = 0;
    gboolean no_promisc = FALSE, flow = FALSE, quiet = FALSE, version = FALSE, localtime_ = FALSE;
    gboolean verbose_seen = FALSE;
    int verbose = 0;

    GOptionEntry entries[] = {
        { "read", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
          "Read packets from a pcap/pcapng FILE ('-' for stdin); repeat to merge files in time order", "FILE" },
        { "interface", 'i', 0, G_OPTION_ARG_STRING, &iface, "Capture live on IFACE ('any' for all)", "IFACE" },
        { "filter", 'f', 0, G_OPTION_ARG_STRING, &filter, "BPF capture filter (pcap-filter(7))", "EXPR" },
        { "snaplen", 's', 0, G_OPTION_ARG_INT, &snaplen, "Snapshot length for live capture (default 262144)", "N" },
        { "count", 'c', 0, G_OPTION_ARG_INT64, &count, "Stop after N packets", "N" },
        { "no-promiscuous-mode", 'p', 0, G_OPTION_ARG_NONE, &no_promisc, "Do not put the interface in promiscuous mode", NULL },
        { "buffer-size", 'B', 0, G_OPTION_ARG_INT, &buffer_kib, "Kernel capture buffer in KiB (as tcpdump)", "KIB" },
        { "relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &drop_user, "Drop root to USER after opening the device", "USER" },
        { "format", 'T', 0, G_OPTION_ARG_STRING, &format, "Output format: text (default) or json (NDJSON)", "text|json" },
        { "emit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &emit, "JSON record kinds: flow,dialog,message,stats,anomaly,all (default flow,dialog; repeatable)", "KINDS" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose_seen, "Show each call's timeline (text)", NULL },
        { "flow", 0, 0, G_OPTION_ARG_NONE, &flow, "Draw a ladder diagram per call (text)", NULL },
        { "write", 'w', 0, G_OPTION_ARG_FILENAME, &write_file, "Write the packets that carried the SIP messages of the reported calls to a pcap file", "FILE" },
        { "call-id", 0, 0, G_OPTION_ARG_STRING_ARRAY, &call_ids, "Only calls with this Call-ID (repeatable)", "ID" },
        { "user", 0, 0, G_OPTION_ARG_STRING_ARRAY, &users, "Only calls whose From/To user or URI matches PATTERN (glob, repeatable)", "PATTERN" },
        { "label", 0, 0, G_OPTION_ARG_STRING_ARRAY, &labels, "Only calls with LABEL: hold, resume, refer_transfer, replaces_transfer (repeatable)", "LABEL" },
        { "color", 0, 0, G_OPTION_ARG_STRING, &color, "Colour: auto (default), always, never", "WHEN" },
        { "localtime", 0, 0, G_OPTION_ARG_NONE, &localtime_, "Text times in local time instead of UTC", NULL },
        { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout, "End dialogs idle for SEC seconds of capture time (default 3600)", "SEC" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No warnings and no progress line", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
        G_OPTION_ENTRY_NULL,
    };
    /* -v may be repeated: count it by hand (GOption has no counter). */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (argv[i][0] == '-' && argv[i][1] == 'v' && strspn(argv[i] + 1, "v") == strlen(argv[i] + 1)) {
            verbose += (int)strlen(argv[i] + 1);
            argv[i] = (char *)"--verbose";
        }
    }

    g_autoptr(GOptionContext) ctx = g_option_context_new("[BPF EXPRESSION]");
    g_option_context_set_summary(ctx, "Analyze SIP calls in captures or live traffic: dialogs, SDP offer/answer,\n"
                                      "hold, resume, REFER and Replaces transfers.");
    g_option_context_set_description(ctx, "Exit status: 0 ok, 1 runtime error, 2 usage error, 3 input cannot be opened,\n"
                                          "4 no permission to capture, 5 a capture file was cut short.\n"
                                          "See sipsleuth(1).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        ss_error("%s (try --help)", err->message);
        g_error_free(err);
        return SS_EXIT_USAGE;
    }
    if (verbose_seen && verbose == 0)
        verbose = 1;
    if (version) {
        printf("sipsleuth %s\n", PACKAGE_VERSION);
        return SS_EXIT_OK;
    }
    ss_set_quiet(quiet);

    PipelineOptions po;
    memset(&po, 0, sizeof po);
    /* trailing words: the BPF expression (tcpdump convention) */
    g_autofree char *expr = NULL;
    if (argc > 1) {
        if (argv[1][0] == '-' && strcmp(argv[1], "-") != 0) {
            ss_error("unknown option '%s' (try --help)", argv[1]);
            return SS_EXIT_USAGE;
        }
        expr = g_strjoinv(" ", argv + 1);
        if (filter) {
            ss_error("a filter was given both with -f and as an expression");
            return SS_EXIT_USAGE;
        }
    }
    if (!files && !iface) {
        ss_error("nothing to read: give -r FILE or -i IFACE (try --help)");
        return SS_EXIT_USAGE;
    }
    if (files && iface) {
        ss_error("-r and -i cannot be used together");
        return SS_EXIT_USAGE;
    }
    if (drop_user && !iface) {
        ss_error("-Z only applies to live capture (-i)");
        return SS_EXIT_USAGE;
    }
    if (snaplen < 0 || buffer_kib < 0 || count < 0 || idle_timeout < 0) {
        ss_error("numeric options must not be negative");
        return SS_EXIT_USAGE;
    }
    if (!format || !strcmp(format, "text"))
        po.format = FORMAT_TEXT;
    else if (!strcmp(format, "json"))
        po.format = FORMAT_JSON;
    else {
        ss_error("-T: unknown format '%s' (text or json)", format);
        return SS_EXIT_USAGE;
    }
    po.output.emit = EMIT_FLOW | EMIT_DIALOG;
    if (emit) {
        if (po.format != FORMAT_JSON) {
            ss_error("--emit applies to -T json only");
            return SS_EXIT_USAGE;
        }
        /* repeated --emit options add up */
        po.output.emit = 0;
        for (char **e = emit; *e; e++) {
            unsigned k = parse_emit(*e, &err);
            if (!k) {
                ss_error("%s", err ? err->message : "--emit: no record kind given");
                g_clear_error(&err);
                return SS_EXIT_USAGE;
            }
            po.output.emit |= k;
        }
    }
    if (flow && po.format == FORMAT_JSON) {
        ss_error("--flow draws text ladders; it cannot be combined with -T json");
        return SS_EXIT_USAGE;
    }
    bool use_color = false;
    if (!color || !strcmp(color, "auto"))
        use_color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && po.format == FORMAT_TEXT;
    else if (!strcmp(color, "always"))
        use_color = true;
    else if (!strcmp(color, "never"))
        use_color = false;
    else {
        ss_error("--color: expected auto, always or never, not '%s'", color);
        return SS_EXIT_USAGE;
    }
    unsigned label_mask = 0;
    for (char **l = labels; l && *l; l++) {
        unsigned b = ss_label_from_name(*l);
        if (!b) {
            ss_error("--label: unknown label '%s' (hold, resume, refer_transfer, replaces_transfer)", *l);
            return SS_EXIT_USAGE;
        }
        label_mask |= b;
    }

    po.capture.files = (const char *const *)files;
    po.capture.iface = iface;
    po.capture.filter = filter ? filter : expr;
    po.capture.snaplen = snaplen;
    po.capture.promisc = !no_promisc;
    po.capture.buffer_mib = (buffer_kib + 1023) / 1024;
    /* not immediate mode: libpcap then uses TPACKET_V3 blocks instead of one
     * snaplen-sized frame per packet (far fewer drops); the 100 ms timeout
     * still hands packets over within a tenth of a second */
    po.capture.immediate = false;
    if (iface) {
        /* ECS observer.*: which host and interface saw the packets */
        po.output.observer_hostname = g_get_host_name();
        po.output.observer_interface = iface;
    }
    po.output.verbose = verbose;
    po.output.flow = flow;
    po.output.localtime = localtime_;
    po.output.color = use_color;
    po.count = (uint64_t)count;
    po.write_file = write_file;
    po.call_ids = (const char *const *)call_ids;
    po.users = (const char *const *)users;
    po.labels = label_mask;
    po.idle_timeout = (SsTime)idle_timeout * SS_NSEC_PER_SEC;
    po.drop_user = drop_user;
    po.progress = !quiet && isatty(STDERR_FILENO);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    return pipeline_run(&po);
}
