#pragma once
// Per-session SRT transport statistics as /metrics gauges labelled by stream name:
// round-trip time, loss, retransmissions, drops, receive rate. Refreshed by the SRT I/O
// thread from srt_bstats(); zeroed when the session ends (the registry has no removal, and a
// zero reads as "not publishing over SRT"). Gauge updates are relaxed atomics.
#include <string_view>

#include "base/metrics.hpp"

struct CBytePerfMon;

namespace vela::ingest {

class SrtSessionGauges {
 public:
  SrtSessionGauges(base::MetricsRegistry& metrics, std::string_view stream_name);

  void update(const CBytePerfMon& stats);
  void zero();

 private:
  base::Gauge& rtt_us_;
  base::Gauge& receive_kbps_;
  base::Gauge& bandwidth_kbps_;
  base::Gauge& lost_packets_;
  base::Gauge& retransmitted_packets_;
  base::Gauge& dropped_packets_;
  base::Gauge& received_bytes_;
  base::Gauge& buffer_ms_;
};

}  // namespace vela::ingest
