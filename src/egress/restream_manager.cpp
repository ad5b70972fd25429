#include "egress/restream_manager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <utility>

#include "base/stream_name.hpp"

namespace vela::egress {

namespace {

std::string scheme_of(const std::string& url) {
  size_t end = url.find("://");
  if (end == std::string::npos) return {};
  std::string scheme = url.substr(0, end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return scheme;
}

}  // namespace

RestreamManager::RestreamManager(runtime::ShardSet& shards, RestreamOptions options,
                                 std::map<std::string, PushTarget> targets)
    : shards_(shards),
      options_(options),
      targets_(std::move(targets)),
      seed_(std::random_device{}()),
      running_(shards.size()) {}

base::Result<const PushTarget*> RestreamManager::target_for(const std::string& url) const {
  std::string scheme = scheme_of(url);
  if (auto it = targets_.find(scheme); it != targets_.end()) {
    if (base::Status valid = it->second.validate(url); !valid) return valid.error();
    return &it->second;
  }
  std::string supported;
  for (const auto& [name, target] : targets_)
    supported += (supported.empty() ? "" : ", ") + name + "://";
  return base::make_error("unsupported destination URL (supported: " + supported + ")");
}

std::string RestreamManager::redact(const std::string& url) const {
  if (auto it = targets_.find(scheme_of(url)); it != targets_.end()) return it->second.redact(url);
  size_t authority = url.find("://");
  size_t path =
      authority == std::string::npos ? std::string::npos : url.find_first_of("/?", authority + 3);
  return path == std::string::npos ? "****" : url.substr(0, path + 1) + "****";
}

base::Status RestreamManager::add_configured(const std::string& stream, const std::string& url) {
  auto added = add_entry(stream, url, true);
  if (!added) return added.error();
  return {};
}

base::Result<RestreamEntry> RestreamManager::add(const std::string& stream,
                                                 const std::string& url) {
  return add_entry(stream, url, false);
}

base::Result<RestreamEntry> RestreamManager::add_entry(const std::string& stream,
                                                       const std::string& url, bool configured) {
  if (!base::is_valid_stream_name(stream)) {
    return base::make_error("invalid stream name (" + std::string(base::kStreamNameRule) + ")");
  }
  auto target = target_for(url);
  if (!target) return target.error();
  Destination destination{0, url, redact(url), configured, {}};
  std::shared_ptr<router::Stream> live;
  {
    std::lock_guard lock(mu_);
    auto existing = streams_.find(stream);
    if (existing != streams_.end() && existing->second.destinations.size() >= options_.max_per_stream) {
      return base::make_error("stream '" + stream + "' already has " +
                              std::to_string(options_.max_per_stream) +
                              " destinations (restream.max_per_stream)");
    }
    if (total_ >= options_.max_total) {
      return base::make_error("the server already has " + std::to_string(options_.max_total) +
                              " restream destinations (restream.max_destinations)");
    }
    auto& entry = streams_[stream];
    ++total_;
    destination.id = next_id_++;
    if (entry.live) destination.status.state = RestreamState::connecting;
    entry.destinations.push_back(destination);
    live = entry.live;
  }
  spdlog::info("restream stream={} dest={} added (id {}{})", stream, destination.redacted,
               destination.id, configured ? ", from config" : "");
  if (live) {
    shards_.at(live->home_shard()).post([this, live, destination] {
      // Still live, and still wanted? (The stream may have ended or the entry been removed.)
      {
        std::lock_guard lock(mu_);
        auto it = streams_.find(live->name());
        if (it == streams_.end() || it->second.live != live) return;
        auto& list = it->second.destinations;
        if (std::none_of(list.begin(), list.end(),
                         [&](const auto& d) { return d.id == destination.id; }))
          return;
      }
      start_destination(live, destination.id, destination.url, destination.redacted);
    });
  }
  return RestreamEntry{destination.id, destination.redacted, configured, destination.status};
}

bool RestreamManager::remove(const std::string& stream, uint64_t id) {
  std::shared_ptr<router::Stream> live;
  std::string redacted;
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(stream);
    if (it == streams_.end()) return false;
    auto& list = it->second.destinations;
    auto found = std::find_if(list.begin(), list.end(), [&](const auto& d) { return d.id == id; });
    if (found == list.end()) return false;
    redacted = found->redacted;
    list.erase(found);
    --total_;
    live = it->second.live;
    if (list.empty() && !live) streams_.erase(it);
  }
  spdlog::info("restream stream={} dest={} removed (id {})", stream, redacted, id);
  if (live) {
    size_t shard = live->home_shard();
    shards_.at(shard).post([this, shard, id] {
      auto it = running_[shard].find(id);
      if (it == running_[shard].end()) return;
      auto destination = std::move(it->second.destination);
      running_[shard].erase(it);
      destination->stop();
    });
  }
  return true;
}

std::vector<RestreamEntry> RestreamManager::list(const std::string& stream) const {
  std::vector<RestreamEntry> out;
  std::lock_guard lock(mu_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return out;
  for (const auto& d : it->second.destinations)
    out.push_back({d.id, d.redacted, d.configured, d.status});
  return out;
}

void RestreamManager::on_publish_start(const std::shared_ptr<router::Stream>& stream) {
  std::vector<Destination> to_start;
  {
    std::lock_guard lock(mu_);
    // Recorded even without destinations, so that one added while live is pushed at once.
    auto& entry = streams_[stream->name()];
    entry.live = stream;
    for (auto& d : entry.destinations) {
      d.status = RestreamStatus{};  // a new publication: counters start again
      d.status.state = RestreamState::connecting;
      to_start.push_back(d);
    }
  }
  for (const auto& d : to_start) start_destination(stream, d.id, d.url, d.redacted);
}

void RestreamManager::on_publish_end(const std::shared_ptr<router::Stream>& stream) {
  auto& running = running_[stream->home_shard()];
  for (auto it = running.begin(); it != running.end();) {
    if (it->second.stream != stream.get()) {
      ++it;
      continue;
    }
    auto destination = std::move(it->second.destination);
    it = running.erase(it);
    destination->stop();  // reports `stopped` while the stream is still recorded as live
  }
  std::lock_guard lock(mu_);
  auto it = streams_.find(stream->name());
  if (it == streams_.end() || it->second.live != stream) return;
  it->second.live.reset();
  if (it->second.destinations.empty()) streams_.erase(it);  // only live streams have empty entries
}

void RestreamManager::start_destination(const std::shared_ptr<router::Stream>& stream, uint64_t id,
                                        const std::string& url, const std::string& redacted) {
  const PushTarget* target = &targets_.at(scheme_of(url));
  std::string name = stream->name();
  const router::Stream* key = stream.get();
  auto report = [this, name, key, id](const RestreamStatus& status) {
    store_status(name, key, id, status);
  };
  auto destination = std::make_shared<RestreamDestination>(
      url, redacted, stream, shards_.at(stream->home_shard()), target->make,
      Backoff(options_.backoff, seed_ + id), std::move(report));
  running_[stream->home_shard()][id] = Running{key, destination};
  destination->start();
}

void RestreamManager::store_status(const std::string& name, const router::Stream* stream,
                                   uint64_t id, const RestreamStatus& status) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(name);
  if (it == streams_.end() || it->second.live.get() != stream)
    return;  // a report from an older publication
  for (auto& d : it->second.destinations) {
    if (d.id == id) d.status = status;
  }
}

}  // namespace vela::egress
