#pragma once
// One shard's WebRTC port: a UDP socket and an ICE-TCP listener on the same port number,
// and the peer connections that live on this shard. Every datagram is demultiplexed here
// (RFC 7983): STUN by the ICE username's local ufrag (the only thing known before a path
// is authenticated), everything else by the path a successful check came from. Packets
// from unknown paths are dropped. The shard that holds a session owns its port, so the
// SDP answer names this port and no packet crosses threads.
//
// System calls are batched both ways: a readable socket is drained with recvmmsg, and UDP
// datagrams sent while a handler runs (a frame to every viewer) are gathered and written
// with sendmmsg and UDP GSO when the handler is done (UdpSendBatch).
//
// Threading: construct and start() before the shard runs (or on it); everything else on
// the shard's thread.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/metrics.hpp"
#include "base/result.hpp"
#include "rtc/ice_tcp_link.hpp"
#include "rtc/peer_connection.hpp"
#include "rtc/rtc_path.hpp"
#include "rtc/udp_send_batch.hpp"
#include "runtime/shard.hpp"

namespace vela::rtc {

struct RtcPortOptions {
  boost::asio::ip::address address;
  uint16_t port = 0;
  size_t max_connections = 1000;  // peer connections on this shard
  size_t max_tcp_links = 256;     // ICE-TCP connections on this shard
  size_t tcp_queue_bytes = 1 << 20;
  std::chrono::milliseconds tick{20};
  // Test only (webrtc.test_drop_percent): share of SRTP/SRTCP datagrams dropped each way.
  double test_drop_percent = 0;
};

class RtcPort : public DatagramSender {
 public:
  RtcPort(runtime::Shard& shard, RtcPortOptions options, base::MetricsRegistry& metrics);
  ~RtcPort() override;

  base::Status start();  // binds UDP and TCP on options.port
  void stop();           // shard thread: closes every connection and the sockets
  uint16_t port() const { return options_.port; }

  // Shard thread.
  base::Status add(std::shared_ptr<PeerConnection> connection);
  std::shared_ptr<PeerConnection> find(const std::string& id) const;
  size_t size() const { return by_id_.size(); }

  void send_datagram(std::span<const uint8_t> datagram, const RtcPath& path) override;

 private:
  void receive_udp();
  void drain_udp();
  void flush_udp();
  void accept_tcp();
  void dispatch(std::span<uint8_t> datagram, const RtcPath& from);
  void tick();
  void forget(const std::shared_ptr<PeerConnection>& connection);
  bool test_drop(std::span<const uint8_t> datagram);

  runtime::Shard& shard_;
  RtcPortOptions options_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor tcp_;
  boost::asio::steady_timer ticker_;
  std::vector<uint8_t> receive_buffers_;  // kReceiveBatch slots for recvmmsg
  std::optional<UdpSendBatch> send_batch_;
  bool flush_posted_ = false;
  std::unordered_map<std::string, std::shared_ptr<PeerConnection>> by_id_;
  std::unordered_map<std::string, std::shared_ptr<PeerConnection>> by_ufrag_;
  std::unordered_map<RtcPath, std::shared_ptr<PeerConnection>, RtcPathHash> by_path_;
  std::unordered_map<uint64_t, std::shared_ptr<IceTcpLink>> tcp_links_;
  uint64_t next_tcp_id_ = 1;
  std::minstd_rand test_drop_random_{20261124};
  bool stopped_ = false;
  base::Counter& udp_send_drops_;
  base::Counter& unknown_packets_;
  base::Gauge& sessions_connecting_;  // refreshed every tick
  base::Gauge& sessions_connected_;
};

}  // namespace vela::rtc
