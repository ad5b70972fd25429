#include "router/stream_status.hpp"

namespace vela::router {

void StreamStatus::set_ingest(IngestStatus ingest) {
  std::lock_guard lock(mutex_);
  ingest_ = std::move(ingest);
}

void StreamStatus::set_transport(std::vector<std::pair<std::string, int64_t>> transport) {
  std::lock_guard lock(mutex_);
  ingest_.transport = std::move(transport);
}

void StreamStatus::add_cue(media::CueEvent cue) {
  std::lock_guard lock(mutex_);
  if (cues_.size() == kMaxCues) cues_.pop_front();
  cues_.push_back(std::move(cue));
  ++cues_total_;
}

IngestStatus StreamStatus::ingest() const {
  std::lock_guard lock(mutex_);
  return ingest_;
}

std::vector<media::CueEvent> StreamStatus::cues() const {
  std::lock_guard lock(mutex_);
  return {cues_.begin(), cues_.end()};
}

uint64_t StreamStatus::cues_total() const {
  std::lock_guard lock(mutex_);
  return cues_total_;
}

}  // namespace vela::router
