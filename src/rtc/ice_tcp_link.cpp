#include "rtc/ice_tcp_link.hpp"

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace vela::rtc {

IceTcpLink::IceTcpLink(boost::asio::ip::tcp::socket socket, RtcPath path, OnPacket on_packet, OnClosed on_closed,
                       size_t max_queued_bytes)
    : socket_(std::move(socket)),
      path_(path),
      on_packet_(std::move(on_packet)),
      on_closed_(std::move(on_closed)),
      max_queued_bytes_(max_queued_bytes),
      read_buffer_(8192) {}

void IceTcpLink::start() { read_more(); }

void IceTcpLink::read_more() {
  socket_.async_read_some(boost::asio::buffer(read_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
                            if (self->closed_) return;
                            if (ec) {
                              self->close();
                              return;
                            }
                            if (!self->deframer_.feed(std::span(self->read_buffer_).first(n))) {
                              self->close();
                              return;
                            }
                            for (;;) {
                              auto packet = self->deframer_.next();
                              if (!packet) {
                                spdlog::info("ice-tcp {} closed: {}", self->path_.remote.to_string(),
                                             packet.error().message);
                                self->close();
                                return;
                              }
                              if (!*packet) break;
                              auto bytes = **packet;
                              // The deframer's view is const; sessions decrypt in place.
                              std::span<uint8_t> mutable_bytes(const_cast<uint8_t*>(bytes.data()), bytes.size());
                              self->on_packet_(mutable_bytes, self->path_);
                              if (self->closed_) return;
                            }
                            self->read_more();
                          });
}

void IceTcpLink::send(std::span<const uint8_t> packet) {
  if (closed_ || queued_bytes_ + packet.size() + 2 > max_queued_bytes_) return;
  std::vector<uint8_t> framed;
  framed.reserve(packet.size() + 2);
  if (!protocol::stun::append_framed(packet, framed)) return;
  queued_bytes_ += framed.size();
  queue_.push_back(std::move(framed));
  if (!writing_) write_more();
}

void IceTcpLink::write_more() {
  if (queue_.empty() || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  boost::asio::async_write(socket_, boost::asio::buffer(queue_.front()),
                           [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                             if (self->closed_) return;
                             if (ec) {
                               self->close();
                               return;
                             }
                             self->queued_bytes_ -= self->queue_.front().size();
                             self->queue_.pop_front();
                             self->write_more();
                           });
}

void IceTcpLink::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  queue_.clear();
  if (on_closed_) on_closed_(path_.tcp_connection);
}

}  // namespace vela::rtc
