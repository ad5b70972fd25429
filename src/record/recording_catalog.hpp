#pragma once
// What recordings exist, for the API: one summary per recording directory, kept in memory
// by the recorder (filled at start-up from the files, updated as recordings are written).
// Thread-safe: the recorder's thread writes, request handlers on any shard read.
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "record/recording_meta.hpp"

namespace vela::record {

struct RecordingSummary {
  std::string id;
  std::string stream;
  int64_t started_unix_ms = 0;
  uint64_t duration_us = 0;  // of its first rendition (the source)
  uint64_t bytes = 0;        // its files on disk
  std::vector<RenditionMeta> renditions;
  bool finished = false;     // false while it is being written
};

// The summary of a recording from its files (metadata and journal). Blocking.
base::Result<RecordingSummary> read_recording_summary(const std::filesystem::path& directory);

// A recording id as Vela makes them (recorder.cpp) or finds them on disk: a directory name
// that is safe in a path and a URL.
bool is_valid_recording_id(std::string_view id);

class RecordingCatalog {
 public:
  void put(RecordingSummary summary);
  void erase(const std::string& id);
  std::optional<RecordingSummary> find(const std::string& id) const;
  // Newest first.
  std::vector<RecordingSummary> list() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, RecordingSummary> recordings_;  // guarded by mutex_
};

}  // namespace vela::record
