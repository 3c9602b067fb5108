/* pcap_out.h - the -w writer: packets to a classic pcap file.
 *
 * Always the nanosecond variant of classic pcap (magic 0xa1b23c4d, in
 * little-endian order), which libpcap >= 1.5, tcpdump, tshark, Wireshark
 * and sngrep read, so no timestamp precision is lost. One link type per
 * file, as classic pcap allows: the caller keeps to the link type given at
 * open (pcap_out_linktype()). No pcapng writer.
 *
 * Ownership: pcap_out_open() (transfer full) pairs with pcap_out_close(),
 * which always frees, even when it reports an error. Data passed to
 * pcap_out_write() is (transfer none). Errors are in G_FILE_ERROR.
 */
#ifndef SIPSLEUTH_PCAP_OUT_H
#define SIPSLEUTH_PCAP_OUT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/sstime.h"

typedef struct PcapOut PcapOut;

/* path "-" writes to stdout (which is flushed, not closed, at the end).
 * snaplen 0 means 262144. */
PcapOut *pcap_out_open(const char *path, int linktype, uint32_t snaplen, GError **err);
/* Writes one record; caplen is cut to the snaplen (origlen kept). */
bool pcap_out_write(PcapOut *o, SsTime ts, const uint8_t *data, uint32_t caplen, uint32_t origlen,
                    GError **err);
int pcap_out_linktype(const PcapOut *o);
uint64_t pcap_out_packets(const PcapOut *o); /* records written */
/* Flushes and closes; false when any write failed (also an earlier one
 * that was not reported, e.g. ENOSPC caught by stdio buffering). */
bool pcap_out_close(PcapOut *o, GError **err);

#endif
