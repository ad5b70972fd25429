#pragma once
// What each live stream's transcoder is doing, for the API: its planned renditions and
// whether each is running or shed by the overload policy. Written by the stream's home
// shard when the plan is made and on every shed/restore (rare), read by API handlers.
//
// Threading: every method from any thread (one mutex).
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "transcode/ladder.hpp"

namespace vela::transcode {

struct RenditionStatus {
  PlannedRendition plan;
  bool running = true;  // false: shed (its frames stop until it is restored at a GOP start)
};

class TranscodeStatus {
 public:
  void set(const std::string& stream, std::vector<RenditionStatus> renditions);
  void set_running(const std::string& stream, const std::string& rendition, bool running);
  void remove(const std::string& stream);
  // None when the stream is not live with a plan.
  std::optional<std::vector<RenditionStatus>> find(const std::string& stream) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<RenditionStatus>> streams_;
};

}  // namespace vela::transcode
