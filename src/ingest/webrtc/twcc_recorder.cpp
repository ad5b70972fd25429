#include "ingest/webrtc/twcc_recorder.hpp"

#include <algorithm>
#include <cstdlib>

namespace vela::ingest {
namespace {

// Deltas are int16 in 250 us ticks (about 8.19 s); stay well inside.
constexpr int64_t kMaxDeltaUs = 8'000'000;

}  // namespace

void TwccRecorder::on_packet(uint16_t transport_sequence, int64_t arrival_us) {
  if (!started_) {
    started_ = true;
    highest_ = transport_sequence;
  }
  const auto delta = static_cast<int16_t>(
      static_cast<uint16_t>(transport_sequence - static_cast<uint16_t>(highest_)));
  const int64_t index = highest_ + delta;
  highest_ = std::max(highest_, index);
  if (reported_end_ && index <= *reported_end_) {
    ++dropped_;  // its number was already reported
    return;
  }
  if (pending_.size() >= kMaxPending) {
    ++dropped_;
    return;
  }
  pending_.push_back({index, arrival_us});
}

std::vector<protocol::rtp::TransportFeedback> TwccRecorder::take(uint32_t sender_ssrc,
                                                                 uint32_t media_ssrc) {
  using protocol::rtp::TwccArrival;
  std::vector<protocol::rtp::TransportFeedback> out;
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const Arrival& a, const Arrival& b) { return a.index < b.index; });
  std::vector<TwccArrival> batch;
  int64_t batch_first = 0;
  size_t received = 0;
  int64_t last_index = 0;
  int64_t last_arrival = 0;
  auto flush = [&] {
    if (received == 0) return;
    auto feedback =
        protocol::rtp::make_transport_feedback(sender_ssrc, media_ssrc, feedback_count_, batch);
    if (feedback) {
      ++feedback_count_;
      out.push_back(std::move(*feedback));
    } else {
      dropped_ += received;  // cannot happen within the limits above; counted, not sent
    }
    reported_end_ = last_index;
    batch.clear();
    received = 0;
  };
  for (const Arrival& a : pending_) {
    if (reported_end_ && a.index <= *reported_end_) continue;  // duplicate: the first counts
    if (received > 0 && a.index == last_index) continue;
    const bool fits = received > 0 && a.index - batch_first < kMaxStatuses &&
                      received < kMaxReceived &&
                      std::llabs(a.arrival_us - last_arrival) < kMaxDeltaUs;
    if (received > 0 && !fits) flush();
    if (received == 0) {
      batch_first = a.index;
      // Start right after the last report when that is near, so the gap reads as lost.
      if (reported_end_ && a.index - *reported_end_ > 1 &&
          a.index - *reported_end_ < kMaxStatuses / 2) {
        batch_first = *reported_end_ + 1;
        batch.push_back({static_cast<uint16_t>(batch_first), std::nullopt});
      }
    }
    batch.push_back({static_cast<uint16_t>(a.index), a.arrival_us});
    ++received;
    last_index = a.index;
    last_arrival = a.arrival_us;
  }
  flush();
  pending_.clear();
  return out;
}

}  // namespace vela::ingest
