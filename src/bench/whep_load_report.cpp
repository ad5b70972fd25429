// Text and JSON reports of `vela bench whep-load`.
#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "bench/latency_histogram.hpp"
#include "bench/whep_load.hpp"

namespace vela::bench {

namespace {

double ms_at(const std::vector<int64_t>& sorted, double p) {
  return sorted.empty() ? 0.0 : static_cast<double>(exact_percentile(sorted, p)) / 1000.0;
}

double ms_max(const std::vector<int64_t>& sorted) {
  return sorted.empty() ? 0.0 : static_cast<double>(sorted.back()) / 1000.0;
}

}  // namespace

std::string format_whep_report_text(const WhepLoadReport& r) {
  const PeerCounters& t = r.totals;
  double seconds = r.elapsed_s > 0 ? r.elapsed_s : 1;
  std::string out = fmt::format(
      "{} viewers {}: connected {}, failed {}  elapsed {:.1f} s (ramp {:.1f} s)  generator cpu {:.1f} s "
      "({:.0f} % of a core), max rss {:.1f} MB\n"
      "frames/s per viewer mean {:.1f} min {:.1f}  received {:.1f} Mbit/s  rtp {} (video {}, audio {}, rtx {})\n"
      "video loss {:.4f} % (gaps {:.4f} %, {} recovered by NACK/RTX)  audio loss {:.4f} %\n"
      "interarrival jitter mean: audio {:.1f} ms, video {:.1f} ms\n"
      "sent: nack {} ({} seqs), pli {}, rr {}, twcc {}, stun {}; srtp errors {}, dropped {}\n"
      "time to first frame: n {} p50 {:.1f} ms p95 {:.1f} ms max {:.1f} ms; connect p50 {:.1f} ms max {:.1f} ms\n",
      r.mode, r.viewers, r.connected, r.failed, r.elapsed_s, r.ramp_s, r.cpu_s, 100 * r.cpu_s / seconds,
      r.max_rss_kb / 1024.0, r.fps_mean, r.fps_min, r.mbps_total, t.rtp_packets, t.video_packets, t.audio_packets,
      t.rtx_packets, r.video_loss_pct, r.video_gap_pct, t.nack_recovered, r.audio_loss_pct, r.audio_jitter_ms,
      r.video_jitter_ms, t.nack_packets,
      t.nack_requested, t.plis, t.receiver_reports, t.twcc_feedbacks, t.stun_requests, t.srtp_errors,
      t.other_drops, r.ttff_us.size(), ms_at(r.ttff_us, 50), ms_at(r.ttff_us, 95), ms_max(r.ttff_us),
      ms_at(r.connect_us, 50), ms_max(r.connect_us));
  for (const auto& e : r.errors) out += "  error: " + e + "\n";
  return out;
}

std::string format_whep_report_json(const WhepLoadReport& r) {
  const PeerCounters& t = r.totals;
  boost::json::array errors;
  for (const auto& e : r.errors) errors.emplace_back(e);
  boost::json::object o{
      {"mode", r.mode},
      {"viewers", r.viewers},
      {"connected", r.connected},
      {"failed", r.failed},
      {"errors", std::move(errors)},
      {"elapsed_s", r.elapsed_s},
      {"ramp_s", r.ramp_s},
      {"cpu_s", r.cpu_s},
      {"max_rss_kb", r.max_rss_kb},
      {"fps_mean", r.fps_mean},
      {"fps_min", r.fps_min},
      {"mbps_total", r.mbps_total},
      {"rtp_packets", t.rtp_packets},
      {"video_packets", t.video_packets},
      {"audio_packets", t.audio_packets},
      {"rtx_packets", t.rtx_packets},
      {"frames", t.frames},
      {"keyframes", t.keyframes},
      {"video_expected", t.video_expected},
      {"video_lost", t.video_lost},
      {"video_gaps", t.video_gaps},
      {"audio_expected", t.audio_expected},
      {"audio_lost", t.audio_lost},
      {"video_loss_pct", r.video_loss_pct},
      {"video_gap_pct", r.video_gap_pct},
      {"audio_loss_pct", r.audio_loss_pct},
      {"audio_jitter_ms", r.audio_jitter_ms},
      {"video_jitter_ms", r.video_jitter_ms},
      {"nack_recovered", t.nack_recovered},
      {"nack_packets", t.nack_packets},
      {"nack_requested", t.nack_requested},
      {"plis", t.plis},
      {"receiver_reports", t.receiver_reports},
      {"twcc_feedbacks", t.twcc_feedbacks},
      {"sender_reports", t.sender_reports},
      {"stun_requests", t.stun_requests},
      {"srtp_errors", t.srtp_errors},
      {"dropped", t.other_drops},
      {"ttff_count", r.ttff_us.size()},
      {"ttff_p50_ms", ms_at(r.ttff_us, 50)},
      {"ttff_p95_ms", ms_at(r.ttff_us, 95)},
      {"ttff_max_ms", ms_max(r.ttff_us)},
      {"connect_p50_ms", ms_at(r.connect_us, 50)},
      {"connect_max_ms", ms_max(r.connect_us)},
  };
  return boost::json::serialize(o) + "\n";
}

}  // namespace vela::bench
