/* sip_framer.h - SIP message boundaries on a byte stream (RFC 3261 §18.3).
 *
 * sip_frame() is the stateless parser contract: given the bytes buffered so
 * far, it says how many bytes the next unit takes and whether more are
 * needed. A message ends after the empty line plus Content-Length (or the
 * compact "l") bytes of body. CRLF keep-alives (RFC 5626 §3.5.1) between
 * messages are consumed as such. Bytes that cannot start a message are junk:
 * the framer skips to the next line that looks like a SIP start line.
 * A message without Content-Length on a stream is framed as if it were 0 and
 * flagged (documented recovery: the following bytes then resync at the next
 * start line). Knows nothing of TCP.
 *
 * SipStream wraps it with a buffer per stream direction.
 * Ownership: sip_stream_new() (transfer full) / sip_stream_free(). Message
 * bytes passed to the callback live only during the callback.
 */
#ifndef SIPSLEUTH_SIP_FRAMER_H
#define SIPSLEUTH_SIP_FRAMER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/sstime.h"

typedef enum {
    SIP_FRAME_MESSAGE,   /* *consumed bytes are one complete message */
    SIP_FRAME_NEED_MORE, /* not enough bytes yet; *consumed = 0 */
    SIP_FRAME_KEEPALIVE, /* *consumed bytes of CRLF keep-alive */
    SIP_FRAME_JUNK,      /* *consumed bytes are not SIP; skip them */
} SipFrameResult;

typedef struct {
    bool no_content_length;   /* framed without a Content-Length */
    bool bad_content_length;  /* Content-Length present but not a number */
    size_t header_len;        /* bytes up to and including the empty line */
    size_t body_len;
} SipFrameInfo;

/* Frames the unit at the start of buf. On SIP_FRAME_MESSAGE, *info says how
 * it was framed; on SIP_FRAME_NEED_MORE with the headers complete,
 * info->header_len and info->body_len already give the message's length.
 * Content-Length over 4 GiB counts as bad. The start-line test accepts any
 * "SIP/x.y" version (RFC 3261 §25.1 grammar) so that the message parser,
 * not the framer, reports a wrong one. A first line still unterminated after
 * 8 KiB, or holding a control byte, is junk. A message cut by the end of
 * the stream is SipStream's business (sip_stream_finish). */
SipFrameResult sip_frame(const uint8_t *buf, size_t len, size_t *consumed, SipFrameInfo *info);

/* True when buf starts like a SIP request line or status line. */
bool sip_frame_looks_like_start(const uint8_t *buf, size_t len);

typedef enum {
    SIP_STREAM_MSG_OK = 0,
    SIP_STREAM_MSG_NO_CONTENT_LENGTH = 1 << 0, /* framed without Content-Length */
    SIP_STREAM_MSG_INCOMPLETE = 1 << 1,        /* bytes lost (gap) or cut by end of stream */
    SIP_STREAM_MSG_TOO_BIG = 1 << 2,           /* over SS_SIP_MAX_MESSAGE: cut */
    SIP_STREAM_MSG_BAD_CONTENT_LENGTH = 1 << 3, /* Content-Length not a number: framed as 0 */
} SipStreamMsgFlags;

typedef struct {
    /* one message; first_frame/ts: the segment where it started / completed */
    void (*message)(void *user, const uint8_t *msg, size_t len, unsigned flags, SsTime ts,
                    uint64_t first_frame, uint64_t last_frame);
    /* n bytes skipped as junk */
    void (*junk)(void *user, size_t n, SsTime ts);
    void *user;
} SipStreamSink;

/* SipStream: a message wholly inside the fed bytes, with nothing buffered,
 * is passed to the sink straight from them (zero copy); otherwise the
 * stream keeps one growing buffer. Keep-alives are consumed silently. The
 * bytes of a message already delivered cut (INCOMPLETE after a gap whose
 * headers were complete, or TOO_BIG with a known length) that arrive later
 * are dropped without a junk report: they are not junk, and the framer
 * resumes exactly after them. */
typedef struct SipStream SipStream;

SipStream *sip_stream_new(const SipStreamSink *sink);
void sip_stream_feed(SipStream *s, const uint8_t *bytes, size_t len, SsTime ts, uint64_t frame);
/* len bytes were lost: the message being assembled is delivered as
 * INCOMPLETE (if it has a start line) and the stream resyncs at the next
 * start line. */
void sip_stream_gap(SipStream *s, uint64_t len, SsTime ts);
/* End of stream: deliver any partial message as INCOMPLETE. */
void sip_stream_finish(SipStream *s, SsTime ts);
size_t sip_stream_buffered(const SipStream *s);
void sip_stream_free(SipStream *s);

#endif
