#pragma once
// Receive accounting of one WHEP viewer in `vela bench whep-load`: per RTP stream, the
// extended sequence numbers seen (loss = sequence gaps), the RFC 3550 numbers a receiver
// report carries (fraction lost per interval, cumulative loss, jitter), and, for H.264,
// whether a packet starts a keyframe and where frames end (the marker bit).
// Pure: arrival times are passed in (microseconds on a monotonic clock).
#include <cstdint>
#include <optional>
#include <span>

#include "protocol/rtp/rtcp.hpp"

namespace vela::bench {

class StreamReceiveCounter {
 public:
  explicit StreamReceiveCounter(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // One packet of this stream arrived (an original, not an RTX retransmission). Returns
  // its extended sequence number.
  int64_t on_packet(uint16_t sequence, uint32_t rtp_timestamp, int64_t arrival_us);
  // A missing packet arrived in an RTX retransmission: it no longer counts as lost.
  void on_recovered() { ++recovered_; }

  bool started() const { return started_; }
  uint64_t received() const { return received_; }
  uint64_t recovered() const { return recovered_; }
  // highest - first + 1 extended sequence numbers.
  uint64_t expected() const { return started_ ? static_cast<uint64_t>(highest_ - first_ + 1) : 0; }
  // Never received, neither originally nor by retransmission (duplicates may hide loss).
  uint64_t lost() const {
    uint64_t got = received_ + recovered_;
    return expected() > got ? expected() - got : 0;
  }
  // Sequence numbers missing when they were passed (before any retransmission).
  uint64_t gaps() const { return gaps_; }
  uint32_t jitter() const { return static_cast<uint32_t>(jitter_ / 16); }  // RTP units

  // The report block for an RR now (RFC 3550 6.4.1 and A.3): resets the interval.
  // last_sr / delay_since_last_sr are the caller's (from the sender's SR).
  protocol::rtp::ReportBlock make_report_block(uint32_t ssrc);

 private:
  uint32_t clock_rate_;
  bool started_ = false;
  int64_t first_ = 0;
  int64_t highest_ = 0;
  uint64_t received_ = 0;
  uint64_t recovered_ = 0;
  uint64_t gaps_ = 0;
  // RR interval state.
  uint64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;
  // Jitter (RFC 3550 A.8), scaled by 16.
  int64_t jitter_ = 0;
  std::optional<int64_t> last_transit_;
};

// The extended form of a 16-bit sequence number closest to `reference` (wrap-around).
int64_t extend_sequence(uint16_t sequence, int64_t reference);

// Whether an H.264 RTP payload (RFC 6184, packetization-mode 1) begins an IDR frame or
// carries SPS: a single NAL unit of type 5 or 7, a STAP-A holding either, or the first
// FU-A fragment of one.
bool h264_starts_keyframe(std::span<const uint8_t> payload);

// Frames of a video stream: a frame ends with the marker bit; the first frame counted as
// shown is the first one completed at or after a keyframe start.
class FrameCounter {
 public:
  // Returns true when this packet completed the first decodable frame.
  bool on_packet(bool marker, bool keyframe_start);
  uint64_t frames() const { return frames_; }        // marker bits seen
  uint64_t keyframes() const { return keyframes_; }  // keyframe starts seen
  bool decodable() const { return seen_keyframe_; }
  bool first_frame_done() const { return first_done_; }

 private:
  uint64_t frames_ = 0;
  uint64_t keyframes_ = 0;
  bool in_keyframe_ = false;
  bool seen_keyframe_ = false;
  bool first_done_ = false;
};

}  // namespace vela::bench
