#include "egress/webrtc/bandwidth_estimator.hpp"

#include <algorithm>

namespace vela::egress {
namespace {

constexpr double kHighLoss = 0.10;
constexpr double kLowLoss = 0.02;
constexpr double kIncrease = 1.05;
constexpr double kHeadroom = 1.5;

}  // namespace

BandwidthEstimator::BandwidthEstimator() : sent_(kSentHistory) {}

void BandwidthEstimator::on_packet_sent(uint16_t transport_sequence, size_t size) {
  Sent& s = sent_[transport_sequence % kSentHistory];
  s = Sent{true, false, transport_sequence, static_cast<uint32_t>(size)};
  on_bytes_sent(size);
}

void BandwidthEstimator::on_bytes_sent(size_t size) {
  bytes_since_report_ += size;
}

void BandwidthEstimator::on_transport_feedback(const protocol::rtp::TransportFeedback& feedback,
                                               int64_t now_us) {
  have_twcc_ = true;
  if (interval_start_us_ < 0) interval_start_us_ = now_us;
  for (const auto& arrival : protocol::rtp::feedback_arrivals(feedback)) {
    Sent& s = sent_[arrival.sequence % kSentHistory];
    if (!s.used || s.reported || s.sequence != arrival.sequence) continue;  // unknown or seen
    s.reported = true;
    if (!arrival.arrival_us) {
      ++lost_;
      continue;
    }
    if (received_ == 0) first_arrival_us_ = last_arrival_us_ = *arrival.arrival_us;
    first_arrival_us_ = std::min(first_arrival_us_, *arrival.arrival_us);
    last_arrival_us_ = std::max(last_arrival_us_, *arrival.arrival_us);
    ++received_;
    received_bytes_ += s.size;
  }
  if (now_us - interval_start_us_ < kInterval || received_ + lost_ == 0) return;
  const double loss = static_cast<double>(lost_) / static_cast<double>(received_ + lost_);
  const int64_t span = last_arrival_us_ - first_arrival_us_;
  const double rate =
      span > 0 ? static_cast<double>(received_bytes_) * 8e6 / static_cast<double>(span) : 0;
  update(loss, rate);
  interval_start_us_ = now_us;
  received_ = lost_ = received_bytes_ = 0;
}

void BandwidthEstimator::on_receiver_loss(double fraction, int64_t now_us) {
  if (have_twcc_) return;
  if (last_report_us_ >= 0) {
    if (now_us - last_report_us_ < kInterval) return;  // too soon: keep accumulating
    const double seconds = static_cast<double>(now_us - last_report_us_) / 1e6;
    const double loss = std::clamp(fraction, 0.0, 1.0);
    update(loss, static_cast<double>(bytes_since_report_) * 8 / seconds * (1 - loss));
  }
  last_report_us_ = now_us;
  bytes_since_report_ = 0;
}

void BandwidthEstimator::update(double loss, double receive_bps) {
  loss_ = loss;
  if (estimate_ <= 0) estimate_ = receive_bps;
  if (loss > kHighLoss)
    estimate_ *= 1 - 0.5 * loss;
  else if (loss < kLowLoss)
    estimate_ *= kIncrease;
  if (receive_bps > 0) estimate_ = std::min(estimate_, kHeadroom * receive_bps);
}

uint64_t BandwidthEstimator::estimate_bps() const {
  auto own = static_cast<uint64_t>(estimate_);
  if (remb_bps_ == 0) return own;
  return own == 0 ? remb_bps_ : std::min(own, remb_bps_);
}

}  // namespace vela::egress
