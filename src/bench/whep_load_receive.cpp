// Receive accounting of one WHEP viewer: sequence gaps, RR numbers, H.264 keyframes.
#include "bench/whep_load_receive.hpp"

#include <algorithm>
#include <cstdlib>

namespace vela::bench {

namespace {

constexpr uint8_t kNalIdr = 5;
constexpr uint8_t kNalSps = 7;
constexpr uint8_t kStapA = 24;
constexpr uint8_t kFuA = 28;

bool is_key_nal(uint8_t type) { return type == kNalIdr || type == kNalSps; }

}  // namespace

int64_t extend_sequence(uint16_t sequence, int64_t reference) {
  int64_t candidate = (reference & ~int64_t{0xFFFF}) | sequence;
  if (candidate - reference > 0x8000) candidate -= 0x10000;
  else if (reference - candidate > 0x8000) candidate += 0x10000;
  return candidate;
}

int64_t StreamReceiveCounter::on_packet(uint16_t sequence, uint32_t rtp_timestamp, int64_t arrival_us) {
  int64_t index;
  if (!started_) {
    started_ = true;
    index = 0x10000 + sequence;  // room below for reordered packets
    first_ = highest_ = index;
  } else {
    index = extend_sequence(sequence, highest_);
    if (index > highest_) {
      gaps_ += static_cast<uint64_t>(index - highest_ - 1);
      highest_ = index;
    } else if (index < first_) {
      first_ = index;  // reordered before the first one seen
    }
  }
  ++received_;
  // Transit time in RTP units; jitter follows its change (RFC 3550 A.8).
  int64_t arrival_units = arrival_us * clock_rate_ / 1'000'000;
  int64_t transit = arrival_units - rtp_timestamp;
  if (last_transit_) {
    int64_t d = std::llabs(static_cast<int64_t>(static_cast<int32_t>(transit - *last_transit_)));
    jitter_ += d - ((jitter_ + 8) >> 4);
  }
  last_transit_ = transit;
  return index;
}

protocol::rtp::ReportBlock StreamReceiveCounter::make_report_block(uint32_t ssrc) {
  protocol::rtp::ReportBlock block;
  block.ssrc = ssrc;
  uint64_t expected = this->expected();
  uint64_t got = received_ + recovered_;
  int64_t lost = static_cast<int64_t>(expected) - static_cast<int64_t>(got);
  block.cumulative_lost = static_cast<int32_t>(std::clamp<int64_t>(lost, -0x800000, 0x7FFFFF));
  uint64_t expected_interval = expected - expected_prior_;
  uint64_t received_interval = got - received_prior_;
  expected_prior_ = expected;
  received_prior_ = got;
  if (expected_interval > 0 && expected_interval > received_interval)
    block.fraction_lost = static_cast<uint8_t>(((expected_interval - received_interval) << 8) / expected_interval);
  block.highest_sequence = static_cast<uint32_t>(highest_ - 0x10000);
  block.jitter = jitter();
  return block;
}

bool h264_starts_keyframe(std::span<const uint8_t> payload) {
  if (payload.empty()) return false;
  uint8_t type = payload[0] & 0x1F;
  if (type >= 1 && type <= 23) return is_key_nal(type);
  if (type == kStapA) {
    size_t at = 1;
    while (at + 2 < payload.size()) {
      size_t size = (size_t{payload[at]} << 8) | payload[at + 1];
      at += 2;
      if (size == 0 || at + size > payload.size()) return false;
      if (is_key_nal(payload[at] & 0x1F)) return true;
      at += size;
    }
    return false;
  }
  if (type == kFuA) {
    if (payload.size() < 2) return false;
    bool start = payload[1] & 0x80;
    return start && is_key_nal(payload[1] & 0x1F);
  }
  return false;
}

bool FrameCounter::on_packet(bool marker, bool keyframe_start) {
  if (keyframe_start) {
    if (!in_keyframe_) ++keyframes_;
    in_keyframe_ = true;
    seen_keyframe_ = true;
  }
  if (!marker) return false;
  ++frames_;
  in_keyframe_ = false;
  if (seen_keyframe_ && !first_done_) {
    first_done_ = true;
    return true;
  }
  return false;
}

}  // namespace vela::bench
