#pragma once
// Transport-wide congestion control feedback (RTPFB fmt 15,
// draft-holmer-rmcat-transport-wide-cc-extensions-01): building it from what a receiver
// saw, reading arrival times back, and the wire form of its FCI (base sequence, status
// count, reference time, feedback count, run-length / status-vector chunks, deltas).
// rtcp.hpp wraps it in the RTCP header.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::protocol::rtp {

// Transport-wide CC feedback (RTPFB fmt 15). One status per transport sequence number from
// base_sequence on; a received packet carries its arrival delta in 250 us ticks (relative
// to the reference time for the first, to the previous received packet after that).
struct TwccStatus {
  bool received = false;
  int32_t delta_ticks = 0;  // 250 us units; 0..255 is "small", else "large" (int16)
  bool operator==(const TwccStatus&) const = default;
};
struct TransportFeedback {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint16_t base_sequence = 0;
  int32_t reference_time = 0;  // 24-bit signed, 64 ms units
  uint8_t feedback_count = 0;
  std::vector<TwccStatus> statuses;  // at most 65535
  bool operator==(const TransportFeedback&) const = default;
};

// One packet as the receiver saw it: transport-wide sequence number and arrival time
// (microseconds on any monotonic clock; only differences and 64 ms multiples matter).
struct TwccArrival {
  uint16_t sequence = 0;
  std::optional<int64_t> arrival_us;  // nullopt: not received
  bool operator==(const TwccArrival&) const = default;
};

// Builds feedback from received packets (any order; duplicates keep the first). Sequence
// numbers may wrap; they must span less than 32768. Missing numbers in between are
// reported as not received. An arrival that cannot be expressed (delta beyond int16 ticks)
// is an error: the caller should send the packets before it in an earlier feedback.
base::Result<TransportFeedback> make_transport_feedback(
    uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t feedback_count,
    std::span<const TwccArrival> received);

// The statuses as (sequence, arrival) pairs; arrival_us = reference_time * 64000 +
// accumulated deltas * 250, so it equals the input rounded down to 250 us relative to the
// 64 ms reference (modulo the 24-bit reference wrap).
std::vector<TwccArrival> feedback_arrivals(const TransportFeedback& feedback);

// The FCI: everything after the sender and media SSRCs. Parsing fills all but the SSRCs;
// trailing bytes after the deltas (padding) are allowed.
base::Status parse_transport_feedback_fci(std::span<const uint8_t> fci, TransportFeedback& out);
// Appends the FCI, unpadded (write_rtcp pads the packet with the RTCP padding bit).
base::Status write_transport_feedback_fci(const TransportFeedback& feedback,
                                          std::vector<uint8_t>& out);

}  // namespace vela::protocol::rtp
