#pragma once
// The newest thumbnail of each live stream, readable from every shard. Written at most once
// per stream per thumbnail interval and read once per HTTP request for it: control-path
// rates, so a mutex is simpler than per-shard replicas. A read shares the stored JPEG
// Buffer; no bytes are copied.
//
// A thumbnail lives as long as its publish session: it is removed when the stream ends
// (ended streams leave the listing at once too). `session` tells one publish of a name
// from the next, so a late end of an old session never removes the new one's picture.
//
// Threading: every method is callable from any thread.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "transcode/thumbnail.hpp"

namespace vela::transcode {

class ThumbnailStore {
 public:
  void put(const std::string& name, uint64_t session, Thumbnail thumbnail);
  // Removes the name's thumbnail if it belongs to `session`.
  void remove(const std::string& name, uint64_t session);
  std::optional<Thumbnail> find(const std::string& name) const;

 private:
  struct Entry {
    uint64_t session = 0;
    Thumbnail thumbnail;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace vela::transcode
