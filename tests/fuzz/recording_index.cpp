// A recording's index journal as found on disk after a crash or a power loss: any bytes.
// Scanning and recovery planning must never crash, and what they decide must be consistent:
// the kept records are a prefix of the valid ones, objects lie inside their files, and the
// journal rebuilt from the plan scans back as one finalized recording.
#include <cstdint>
#include <span>
#include <vector>

#include "record/recording_recovery.hpp"

using namespace vela::record;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first byte picks how many renditions the recording has (0-3) and how long their
  // data files are; the rest is the journal.
  const size_t renditions = data[0] % 4;
  const uint64_t file_size = uint64_t{data[1]} * 997;
  std::span<const uint8_t> journal(data + 2, size - 2);
  IndexScan scan = scan_index(journal);
  if (scan.valid_bytes != scan.records.size() * kIndexRecordSize) __builtin_trap();
  if (scan.valid_bytes > journal.size() || scan.synced_records > scan.records.size()) __builtin_trap();

  std::vector<uint64_t> sizes(renditions, file_size);
  // Object bytes are whatever the fuzzer's journal bytes say, so CRCs can match sometimes.
  ObjectReader read = [&](uint16_t, uint64_t offset, uint32_t length) -> std::optional<std::vector<uint8_t>> {
    if (offset > journal.size() || length > journal.size() - offset) return std::nullopt;
    return std::vector<uint8_t>(journal.begin() + static_cast<long>(offset),
                                journal.begin() + static_cast<long>(offset + length));
  };
  RecoveryPlan plan = plan_recovery(scan, sizes, read);
  if (plan.keep_records > scan.records.size() || plan.data_sizes.size() != renditions) __builtin_trap();
  for (uint64_t kept : plan.data_sizes) {
    if (kept > file_size) __builtin_trap();
  }
  std::vector<uint8_t> rebuilt;
  for (size_t i = 0; i < plan.keep_records; ++i) encode_index_record(scan.records[i], rebuilt);
  for (const IndexRecord& record : plan.finalize) encode_index_record(record, rebuilt);
  IndexScan final_scan = scan_index(rebuilt);
  if (!final_scan.ended || final_scan.torn) __builtin_trap();
  return 0;
}
