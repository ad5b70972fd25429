#include "ingest/srt_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <srt/access_control.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <functional>

#include "base/buffer.hpp"
#include "ingest/srt_admission.hpp"
#include "ingest/srt_handshake_rejection.hpp"

namespace vela::ingest {

namespace {

constexpr size_t kReadChunkBytes = 64 * 1024;  // posted to the shard when this full, or drained
constexpr size_t kMaxMessageBytes = 1500;      // one SRT live-mode payload fits (1456 max)
constexpr int kEpollTimeoutMs = 50;            // bounds how late stop and close requests are seen
constexpr int kListenBacklog = 16;

std::string describe(const sockaddr* address) {
  if (!address) return "?";
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &v4->sin_addr, text.data(), text.size());
    return std::string(text.data()) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text.data(), text.size());
    return "[" + std::string(text.data()) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  return "?";
}

std::string last_error() {
  return srt_getlasterror_str();
}

// Admitted callers whose handshake is still in libsrt's hands; a caller that vanishes
// mid-handshake leaves its entry until this many newer ones push it out.
constexpr size_t kMaxAdmittedCallers = 1024;

template <class T>
bool set_flag(SRTSOCKET socket, SRT_SOCKOPT option, const T& value) {
  return srt_setsockflag(socket, option, &value, sizeof(value)) != SRT_ERROR;
}

// A plain bind refuses a port another process holds; libsrt binds with SO_REUSEADDR-like
// sharing, so probe first, as the TCP listeners do.
base::Status ensure_udp_port_free(const boost::asio::ip::udp::endpoint& endpoint) {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket probe(io);
  boost::system::error_code error;
  probe.open(endpoint.protocol(), error);
  if (!error) probe.bind(endpoint, error);
  if (error) {
    return base::make_error("cannot bind UDP " + endpoint.address().to_string() + ":" +
                            std::to_string(endpoint.port()) + ": " + error.message());
  }
  return {};
}

}  // namespace

SrtListener::SrtListener(runtime::ShardSet& shards, SrtListenerOptions options,
                         PublishContext context)
    : shards_(shards),
      options_(std::move(options)),
      context_(context),
      connections_gauge_(context.metrics.gauge("vela_srt_connections", "Open SRT connections")),
      bytes_in_(context.metrics.counter("vela_srt_received_bytes_total",
                                        "Bytes received from SRT publishers")) {}

SrtListener::~SrtListener() {
  stop();
}

base::Status SrtListener::start() {
  if (base::Status free = ensure_udp_port_free(options_.endpoint); !free) return free;
  if (srt_startup() < 0) return base::make_error("libsrt start-up failed: " + last_error());
  started_ = true;
  srt_setloghandler(this, &SrtListener::on_libsrt_log);
  srt_setlogflags(SRT_LOGF_DISABLE_TIME | SRT_LOGF_DISABLE_THREADNAME | SRT_LOGF_DISABLE_SEVERITY |
                  SRT_LOGF_DISABLE_EOL);

  auto fail = [this](const std::string& what) -> base::Status {
    std::string message = what + ": " + last_error();
    if (listen_socket_ != SRT_INVALID_SOCK) srt_close(listen_socket_);
    listen_socket_ = SRT_INVALID_SOCK;
    return base::make_error(message);
  };
  listen_socket_ = srt_create_socket();
  if (listen_socket_ == SRT_INVALID_SOCK) return fail("cannot create SRT socket");
  // Accepted sockets inherit these.
  const bool non_blocking = false;
  const int live = SRTT_LIVE;
  if (!set_flag(listen_socket_, SRTO_TRANSTYPE, live) ||
      !set_flag(listen_socket_, SRTO_RCVSYN, non_blocking) ||
      !set_flag(listen_socket_, SRTO_LATENCY, options_.latency_ms)) {
    return fail("cannot set SRT socket options");
  }
  const auto& endpoint = options_.endpoint;
  std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  if (srt_bind(listen_socket_, endpoint.data(), static_cast<int>(endpoint.size())) == SRT_ERROR) {
    return fail("cannot bind SRT " + where);
  }
  if (srt_listen_callback(listen_socket_, &SrtListener::on_listen, this) == SRT_ERROR) {
    return fail("cannot install the SRT listen callback");
  }
  if (srt_listen(listen_socket_, kListenBacklog) == SRT_ERROR)
    return fail("cannot listen on SRT " + where);
  epoll_ = srt_epoll_create();
  if (epoll_ < 0) return fail("cannot create SRT epoll");
  const int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  if (srt_epoll_add_usock(epoll_, listen_socket_, &events) == SRT_ERROR)
    return fail("cannot watch SRT socket");
  thread_ = std::thread([this] { run(); });
  return {};
}

void SrtListener::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  // Only when the thread never ran (a failed start) is anything left to release here.
  if (listen_socket_ != SRT_INVALID_SOCK) srt_close(listen_socket_);
  listen_socket_ = SRT_INVALID_SOCK;
  if (epoll_ >= 0) srt_epoll_release(epoll_);
  epoll_ = -1;
  if (started_) {
    srt_cleanup();
    srt_setloghandler(nullptr, nullptr);
  }
  started_ = false;
}

int SrtListener::on_listen(void* self, SRTSOCKET socket, int, const sockaddr* peer,
                           const char* stream_id) {
  return static_cast<SrtListener*>(self)->screen(socket, peer, stream_id);
}

int SrtListener::screen(SRTSOCKET socket, const sockaddr* peer, const char* stream_id) {
  auto refuse = [&](int code, const std::string& reason, const std::string& kind) {
    spdlog::warn("srt caller {} stream_id='{}' refused: {}", describe(peer),
                 stream_id ? stream_id : "", reason);
    context_.metrics
        .counter("vela_srt_refused_total", "SRT callers refused, by reason",
                 "reason=\"" + kind + "\"")
        .add();
    srt_setrejectreason(socket, code);
    return -1;
  };
  if (stopping_) return refuse(SRT_REJX_DOWN, "server stopping", "stopping");
  if (open_connections() >= options_.max_connections) {
    return refuse(SRT_REJX_OVERLOAD, "connection limit reached", "limit");
  }
  SrtAdmission admission =
      admit_srt_caller(stream_id ? stream_id : "", context_.authorizer, context_.registry);
  if (!admission.admitted()) return refuse(admission.reject_code, admission.reason, admission.kind);
  if (admission.role == SrtRole::play && !player_factory_)
    return refuse(SRT_REJX_BAD_MODE, "SRT playback (m=request) is not enabled", "bad_mode");
  const std::string& passphrase = passphrase_for(admission);
  if (!passphrase.empty()) {
    if (srt_setsockflag(socket, SRTO_PASSPHRASE, passphrase.data(),
                        static_cast<int>(passphrase.size())) == SRT_ERROR ||
        !set_flag(socket, SRTO_PBKEYLEN, options_.pbkeylen)) {
      return refuse(SRT_REJX_ISE, "cannot set the passphrase: " + last_error(), "internal");
    }
  }
  std::lock_guard lock(admitted_mutex_);
  if (admitted_.size() >= kMaxAdmittedCallers) admitted_.erase(admitted_.begin());
  admitted_[socket] = {describe(peer), admission.stream_name};
  return 0;
}

// libsrt's own log lines (e.g. each refused handshake, at error level) go to debug: the
// listener logs every refusal and closure itself, once, with the stream and the reason.
void SrtListener::on_libsrt_log(void* self, int, const char*, int, const char* area,
                                const char* message) {
  spdlog::debug("libsrt {}: {}", area ? area : "", message ? message : "");
  if (self && message) static_cast<SrtListener*>(self)->note_handshake_rejection(message);
}

void SrtListener::note_handshake_rejection(std::string_view message) {
  auto rejection = parse_libsrt_rejection(message);
  if (!rejection) return;
  AdmittedCaller caller;
  {
    std::lock_guard lock(admitted_mutex_);
    auto found = admitted_.find(rejection->socket);
    // Not one the listen callback admitted: a refusal of ours, already logged and counted.
    if (found == admitted_.end()) return;
    caller = std::move(found->second);
    admitted_.erase(found);
  }
  SrtRejectionDescription description = describe_libsrt_rejection(rejection->reason);
  spdlog::warn("srt caller {} stream={} refused: {} ({})", caller.who, caller.stream,
               description.text, rejection->reason);
  context_.metrics
      .counter("vela_srt_refused_total", "SRT callers refused, by reason",
               "reason=\"" + std::string(description.metric_reason) + "\"")
      .add();
}

const std::string& SrtListener::passphrase_for(const SrtAdmission& admission) const {
  if (admission.role == SrtRole::publish) {
    auto own = options_.stream_passphrases.find(admission.stream_name);
    if (own != options_.stream_passphrases.end()) return own->second;
  }
  return options_.passphrase;
}

void SrtListener::run() {
  std::array<SRT_EPOLL_EVENT, 64> events{};
  auto next_stats = std::chrono::steady_clock::now() + options_.stats_interval;
  while (!stopping_) {
    int n =
        srt_epoll_uwait(epoll_, events.data(), static_cast<int>(events.size()), kEpollTimeoutMs);
    for (int i = 0; i < n; ++i) {
      const SRT_EPOLL_EVENT& event = events[i];
      if (event.fd == listen_socket_) {
        accept_ready();
      } else if (connections_.contains(event.fd)) {
        read_ready(event.fd);
      }
    }
    drain_close_requests();
    if (std::chrono::steady_clock::now() >= next_stats) {
      refresh_stats();
      next_stats = std::chrono::steady_clock::now() + options_.stats_interval;
    }
  }
  // Stop accepting first, so no caller slips in while the sessions close.
  srt_epoll_remove_usock(epoll_, listen_socket_);
  srt_close(listen_socket_);
  listen_socket_ = SRT_INVALID_SOCK;
  std::vector<SRTSOCKET> open;
  for (const auto& [socket, connection] : connections_) open.push_back(socket);
  for (SRTSOCKET socket : open) close_connection(socket, "server stopping", "stopping");
  srt_epoll_release(epoll_);
  epoll_ = -1;
}

// One caller per readiness report: the epoll is level-triggered, so it reports the listener
// again while more wait (and an accept with none pending makes libsrt log an error).
void SrtListener::accept_ready() {
  sockaddr_storage peer{};
  int peer_size = sizeof(peer);
  SRTSOCKET socket = srt_accept(listen_socket_, reinterpret_cast<sockaddr*>(&peer), &peer_size);
  if (socket == SRT_INVALID_SOCK) {
    if (srt_getlasterror(nullptr) != SRT_EASYNCRCV)
      spdlog::warn("srt accept failed: {}", last_error());
    return;
  }
  {
    std::lock_guard lock(admitted_mutex_);
    admitted_.erase(socket);
  }
  std::array<char, 513> id_text{};
  int id_size = static_cast<int>(id_text.size());
  if (srt_getsockflag(socket, SRTO_STREAMID, id_text.data(), &id_size) == SRT_ERROR) id_size = 0;
  std::string stream_id(id_text.data(), static_cast<size_t>(std::max(0, id_size)));
  // The listen callback admitted this caller; asking again yields the name, and catches a
  // name that went live in between.
  SrtAdmission admission = admit_srt_caller(stream_id, context_.authorizer, context_.registry);
  std::string who = describe(reinterpret_cast<sockaddr*>(&peer));
  if (!admission.admitted() || connections_.size() >= options_.max_connections) {
    spdlog::warn("srt caller {} stream_id='{}' closed after accept: {}", who, stream_id,
                 admission.admitted() ? "connection limit reached" : admission.reason);
    srt_close(socket);
    return;
  }
  if (admission.role == SrtRole::play) {
    accept_player(socket, who, stream_id, admission.stream_name);
    return;
  }
  const int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  if (srt_epoll_add_usock(epoll_, socket, &events) == SRT_ERROR) {
    spdlog::warn("srt caller {}: cannot watch socket: {}", who, last_error());
    srt_close(socket);
    return;
  }
  runtime::Shard& shard =
      shards_.at(std::hash<std::string>{}(admission.stream_name) % shards_.size());
  uint64_t id = next_session_++;
  auto session = std::make_shared<SrtSession>(
      shard, context_, id, admission.stream_name,
      [this, socket](std::string reason) { request_close(socket, std::move(reason)); });
  session->set_remote(who);
  spdlog::info("srt session={:x} caller {} stream_id='{}' stream={} shard={}", id, who, stream_id,
               admission.stream_name, shard.index());
  connections_.emplace(socket, Connection{&shard,
                                          session,
                                          std::make_unique<SrtSessionGauges>(context_.metrics,
                                                                             admission.stream_name),
                                          {}});
  open_.fetch_add(1, std::memory_order_relaxed);
  connections_gauge_.add(1);
  shard.post([session] { session->start(); });
}

void SrtListener::accept_player(SRTSOCKET socket, const std::string& who,
                                const std::string& stream_id, const std::string& name) {
  auto refuse = [&](const std::string& reason) {
    spdlog::warn("srt caller {} stream_id='{}' closed after accept: {}", who, stream_id, reason);
    srt_close(socket);
  };
  std::shared_ptr<router::Stream> stream = context_.registry.find(name);
  if (!stream || !player_factory_) return refuse("stream '" + name + "' is not live");
  // Players send from their shard and must never wait there; with non-blocking sends,
  // closing lingers in libsrt's background so the stream's last bytes still go out.
  const bool non_blocking = false;
  const linger flush_on_close{1, 1};
  if (!set_flag(socket, SRTO_SNDSYN, non_blocking) ||
      !set_flag(socket, SRTO_LINGER, flush_on_close))
    return refuse("cannot set the socket options of a viewer: " + last_error());
  // Watched to see the peer leave (and to discard anything it sends).
  const int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  if (srt_epoll_add_usock(epoll_, socket, &events) == SRT_ERROR)
    return refuse("cannot watch socket: " + last_error());
  uint64_t id = next_session_++;
  // Viewers spread over the shards; the stream replicates frames to each shard once.
  runtime::Shard& shard = shards_.at(id % shards_.size());
  SrtPlayerHooks player = player_factory_(SrtPlayerRequest{
      shard, socket, id, std::move(stream),
      [this, socket](std::string reason) { request_close(socket, std::move(reason)); }});
  spdlog::info("srt session={:x} caller {} stream_id='{}' plays stream={} shard={}", id, who,
               stream_id, name, shard.index());
  connections_.emplace(socket, Connection{&shard, nullptr, nullptr, player});
  open_.fetch_add(1, std::memory_order_relaxed);
  connections_gauge_.add(1);
  shard.post(player.start);
}

void SrtListener::read_ready(SRTSOCKET socket) {
  Connection& connection = connections_.at(socket);
  std::vector<uint8_t> chunk;
  chunk.reserve(kReadChunkBytes);
  auto post_chunk = [&] {
    if (chunk.empty()) return;
    if (!connection.session) {  // a viewer: what it sends carries nothing we use
      chunk.clear();
      return;
    }
    bytes_in_.add(chunk.size());
    connection.shard->post(
        [session = connection.session, bytes = base::Buffer::adopt(std::move(chunk))] {
          session->on_bytes(bytes);
        });
    chunk = {};
    chunk.reserve(kReadChunkBytes);
  };
  for (;;) {
    size_t used = chunk.size();
    chunk.resize(used + kMaxMessageBytes);
    int n = srt_recvmsg(socket, reinterpret_cast<char*>(chunk.data() + used),
                        static_cast<int>(kMaxMessageBytes));
    if (n == SRT_ERROR) {
      chunk.resize(used);
      int code = srt_getlasterror(nullptr);
      post_chunk();
      if (code == SRT_EASYNCRCV) return;
      SRT_SOCKSTATUS state = srt_getsockstate(socket);
      bool peer_left = state == SRTS_BROKEN || state == SRTS_CLOSED || state == SRTS_NONEXIST;
      close_connection(
          socket, peer_left ? "peer closed or connection lost" : "read failed: " + last_error(),
          peer_left ? "closed" : "io");
      return;
    }
    chunk.resize(used + static_cast<size_t>(std::max(0, n)));
    if (chunk.size() + kMaxMessageBytes > kReadChunkBytes) post_chunk();
  }
}

void SrtListener::close_connection(SRTSOCKET socket, const std::string& reason, const char* kind) {
  auto it = connections_.find(socket);
  if (it == connections_.end()) return;
  srt_epoll_remove_usock(epoll_, socket);
  srt_close(socket);
  if (it->second.session) {
    it->second.gauges->zero();
    it->second.shard->post([session = it->second.session, reason] { session->on_closed(reason); });
  } else {
    it->second.shard->post([closed = it->second.player.closed, reason] { closed(reason); });
  }
  connections_.erase(it);
  open_.fetch_sub(1, std::memory_order_relaxed);
  connections_gauge_.add(-1);
  context_.metrics
      .counter("vela_srt_sessions_closed_total", "SRT sessions closed, by reason",
               std::string("reason=\"") + kind + "\"")
      .add();
}

void SrtListener::request_close(SRTSOCKET socket, std::string reason) {
  std::lock_guard lock(close_mutex_);
  close_requests_.emplace_back(socket, std::move(reason));
}

void SrtListener::drain_close_requests() {
  std::vector<std::pair<SRTSOCKET, std::string>> requests;
  {
    std::lock_guard lock(close_mutex_);
    requests.swap(close_requests_);
  }
  for (const auto& [socket, reason] : requests) close_connection(socket, reason, "server");
}

void SrtListener::refresh_stats() {
  for (auto& [socket, connection] : connections_) {
    if (!connection.gauges) continue;  // viewers: their transport is not an ingest's
    SRT_TRACEBSTATS stats{};
    if (srt_bstats(socket, &stats, 0) == SRT_ERROR) continue;
    connection.gauges->update(stats);
    // The stream API shows them too; the session (on its shard) hands them to the stream.
    connection.shard->post([session = connection.session, values = srt_transport_stats(stats)]() mutable {
      session->on_transport_stats(std::move(values));
    });
  }
}

}  // namespace vela::ingest
