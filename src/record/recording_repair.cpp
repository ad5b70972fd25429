#include "record/recording_repair.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <system_error>
#include <vector>

#include "record/durable_file.hpp"
#include "record/recording_meta.hpp"
#include "record/recording_recovery.hpp"
#include "record/recording_writer.hpp"

namespace vela::record {

namespace {

// Reads [offset, offset + size) of a file, or nullopt when it cannot (short file, I/O error).
std::optional<std::vector<uint8_t>> read_range(const std::filesystem::path& path, uint64_t offset, uint32_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<uint8_t> bytes(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, bytes.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (done != size) return std::nullopt;
  return bytes;
}

}  // namespace

base::Result<RepairResult> repair_recording(const std::filesystem::path& directory) {
  auto meta_bytes = read_whole_file(directory / kMetaFile);
  if (!meta_bytes) return meta_bytes.error();
  auto meta = decode_recording_meta(std::string(meta_bytes->begin(), meta_bytes->end()));
  if (!meta) return base::make_error(directory.string() + ": " + meta.error().message);
  auto journal_bytes = read_whole_file(directory / kIndexFile);
  if (!journal_bytes) return journal_bytes.error();
  IndexScan scan = scan_index(*journal_bytes);
  auto journal = DurableFile::open_append(directory / kIndexFile);
  if (!journal) return journal.error();

  RepairResult result;
  if (scan.ended) {
    result.was_finished = true;
    result.kept_records = scan.records.size();
    if (scan.torn) {
      result.cut_bytes = journal_bytes->size() - scan.valid_bytes;
      if (auto cut = journal->truncate(scan.valid_bytes); !cut) return cut.error();
      if (auto synced = journal->sync(); !synced) return synced.error();
    }
    return result;
  }

  // Data files the metadata names (a missing one is empty); one created just before a crash
  // and not yet named is ignored, as no record can point into it.
  std::vector<uint64_t> sizes;
  std::vector<std::filesystem::path> paths;
  for (size_t i = 0; i < meta->renditions.size(); ++i) {
    paths.push_back(directory / rendition_file_name(i));
    std::error_code error;
    uint64_t size = std::filesystem::file_size(paths.back(), error);
    sizes.push_back(error ? 0 : size);
  }
  RecoveryPlan plan = plan_recovery(scan, sizes, [&](uint16_t rendition, uint64_t offset, uint32_t size) {
    return read_range(paths.at(rendition), offset, size);
  });

  for (size_t i = 0; i < paths.size(); ++i) {
    if (plan.data_sizes[i] == sizes[i]) continue;
    auto data = DurableFile::open_append(paths[i]);
    if (!data) return data.error();
    if (auto cut = data->truncate(plan.data_sizes[i]); !cut) return cut.error();
    if (auto synced = data->sync(); !synced) return synced.error();
    result.cut_bytes += sizes[i] - plan.data_sizes[i];
  }
  const uint64_t kept_bytes = plan.keep_records * kIndexRecordSize;
  result.cut_bytes += journal_bytes->size() - kept_bytes;
  if (auto cut = journal->truncate(kept_bytes); !cut) return cut.error();
  std::vector<uint8_t> finalizing;
  for (const IndexRecord& record : plan.finalize) encode_index_record(record, finalizing);
  if (auto appended = journal->append(finalizing); !appended) return appended.error();
  if (auto synced = journal->sync(); !synced) return synced.error();
  result.kept_records = plan.keep_records;
  result.dropped_records = plan.dropped_records;
  return result;
}

}  // namespace vela::record
