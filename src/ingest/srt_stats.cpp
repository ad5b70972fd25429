#include "ingest/srt_stats.hpp"

#include <srt/srt.h>

#include <cmath>
#include <string>

namespace vela::ingest {
namespace {

std::string stream_label(std::string_view stream_name) {
  return "stream=\"" + std::string(stream_name) + "\"";
}

int64_t rounded(double value) {
  return std::isfinite(value) ? static_cast<int64_t>(std::llround(value)) : 0;
}

}  // namespace

SrtSessionGauges::SrtSessionGauges(base::MetricsRegistry& metrics, std::string_view stream_name)
    : rtt_us_(metrics.gauge("vela_srt_rtt_microseconds", "SRT round-trip time",
                            stream_label(stream_name))),
      receive_kbps_(metrics.gauge("vela_srt_receive_rate_kbps", "SRT receive rate",
                                  stream_label(stream_name))),
      bandwidth_kbps_(metrics.gauge("vela_srt_bandwidth_kbps", "SRT estimated link bandwidth",
                                    stream_label(stream_name))),
      lost_packets_(metrics.gauge("vela_srt_lost_packets",
                                  "SRT packets lost (receiver side) in this session",
                                  stream_label(stream_name))),
      retransmitted_packets_(metrics.gauge("vela_srt_retransmitted_packets",
                                           "SRT retransmitted packets received in this session",
                                           stream_label(stream_name))),
      dropped_packets_(metrics.gauge("vela_srt_dropped_packets",
                                     "SRT packets dropped as too late in this session",
                                     stream_label(stream_name))),
      received_bytes_(metrics.gauge("vela_srt_session_received_bytes",
                                    "Bytes received in this SRT session",
                                    stream_label(stream_name))),
      buffer_ms_(metrics.gauge("vela_srt_receive_buffer_milliseconds",
                               "SRT receive buffer not yet delivered", stream_label(stream_name))) {
}

void SrtSessionGauges::update(const CBytePerfMon& stats) {
  rtt_us_.set(rounded(stats.msRTT * 1000));
  receive_kbps_.set(rounded(stats.mbpsRecvRate * 1000));
  bandwidth_kbps_.set(rounded(stats.mbpsBandwidth * 1000));
  lost_packets_.set(stats.pktRcvLossTotal);
  retransmitted_packets_.set(stats.pktRcvRetrans);  // cumulative: stats are never cleared
  dropped_packets_.set(stats.pktRcvDropTotal);
  received_bytes_.set(static_cast<int64_t>(stats.byteRecvTotal));
  buffer_ms_.set(stats.msRcvBuf);
}

void SrtSessionGauges::zero() {
  for (base::Gauge* g :
       {&rtt_us_, &receive_kbps_, &bandwidth_kbps_, &lost_packets_, &retransmitted_packets_,
        &dropped_packets_, &received_bytes_, &buffer_ms_}) {
    g->set(0);
  }
}

}  // namespace vela::ingest
