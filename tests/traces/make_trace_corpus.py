#!/usr/bin/env python3
"""Writes the trace-file corpus used by tests/unit/trace_bad_files_test.cpp.

An independent writer of the format in traces/README.md: good.vtr must be accepted by the
C++ reader with the numbers listed in the test; every file in bad/ must be rejected with exit
code 65 and the message fragment listed in bad/expected.txt.

    python3 tests/traces/make_trace_corpus.py     # rewrites tests/traces/good.vtr and bad/*
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
HDR = struct.Struct('<8sHHIHHIQQQII8x')      # 64 bytes
REC = struct.Struct('<QQQIHHIIBBBBI')        # 48 bytes
assert HDR.size == 64 and REC.size == 48


def meta(count, **over):
    m = {
        "schema": "vcmsim.trace.v1", "tool": "make_trace_corpus.py", "config": "", "config_hash": "c0ffee",
        "seed": 3, "time_unit": "ps", "categories": ["miss", "walk", "fault", "inval"],
        "lookups_folded": True, "counter_interval_ps": 1000, "window_ps": [0, None], "stream_filter": [],
        "components": [{"id": 0, "name": "top.cpu.mmu.tlb", "kind": "tlb"},
                       {"id": 1, "name": "top.cpu.mmu.walker", "kind": "walker"}],
        "streams": [{"sid": 65535, "label": "cpu"}], "record_bytes": 48, "record_fields": [],
        "final": True, "records": count, "dropped_counter_lookups": 0,
    }
    m.update(over)
    return json.dumps(m).encode()


def rec(t, typ, comp=0, stream=0xFFFF, inp=0, out=0, dur=0, outcome=0, shift=0, lvl=0x1F, aux=0, ctx=0, ssid=0):
    return REC.pack(t, inp, out, dur, comp, stream, ctx, ssid, typ, outcome, shift, lvl, aux)


def good_records():
    return [
        rec(0, 8, 0, inp=10, out=8, dur=1000),                         # counter: 10 lookups, 8 hits
        rec(100, 1, 0, inp=0x40001000, outcome=2, ssid=1 << 20),       # miss (counted)
        rec(120, 4, 1, inp=0x40001000, out=0x80001000, dur=44000, outcome=3, shift=12, lvl=0x13, aux=4),
        rec(500, 6, 0, outcome=8),                                     # TLBI all
        rec(900, 7, 1, inp=0x50000000, outcome=4, lvl=0x12, aux=1),    # translation fault, level 2
    ]


def build(records, meta_bytes=None, reserved=4096, count=None, closed=True, **hdr):
    count = len(records) if count is None else count
    m = meta(count) if meta_bytes is None else meta_bytes
    fields = dict(magic=b'VCMTRACE', version=1, hb=64, order=0x01020304, rb=48, flags=1 if closed else 0,
                  unit=1, count=count, rec_off=64 + reserved, meta_off=64, meta_len=len(m), reserved=reserved)
    fields.update(hdr)
    h = HDR.pack(fields['magic'], fields['version'], fields['hb'], fields['order'], fields['rb'], fields['flags'],
                 fields['unit'], fields['count'], fields['rec_off'], fields['meta_off'], fields['meta_len'],
                 fields['reserved'])
    return h + m + b'\0' * (reserved - len(m)) + b''.join(records)


def main():
    good = good_records()
    with open(os.path.join(HERE, 'good.vtr'), 'wb') as f:
        f.write(build(good))
    full = build(good)
    bad = {
        'empty.vtr': (b'', 'shorter than the 64-byte header'),
        'short_header.vtr': (full[:30], 'shorter than the 64-byte header'),
        'bad_magic.vtr': (build(good, magic=b'VCMTRACX'), 'magic is not VCMTRACE'),
        'bad_version.vtr': (build(good, version=9), 'version 9 is not supported'),
        'bad_record_size.vtr': (build(good, rb=32), 'record size 32 is not 48'),
        'bad_byte_order.vtr': (build(good, order=0x04030201), 'byte-order'),
        'bad_time_unit.vtr': (build(good, unit=1000), 'time unit'),
        'not_closed.vtr': (build(good, closed=False, count=2**64 - 1), 'never closed'),
        'truncated_records.vtr': (full[:-20], 'truncated: header announces 5 records, the file holds 4'),
        'truncated_in_meta.vtr': (full[:200], 'truncated: the file ends at byte 200, before the records'),
        'huge_count.vtr': (build(good, count=2**60), 'truncated: header announces'),
        'trailing_garbage.vtr': (full + b'xyz', '3 unexpected bytes'),
        'records_offset_outside.vtr': (build(good, rec_off=10**9), 'before the records (offset 1000000000)'),
        'meta_overlap.vtr': (build(good, meta_off=64 + 4096 + 48), 'overlaps the records'),
        'bad_json.vtr': (build(good, meta_bytes=b'{"schema": "vcmsim.trace.v1", '), 'metadata block is not valid'),
        'bad_schema.vtr': (build(good, meta_bytes=json.dumps({"schema": "other"}).encode()), 'schema is not vcmsim.trace.v1'),
        'missing_components.vtr': (build(good, meta_bytes=json.dumps({k: v for k, v in json.loads(meta(5)).items()
                                                                      if k != 'components'}).encode()),
                                   'metadata block is not valid'),
        'bad_component_ids.vtr': (build(good, meta_bytes=meta(5, components=[{"id": 3, "name": "x", "kind": "x"}])),
                                  'component ids are not 0, 1, 2'),
        'count_mismatch.vtr': (build(good, meta_bytes=meta(6)), 'metadata says 6 records, the header 5'),
        'bad_type.vtr': (build(good[:3] + [rec(600, 99)] + good[4:]), 'record 3: unknown record type 99'),
        'bad_outcome.vtr': (build(good[:1] + [rec(100, 1, outcome=6)] + good[2:]), 'record 1: unknown outcome 6'),
        'bad_component.vtr': (build(good[:2] + [rec(120, 4, 7)] + good[3:]), 'record 2: component id 7'),
        'bad_counter.vtr': (build([rec(0, 8, 0, inp=3, out=5)] + good[1:]), 'record 0: counter has more hits'),
        'bad_level.vtr': (build(good[:4] + [rec(900, 7, 1, lvl=0x19)]), 'record 4: level 9'),
        'bad_page_shift.vtr': (build(good[:2] + [rec(120, 4, 1, shift=200)] + good[3:]), 'page shift 200'),
    }
    d = os.path.join(HERE, 'bad')
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'expected.txt'), 'w') as ex:
        ex.write('# file<TAB>message fragment; every file must give exit 65 (make_trace_corpus.py)\n')
        for name, (data, msg) in sorted(bad.items()):
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
            ex.write(f'{name}\t{msg}\n')


if __name__ == '__main__':
    main()
