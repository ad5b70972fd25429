#pragma once
// Start-up repair of one recording directory (recording_writer.hpp has the layout): a
// recording without an end record is cut to what is known good and finalized as a clean end
// would have finalized it (recording_recovery.hpp decides what is kept). A recording that
// ended cleanly is left alone, apart from stray bytes after its end record.
// Blocking file I/O: the recorder's thread, at start-up.
#include <cstdint>
#include <filesystem>

#include "base/result.hpp"

namespace vela::record {

struct RepairResult {
  bool was_finished = false;   // it had its end record: nothing to repair
  size_t kept_records = 0;     // journal records kept (the finalizing ones not counted)
  size_t dropped_records = 0;  // records whose data was lost or torn
  uint64_t cut_bytes = 0;      // bytes cut from the data files and the journal
};

base::Result<RepairResult> repair_recording(const std::filesystem::path& directory);

}  // namespace vela::record
