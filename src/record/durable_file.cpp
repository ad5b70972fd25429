#include "record/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

namespace vela::record {

namespace {

base::Error errno_error(const char* what, const std::filesystem::path& path) {
  return base::make_error(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

base::Status write_all(int fd, std::span<const uint8_t> bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot write", path);
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

base::Result<DurableFile> DurableFile::open_append(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("cannot open", path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    auto failure = errno_error("cannot stat", path);
    ::close(fd);
    return failure;
  }
  return DurableFile(fd, path, static_cast<uint64_t>(info.st_size));
}

DurableFile::DurableFile(DurableFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), size_(other.size_), dirty_(other.dirty_) {}

DurableFile& DurableFile::operator=(DurableFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    size_ = other.size_;
    dirty_ = other.dirty_;
  }
  return *this;
}

DurableFile::~DurableFile() {
  if (fd_ >= 0) ::close(fd_);
}

base::Error DurableFile::error(const char* what) const {
  return errno_error(what, path_);
}

base::Status DurableFile::append(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return {};
  dirty_ = true;
  if (auto written = write_all(fd_, bytes, path_); !written) {
    // Part of the bytes may be in the file: the size is no longer known, so is re-read.
    struct stat info {};
    if (::fstat(fd_, &info) == 0) size_ = static_cast<uint64_t>(info.st_size);
    return written;
  }
  size_ += bytes.size();
  return {};
}

base::Status DurableFile::sync() {
  if (::fdatasync(fd_) != 0) return error("cannot sync");
  dirty_ = false;
  return {};
}

base::Status DurableFile::truncate(uint64_t length) {
  if (::ftruncate(fd_, static_cast<off_t>(length)) != 0) return error("cannot truncate");
  size_ = length;
  dirty_ = true;
  return {};
}

base::Status sync_directory(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open directory", directory);
  if (::fsync(fd) != 0) {
    auto failure = errno_error("cannot sync directory", directory);
    ::close(fd);
    return failure;
  }
  ::close(fd);
  return {};
}

base::Status write_file_atomically(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("cannot create", temporary);
  base::Status written = write_all(fd, bytes, temporary);
  if (written && ::fdatasync(fd) != 0) written = errno_error("cannot sync", temporary);
  ::close(fd);
  if (!written) return written;
  if (::rename(temporary.c_str(), path.c_str()) != 0) return errno_error("cannot rename to", path);
  return sync_directory(path.parent_path());
}

base::Result<std::vector<uint8_t>> read_whole_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return errno_error("cannot read", path);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(file), {}};
  if (file.bad()) return errno_error("cannot read", path);
  return bytes;
}

}  // namespace vela::record
