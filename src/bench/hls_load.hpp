#pragma once
// `vela bench hls-load`: an LL-HLS load generator. N clients, each one HTTP/1.1 keep-alive
// connection (Boost.Beast, all on one io_context thread unless --threads says more), play
// a live stream the way an LL-HLS player does:
//
//   GET index.m3u8 (multivariant) -> first variant's media playlist (no directives); the
//   client starts at the newest listed part (the live edge), then loops:
//     GET media.m3u8?_HLS_msn=M&_HLS_part=N+1   (blocking reload for the part after the
//                                                 newest one it has, (M, N))
//     GET every part listed after (M, N), in order, on the same connection.
//
// One connection per client carries both the playlist and the parts: requests are
// serial, as in a player whose playlist and media loaders share one HTTP/1.1 connection
// (hls.js runs separate loaders; over HTTP/2 they would share one connection anyway).
//
// Part delivery delay = wall clock when a part's last byte arrived at the client minus
// the part's availability instant from the playlist (PROGRAM-DATE-TIME of its segment +
// the durations of its parts up to and including it; playlist_scan.hpp). The server
// stamps PDT from its ingest wall clock, so on one machine both ends read the same clock.
// vela's PDT is its ingest anchor (wall clock at the stream's first frame) plus media
// time, so a publisher whose first frame came late makes every instant late by that much;
// --availability-offset-us corrects for it (the raw delay is reported as well).
// Also kept: the fan-out spread, a part's arrival at a client minus its first arrival at
// any client of the same thread, which leaves out the publisher and the PDT anchor.
//
// Bounded: at most kMaxClients clients and kMaxDurationS seconds, loopback targets only,
// playlists of at most 1 MiB, every request under a timeout. Stops by itself.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "bench/latency_histogram.hpp"

namespace vela::bench {

constexpr uint32_t kMaxClients = 5000;
constexpr uint32_t kMaxDurationS = 3600;
constexpr uint32_t kMaxThreads = 64;

struct HlsLoadOptions {
  std::string url;  // http://127.0.0.1:PORT/live/NAME/index.m3u8
  uint32_t clients = 500;
  uint32_t duration_s = 60;
  uint32_t threads = 1;
  uint32_t timeout_ms = 10'000;  // per request; above the server's longest block (6 s)
  uint32_t ramp_ms = 1'000;      // clients start spread evenly over this
  std::string json_path;         // also write the report as JSON here
  // Added to every availability instant before the delay is taken: the error of the
  // server's PDT anchor, measured by a calibration run (see docs/BENCHMARKS.md). The raw
  // delay is kept too.
  int64_t availability_offset_us = 0;
  std::string trace_path;  // diagnosis: one CSV line per part received (allocates)
};

// Parses the arguments after `vela bench hls-load`. Errors name the bad argument.
base::Result<HlsLoadOptions> parse_hls_load_args(std::span<const std::string_view> args);

struct HttpTarget {
  std::string address;  // numeric loopback address
  uint16_t port = 80;
  std::string host_header;  // as it goes in Host:
  std::string path;         // with the query, if any
};

// http://HOST[:PORT]/PATH where HOST is a loopback address (127.0.0.0/8, ::1) or
// "localhost" (taken as 127.0.0.1). Anything else is refused: this generator is for
// loopback benchmarks only.
base::Result<HttpTarget> parse_loopback_url(std::string_view url);

struct HlsLoadCounters {
  uint64_t playlists = 0;    // 200 media playlists (blocking or not)
  uint64_t parts = 0;        // 200 parts received in full
  uint64_t body_bytes = 0;   // response bodies, all requests
  uint64_t http_errors = 0;  // responses other than 200
  uint64_t timeouts = 0;     // requests (or connects) past the timeout
  uint64_t io_errors = 0;    // connection reset, closed mid-response, bad HTTP
  uint64_t connect_errors = 0;
  uint64_t parse_errors = 0;     // playlists the scan rejected
  uint64_t resyncs = 0;          // the newest part a client had left the playlist: a gap
  uint64_t stale_playlists = 0;  // blocking reloads answered without a newer part
  uint64_t connections = 0;      // connections opened

  void merge(const HlsLoadCounters& other);
  uint64_t errors() const {
    return http_errors + timeouts + io_errors + connect_errors + parse_errors;
  }
};

struct HlsLoadReport {
  uint32_t clients = 0;
  uint32_t threads = 0;
  double elapsed_s = 0;
  int64_t availability_offset_us = 0;
  double cpu_s = 0;         // the generator's own CPU time (user + system)
  uint64_t max_rss_kb = 0;  // and its peak resident memory
  HlsLoadCounters counters;
  LatencyHistogram delay;      // part delivery delay, us (availability offset applied)
  LatencyHistogram delay_raw;  // the same from the playlist's PDT as is
  LatencyHistogram reload;     // blocking reload answered: playlist arrival - availability
                               // of the part it waited for (offset applied), us
  LatencyHistogram spread;     // fan-out spread, us
};

// Runs the load for options.duration_s and returns what it measured. Blocks.
HlsLoadReport run_hls_load(const HlsLoadOptions& options, const HttpTarget& target);

std::string format_report_text(const HlsLoadReport& report);
std::string format_report_json(const HlsLoadReport& report);

// The whole subcommand: arguments after "hls-load"; returns the exit code.
int hls_load_main(std::span<const std::string_view> args);

}  // namespace vela::bench
