/* pcap_file.h - our own reader for pcap and pcapng files.
 *
 * Why not pcap_open_offline(): libpcap refuses pcapng files whose interfaces
 * have different link types, and it cannot tell a file cut mid-record from
 * a clean end in a way we can report precisely. This reader handles pcap
 * (both byte orders, micro- and nanosecond, the modified/Kuznetzov variant)
 * and pcapng (SHB of either byte order, several sections, IDBs with their
 * own link type and if_tsresol, EPB/SPB/obsolete PB), reading with read()
 * into one window (so stdin and pipes work) and handing classic pcap
 * records out in place, without a copy.
 *
 * Hostile input: a record or block longer than SS_PCAP_MAX_RECORD, or whose
 * lengths disagree, is reported as SS_CAPTURE_ERROR_NOT_CAPTURE ("corrupt
 * record at offset N"); the reader never allocates per packet (one buffer
 * grows to the largest record seen) and never reads outside what it read.
 *
 * Ownership: pcap_file_open() (transfer full) pairs with pcap_file_close().
 * Packet bytes live until the next pcap_file_next() (transfer none).
 */
#ifndef SIPSLEUTH_PCAP_FILE_H
#define SIPSLEUTH_PCAP_FILE_H

#include <glib.h>
#include "capture/capture.h"

/* Largest pcap record / pcapng block accepted: 256 MiB. libpcap caps packets
 * at 256 KiB (MAXIMUM_SNAPLEN) and Wireshark blocks at 16 MiB; anything
 * bigger is a corrupt length field, and refusing it bounds our buffer. */
#define SS_PCAP_MAX_RECORD (256u * 1024u * 1024u)

typedef struct PcapFile PcapFile;

/* path "-" reads stdin. Errors: SS_CAPTURE_ERROR_NOT_FOUND, _NOT_CAPTURE
 * (also "empty file"), _TRUNCATED (file cut inside its file header / first
 * section header), _IO. */
PcapFile *pcap_file_open(const char *path, GError **err);
/* CAPTURE_PACKET (pkt filled; frame and input are left to the caller),
 * CAPTURE_END, or CAPTURE_ERROR (SS_CAPTURE_ERROR_TRUNCATED, _NOT_CAPTURE
 * for a corrupt block, _IO). After an error the file is at its end: later
 * calls return CAPTURE_END. */
CaptureResult pcap_file_next(PcapFile *f, SsPacket *pkt, GError **err);
uint64_t pcap_file_size(const PcapFile *f);   /* 0 if unknown (pipe) */
uint64_t pcap_file_offset(const PcapFile *f); /* bytes consumed */
const char *pcap_file_path(const PcapFile *f);
/* Link type of the first interface (pcap: the file's; pcapng: the first IDB
 * of the first section when it directly follows the section header, as
 * writers do), or -1 when not known yet. Used to check a BPF filter early. */
int pcap_file_linktype(const PcapFile *f);
void pcap_file_close(PcapFile *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PcapFile, pcap_file_close)

#endif
