#pragma once
// `vela bench whep-load`: a WebRTC subscriber load generator, far lighter than a browser
// but speaking to the server as one does: per viewer a WHEP POST (or Janus's HTTP API
// with its streaming plugin), real ICE, DTLS and SRTP on its own UDP socket, and the RTCP
// a browser's receiver sends (whep_load_peer.hpp). It decodes nothing; it counts packets,
// frames (marker bits) and loss (sequence gaps, and what NACK/RTX recovered), and the
// time from the POST to the first decodable video frame.
//
// One thread (one Asio io_context): the sockets are read when epoll says they are
// readable, with recvmmsg in batches, and written with sendmmsg. Viewers start at
// --ramp-per-s; the run lasts the ramp plus --duration seconds, then every session is
// closed (DTLS close_notify, HTTP DELETE / Janus destroy).
//
// Bounded: at most kMaxViewers viewers and kMaxDurationS seconds; HTTP to loopback
// addresses only, media only to candidates whose address is on a local interface.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "bench/hls_load.hpp"
#include "bench/whep_load_peer.hpp"

namespace vela::bench {

constexpr uint32_t kMaxViewers = 2000;

enum class SignallingMode { whep, janus };

struct WhepLoadOptions {
  std::string url;  // WHEP: http://127.0.0.1:PORT/whep/NAME; Janus: http://127.0.0.1:PORT/janus
  SignallingMode mode = SignallingMode::whep;
  uint64_t janus_mountpoint = 1;  // --janus-mountpoint ID selects Janus mode
  uint32_t viewers = 10;
  uint32_t duration_s = 30;  // after the last viewer started
  uint32_t ramp_per_s = 20;  // viewers started per second
  std::string report_path;   // also write the report as JSON here
};

// The arguments after `vela bench whep-load`. Errors name the bad argument.
base::Result<WhepLoadOptions> parse_whep_load_args(std::span<const std::string_view> args);

struct WhepLoadReport {
  std::string mode;
  uint32_t viewers = 0;    // requested
  uint32_t connected = 0;  // reached DTLS-SRTP
  uint32_t failed = 0;
  std::vector<std::string> errors;  // the first few failure reasons
  double elapsed_s = 0;
  double ramp_s = 0;
  double cpu_s = 0;  // the generator's own CPU time
  uint64_t max_rss_kb = 0;
  PeerCounters totals;
  double fps_mean = 0;  // video frames per second per connected viewer
  double fps_min = 0;
  double mbps_total = 0;         // SRTP received, all viewers
  double video_loss_pct = 0;     // never received (after NACK) / expected
  double video_gap_pct = 0;      // missing when passed, before retransmission
  double audio_loss_pct = 0;
  double audio_jitter_ms = 0;  // mean RFC 3550 interarrival jitter over viewers and time
  double video_jitter_ms = 0;
  std::vector<int64_t> ttff_us;  // per viewer that showed a frame, sorted
  std::vector<int64_t> connect_us;  // POST -> DTLS connected, sorted
};

// Runs the load; blocks until done.
WhepLoadReport run_whep_load(const WhepLoadOptions& options, const HttpTarget& target);

std::string format_whep_report_text(const WhepLoadReport& report);
std::string format_whep_report_json(const WhepLoadReport& report);

// The whole subcommand: arguments after "whep-load"; returns the exit code.
int whep_load_main(std::span<const std::string_view> args);

}  // namespace vela::bench
