// `vcmsim smmu replay FILE.json... [--json] [-v] [-j N]`: differential validation of our SMMUv3
// model against QEMU 7.2 on the oracle corpus (tests/smmu_corpus, docs/smmu-replay.md).
//
// Each file is read with load_oracle_case() in this process, then replayed in a forked child
// (SystemC elaborates once per process) on the platform of replay_platform.h; the child sends
// one JSON line per DMA result (and case-level notes) through a pipe, and this process compares
// them with QEMU's (compare_case) and prints, in file order:
//
//   PASS|FAIL|DEVIATION <case> #<i> [dev<d>] read|write iova=0x... len=N [(harness)][: message]
//   <case>: N passed, M failed [(K deviations)] (T s)
//   ...
//   N passed, M failed                     totals over every file
//   (K DMA(s) differ from QEMU by a known QEMU deviation)      only when K > 0
//
// --json prints one JSON object per line instead: {"case","i","verdict","what","message",
// "deviations"} per DMA, {"case","note"} per note, {"case","file","passed","failed",
// "deviations","seconds"} per file and {"passed","failed","deviations","files"} last.
// -v adds model info logs, the ID-register fields our model cannot reproduce, the EVENTQ_CONS
// translations, and our result (EXPORT-FORMAT.md section 7 shape) under every non-PASS verdict.
// -j N replays up to N files at once (output order unchanged).
//
// Exit: 0 every DMA passed, 1 some DMA failed, 64 usage, 65 a file is not a valid oracle trace
// (the reader's message on stderr), 66 a file is missing; with several files every readable
// file is still replayed and the first 65/66 wins over 1. 70 a replay child crashed.
#pragma once

#include <string>
#include <vector>

namespace vcmsim::platform {

int smmu_replay_main(const std::vector<std::string>& args);

}  // namespace vcmsim::platform
