/* readfloor - the "read floor" of the benchmarks: what libpcap alone costs.
 *
 *   bench/readfloor FILE
 *
 * Opens FILE with pcap_open_offline (nanosecond precision, as sipsleuth
 * reads) and walks it with pcap_next_ex, touching nothing but the record
 * headers; prints "packets N bytes B" (captured bytes). No analyzer built on
 * libpcap's file reader can be faster, so sipsleuth's time divided by this
 * one is the cost of the analysis itself.
 */
#include <config.h>

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: readfloor FILE\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO,
                                                         errbuf);
    if (!p) {
        fprintf(stderr, "readfloor: %s\n", errbuf);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0, bytes = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "readfloor: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("packets %" PRIu64 " bytes %" PRIu64 "\n", packets, bytes);
    return 0;
}
