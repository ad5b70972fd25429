#include "rtc/rtc_port.hpp"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>

#include "base/time.hpp"
#include "protocol/dtls/packet_kind.hpp"
#include "protocol/stun/ice_lite.hpp"
#include "rtc/socket_address_conversion.hpp"

namespace vela::rtc {

namespace asio = boost::asio;
using protocol::dtls::PacketKind;

namespace {
// A path is a UDP address or TCP link; a peer checks a handful at most (IPv4/IPv6, UDP/TCP).
constexpr size_t kMaxPathsPerConnection = 8;
constexpr size_t kReceiveBufferBytes = 2048;  // WebRTC keeps datagrams under the path MTU
constexpr size_t kReceiveBatch = 32;          // datagrams per recvmmsg
constexpr size_t kReceiveCallsPerWake = 8;    // then other handlers get a turn
}  // namespace

RtcPort::RtcPort(runtime::Shard& shard, RtcPortOptions options, base::MetricsRegistry& metrics)
    : shard_(shard),
      options_(options),
      udp_(shard.io()),
      tcp_(shard.io()),
      ticker_(shard.io()),
      receive_buffers_(kReceiveBatch * kReceiveBufferBytes),
      udp_send_drops_(metrics.counter("vela_webrtc_udp_send_drops_total",
                                      "WebRTC datagrams dropped because the socket buffer was full")),
      unknown_packets_(metrics.counter("vela_webrtc_unknown_packets_total",
                                       "WebRTC datagrams from no known session (dropped)")),
      sessions_connecting_(metrics.gauge("vela_webrtc_sessions", "WebRTC sessions, by state (ICE and DTLS not done, or connected)",
                                         "shard=\"" + std::to_string(shard.index()) + "\",state=\"connecting\"")),
      sessions_connected_(metrics.gauge("vela_webrtc_sessions", "WebRTC sessions, by state (ICE and DTLS not done, or connected)",
                                        "shard=\"" + std::to_string(shard.index()) + "\",state=\"connected\"")) {}

RtcPort::~RtcPort() = default;

base::Status RtcPort::start() {
  boost::system::error_code ec;
  asio::ip::udp::endpoint udp_endpoint(options_.address, options_.port);
  udp_.open(udp_endpoint.protocol(), ec);
  if (!ec) udp_.bind(udp_endpoint, ec);
  if (ec) return base::make_error("webrtc UDP " + udp_endpoint.address().to_string() + ":" +
                                  std::to_string(options_.port) + ": " + ec.message());
  udp_.non_blocking(true, ec);
  // Room for bursts (a keyframe to many viewers) without drops.
  udp_.set_option(asio::socket_base::send_buffer_size(4 << 20), ec);
  udp_.set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
  ec.clear();
  send_batch_.emplace(udp_.native_handle(), udp_endpoint.protocol() == asio::ip::udp::v6());
  asio::ip::tcp::endpoint tcp_endpoint(options_.address, options_.port);
  tcp_.open(tcp_endpoint.protocol(), ec);
  if (!ec) tcp_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) tcp_.bind(tcp_endpoint, ec);
  if (!ec) tcp_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return base::make_error("webrtc ICE-TCP " + tcp_endpoint.address().to_string() + ":" +
                                  std::to_string(options_.port) + ": " + ec.message());
  receive_udp();
  accept_tcp();
  tick();
  return {};
}

void RtcPort::stop() {
  stopped_ = true;
  auto connections = by_id_;
  for (auto& [id, connection] : connections) connection->close("server shutting down");
  by_id_.clear();
  by_ufrag_.clear();
  by_path_.clear();
  auto links = tcp_links_;
  for (auto& [id, link] : links) link->close();
  tcp_links_.clear();
  sessions_connecting_.set(0);
  sessions_connected_.set(0);
  flush_udp();
  boost::system::error_code ignored;
  udp_.close(ignored);
  tcp_.close(ignored);
  ticker_.cancel();
}

base::Status RtcPort::add(std::shared_ptr<PeerConnection> connection) {
  if (stopped_) return base::make_error("server is shutting down");
  if (by_id_.size() >= options_.max_connections)
    return base::make_error("too many WebRTC sessions on this shard (" + std::to_string(options_.max_connections) + ")");
  if (by_ufrag_.contains(connection->local_ufrag())) return base::make_error("ICE ufrag collision");
  by_ufrag_[connection->local_ufrag()] = connection;
  by_id_[connection->id()] = std::move(connection);
  return {};
}

std::shared_ptr<PeerConnection> RtcPort::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

void RtcPort::receive_udp() {
  udp_.async_wait(asio::ip::udp::socket::wait_read, [this](const boost::system::error_code& ec) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (!ec) drain_udp();
    receive_udp();
  });
}

// Reads what the socket holds, kReceiveBatch datagrams per recvmmsg, a bounded number of
// calls per wake so one busy socket cannot hold the shard.
void RtcPort::drain_udp() {
  std::array<mmsghdr, kReceiveBatch> headers{};
  std::array<iovec, kReceiveBatch> vectors{};
  std::array<sockaddr_storage, kReceiveBatch> sources{};
  for (size_t call = 0; call < kReceiveCallsPerWake && !stopped_; ++call) {
    for (size_t i = 0; i < kReceiveBatch; ++i) {
      vectors[i] = {receive_buffers_.data() + i * kReceiveBufferBytes, kReceiveBufferBytes};
      headers[i] = {};
      headers[i].msg_hdr.msg_name = &sources[i];
      headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      headers[i].msg_hdr.msg_iov = &vectors[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    int n = ::recvmmsg(udp_.native_handle(), headers.data(), kReceiveBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n && !stopped_; ++i) {
      if (headers[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
      auto from = to_socket_address(sources[i]);
      if (!from) continue;
      std::span<uint8_t> datagram(receive_buffers_.data() + i * kReceiveBufferBytes, headers[i].msg_len);
      dispatch(datagram, RtcPath{*from, 0});
    }
    if (static_cast<size_t>(n) < kReceiveBatch) return;
  }
}

void RtcPort::accept_tcp() {
  tcp_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (!ec && tcp_links_.size() < options_.max_tcp_links) {
      boost::system::error_code remote_ec;
      auto remote = socket.remote_endpoint(remote_ec);
      if (!remote_ec) {
        socket.set_option(asio::ip::tcp::no_delay(true), remote_ec);
        uint64_t id = next_tcp_id_++;
        RtcPath path{to_socket_address(remote.address(), remote.port()), id};
        auto link = std::make_shared<IceTcpLink>(
            std::move(socket), path, [this](std::span<uint8_t> packet, const RtcPath& from) { dispatch(packet, from); },
            [this](uint64_t closed_id) {
              tcp_links_.erase(closed_id);
              std::erase_if(by_path_, [closed_id](const auto& entry) { return entry.first.tcp_connection == closed_id; });
            },
            options_.tcp_queue_bytes);
        tcp_links_[id] = link;
        link->start();
      }
    }
    accept_tcp();
  });
}

bool RtcPort::test_drop(std::span<const uint8_t> datagram) {
  if (options_.test_drop_percent <= 0) return false;
  auto kind = protocol::dtls::classify_packet(datagram);
  if (kind != PacketKind::rtp && kind != PacketKind::rtcp) return false;
  return std::uniform_real_distribution<double>(0, 100)(test_drop_random_) < options_.test_drop_percent;
}

void RtcPort::dispatch(std::span<uint8_t> datagram, const RtcPath& from) {
  if (test_drop(datagram)) return;
  int64_t now_us = base::monotonic_micros();
  if (protocol::dtls::classify_packet(datagram) == PacketKind::stun) {
    auto username = protocol::stun::ice_username(datagram);
    if (!username) {
      unknown_packets_.add();
      return;
    }
    auto it = by_ufrag_.find(std::string(username->local));
    if (it == by_ufrag_.end()) {
      unknown_packets_.add();
      return;
    }
    auto connection = it->second;
    if (connection->on_stun(datagram, from, now_us) && !by_path_.contains(from)) {
      size_t paths = std::count_if(by_path_.begin(), by_path_.end(),
                                   [&](const auto& entry) { return entry.second == connection; });
      if (paths < kMaxPathsPerConnection) by_path_[from] = connection;
    }
    return;
  }
  auto it = by_path_.find(from);
  if (it == by_path_.end()) {
    unknown_packets_.add();
    return;
  }
  it->second->on_packet(datagram, from, now_us);
}

void RtcPort::send_datagram(std::span<const uint8_t> datagram, const RtcPath& path) {
  if (stopped_ || test_drop(datagram)) return;
  if (path.is_tcp()) {
    auto it = tcp_links_.find(path.tcp_connection);
    if (it != tcp_links_.end()) it->second->send(datagram);
    return;
  }
  if (!send_batch_) return;  // not started
  if (send_batch_->full_for(datagram.size())) flush_udp();
  if (!send_batch_->push(datagram, path.remote)) {
    udp_send_drops_.add();  // larger than any WebRTC datagram
    return;
  }
  if (!flush_posted_) {
    flush_posted_ = true;
    asio::post(shard_.io(), [this] {
      flush_posted_ = false;
      if (!stopped_) flush_udp();
    });
  }
}

void RtcPort::flush_udp() {
  if (!send_batch_ || send_batch_->empty()) return;
  const bool had_gso = send_batch_->gso_enabled();
  auto result = send_batch_->flush();
  if (result.dropped > 0) udp_send_drops_.add(result.dropped);
  if (had_gso && !send_batch_->gso_enabled())
    spdlog::warn("webrtc port {}: the kernel refused UDP GSO; sending one datagram per message", options_.port);
}

void RtcPort::tick() {
  if (stopped_) return;
  int64_t now_us = base::monotonic_micros();
  std::vector<std::shared_ptr<PeerConnection>> closed;
  int64_t connected = 0;
  for (auto& [id, connection] : by_id_) {
    connection->on_tick(now_us);
    if (connection->closed()) {
      closed.push_back(connection);
    } else if (connection->connected()) {
      ++connected;
    }
  }
  for (auto& connection : closed) forget(connection);
  sessions_connected_.set(connected);
  sessions_connecting_.set(static_cast<int64_t>(by_id_.size()) - connected);
  ticker_.expires_after(options_.tick);
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

void RtcPort::forget(const std::shared_ptr<PeerConnection>& connection) {
  by_id_.erase(connection->id());
  by_ufrag_.erase(connection->local_ufrag());
  std::erase_if(by_path_, [&](const auto& entry) { return entry.second == connection; });
}

}  // namespace vela::rtc
