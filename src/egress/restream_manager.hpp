#pragma once
// The restream destinations of every stream, and their pushes. Per stream name there is a
// list of destination URLs: from the config file (loaded before start) or added through
// the API while the server runs (kept for the name until removed or the server stops, so a
// re-publish pushes again). While a stream is live, each destination has a
// RestreamDestination (attempts with backoff) on the stream's home shard.
//
// Threading, explicitly:
// - The list of destinations and each one's last reported status live under one mutex
//   (control path only: API calls, publish start/end, and status reports on state changes
//   and once a second per destination). The API reads snapshots under it from any shard.
// - RestreamDestination objects live on their stream's home shard, in that shard's map
//   (running_[shard]), touched only there. API adds/removes for a live stream are posted
//   to the home shard.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "egress/push_session.hpp"
#include "egress/restream_backoff.hpp"
#include "egress/restream_destination.hpp"
#include "egress/restream_target.hpp"
#include "runtime/shard.hpp"

namespace vela::egress {

struct RestreamOptions {
  BackoffOptions backoff;
  uint32_t max_per_stream = 8;
  uint32_t max_total = 1000;  // destinations of all streams together
};

// One destination as the API shows it.
struct RestreamEntry {
  uint64_t id = 0;
  std::string url;          // redacted
  bool configured = false;  // from the config file (else added through the API)
  RestreamStatus status;
};

class RestreamManager {
 public:
  // targets: by lowercase scheme; other schemes are refused, naming the supported ones.
  RestreamManager(runtime::ShardSet& shards, RestreamOptions options,
                  std::map<std::string, PushTarget> targets);
  RestreamManager(const RestreamManager&) = delete;
  RestreamManager& operator=(const RestreamManager&) = delete;

  // Before the server starts: a destination from the config file.
  base::Status add_configured(const std::string& stream, const std::string& url);

  // Any thread. add() errors say what is wrong with the stream name or the URL, or which
  // limit is reached.
  std::vector<RestreamEntry> list(const std::string& stream) const;
  base::Result<RestreamEntry> add(const std::string& stream, const std::string& url);
  bool remove(const std::string& stream, uint64_t id);

  // The stream's home shard (wired as a publish observer).
  void on_publish_start(const std::shared_ptr<router::Stream>& stream);
  void on_publish_end(const std::shared_ptr<router::Stream>& stream);

  // The URL's secret masked per its scheme (everything after the authority when unknown).
  std::string redact(const std::string& url) const;

 private:
  struct Destination {
    uint64_t id = 0;
    std::string url;
    std::string redacted;
    bool configured = false;
    RestreamStatus status;
  };
  struct StreamDestinations {
    std::vector<Destination> destinations;
    std::shared_ptr<router::Stream> live;  // the live stream of this name, if any
  };
  struct Running {
    const router::Stream* stream = nullptr;
    std::shared_ptr<RestreamDestination> destination;
  };

  base::Result<const PushTarget*> target_for(const std::string& url) const;
  base::Result<RestreamEntry> add_entry(const std::string& stream, const std::string& url,
                                        bool configured);
  // Home shard of `stream`.
  void start_destination(const std::shared_ptr<router::Stream>& stream, uint64_t id,
                         const std::string& url, const std::string& redacted);
  void store_status(const std::string& name, const router::Stream* stream, uint64_t id,
                    const RestreamStatus& status);

  runtime::ShardSet& shards_;
  RestreamOptions options_;
  std::map<std::string, PushTarget> targets_;
  uint64_t seed_;  // per-destination backoff jitter: seed_ + id

  mutable std::mutex mu_;
  std::map<std::string, StreamDestinations> streams_;  // guarded by mu_
  uint64_t next_id_ = 1;                               // guarded by mu_
  size_t total_ = 0;                                   // destinations in streams_; mu_

  std::vector<std::unordered_map<uint64_t, Running>> running_;  // [shard]: that shard only
};

}  // namespace vela::egress
