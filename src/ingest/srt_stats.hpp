#pragma once
// Per-session SRT transport statistics (round-trip time, loss, retransmissions, drops,
// rates), read from srt_bstats() by the SRT I/O thread: as /metrics gauges labelled by
// stream name, and as named values for the stream API. Gauges are zeroed when the session
// ends (the registry has no removal, and a zero reads as "not publishing over SRT").
// Gauge updates are relaxed atomics.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/metrics.hpp"

struct CBytePerfMon;

namespace vela::ingest {

using TransportStats = std::vector<std::pair<std::string, int64_t>>;

// The statistics by API name (rtt_us, receive_kbps, ...), in a fixed order.
TransportStats srt_transport_stats(const CBytePerfMon& stats);

class SrtSessionGauges {
 public:
  SrtSessionGauges(base::MetricsRegistry& metrics, std::string_view stream_name);

  void update(const CBytePerfMon& stats);
  void zero();

 private:
  std::vector<std::shared_ptr<base::Gauge>> gauges_;  // in srt_transport_stats() order; gone with the session
};

}  // namespace vela::ingest
