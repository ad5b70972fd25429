#pragma once
// Which ladder each stream gets: a global one (config `transcode.*`) and per-stream
// overrides (config `transcode.streams.{name}`, or the API). Read when a stream starts
// publishing, so a change applies from the stream's next publish.
//
// Threading: every method from any thread (one mutex; reads happen once per publish and per
// API call).
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "transcode/ladder.hpp"

namespace vela::transcode {

struct StreamLadder {
  bool enabled = false;  // transcode at all (off: the source alone, nothing decoded)
  Ladder ladder = default_ladder();
};

// A per-stream override: each field that is set replaces the global one.
struct LadderOverride {
  std::optional<bool> enabled;
  std::optional<bool> passthrough;
  std::optional<std::vector<LadderRung>> rungs;
};

StreamLadder apply_override(StreamLadder base, const LadderOverride& override);

class LadderSettings {
 public:
  // Overrides are applied and validated by the caller's config loading; see apply_override.
  LadderSettings(StreamLadder global, const std::map<std::string, LadderOverride>& overrides);

  StreamLadder effective(const std::string& stream) const;
  bool overridden(const std::string& stream) const;
  // Replaces the stream's ladder (validated: an error says what is wrong, nothing changes).
  base::Status set(const std::string& stream, StreamLadder ladder);
  // Drops the stream's own ladder (from the config or the API): it gets the global one
  // again. False when it had none.
  bool reset(const std::string& stream);

 private:
  mutable std::mutex mutex_;
  StreamLadder global_;
  std::map<std::string, StreamLadder> streams_;
};

}  // namespace vela::transcode
