#include "ingest/webrtc/receive_statistics.hpp"

#include <algorithm>
#include <cstdlib>

#include "base/time.hpp"

namespace vela::ingest {
namespace {

// RFC 3550 A.1: a step forward beyond this, or back beyond kMaxMisorder, is a jump: the
// source restarted (believed when the next packet follows it) or the packet is stray.
constexpr int64_t kMaxDropout = 3000;
constexpr int64_t kMaxMisorder = 100;
constexpr int32_t kMaxCumulativeLost = 0x7FFFFF;  // 24-bit signed on the wire
constexpr int32_t kMinCumulativeLost = -0x800000;

}  // namespace

ReceiveStatistics::ReceiveStatistics(uint32_t clock_rate)
    : clock_rate_(std::max<uint32_t>(clock_rate, 1)) {}

void ReceiveStatistics::on_packet(uint16_t sequence, uint32_t rtp_timestamp, int64_t arrival_us) {
  if (!started_) {
    started_ = true;
    base_ = highest_ = sequence;
    received_ = 1;
  } else {
    const auto delta =
        static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(highest_)));
    const int64_t index = highest_ + delta;
    if (delta > kMaxDropout || delta < -kMaxMisorder) {
      if (probation_seq_ != sequence) {
        probation_seq_ = static_cast<uint16_t>(sequence + 1);
        return;
      }
      // Two in a row after the jump: the source restarted its sequence numbers.
      probation_seq_.reset();
      base_ = highest_ = sequence;
      received_ = 1;
      expected_prior_ = received_prior_ = 0;
      have_transit_ = false;
      return;
    }
    probation_seq_.reset();
    ++received_;
    if (index > highest_) {
      highest_ = index;
    } else {
      base_ = std::min(base_, index);  // reordered from before the first packet
      return;                          // jitter only from packets in order
    }
  }
  // RFC 3550 A.8, updated only when the timestamp moves (packets of one video frame share
  // it and were sent back to back, which says nothing about the network).
  const int64_t arrival = base::rescale(arrival_us, base::kMicrosPerSecond, clock_rate_);
  const int64_t transit = arrival - static_cast<int64_t>(rtp_timestamp);
  if (have_transit_ && rtp_timestamp != last_timestamp_) {
    // The timestamp is 32-bit: the transit difference is taken modulo 2^32.
    const auto d = static_cast<int32_t>(static_cast<uint32_t>(transit - last_transit_));
    jitter_q4_ += std::llabs(d) - ((jitter_q4_ + 8) >> 4);
  }
  if (!have_transit_ || rtp_timestamp != last_timestamp_) {
    have_transit_ = true;
    last_timestamp_ = rtp_timestamp;
    last_transit_ = transit;
  }
}

void ReceiveStatistics::on_sender_report(uint64_t ntp_time, int64_t arrival_us) {
  last_sr_ = static_cast<uint32_t>(ntp_time >> 16);
  last_sr_arrival_us_ = arrival_us;
}

uint64_t ReceiveStatistics::lost() const {
  if (!started_) return 0;
  return static_cast<uint64_t>(std::max<int64_t>(expected() - received_, 0));
}

protocol::rtp::ReportBlock ReceiveStatistics::report(uint32_t ssrc, int64_t now_us) {
  protocol::rtp::ReportBlock block;
  block.ssrc = ssrc;
  if (!started_) return block;
  const int64_t expected_now = expected();
  const int64_t expected_interval = expected_now - expected_prior_;
  const int64_t lost_interval = expected_interval - (received_ - received_prior_);
  expected_prior_ = expected_now;
  received_prior_ = received_;
  if (expected_interval > 0 && lost_interval > 0) {
    block.fraction_lost =
        static_cast<uint8_t>(std::min<int64_t>((lost_interval << 8) / expected_interval, 255));
  }
  block.cumulative_lost = static_cast<int32_t>(
      std::clamp<int64_t>(expected_now - received_, kMinCumulativeLost, kMaxCumulativeLost));
  block.highest_sequence = static_cast<uint32_t>(highest_);
  block.jitter = static_cast<uint32_t>(jitter_q4_ >> 4);
  if (last_sr_) {
    block.last_sr = *last_sr_;
    const int64_t delay = std::max<int64_t>(now_us - last_sr_arrival_us_, 0);
    block.delay_since_last_sr = static_cast<uint32_t>(
        std::min<int64_t>(base::rescale(delay, base::kMicrosPerSecond, 65536), UINT32_MAX));
  }
  return block;
}

}  // namespace vela::ingest
