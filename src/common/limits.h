/* limits.h - every cap in sipsleuth, with why (STYLE.md #8).
 *
 * Every table that grows with input has a cap here and an eviction rule in
 * the module that owns it; every eviction is counted in the stats. Timeouts
 * run on capture time, never on the wall clock.
 */
#ifndef SIPSLEUTH_LIMITS_H
#define SIPSLEUTH_LIMITS_H

#include "common/sstime.h"

/* ---- link / IP ---- */
/* Tunnels (IP-in-IP, GRE) nest rarely more than twice; 4 stops loops. */
#define SS_MAX_ENCAP_DEPTH 4
/* IPv6 extension headers: RFC 8200 lists 8 kinds; 16 tolerates repeats. */
#define SS_MAX_IPV6_EXT_HEADERS 16

/* ---- IP fragment reassembly ---- */
/* Datagrams in flight at once. SIP fragments rarely; 4096 covers a busy
 * SBC and bounds memory to ~4096 * 64 KiB in the worst hostile case, while
 * SS_DEFRAG_MAX_BYTES bounds it far earlier. Eviction: oldest first. */
#define SS_DEFRAG_MAX_DATAGRAMS 4096
/* Total bytes buffered in incomplete datagrams: 32 MiB. */
#define SS_DEFRAG_MAX_BYTES (32u * 1024u * 1024u)
/* Fragments per datagram: a 64 KiB datagram in 8-byte pieces is 8192;
 * real ones have 2-45 (MTU 1500). 256 refuses fragment floods. */
#define SS_DEFRAG_MAX_FRAGMENTS 256
/* RFC 791 suggests 15 s; Linux ipfrag_time is 30 s. */
#define SS_DEFRAG_TIMEOUT (30 * SS_NSEC_PER_SEC)

/* ---- TCP ---- */
/* Streams (one per direction of a connection) tracked at once. */
#define SS_TCP_MAX_STREAMS 65536
/* Out-of-order bytes held per stream before a gap is skipped. A SIP message
 * is at most a few KiB; 256 KiB also covers a window of large INVITEs. */
#define SS_TCP_MAX_STREAM_BYTES (256u * 1024u)
/* Bytes held in all streams together: 64 MiB. */
#define SS_TCP_MAX_TOTAL_BYTES (64u * 1024u * 1024u)
/* How long a hole in the sequence space may wait for its segment before it
 * is declared lost (capture loss) and skipped. */
#define SS_TCP_GAP_TIMEOUT (2 * SS_NSEC_PER_SEC)
/* A connection with no segment for this long is forgotten (SIP over TCP
 * keeps connections open for hours; an idle stream costs one small entry). */
#define SS_TCP_IDLE_TIMEOUT (3600 * SS_NSEC_PER_SEC)

/* ---- SIP ---- */
/* Largest SIP message accepted from a stream. RFC 3261 has no limit, real
 * ones stay under 16 KiB; 1 MiB leaves room for huge bodies (SIPREC). */
#define SS_SIP_MAX_MESSAGE (1024u * 1024u)
/* Headers kept per message; the rest are counted as an anomaly. Real
 * messages have 10-40 headers. */
#define SS_SIP_MAX_HEADERS 128
/* multipart nesting followed when looking for SDP / sipfrag. */
#define SS_SIP_MAX_MULTIPART_DEPTH 4

/* ---- SDP ---- */
/* m= lines kept per SDP (audio, video, text, application, ...). */
#define SS_SDP_MAX_MEDIA 16

/* ---- dialogs ---- */
/* Calls (Call-IDs) tracked at once; eviction: least recently active. */
#define SS_MAX_CALLS 200000
/* Dialogs per call: forking to more than 32 branches is pathological. */
#define SS_MAX_DIALOGS_PER_CALL 32
/* Transfers (REFERs, INVITEs with Replaces) followed per call: a real call
 * has a few; past this, later ones are counted as messages only. */
#define SS_MAX_TRANSFERS_PER_CALL 64
/* A dialog with no message for this long ends as "timeout" (capture time).
 * Session timers (RFC 4028) refresh every 15-30 min at most. */
#define SS_DIALOG_IDLE_TIMEOUT (3600 * SS_NSEC_PER_SEC)
/* A call that never got a final response or ACK... same idle rule. */
/* Transactions are kept after completion this long to recognise
 * retransmissions (RFC 3261 §17: 64*T1 = 32 s). */
#define SS_TRANSACTION_LINGER (32 * SS_NSEC_PER_SEC)
/* A transfer waits this long for its new call / final NOTIFY before its
 * flow record is written with what is known. */
#define SS_TRANSFER_WINDOW (32 * SS_NSEC_PER_SEC)
/* A hold/resume offer waits this long for its final response. */
#define SS_OFFER_TIMEOUT (32 * SS_NSEC_PER_SEC)
/* Ended dialogs stay for late retransmissions / Replaces links. */
#define SS_ENDED_LINGER (32 * SS_NSEC_PER_SEC)

#endif
