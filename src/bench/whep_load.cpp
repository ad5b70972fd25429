// `vela bench whep-load`: signalling (WHEP or Janus over HTTP), sockets and the run loop.
#include "bench/whep_load.hpp"

#include <fmt/format.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>

#include "protocol/dtls/dtls_certificate.hpp"

namespace vela::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using asio::ip::udp;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
constexpr size_t kRecvBatch = 32;
constexpr size_t kMaxDatagram = 1500;
constexpr auto kTick = std::chrono::milliseconds(10);
constexpr auto kHttpTimeout = std::chrono::seconds(10);
constexpr auto kJanusKeepalive = std::chrono::seconds(25);
constexpr size_t kMaxErrorsKept = 8;
// A server may open with a burst (vela sends the cached GOP from the last keyframe at
// once); the default 208 KiB receive buffer would drop part of it. The kernel caps the
// request at net.core.rmem_max.
constexpr int kReceiveBufferBytes = 1 << 20;

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct HttpResult {
  unsigned status = 0;
  std::string body;
  std::string location;
};

// One request on a fresh connection (the server's cost of a connection is the same for
// every viewer and tiny next to the media).
asio::awaitable<base::Result<HttpResult>> http_call(const HttpTarget& target, bhttp::verb verb, std::string path,
                                                    std::string_view content_type, std::string body,
                                                    std::chrono::steady_clock::duration timeout = kHttpTimeout) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(target.address), target.port);
  auto [connect_error] = co_await stream.async_connect(endpoint, kUse);
  if (connect_error) co_return base::make_error("connect: " + connect_error.message());
  bhttp::request<bhttp::string_body> request(verb, path, 11);
  request.set(bhttp::field::host, target.host_header);
  request.set(bhttp::field::connection, "close");
  if (!content_type.empty()) request.set(bhttp::field::content_type, content_type);
  request.body() = std::move(body);
  request.prepare_payload();
  auto [write_error, written] = co_await bhttp::async_write(stream, request, kUse);
  if (write_error) co_return base::make_error("write: " + write_error.message());
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1 << 20);
  auto [read_error, read] = co_await bhttp::async_read(stream, buffer, parser, kUse);
  if (read_error) co_return base::make_error("read: " + read_error.message());
  const auto& response = parser.get();
  HttpResult result;
  result.status = response.result_int();
  result.body = response.body();
  result.location = std::string(response[bhttp::field::location]);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return result;
}

std::set<std::string> local_addresses() {
  std::set<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr) continue;
    if (entry->ifa_addr->sa_family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(entry->ifa_addr);
      out.insert(asio::ip::address_v4(ntohl(in->sin_addr.s_addr)).to_string());
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(entry->ifa_addr);
      asio::ip::address_v6::bytes_type bytes;
      std::copy_n(in6->sin6_addr.s6_addr, 16, bytes.begin());
      out.insert(asio::ip::address_v6(bytes).to_string());
    }
  }
  freeifaddrs(list);
  return out;
}

protocol::stun::SocketAddress to_stun(const udp::endpoint& endpoint) {
  if (endpoint.address().is_v4()) {
    return protocol::stun::SocketAddress::ipv4(endpoint.address().to_v4().to_bytes(), endpoint.port());
  }
  return protocol::stun::SocketAddress::ipv6(endpoint.address().to_v6().to_bytes(), endpoint.port());
}

// Janus replies {"janus":"success","data":{"id":N}} to create and attach.
std::optional<uint64_t> janus_id(const std::string& body) {
  boost::system::error_code error;
  json::value v = json::parse(body, error);
  if (error || !v.is_object()) return std::nullopt;
  const auto* data = v.as_object().if_contains("data");
  if (!data || !data->is_object()) return std::nullopt;
  const auto* id = data->as_object().if_contains("id");
  if (!id) return std::nullopt;
  if (id->is_uint64()) return id->as_uint64();
  if (id->is_int64() && id->as_int64() > 0) return static_cast<uint64_t>(id->as_int64());
  return std::nullopt;
}

// Janus API messages, built outside the coroutines (GCC 12 mishandles braced
// initializers of string literals in coroutine frames).
json::object janus_message(std::string_view kind) {
  json::object o;
  o["janus"] = kind;
  return o;
}

json::object janus_attach() {
  json::object o = janus_message("attach");
  o["plugin"] = "janus.plugin.streaming";
  return o;
}

json::object janus_watch(uint64_t mountpoint) {
  json::object body;
  body["request"] = "watch";
  body["id"] = mountpoint;
  json::object o = janus_message("message");
  o["body"] = std::move(body);
  return o;
}

json::object janus_start(const std::string& answer) {
  json::object body;
  body["request"] = "start";
  json::object jsep;
  jsep["type"] = "answer";
  jsep["sdp"] = answer;
  json::object o = janus_message("message");
  o["body"] = std::move(body);
  o["jsep"] = std::move(jsep);
  return o;
}

struct Viewer {
  explicit Viewer(asio::io_context& io) : socket(io) {}
  uint32_t index = 0;
  udp::socket socket;
  protocol::stun::SocketAddress remote;
  std::unique_ptr<WhepPeer> peer;
  std::string location;  // WHEP session URL path, for DELETE
  uint64_t janus_session = 0;
  uint64_t janus_handle = 0;
  int64_t post_us = 0;
  std::string error;
};

class LoadRun {
 public:
  LoadRun(const WhepLoadOptions& options, const HttpTarget& target) : options_(options), target_(target) {}

  WhepLoadReport run() {
    auto certificate = protocol::dtls::DtlsCertificate::generate();
    if (!certificate) {
      report_.errors.push_back("certificate: " + certificate.error().message);
      report_.failed = options_.viewers;
      return report_;
    }
    certificate_ = *certificate;
    local_addresses_ = local_addresses();
    asio::co_spawn(io_, drive(), asio::detached);
    asio::co_spawn(io_, ticker(), asio::detached);
    io_.run();
    return std::move(report_);
  }

 private:
  asio::awaitable<void> sleep_until_us(int64_t when_us) {
    asio::steady_timer timer(io_);
    timer.expires_after(std::chrono::microseconds(std::max<int64_t>(0, when_us - now_us())));
    co_await timer.async_wait(kUse);
  }

  asio::awaitable<void> drive() {
    start_us_ = now_us();
    report_.viewers = options_.viewers;
    report_.mode = options_.mode == SignallingMode::whep ? "whep" : "janus";
    for (uint32_t i = 0; i < options_.viewers; ++i) {
      co_await sleep_until_us(start_us_ + int64_t{i} * 1'000'000 / options_.ramp_per_s);
      viewers_.push_back(std::make_unique<Viewer>(io_));
      viewers_.back()->index = i;
      Viewer& viewer = *viewers_.back();
      if (options_.mode == SignallingMode::whep) {
        asio::co_spawn(io_, start_whep(viewer), asio::detached);
      } else {
        asio::co_spawn(io_, start_janus(viewer), asio::detached);
      }
    }
    report_.ramp_s = (now_us() - start_us_) / 1e6;
    co_await sleep_until_us(now_us() + int64_t{options_.duration_s} * 1'000'000);
    collect(now_us());
    co_await teardown();
    stopping_ = true;
    io_.stop();
  }

  asio::awaitable<void> ticker() {
    asio::steady_timer timer(io_);
    Datagrams out;
    while (!stopping_) {
      timer.expires_after(kTick);
      co_await timer.async_wait(kUse);
      int64_t now = now_us();
      for (auto& v : viewers_) {
        if (!v->peer) continue;
        v->peer->on_tick(now, out);
        flush(*v, out);
      }
    }
  }

  void fail(Viewer& viewer, std::string reason) {
    if (viewer.error.empty()) viewer.error = std::move(reason);
  }

  // Opens the viewer's socket towards the first usable candidate.
  bool open_socket(Viewer& viewer, const RemoteDescription& remote) {
    for (const auto& candidate : remote.candidates) {
      if (!local_addresses_.contains(candidate.address)) continue;  // never leave this machine
      boost::system::error_code error;
      auto address = asio::ip::make_address(candidate.address, error);
      if (error) continue;
      udp::endpoint endpoint(address, candidate.port);
      viewer.socket.open(endpoint.protocol(), error);
      if (!error) viewer.socket.set_option(udp::socket::receive_buffer_size(kReceiveBufferBytes), error);
      if (!error) viewer.socket.connect(endpoint, error);
      if (error) {
        viewer.socket.close(error);
        continue;
      }
      viewer.remote = to_stun(endpoint);
      return true;
    }
    fail(viewer, "no candidate on a local interface");
    return false;
  }

  LocalDescriptionParams make_local(uint32_t index) {
    std::mt19937_64 random(seed_base_ + index);
    LocalDescriptionParams local;
    local.ice_ufrag = make_ice_credential(8, random());
    local.ice_pwd = make_ice_credential(24, random());
    local.fingerprint = certificate_->fingerprint_sha256();
    local.session_id = random() >> 2;
    return local;
  }

  void start_peer(Viewer& viewer, const LocalDescriptionParams& local, RemoteDescription remote) {
    std::mt19937_64 random(seed_base_ ^ (uint64_t{viewer.index} << 32));
    PeerConfig config;
    config.certificate = certificate_;
    config.local_ufrag = local.ice_ufrag;
    config.local_pwd = local.ice_pwd;
    config.controlling = !remote.offered_by_remote || remote.ice_lite;
    config.remote = std::move(remote);
    config.tie_breaker = random();
    config.local_ssrc = static_cast<uint32_t>(random()) | 1;
    config.seed = random();
    config.signalling_start_us = viewer.post_us;
    viewer.peer = std::make_unique<WhepPeer>(std::move(config), now_us());
    arm_receive(viewer);
  }

  asio::awaitable<void> start_whep(Viewer& viewer) {
    LocalDescriptionParams local = make_local(viewer.index);
    viewer.post_us = now_us();
    auto response =
        co_await http_call(target_, bhttp::verb::post, target_.path, "application/sdp", build_whep_offer(local));
    if (!response) co_return fail(viewer, "WHEP POST: " + response.error().message);
    if (response->status != 201) {
      co_return fail(viewer, fmt::format("WHEP POST: status {}: {}", response->status, response->body.substr(0, 200)));
    }
    viewer.location = response->location;
    auto remote = parse_remote_description(response->body, false);
    if (!remote) co_return fail(viewer, remote.error().message);
    if (!open_socket(viewer, *remote)) co_return;
    start_peer(viewer, local, std::move(*remote));
  }

  asio::awaitable<base::Result<json::value>> janus_post(std::string path, json::object message) {
    message["transaction"] = fmt::format("t{}", ++transaction_);
    auto response = co_await http_call(target_, bhttp::verb::post, std::move(path), "application/json",
                                       json::serialize(message));
    if (!response) co_return response.error();
    if (response->status != 200) co_return base::make_error(fmt::format("Janus: HTTP status {}", response->status));
    boost::system::error_code error;
    json::value v = json::parse(response->body, error);
    if (error || !v.is_object()) co_return base::make_error("Janus: reply is not a JSON object");
    if (const auto* kind = v.as_object().if_contains("janus"); kind && *kind == "error")
      co_return base::make_error("Janus: " + json::serialize(v).substr(0, 200));
    co_return v;
  }

  // Janus's streaming plugin: create a session, attach, "watch" (Janus sends the offer on
  // the long-poll), answer with "start", then keep the session alive.
  asio::awaitable<void> start_janus(Viewer& viewer) {
    std::string base = target_.path;
    viewer.post_us = now_us();
    auto created = co_await janus_post(base, janus_message("create"));
    if (!created) co_return fail(viewer, created.error().message);
    auto session = janus_id(json::serialize(*created));
    if (!session) co_return fail(viewer, "Janus: create gave no session id");
    viewer.janus_session = *session;
    std::string session_path = fmt::format("{}/{}", base, *session);
    auto attached = co_await janus_post(session_path, janus_attach());
    if (!attached) co_return fail(viewer, attached.error().message);
    auto handle = janus_id(json::serialize(*attached));
    if (!handle) co_return fail(viewer, "Janus: attach gave no handle id");
    viewer.janus_handle = *handle;
    std::string handle_path = fmt::format("{}/{}", session_path, *handle);
    auto watched = co_await janus_post(handle_path, janus_watch(options_.janus_mountpoint));
    if (!watched) co_return fail(viewer, watched.error().message);
    // The offer may be in the reply already (synchronous plugins) or on the long-poll.
    std::string offer;
    auto find_offer = [&](const json::value& v) {
      if (!v.is_object()) return;
      const auto* jsep = v.as_object().if_contains("jsep");
      if (!jsep || !jsep->is_object()) return;
      const auto* sdp = jsep->as_object().if_contains("sdp");
      if (sdp && sdp->is_string()) offer = std::string(sdp->as_string());
    };
    find_offer(*watched);
    for (int polls = 0; offer.empty() && polls < 10 && !stopping_; ++polls) {
      auto event = co_await http_call(target_, bhttp::verb::get, fmt::format("{}?maxev=1", session_path), "", "",
                                      std::chrono::seconds(35));
      if (!event) co_return fail(viewer, "Janus long-poll: " + event.error().message);
      boost::system::error_code error;
      json::value v = json::parse(event->body, error);
      if (!error) find_offer(v.is_array() && !v.as_array().empty() ? v.as_array()[0] : v);
    }
    if (offer.empty()) co_return fail(viewer, "Janus: no offer after watch");
    auto remote = parse_remote_description(offer, true);
    if (!remote) co_return fail(viewer, remote.error().message);
    if (!open_socket(viewer, *remote)) co_return;
    LocalDescriptionParams local = make_local(viewer.index);
    boost::system::error_code ignored;
    auto bound = viewer.socket.local_endpoint(ignored);
    local.candidate = fmt::format("1 1 udp 2122260223 {} {} typ host", bound.address().to_string(), bound.port());
    std::string answer = build_answer(local, *remote);
    start_peer(viewer, local, std::move(*remote));
    auto started = co_await janus_post(handle_path, janus_start(answer));
    if (!started) co_return fail(viewer, started.error().message);
    asio::steady_timer timer(io_);
    while (!stopping_ && viewer.janus_session) {
      timer.expires_after(kJanusKeepalive);
      co_await timer.async_wait(kUse);
      if (stopping_ || !viewer.janus_session) break;
      co_await janus_post(session_path, janus_message("keepalive"));
    }
  }

  void arm_receive(Viewer& viewer) {
    viewer.socket.async_wait(udp::socket::wait_read, [this, &viewer](boost::system::error_code error) {
      if (error || stopping_ || !viewer.peer) return;
      receive(viewer);
      arm_receive(viewer);
    });
  }

  // Drains the socket with recvmmsg, kRecvBatch datagrams per call.
  void receive(Viewer& viewer) {
    int fd = viewer.socket.native_handle();
    std::array<mmsghdr, kRecvBatch> messages{};
    std::array<iovec, kRecvBatch> vectors{};
    Datagrams out;
    for (;;) {
      for (size_t i = 0; i < kRecvBatch; ++i) {
        vectors[i] = {buffers_[i].data(), kMaxDatagram};
        messages[i] = {};
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
      }
      int n = ::recvmmsg(fd, messages.data(), kRecvBatch, MSG_DONTWAIT, nullptr);
      if (n <= 0) break;
      int64_t now = now_us();
      for (int i = 0; i < n; ++i) {
        if (messages[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
        viewer.peer->on_datagram(std::span<uint8_t>(buffers_[i].data(), messages[i].msg_len), viewer.remote, now, out);
      }
      flush(viewer, out);
      if (static_cast<size_t>(n) < kRecvBatch) break;
    }
  }

  // Sends what the peer produced with sendmmsg (the socket is connected).
  void flush(Viewer& viewer, Datagrams& out) {
    if (out.empty()) return;
    std::vector<mmsghdr> messages(out.size());
    std::vector<iovec> vectors(out.size());
    for (size_t i = 0; i < out.size(); ++i) {
      vectors[i] = {out[i].data(), out[i].size()};
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    int fd = viewer.socket.native_handle();
    size_t sent = 0;
    while (sent < out.size()) {
      int n = ::sendmmsg(fd, messages.data() + sent, static_cast<unsigned>(out.size() - sent), MSG_DONTWAIT);
      if (n <= 0) break;  // a full send buffer drops feedback, as UDP would
      sent += static_cast<size_t>(n);
    }
    out.clear();
  }

  void collect(int64_t end_us) {
    report_.elapsed_s = (end_us - start_us_) / 1e6;
    double fps_sum = 0;
    double fps_min = 0;
    bool first = true;
    for (auto& v : viewers_) {
      bool connected = v->peer && v->peer->connected_after_us();
      if (v->peer && v->peer->state() == WhepPeer::State::failed) fail(*v, v->peer->failure());
      if (!connected) {
        if (v->error.empty()) fail(*v, v->peer ? "not connected by the end" : "signalling not finished by the end");
      }
      if (!v->error.empty()) {
        ++report_.failed;
        if (report_.errors.size() < kMaxErrorsKept) report_.errors.push_back(fmt::format("viewer {}: {}", v->index, v->error));
      }
      if (!v->peer) continue;
      report_.totals.merge(v->peer->counters());
      if (!connected) continue;
      ++report_.connected;
      report_.connect_us.push_back(*v->peer->connected_after_us());
      if (auto ttff = v->peer->time_to_first_frame_us()) report_.ttff_us.push_back(*ttff);
      double seconds = (end_us - (v->post_us + *v->peer->connected_after_us())) / 1e6;
      double fps = seconds > 0 ? v->peer->counters().frames / seconds : 0;
      fps_sum += fps;
      fps_min = first ? fps : std::min(fps_min, fps);
      first = false;
    }
    std::sort(report_.ttff_us.begin(), report_.ttff_us.end());
    std::sort(report_.connect_us.begin(), report_.connect_us.end());
    const PeerCounters& t = report_.totals;
    report_.fps_mean = report_.connected ? fps_sum / report_.connected : 0;
    report_.fps_min = fps_min;
    double steady = report_.elapsed_s - report_.ramp_s / 2;  // viewers joined over the ramp
    report_.mbps_total = steady > 0 ? t.rtp_bytes * 8 / steady / 1e6 : 0;
    auto pct = [](uint64_t part, uint64_t whole) { return whole ? 100.0 * part / whole : 0.0; };
    report_.video_loss_pct = pct(t.video_lost, t.video_expected);
    report_.video_gap_pct = pct(t.video_gaps, t.video_expected);
    report_.audio_loss_pct = pct(t.audio_lost, t.audio_expected);
    if (t.jitter_samples > 0) {
      report_.audio_jitter_ms = t.audio_jitter_ms_sum / static_cast<double>(t.jitter_samples);
      report_.video_jitter_ms = t.video_jitter_ms_sum / static_cast<double>(t.jitter_samples);
    }
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
      report_.cpu_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
                      usage.ru_stime.tv_usec / 1e6;
      report_.max_rss_kb = static_cast<uint64_t>(usage.ru_maxrss);
    }
  }

  // close_notify to every peer, then end each session over HTTP, one at a time.
  asio::awaitable<void> teardown() {
    Datagrams out;
    for (auto& v : viewers_) {
      if (!v->peer) continue;
      v->peer->close(out);
      flush(*v, out);
    }
    for (auto& v : viewers_) {
      if (!v->location.empty()) {
        co_await http_call(target_, bhttp::verb::delete_, v->location, "", "");
      } else if (v->janus_session) {
        uint64_t session = v->janus_session;
        v->janus_session = 0;
        co_await janus_post(fmt::format("{}/{}", target_.path, session), janus_message("destroy"));
      }
      boost::system::error_code ignored;
      v->socket.close(ignored);
    }
  }

  const WhepLoadOptions& options_;
  const HttpTarget& target_;
  asio::io_context io_;
  std::shared_ptr<const protocol::dtls::DtlsCertificate> certificate_;
  std::set<std::string> local_addresses_;
  std::vector<std::unique_ptr<Viewer>> viewers_;
  std::array<std::array<uint8_t, kMaxDatagram>, kRecvBatch> buffers_{};
  uint64_t seed_base_ = std::random_device{}();
  uint64_t transaction_ = 0;
  int64_t start_us_ = 0;
  bool stopping_ = false;
  WhepLoadReport report_;
};

}  // namespace

WhepLoadReport run_whep_load(const WhepLoadOptions& options, const HttpTarget& target) {
  LoadRun run(options, target);
  return run.run();
}

int whep_load_main(std::span<const std::string_view> args) {
  auto options = parse_whep_load_args(args);
  if (!options) {
    std::fprintf(stderr, "vela bench whep-load: %s\n", options.error().message.c_str());
    std::fprintf(stderr,
                 "usage: vela bench whep-load --url http://127.0.0.1:PORT/whep/NAME --viewers N --duration S\n"
                 "       [--ramp-per-s R] [--report FILE.json] [--janus-mountpoint ID (URL .../janus)]\n");
    return 2;
  }
  auto target = parse_loopback_url(options->url);
  if (!target) {
    std::fprintf(stderr, "vela bench whep-load: %s\n", target.error().message.c_str());
    return 2;
  }
  WhepLoadReport report = run_whep_load(*options, *target);
  std::string text = format_whep_report_text(report);
  std::fputs(text.c_str(), stdout);
  if (!options->report_path.empty()) {
    std::ofstream file(options->report_path);
    file << format_whep_report_json(report);
    if (!file) {
      std::fprintf(stderr, "vela bench whep-load: cannot write %s\n", options->report_path.c_str());
      return 1;
    }
  }
  return report.viewers > 0 && report.connected == 0 ? 1 : 0;
}

}  // namespace vela::bench
