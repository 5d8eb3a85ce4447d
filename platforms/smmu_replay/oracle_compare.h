// Comparison of one replayed DMA with what QEMU did (EXPORT-FORMAT.md section 7), independent
// of the simulator: the replay command fills a dma_result per `dma` entry and calls compare_dma.
//
// Rules (1-6 of the format, then the deviation marks of section 8):
//  1 presence: QEMU has a record exactly when we do;
//  2 first record: type, StreamID, SSV, SubstreamID; for 0x10-0x13 also InputAddr and RnW;
//  3 same set of event types, every record of ours carries the DMA's StreamID;
//  4 same set of (type, InputAddr >> 12) over the 0x10-0x13 records (record counts ignored);
//  5 read data: our buffer bytes equal observed.data;
//  6 write: our PA of the first byte equals landed_at and our memory there holds observed.data;
//    landed_at null: we did not write the first byte anywhere (when QEMU had no event either);
//    every mem_after range equals our memory.
// A DMA whose result differs from QEMU only where one of its deviation marks allows it gets
// verdict `deviation` (not a failure); a model that copies QEMU's non-architectural behaviour
// (iova_beyond_48bit, invalid_block_accepted) fails, because our model must follow the
// architecture. See docs/smmu-replay.md for each id's rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platforms/smmu_replay/oracle_case.h"

namespace vcmsim::platform::replay {

// What our simulator did for one `dma` entry: the shape of the expectations (section 7).
struct dma_result {
    std::size_t index = 0;                        // trace index of the dma entry
    unsigned dev = 0;
    std::vector<event_record> events;             // our records, queue order
    std::optional<byte_vector> data;              // read: device buffer [buf_off, buf_off+len) after the DMA
    std::vector<bool> terminated;                 // read, optional: per byte, the SMMU terminated it
    std::optional<std::uint64_t> pa_first;        // PA of the first byte; nullopt if it faulted/aborted
    std::vector<mem_range> mem;                   // our memory at every range required_ranges() names
};

// The memory ranges a result must report for `op` (each mem_after range, and the landed_at
// range of observed.data), so that the replay command can read them back after the DMA.
struct range_request {
    std::uint64_t pa = 0;
    std::uint64_t len = 0;
};
std::vector<range_request> required_ranges(const dma_op& op);

enum class verdict_kind { pass, fail, deviation };

struct dma_verdict {
    std::size_t index = 0;
    verdict_kind kind = verdict_kind::pass;
    std::string what;                             // "#56 dev0 write iova=0x800040 len=32"
    std::string message;                          // empty on a plain pass
    std::vector<std::string> deviations;          // the marks that decided a `deviation` verdict
};

struct compare_options {
    // Our SMMU implements stage 2 (so the stage2_unimplemented DMAs are skipped as deviations);
    // false: it reports S2P = 0 like QEMU and the DMAs are compared as they are.
    bool model_has_stage2 = false;
};

// Compares our result for `op` (trace entry `index` of `c`) with QEMU's.
dma_verdict compare_dma(const oracle_case& c, std::size_t index, const dma_op& op, const dma_result& ours,
                        const compare_options& opt = {});

// Compares a whole case: results[i] must correspond to the i-th dma entry of the trace (its
// index is checked). A missing result fails that DMA.
std::vector<dma_verdict> compare_case(const oracle_case& c, const std::vector<dma_result>& results,
                                      const compare_options& opt = {});

struct compare_summary {
    std::size_t passed = 0;                       // pass + deviation
    std::size_t failed = 0;
    std::size_t deviations = 0;                   // of the passed: accepted through a deviation mark
    void add(const dma_verdict& v);
    std::string line() const;                     // "N passed, M failed"
    std::string deviation_line() const;           // "(K DMA(s) differ from QEMU by a known QEMU deviation)" or ""
};

// QEMU's own outcome of `op` as a result (events, read data, landed_at as pa_first, every range
// required_ranges() names). Comparing it with compare_dma passes except where QEMU departs from
// the architecture: a self-check of the comparison and a template for the replay command.
dma_result qemu_result(std::size_t index, const dma_op& op);

// One line per verdict: "PASS #34 ...", "FAIL #56 ...: message", "DEVIATION #130 ...: message".
std::string format_verdict(const std::string& case_name, const dma_verdict& v);
// "#56 dev1 write iova=0x800040 len=32 (harness)"
std::string describe_dma(const oracle_case& c, std::size_t index, const dma_op& op);
// A result as one JSON line in the shape of EXPORT-FORMAT.md section 7.
std::string result_to_json_line(const dma_result& r);

// Event type names used in messages ("F_TRANSLATION", "C_BAD_STE", ... or "0x1f").
std::string event_type_name(std::uint8_t type);

}  // namespace vcmsim::platform::replay
