#include "ingest/srt_stats.hpp"

#include <srt/srt.h>

#include <array>
#include <cmath>

namespace vela::ingest {
namespace {

int64_t rounded(double value) {
  return std::isfinite(value) ? static_cast<int64_t>(std::llround(value)) : 0;
}

struct Field {
  const char* key;     // in the stream API
  const char* metric;  // in /metrics
  const char* help;
  int64_t (*read)(const CBytePerfMon&);
};

constexpr std::array<Field, 8> kFields{{
    {"rtt_us", "vela_srt_rtt_microseconds", "SRT round-trip time",
     [](const CBytePerfMon& s) { return rounded(s.msRTT * 1000); }},
    {"receive_kbps", "vela_srt_receive_rate_kbps", "SRT receive rate",
     [](const CBytePerfMon& s) { return rounded(s.mbpsRecvRate * 1000); }},
    {"bandwidth_kbps", "vela_srt_bandwidth_kbps", "SRT estimated link bandwidth",
     [](const CBytePerfMon& s) { return rounded(s.mbpsBandwidth * 1000); }},
    {"lost_packets", "vela_srt_lost_packets", "SRT packets lost (receiver side) in this session",
     [](const CBytePerfMon& s) { return int64_t{s.pktRcvLossTotal}; }},
    // Cumulative: the session's stats are never cleared.
    {"retransmitted_packets", "vela_srt_retransmitted_packets", "SRT retransmitted packets received in this session",
     [](const CBytePerfMon& s) { return int64_t{s.pktRcvRetrans}; }},
    {"dropped_packets", "vela_srt_dropped_packets", "SRT packets dropped as too late in this session",
     [](const CBytePerfMon& s) { return int64_t{s.pktRcvDropTotal}; }},
    {"received_bytes", "vela_srt_session_received_bytes", "Bytes received in this SRT session",
     [](const CBytePerfMon& s) { return static_cast<int64_t>(s.byteRecvTotal); }},
    {"receive_buffer_ms", "vela_srt_receive_buffer_milliseconds", "SRT receive buffer not yet delivered",
     [](const CBytePerfMon& s) { return int64_t{s.msRcvBuf}; }},
}};

}  // namespace

TransportStats srt_transport_stats(const CBytePerfMon& stats) {
  TransportStats out;
  out.reserve(kFields.size());
  for (const auto& f : kFields) out.emplace_back(f.key, f.read(stats));
  return out;
}

SrtSessionGauges::SrtSessionGauges(base::MetricsRegistry& metrics, std::string_view stream_name) {
  std::string label = "stream=\"" + std::string(stream_name) + "\"";
  for (const auto& f : kFields) gauges_.push_back(metrics.scoped_gauge(f.metric, f.help, label));
}

void SrtSessionGauges::update(const CBytePerfMon& stats) {
  for (size_t i = 0; i < kFields.size(); ++i) gauges_[i]->set(kFields[i].read(stats));
}

void SrtSessionGauges::zero() {
  for (auto& g : gauges_) g->set(0);
}

}  // namespace vela::ingest
