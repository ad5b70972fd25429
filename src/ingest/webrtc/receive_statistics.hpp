#pragma once
// What an RTCP receiver report says about one incoming SSRC (RFC 3550, 6.4.1 and A.1-A.8):
// extended highest sequence number, cumulative and fractional loss, interarrival jitter,
// and LSR/DLSR from the source's last sender report. Retransmissions (RTX) are not fed
// here, so loss is what the network lost, before recovery. Pure: times are passed in.
#include <cstdint>
#include <optional>

#include "protocol/rtp/rtcp.hpp"

namespace vela::ingest {

class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(uint32_t clock_rate);

  void on_packet(uint16_t sequence, uint32_t rtp_timestamp, int64_t arrival_us);
  void on_sender_report(uint64_t ntp_time, int64_t arrival_us);

  bool has_packets() const { return started_; }
  // The report block for `ssrc` now; starts a new interval for the fraction lost.
  protocol::rtp::ReportBlock report(uint32_t ssrc, int64_t now_us);
  // Packets expected but not received so far (negative after duplicates), clamped to 0.
  uint64_t lost() const;

 private:
  int64_t expected() const { return highest_ - base_ + 1; }

  uint32_t clock_rate_;
  bool started_ = false;
  int64_t base_ = 0;  // extended sequence numbers
  int64_t highest_ = 0;
  int64_t received_ = 0;
  std::optional<uint16_t> probation_seq_;  // a far jump is believed when the next follows it
  int64_t expected_prior_ = 0;
  int64_t received_prior_ = 0;

  bool have_transit_ = false;
  uint32_t last_timestamp_ = 0;
  int64_t last_transit_ = 0;
  int64_t jitter_q4_ = 0;  // jitter in RTP units, 4 fractional bits (RFC 3550 A.8)

  std::optional<uint32_t> last_sr_;  // middle 32 bits of the NTP time
  int64_t last_sr_arrival_us_ = 0;
};

}  // namespace vela::ingest
