#include "record/recording_catalog.hpp"

#include <algorithm>
#include <system_error>

#include "record/durable_file.hpp"
#include "record/recording_index.hpp"
#include "record/recording_writer.hpp"

namespace vela::record {

base::Result<RecordingSummary> read_recording_summary(const std::filesystem::path& directory) {
  auto meta_bytes = read_whole_file(directory / kMetaFile);
  if (!meta_bytes) return meta_bytes.error();
  auto meta = decode_recording_meta(std::string(meta_bytes->begin(), meta_bytes->end()));
  if (!meta) return meta.error();
  auto journal = read_whole_file(directory / kIndexFile);
  if (!journal) return journal.error();
  IndexScan scan = scan_index(*journal);
  RecordingSummary summary{meta->id, meta->stream, meta->started_unix_ms, 0, journal->size(), meta->renditions,
                           scan.ended};
  for (const IndexRecord& record : scan.records) {
    if (record.kind == RecordKind::part && record.rendition == 0) summary.duration_us += record.duration_us;
  }
  for (size_t i = 0; i < meta->renditions.size(); ++i) {
    std::error_code error;
    uint64_t size = std::filesystem::file_size(directory / rendition_file_name(i), error);
    if (!error) summary.bytes += size;
  }
  return summary;
}

bool is_valid_recording_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

void RecordingCatalog::put(RecordingSummary summary) {
  std::lock_guard lock(mutex_);
  std::string id = summary.id;
  recordings_[id] = std::move(summary);
}

void RecordingCatalog::erase(const std::string& id) {
  std::lock_guard lock(mutex_);
  recordings_.erase(id);
}

std::optional<RecordingSummary> RecordingCatalog::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto found = recordings_.find(id);
  if (found == recordings_.end()) return std::nullopt;
  return found->second;
}

std::vector<RecordingSummary> RecordingCatalog::list() const {
  std::vector<RecordingSummary> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, summary] : recordings_) out.push_back(summary);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.started_unix_ms > b.started_unix_ms;
  });
  return out;
}

}  // namespace vela::record
