// Text and JSON reports of `vela bench hls-load`.
#include <fmt/format.h>

#include "bench/hls_load.hpp"

namespace vela::bench {

namespace {

double ms(int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

}  // namespace

void HlsLoadCounters::merge(const HlsLoadCounters& other) {
  playlists += other.playlists;
  parts += other.parts;
  body_bytes += other.body_bytes;
  http_errors += other.http_errors;
  timeouts += other.timeouts;
  io_errors += other.io_errors;
  connect_errors += other.connect_errors;
  parse_errors += other.parse_errors;
  resyncs += other.resyncs;
  stale_playlists += other.stale_playlists;
  connections += other.connections;
}

std::string format_report_text(const HlsLoadReport& r) {
  const HlsLoadCounters& c = r.counters;
  double seconds = r.elapsed_s > 0 ? r.elapsed_s : 1;
  std::string out = fmt::format(
      "clients {}  threads {}  elapsed {:.1f} s  generator cpu {:.1f} s ({:.0f} % of a core), "
      "max rss {:.1f} MB\n"
      "parts {} ({:.1f}/s)  playlists {} ({:.1f}/s)  body bytes {} ({:.1f} Mbit/s)\n"
      "errors {}: http {}  timeouts {}  io {}  connect {}  parse {}  (resyncs {}, stale playlists "
      "{}, "
      "connections {})\n",
      r.clients, r.threads, r.elapsed_s, r.cpu_s, 100 * r.cpu_s / seconds, r.max_rss_kb / 1024.0,
      c.parts, c.parts / seconds, c.playlists, c.playlists / seconds, c.body_bytes,
      c.body_bytes * 8 / seconds / 1e6, c.errors(), c.http_errors, c.timeouts, c.io_errors,
      c.connect_errors, c.parse_errors, c.resyncs, c.stale_playlists, c.connections);
  auto line = [&](std::string_view name, const LatencyHistogram& h) {
    out += fmt::format(
        "{}: n {}  p50 {:.1f} ms  p95 {:.1f} ms  p99 {:.1f} ms  max {:.1f} ms  min {:.1f} ms  "
        "mean {:.1f} ms  negative {}\n",
        name, h.count(), ms(h.percentile(50)), ms(h.percentile(95)), ms(h.percentile(99)),
        ms(h.max()), ms(h.min()), h.mean() / 1000.0, h.negative_count());
  };
  line("part delivery delay", r.delay);
  line("delay from raw PDT ", r.delay_raw);
  line("playlist (reload)  ", r.reload);
  line("fan-out spread     ", r.spread);
  return out;
}

std::string format_report_json(const HlsLoadReport& r) {
  const HlsLoadCounters& c = r.counters;
  auto histogram = [](const LatencyHistogram& h) {
    return fmt::format(
        "{{\"count\":{},\"p50_ms\":{:.3f},\"p95_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f},"
        "\"min_ms\":{:.3f},\"mean_ms\":{:.3f},\"negative\":{}}}",
        h.count(), ms(h.percentile(50)), ms(h.percentile(95)), ms(h.percentile(99)), ms(h.max()),
        ms(h.min()), h.mean() / 1000.0, h.negative_count());
  };
  return fmt::format(
      "{{\"clients\":{},\"threads\":{},\"elapsed_s\":{:.3f},\"cpu_s\":{:.3f},\"max_rss_kb\":{},"
      "\"parts\":{},\"playlists\":{},"
      "\"body_bytes\":{},\"errors\":{},\"http_errors\":{},\"timeouts\":{},\"io_errors\":{},"
      "\"connect_errors\":{},\"parse_errors\":{},\"resyncs\":{},\"stale_playlists\":{},"
      "\"connections\":{},"
      "\"availability_offset_us\":{},\"delay\":{},\"delay_raw\":{},\"reload\":{},\"spread\":{}}}\n",
      r.clients, r.threads, r.elapsed_s, r.cpu_s, r.max_rss_kb, c.parts, c.playlists, c.body_bytes,
      c.errors(), c.http_errors, c.timeouts, c.io_errors, c.connect_errors, c.parse_errors,
      c.resyncs, c.stale_playlists, c.connections, r.availability_offset_us, histogram(r.delay),
      histogram(r.delay_raw), histogram(r.reload), histogram(r.spread));
}
}  // namespace vela::bench
