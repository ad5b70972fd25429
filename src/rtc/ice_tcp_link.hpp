#pragma once
// One accepted ICE-TCP connection (RFC 6544 passive candidate): length-framed packets in
// both directions. Packets go to the port's dispatcher with this link's path; sends are
// queued (bounded) and written in order. Shard-local.
#include <boost/asio/ip/tcp.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "protocol/stun/ice_tcp_framing.hpp"
#include "rtc/rtc_path.hpp"

namespace vela::rtc {

class IceTcpLink : public std::enable_shared_from_this<IceTcpLink> {
 public:
  using OnPacket = std::function<void(std::span<uint8_t> packet, const RtcPath& from)>;
  using OnClosed = std::function<void(uint64_t id)>;

  IceTcpLink(boost::asio::ip::tcp::socket socket, RtcPath path, OnPacket on_packet, OnClosed on_closed,
             size_t max_queued_bytes);
  void start();
  // Frames and queues one packet; drops it when the queue is over its bound (a slow viewer).
  void send(std::span<const uint8_t> packet);
  void close();
  const RtcPath& path() const { return path_; }

 private:
  void read_more();
  void write_more();

  boost::asio::ip::tcp::socket socket_;
  RtcPath path_;
  OnPacket on_packet_;
  OnClosed on_closed_;
  size_t max_queued_bytes_;
  protocol::stun::IceTcpDeframer deframer_;
  std::vector<uint8_t> read_buffer_;
  std::deque<std::vector<uint8_t>> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace vela::rtc
