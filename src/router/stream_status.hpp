#pragma once
// What the API shows about a stream beyond its tracks: where it comes from (protocol,
// peer, transport statistics) and its recent SCTE-35 cues. Written by the ingest session
// and read by API requests on any shard, both rare control-path events, so a mutex
// guards it.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "media/cue_event.hpp"

namespace vela::router {

struct IngestStatus {
  std::string protocol;  // "rtmp", "srt", ...
  std::string remote;    // the publisher's address, "host:port"
  // Transport statistics by name (SRT: rtt_us, loss, ...), refreshed by the session.
  std::vector<std::pair<std::string, int64_t>> transport;
};

class StreamStatus {
 public:
  static constexpr size_t kMaxCues = 32;  // the most recent are kept

  void set_ingest(IngestStatus ingest);
  void set_transport(std::vector<std::pair<std::string, int64_t>> transport);
  void add_cue(media::CueEvent cue);

  IngestStatus ingest() const;
  std::vector<media::CueEvent> cues() const;
  uint64_t cues_total() const;

 private:
  mutable std::mutex mutex_;
  IngestStatus ingest_;
  std::deque<media::CueEvent> cues_;
  uint64_t cues_total_ = 0;
};

}  // namespace vela::router
