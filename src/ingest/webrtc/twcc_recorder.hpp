#pragma once
// Transport-wide congestion control, receiver side: remembers the arrival time of every
// packet that carried the transport-wide sequence number extension, and turns them into
// feedback packets (RTPFB fmt 15) when asked, each covering what arrived since the last.
//
// Each feedback starts right after the previous one's last sequence number, so a packet
// that never came is reported as not received; a packet that arrives after its number was
// reported is ignored. A feedback covers at most kMaxStatuses sequence numbers and
// kMaxReceived arrivals (well under an MTU), and is split where arrivals lie too far apart
// for the 16-bit deltas. At most kMaxPending arrivals are kept between feedbacks: beyond,
// new ones are dropped (a sender that floods faster than we report). Pure: times passed in.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "protocol/rtp/transport_feedback.hpp"

namespace vela::ingest {

class TwccRecorder {
 public:
  static constexpr size_t kMaxPending = 4096;
  static constexpr int64_t kMaxStatuses = 1000;
  static constexpr size_t kMaxReceived = 250;

  void on_packet(uint16_t transport_sequence, int64_t arrival_us);
  bool empty() const { return pending_.empty(); }
  // Feedback packets for everything pending (possibly several); clears it.
  std::vector<protocol::rtp::TransportFeedback> take(uint32_t sender_ssrc, uint32_t media_ssrc);

  uint64_t dropped() const { return dropped_; }

 private:
  struct Arrival {
    int64_t index = 0;  // extended sequence number
    int64_t arrival_us = 0;
  };

  bool started_ = false;
  int64_t highest_ = 0;
  std::optional<int64_t> reported_end_;  // last extended sequence number reported
  std::vector<Arrival> pending_;
  uint8_t feedback_count_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace vela::ingest
