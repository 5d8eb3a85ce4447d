#!/usr/bin/env python3
"""Extra oracle cases for the vcmsim SMMU corpus, driven through the shared harness's API.

The shared harness (../shared/tools/qemu_oracle/qemu_smmu_oracle.py from the repo root) has no
case with a stage-1 walk that starts at level 3 for the 16 KiB granule (T0SZ = 39, one lookup
into a 2048-entry L3 table). This driver adds that case with the harness's own SmmuOracle API
and exports it in the harness's format; the file gets an informational top-level "driver" object
(allowed by EXPORT-FORMAT.md section 3).

  python3 tests/smmu_corpus/extra_cases.py --export DIR [--oracle-dir PATH]
Exit status: 0 when every check passed, 1 otherwise, 2 for a usage error.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ORACLE = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "tools", "qemu_oracle"))


def case_16k_t0sz39(h, ctx):
    """16K granule, T0SZ 39 (25-bit IOVA): a one-level walk from L3."""
    o, g = ctx.o, 16384
    h._setup(o, g, 39)
    ctx.rep.info(ctx.name, "geometry", "granule=16K T0SZ=39 ias=%d start_level=%d" % (o.pt.ias, o.pt.start_level))
    o.bounce_iova = 0x01F0_0000          # the default bounce IOVA lies beyond a 25-bit input range
    o.map_bounce()
    a, b = 0x0040_0000, 0x0123_4000
    o.map_page(a, o.alloc_data_page(g))
    o.map_page(b, o.alloc_data_page(g))
    o.enable()
    ctx.write_and_verify("write", a + 0x100, 256)
    ctx.read_and_verify("read", b + 0x80, 200)

    # unmapped page in the same (only) table
    res = o.dma_write_through_smmu(0x0080_0010, h._pattern(ctx.rng, 64))
    ctx.expect_fault("unmapped_write", res, h.EVT_F_TRANSLATION, 0x0080_0010, 64, rnw=0)
    res = o.dma_read_through_smmu(0x0090_0044, 24)
    ctx.expect_fault("unmapped_read", res, h.EVT_F_TRANSLATION, 0x0090_0044, 24, rnw=1)

    # read-only page: reads work, writes give F_PERMISSION and nothing lands
    ro = 0x0100_0000
    pa_ro = o.alloc_data_page(g)
    o.map_page(ro, pa_ro, ap=h.AP_RO)
    ctx.read_and_verify("ro_read", ro + 0x20, 128)
    o.phys_fill(pa_ro, g, 0x3C)
    res = o.dma_write_through_smmu(ro + 0x40, h._pattern(ctx.rng, 64))
    after = o.phys_read(pa_ro + 0x40, 64)
    res.entry["observed"] = {"mem_after": [[pa_ro + 0x40, after.hex()]]}
    ctx.expect_fault("ro_write", res, h.EVT_F_PERMISSION, ro + 0x40, 64, rnw=0, landed_ok=after == b"\x3C" * 64)

    # remap + TLBI_NH_VA, then unmap + TLBI_NH_ASID
    q = 0x0150_0000
    pa1, pa2 = o.alloc_data_page(g), o.alloc_data_page(g)
    o.map_page(q, pa1)
    ctx.write_and_verify("remap_before", q + 0x100, 64)
    o.map_page(q, pa2)
    o.tlbi_va(q)
    o.phys_fill(pa1, g, 0)
    ctx.write_and_verify("remap_after_tlbi_va", q + 0x100, 64)
    ctx.check("remap_old_pa_untouched", o.phys_read(pa1, g) == b"\0" * g, "pa 0x%x" % pa1)
    o.unmap(q)
    o.tlbi_asid()
    o.phys_fill(pa2, g, 0x77)
    res = o.dma_write_through_smmu(q + 0x100, h._pattern(ctx.rng, 64))
    after = o.phys_read(pa2 + 0x100, 64)
    res.entry["observed"] = {"mem_after": [[pa2 + 0x100, after.hex()]]}
    ctx.expect_fault("unmap_after_tlbi_asid", res, h.EVT_F_TRANSLATION, q + 0x100, 64, rnw=0,
                     landed_ok=after == b"\x77" * 64)

    # last page of the input range, then the first byte beyond it (below 2^48: a real fault)
    hi = (1 << 25) - g
    o.map_page(hi, o.alloc_data_page(g))
    ctx.write_and_verify("top_of_range_write", hi + 0x3f00, 200)
    beyond = (1 << 25) + 0x1000
    res = o.dma_write_through_smmu(beyond, b"\x11" * 16)
    ctx.expect_fault("beyond_ias", res, h.EVT_F_TRANSLATION, beyond, 16, rnw=0)


CASES = {"16k_t0sz39_pages": (case_16k_t0sz39, "16K granule, 25-bit IOVA, 1-level walk (L3 only)")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--export", metavar="DIR", required=True)
    ap.add_argument("--oracle-dir", default=os.environ.get("QEMU_ORACLE_DIR", DEFAULT_ORACLE))
    ap.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-aarch64"))
    args = ap.parse_args()
    sys.path.insert(0, args.oracle_dir)
    import qemu_smmu_oracle as h
    rep = h.Reporter()
    qkw = dict(qemu=args.qemu, time_mode="auto", mem="2G", edu_addr=None,
               edu_dma_mask=(1 << 64) - 1, trace=None, keep_workdir=False)
    for name, (fn, what) in CASES.items():
        h.run_case(name, lambda ctx, fn=fn: fn(h, ctx), rep, qkw, args.export)
        path = os.path.join(args.export, name + ".json")
        if os.path.exists(path):
            with open(path) as f:
                doc = json.load(f)
            doc["driver"] = {"name": "vcmsim tests/smmu_corpus/extra_cases.py", "case": name, "what": what}
            with open(path, "w") as f:
                json.dump(doc, f, indent=1)
    print("%d passed, %d failed" % (rep.passed, rep.failed))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
