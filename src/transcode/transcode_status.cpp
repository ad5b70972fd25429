#include "transcode/transcode_status.hpp"

namespace vela::transcode {

void TranscodeStatus::set(const std::string& stream, std::vector<RenditionStatus> renditions) {
  std::lock_guard lock(mutex_);
  streams_[stream] = std::move(renditions);
}

void TranscodeStatus::set_running(const std::string& stream, const std::string& rendition, bool running) {
  std::lock_guard lock(mutex_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  for (auto& r : it->second) {
    if (r.plan.name == rendition) r.running = running;
  }
}

void TranscodeStatus::remove(const std::string& stream) {
  std::lock_guard lock(mutex_);
  streams_.erase(stream);
}

std::optional<std::vector<RenditionStatus>> TranscodeStatus::find(const std::string& stream) const {
  std::lock_guard lock(mutex_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return std::nullopt;
  return it->second;
}

}  // namespace vela::transcode
