#!/usr/bin/env python3
"""ndjson-check.py - validates sipsleuth's NDJSON on stdin, writes a summary.

    sipsleuth -T json ... | ndjson-check.py SUMMARY.json

Fails (status 1, one line on stderr) when the stream is not strict UTF-8,
a line is not a JSON object, or the last line has no newline (a record cut
short). The summary holds what the robustness tests assert on: the number
of lines, the records per event.dataset and event.action, the message
records marked incomplete, the longest line, the last stats record's "stats" object, and
every dialog record's "sip.dialog" plus call_id. Streaming: a few hundred MB of records cost no memory here.
"""
import collections
import json
import sys


def main():
    out = sys.argv[1]
    lines = 0
    kinds = collections.Counter()
    stats = None
    dialogs = []
    incomplete = 0
    longest = 0
    last = b"\n"
    for raw in sys.stdin.buffer:
        lines += 1
        last = raw
        longest = max(longest, len(raw))
        try:
            text = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            sys.exit("line %d: not UTF-8: %s" % (lines, e))
        try:
            rec = json.loads(text)
        except ValueError as e:
            sys.exit("line %d: not JSON: %s" % (lines, e))
        if not isinstance(rec, dict):
            sys.exit("line %d: not a JSON object" % lines)
        ev = rec.get("event", {})
        ds = ev.get("dataset", "?")
        kinds[ds] += 1
        kinds[ds + ":" + str(ev.get("action"))] += 1
        if ds == "sipsleuth.stats":
            stats = rec.get("stats")
        elif ds == "sipsleuth.message":
            incomplete += bool(rec["sip"].get("message", {}).get("incomplete"))
        elif ds == "sipsleuth.dialog":
            d = dict(rec["sip"]["dialog"])
            d["call_id"] = rec["sip"].get("call_id")
            dialogs.append(d)
    if not last.endswith(b"\n"):
        sys.exit("line %d: last line cut short (no newline)" % lines)
    with open(out, "w") as f:
        json.dump({"lines": lines, "kinds": kinds, "stats": stats, "dialogs": dialogs,
                   "incomplete_messages": incomplete, "longest_line": longest}, f)


if __name__ == "__main__":
    main()
