#include "transcode/ladder_settings.hpp"

namespace vela::transcode {

StreamLadder apply_override(StreamLadder base, const LadderOverride& override) {
  if (override.enabled) base.enabled = *override.enabled;
  if (override.passthrough) base.ladder.passthrough = *override.passthrough;
  if (override.rungs) base.ladder.rungs = *override.rungs;
  return base;
}

LadderSettings::LadderSettings(StreamLadder global, const std::map<std::string, LadderOverride>& overrides)
    : global_(std::move(global)) {
  for (const auto& [name, override] : overrides) streams_[name] = apply_override(global_, override);
}

StreamLadder LadderSettings::effective(const std::string& stream) const {
  std::lock_guard lock(mutex_);
  auto it = streams_.find(stream);
  return it == streams_.end() ? global_ : it->second;
}

bool LadderSettings::overridden(const std::string& stream) const {
  std::lock_guard lock(mutex_);
  return streams_.contains(stream);
}

base::Status LadderSettings::set(const std::string& stream, StreamLadder ladder) {
  if (base::Status valid = validate_ladder(ladder.ladder); !valid) return valid;
  std::lock_guard lock(mutex_);
  streams_[stream] = std::move(ladder);
  return {};
}

bool LadderSettings::reset(const std::string& stream) {
  std::lock_guard lock(mutex_);
  return streams_.erase(stream) > 0;
}

}  // namespace vela::transcode
