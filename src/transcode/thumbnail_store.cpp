#include "transcode/thumbnail_store.hpp"

namespace vela::transcode {

void ThumbnailStore::put(const std::string& name, uint64_t session, Thumbnail thumbnail) {
  std::lock_guard lock(mutex_);
  entries_[name] = Entry{session, std::move(thumbnail)};
}

void ThumbnailStore::remove(const std::string& name, uint64_t session) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it != entries_.end() && it->second.session == session) entries_.erase(it);
}

std::optional<Thumbnail> ThumbnailStore::find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.thumbnail;
}

}  // namespace vela::transcode
