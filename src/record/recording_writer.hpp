#pragma once
// Writes one recording: the packager's init segments and parts appended unchanged to one
// data file per rendition, and a record for each to the index journal (recording_index.hpp
// says why the order of writes makes this crash-safe). Layout of the recording's directory:
//   recording.json         the metadata (recording_meta.hpp), replaced atomically
//   rendition-<n>.mp4      rendition n's init segment followed by its parts (fragmented MP4)
//   index.vrx              the journal
// Blocking file I/O: one thread at a time, the recorder's own, never a shard. After any
// error the writer is failed: it refuses further writes (the recording stops; what was
// written stays recoverable) and says why.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "record/durable_file.hpp"
#include "record/recording_index.hpp"
#include "record/recording_meta.hpp"
#include "record/recording_recovery.hpp"

namespace vela::record {

inline constexpr const char* kMetaFile = "recording.json";
inline constexpr const char* kIndexFile = "index.vrx";
std::string rendition_file_name(size_t rendition);

struct PartInfo {
  uint64_t msn = 0;
  uint32_t index = 0;
  uint32_t duration_us = 0;
  uint8_t flags = 0;  // kIndependent, kDiscontinuity
  int64_t media_time_us = 0;
  int64_t wall_clock_us = 0;
};

class RecordingWriter {
 public:
  // Creates `directory` (which must not exist yet) with the metadata and an empty journal.
  static base::Result<std::unique_ptr<RecordingWriter>> create(const std::filesystem::path& directory,
                                                               RecordingMeta meta);

  // A rendition begins: its data file is created and the metadata rewritten to name it.
  base::Result<uint16_t> add_rendition(RenditionMeta rendition);
  base::Status append_init(uint16_t rendition, std::span<const uint8_t> bytes);
  base::Status append_part(uint16_t rendition, const PartInfo& part, std::span<const uint8_t> bytes);
  // The segment is complete (the concatenation of its parts).
  base::Status end_segment(uint16_t rendition, uint64_t msn, uint32_t duration_us, uint8_t flags);
  // Makes everything written so far durable: data files, then a checkpoint, then the journal.
  // Does nothing when nothing was written since the last sync.
  base::Status sync();
  // A clean end: closes any open segment, appends the end record and syncs. The writer takes
  // no more writes afterwards.
  base::Status finish();

  const RecordingMeta& meta() const { return meta_; }
  const std::filesystem::path& directory() const { return directory_; }
  uint64_t bytes_written() const { return bytes_written_; }
  bool finished() const { return finished_; }
  // Why the writer stopped taking writes, when it failed.
  const std::optional<std::string>& failure() const { return failure_; }

 private:
  RecordingWriter(std::filesystem::path directory, RecordingMeta meta, DurableFile journal)
      : directory_(std::move(directory)), meta_(std::move(meta)), journal_(std::move(journal)) {}
  base::Status usable() const;
  base::Status append_object(IndexRecord record, std::span<const uint8_t> bytes);
  base::Status append_record(const IndexRecord& record);
  base::Status fail(base::Error error);

  std::filesystem::path directory_;
  RecordingMeta meta_;
  DurableFile journal_;
  std::vector<DurableFile> data_;  // per rendition
  uint32_t record_count_ = 0;        // records in the journal
  OpenSegments open_segments_;        // what finish() must close (not the records themselves)
  uint32_t records_at_last_checkpoint_ = 0;
  uint64_t bytes_written_ = 0;
  bool finished_ = false;
  std::optional<std::string> failure_;
};

}  // namespace vela::record
