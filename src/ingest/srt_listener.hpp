#pragma once
// The SRT port: publishers (ingest) and viewers (m=request). libsrt runs its own threads
// and its sockets are not Asio objects, so this departs from "a connection lives on one
// shard": one I/O thread, owned by the listener, waits (srt_epoll_uwait) on the listening
// socket and every accepted socket, reads what arrives and posts it as Buffer chunks to the
// connection's home shard, where an SrtSession assembles MPEG-TS and publishes into the
// router. Callers are screened in libsrt's listen callback (stream id, authorization, name
// already live or not live, connection limit) and the passphrase is set per connection
// there.
//
// Sockets and threads: only the I/O thread accepts, reads and closes SRT sockets, and
// notices a peer leaving. A viewer's socket is handed to a player made by the server's
// SrtPlayerFactory (egress: ingest does not depend on it); the player lives on a shard and
// sends on the socket itself (srt_sendmsg is thread-safe), but never closes it. Sessions and
// players ask for their socket to be closed through a queue the thread drains; the thread
// then posts the end to their shard.
#include <srt/srt.h>

#include <atomic>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "ingest/publish_context.hpp"
#include "ingest/srt_admission.hpp"
#include "ingest/srt_session.hpp"
#include "ingest/srt_stats.hpp"
#include "runtime/shard.hpp"

namespace vela::ingest {

// A viewer as the listener sees it. Both hooks run on the player's shard; `closed` is the
// last call (the socket is closed: the peer left, the player asked, or the server stops).
struct SrtPlayerHooks {
  std::function<void()> start;
  std::function<void(std::string reason)> closed;
};

// An accepted m=request caller, for the factory (which runs on the I/O thread).
struct SrtPlayerRequest {
  runtime::Shard& shard;  // where the player lives
  SRTSOCKET socket;       // connected, non-blocking sends; closed by the listener only
  uint64_t id;
  std::shared_ptr<router::Stream> stream;
  std::function<void(std::string reason)> close_socket;  // any thread
};

using SrtPlayerFactory = std::function<SrtPlayerHooks(SrtPlayerRequest request)>;

struct SrtListenerOptions {
  boost::asio::ip::udp::endpoint endpoint;
  std::string passphrase;  // empty: unencrypted; else 10-79 characters, required of callers
  // Stream name -> the passphrase its publishers must use instead of `passphrase`.
  std::map<std::string, std::string> stream_passphrases;
  int pbkeylen = 16;       // AES key length in bytes: 16, 24 or 32
  int latency_ms = 120;    // receiver latency (TSBPD), absorbs retransmissions
  uint32_t max_connections = 100;
  std::chrono::milliseconds stats_interval{2000};
};

class SrtListener {
 public:
  SrtListener(runtime::ShardSet& shards, SrtListenerOptions options, PublishContext context);
  SrtListener(const SrtListener&) = delete;
  SrtListener& operator=(const SrtListener&) = delete;
  ~SrtListener();

  // Serves m=request callers with players from `factory`; without one they are refused.
  // Before start().
  void set_player_factory(SrtPlayerFactory factory) { player_factory_ = std::move(factory); }

  // Binds the UDP port and starts the I/O thread. Call once, from the thread that owns the
  // listener; an error says why binding failed.
  base::Status start();
  // Stops accepting, closes every connection (each session's end is posted to its shard,
  // which must still be running for its stream to end cleanly) and joins the I/O thread.
  // Same thread as start(); idempotent.
  void stop();

  // Any thread.
  uint32_t open_connections() const { return open_.load(std::memory_order_relaxed); }

 private:
  struct Connection {
    runtime::Shard* shard;
    std::shared_ptr<SrtSession> session;       // a publisher, or
    std::unique_ptr<SrtSessionGauges> gauges;  // (publishers only)
    SrtPlayerHooks player;                     // a viewer
  };

  // libsrt's listen callback (runs on a libsrt thread, before the caller is accepted).
  static int on_listen(void* self, SRTSOCKET socket, int hs_version, const sockaddr* peer,
                       const char* stream_id);
  int screen(SRTSOCKET socket, const sockaddr* peer, const char* stream_id);
  // libsrt's log handler (any libsrt thread): forwards to debug, and turns the rejection of
  // an admitted caller (the passphrase is checked after the listen callback) into a refusal.
  static void on_libsrt_log(void* self, int level, const char* file, int line, const char* area,
                            const char* message);
  void note_handshake_rejection(std::string_view message);
  // The stream's own passphrase when it has one (publishers), else the listener's.
  const std::string& passphrase_for(const SrtAdmission& admission) const;

  // I/O thread.
  void run();
  void accept_ready();
  void accept_player(SRTSOCKET socket, const std::string& who, const std::string& stream_id,
                     const std::string& name);
  void read_ready(SRTSOCKET socket);
  void close_connection(SRTSOCKET socket, const std::string& reason, const char* kind);
  void drain_close_requests();
  void refresh_stats();
  void request_close(SRTSOCKET socket, std::string reason);  // any thread

  runtime::ShardSet& shards_;
  SrtListenerOptions options_;
  PublishContext context_;
  SrtPlayerFactory player_factory_;
  SRTSOCKET listen_socket_ = SRT_INVALID_SOCK;
  int epoll_ = -1;
  bool started_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<uint32_t> open_{0};
  std::thread thread_;
  uint64_t next_session_ = 1;
  std::unordered_map<SRTSOCKET, Connection> connections_;  // I/O thread only

  // Callers the listen callback admitted and srt_accept has not returned yet, by the id
  // libsrt gave their socket: whom to name if libsrt rejects the handshake afterwards.
  struct AdmittedCaller {
    std::string who;
    std::string stream;  // the name, never the stream id (in keys mode it carries the key)
  };
  std::mutex admitted_mutex_;
  std::map<SRTSOCKET, AdmittedCaller> admitted_;  // guarded by admitted_mutex_, bounded

  std::mutex close_mutex_;
  std::vector<std::pair<SRTSOCKET, std::string>> close_requests_;  // guarded by close_mutex_

  base::Gauge& connections_gauge_;
  base::Counter& bytes_in_;
};

}  // namespace vela::ingest
