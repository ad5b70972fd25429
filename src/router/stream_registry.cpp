#include "router/stream_registry.hpp"

#include <algorithm>

namespace vela::router {

base::Result<std::shared_ptr<Stream>> StreamRegistry::claim(const std::string& name, size_t home_shard) {
  std::lock_guard lock(mutex_);
  if (streams_.contains(name)) return base::make_error("stream '" + name + "' is already being published");
  auto stream = std::make_shared<Stream>(name, shards_, home_shard, options_);
  streams_.emplace(name, stream);
  return stream;
}

void StreamRegistry::release(const std::shared_ptr<Stream>& stream) {
  std::lock_guard lock(mutex_);
  auto it = streams_.find(stream->name());
  if (it != streams_.end() && it->second == stream) streams_.erase(it);
}

std::shared_ptr<Stream> StreamRegistry::find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Stream>> StreamRegistry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Stream>> out;
  for (const auto& [name, stream] : streams_) out.push_back(stream);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->name() < b->name(); });
  return out;
}

}  // namespace vela::router
