#pragma once
// A file that is only appended to, with the few POSIX calls crash safety needs: write all
// of a buffer (retrying short writes and EINTR), fsync, truncate, and syncing the directory
// an entry was created or renamed in. Errors are values with the path and errno text.
// Blocking: for the recorder's own threads, never a shard.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::record {

class DurableFile {
 public:
  // Opens `path` for appending, creating it when missing (the caller syncs the directory).
  static base::Result<DurableFile> open_append(const std::filesystem::path& path);
  DurableFile(DurableFile&& other) noexcept;
  DurableFile& operator=(DurableFile&& other) noexcept;
  DurableFile(const DurableFile&) = delete;
  DurableFile& operator=(const DurableFile&) = delete;
  ~DurableFile();

  base::Status append(std::span<const uint8_t> bytes);
  base::Status sync();
  // Cuts the file to `length` bytes (recovery); later appends continue from there.
  base::Status truncate(uint64_t length);
  uint64_t size() const { return size_; }
  // Whether something was appended since the last sync.
  bool dirty() const { return dirty_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  DurableFile(int fd, std::filesystem::path path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  base::Error error(const char* what) const;

  int fd_ = -1;
  std::filesystem::path path_;
  uint64_t size_ = 0;
  bool dirty_ = false;
};

// fsync of a directory, so that entries created or renamed in it survive a power loss.
base::Status sync_directory(const std::filesystem::path& directory);

// Writes `bytes` to `path` atomically: a temporary file beside it, synced, renamed over
// `path`, and the directory synced. A crash leaves either the old file or the new one.
base::Status write_file_atomically(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// The whole file, or an error (missing, unreadable). For small files (metadata, journals).
base::Result<std::vector<uint8_t>> read_whole_file(const std::filesystem::path& path);

}  // namespace vela::record
