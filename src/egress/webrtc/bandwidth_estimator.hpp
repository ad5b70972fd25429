#pragma once
// A simple send-side bandwidth estimate for one viewer, from what the viewer reports back.
//
// Measurements, taken over intervals of at least kInterval (200 ms):
// - transport-wide CC feedback (preferred, when negotiated): which of our packets arrived
//   and when. The receive rate is the bytes of the packets that arrived over the span of
//   their arrival times; the loss fraction is lost / reported.
// - otherwise receiver reports: their fraction lost, and our own send rate over the interval
//   times (1 - loss) as the receive rate.
// Control follows the loss-based part of Google Congestion Control
// (draft-ietf-rmcat-gcc-02, section 6): with loss above 10 % the estimate A becomes
// A * (1 - 0.5 * loss); below 2 % it grows by 5 %; in between it holds. The first
// measurement seeds A with the receive rate, and A never exceeds 1.5 x the measured receive
// rate (we do not claim more than we have seen delivered, since we only forward the
// stream's own bitrate). A REMB from the receiver caps the result.
//
// Pure: times are passed in. Single owner.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocol/rtp/transport_feedback.hpp"

namespace vela::egress {

class BandwidthEstimator {
 public:
  static constexpr int64_t kInterval = 200'000;
  static constexpr size_t kSentHistory = 4096;  // transport-wide sequence numbers remembered

  BandwidthEstimator();

  // A packet left with this transport-wide sequence number (size: the whole RTP packet).
  void on_packet_sent(uint16_t transport_sequence, size_t size);
  // Also counts bytes sent without a transport-wide sequence number (for the RR path).
  void on_bytes_sent(size_t size);
  void on_transport_feedback(const protocol::rtp::TransportFeedback& feedback, int64_t now_us);
  // A receiver report's fraction lost (0..1); ignored once transport-wide feedback is seen.
  void on_receiver_loss(double fraction, int64_t now_us);
  void on_remb(uint64_t bitrate_bps) { remb_bps_ = bitrate_bps; }
  uint64_t remb_bps() const { return remb_bps_; }  // 0 until a REMB came

  uint64_t estimate_bps() const;
  double loss_fraction() const { return loss_; }  // of the last interval that had reports

 private:
  struct Sent {
    bool used = false;
    bool reported = false;
    uint16_t sequence = 0;
    uint32_t size = 0;
  };
  void update(double loss, double receive_bps);

  std::vector<Sent> sent_;
  bool have_twcc_ = false;
  // The current TWCC interval.
  int64_t interval_start_us_ = -1;
  uint64_t received_ = 0, lost_ = 0, received_bytes_ = 0;
  int64_t first_arrival_us_ = 0, last_arrival_us_ = 0;
  // The RR path: bytes sent since the last receiver report.
  uint64_t bytes_since_report_ = 0;
  int64_t last_report_us_ = -1;

  double estimate_ = 0;
  double loss_ = 0;
  uint64_t remb_bps_ = 0;
};

}  // namespace vela::egress
