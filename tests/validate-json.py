#!/usr/bin/env python3
"""Validate sipsleuth NDJSON against docs/sipsleuth.schema.json.

usage: validate-json.py [--schema FILE] [FILE|-]...

Reads every FILE (stdin when none or "-") and checks that each line:
  - is strict UTF-8 and one JSON object (no blank lines, no trailing junk),
  - has no duplicate keys at any depth,
  - validates against the JSON Schema (draft 2020-12),
and that the stream as a whole keeps the writer's promises: event.sequence
counts 1, 2, 3... per file and @timestamp never goes back.

Exit status: 0 all valid, 1 a violation (each printed as FILE:LINE: why),
2 usage error, 77 (the automake "skip" code) when python3-jsonschema is not
installed.
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("validate-json.py: python3-jsonschema is not installed\n")
    sys.exit(77)


def default_schema():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, os.pardir, "docs", "sipsleuth.schema.json")


class DuplicateKey(ValueError):
    pass


def no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKey("duplicate key %r" % key)
        obj[key] = value
    return obj


def check_stream(name, stream, validator):
    errors = 0
    last_ts = None
    expect_seq = 1
    for lineno, raw in enumerate(stream, 1):
        where = "%s:%d" % (name, lineno)
        if not raw.endswith(b"\n"):
            print("%s: last line does not end with a newline" % where)
            errors += 1
        try:
            text = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            print("%s: not UTF-8: %s" % (where, e))
            errors += 1
            continue
        try:
            rec = json.loads(text, object_pairs_hook=no_duplicates)
        except (ValueError, DuplicateKey) as e:
            print("%s: not one JSON object: %s" % (where, e))
            errors += 1
            continue
        for err in sorted(validator.iter_errors(rec), key=lambda e: list(e.absolute_path)):
            path = "/".join(str(p) for p in err.absolute_path) or "(record)"
            print("%s: %s: %s" % (where, path, err.message))
            errors += 1
        if not isinstance(rec, dict):
            continue
        # RFC 3339 with a fixed width and 'Z': string order is time order.
        ts = rec.get("@timestamp")
        if isinstance(ts, str):
            if last_ts is not None and ts < last_ts:
                print("%s: @timestamp %s goes back (previous %s)" % (where, ts, last_ts))
                errors += 1
            last_ts = ts
        seq = rec.get("event", {}).get("sequence") if isinstance(rec.get("event"), dict) else None
        if seq != expect_seq:
            print("%s: event.sequence %r, expected %d" % (where, seq, expect_seq))
            errors += 1
        expect_seq = (seq if isinstance(seq, int) else expect_seq) + 1
    return errors


def main(argv):
    schema_path = default_schema()
    files = []
    args = iter(argv[1:])
    for a in args:
        if a == "--schema":
            schema_path = next(args, None)
            if schema_path is None:
                sys.stderr.write(__doc__)
                return 2
        elif a.startswith("--schema="):
            schema_path = a[len("--schema="):]
        elif a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        else:
            files.append(a)
    if not files:
        files = ["-"]
    with open(schema_path, "rb") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)

    errors = 0
    for name in files:
        if name == "-":
            errors += check_stream("<stdin>", sys.stdin.buffer, validator)
        else:
            with open(name, "rb") as f:
                errors += check_stream(name, f, validator)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
