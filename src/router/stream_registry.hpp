#pragma once
// Live streams by name. Publishing claims a name (one publisher per name); viewers look
// streams up. Every call takes a short lock: these are control-path events (a publish
// starts or stops, a viewer arrives), never per packet. Callable from any thread.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "router/stream.hpp"

namespace vela::router {

class StreamRegistry {
 public:
  StreamRegistry(runtime::ShardSet& shards, StreamOptions options) : shards_(shards), options_(options) {}

  // A new stream homed on `home_shard`, or an error when the name is live already.
  base::Result<std::shared_ptr<Stream>> claim(const std::string& name, size_t home_shard);
  // Frees the name, if `stream` still holds it.
  void release(const std::shared_ptr<Stream>& stream);
  std::shared_ptr<Stream> find(const std::string& name) const;
  std::vector<std::shared_ptr<Stream>> list() const;

 private:
  runtime::ShardSet& shards_;
  StreamOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Stream>> streams_;
};

}  // namespace vela::router
