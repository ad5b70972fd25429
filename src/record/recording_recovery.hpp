#pragma once
// Recovery of a recording that was not finalized (the server was killed, or the machine lost
// power): what to keep, where to cut the files, and the records that finalize it exactly as
// a clean end would have. Pure: the caller reads the files and applies the plan.
//
// Kept: the longest prefix of the journal's valid records in which every object record
//   - names a rendition the recording has,
//   - starts where the previous object of its rendition ended (data files are append-only),
//   - lies within its data file, and
//   - when it is after the last checkpoint, has the CRC its record says (its bytes may not
//     have reached the disk before the power went).
// Everything after that prefix is dropped: a torn final part, records of lost data, a corrupt
// tail. Each data file is cut at the end of its last kept object.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "record/recording_index.hpp"

namespace vela::record {

// The bytes [offset, offset + size) of rendition `rendition`'s data file, or nullopt when
// they cannot be read.
using ObjectReader =
    std::function<std::optional<std::vector<uint8_t>>(uint16_t rendition, uint64_t offset, uint32_t size)>;

struct RecoveryPlan {
  size_t keep_records = 0;             // the journal is cut after this many records
  size_t dropped_records = 0;          // valid records after the cut (their data was lost)
  std::vector<uint64_t> data_sizes;    // per rendition: its data file is cut to this length
  // Appended after the kept records: a segment end for each rendition's last open segment,
  // then the end record.
  std::vector<IndexRecord> finalize;
};

// data_file_sizes[i]: the current size of rendition i's data file (its count is the
// recording's number of renditions).
RecoveryPlan plan_recovery(const IndexScan& scan, std::span<const uint64_t> data_file_sizes,
                           const ObjectReader& read);

// Follows a journal record by record and knows each rendition's segment still open (parts,
// no segment end yet): what closes a recording, without keeping its records.
class OpenSegments {
 public:
  void add(const IndexRecord& record);
  // A segment end for each open segment (its duration the sum of its parts').
  std::vector<IndexRecord> closing_records() const;

 private:
  struct Open {
    uint64_t msn = 0;
    int64_t media_time_us = 0;
    int64_t wall_clock_us = 0;
    uint64_t duration_us = 0;
    uint8_t flags = 0;
    bool open = false;
  };
  std::map<uint16_t, Open> open_;
};

// The records that close `records` (a recording's journal up to its last kept record) as a
// clean end does: a segment end for each rendition whose last segment has parts but no end
// (its duration the sum of its parts'), then an end record counting everything before it.
std::vector<IndexRecord> finalize_records(std::span<const IndexRecord> records);

}  // namespace vela::record
