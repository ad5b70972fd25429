#pragma once
// Outgoing UDP datagrams of one shard's WebRTC socket, gathered while a handler runs and
// written with as few system calls as the kernel allows: one sendmmsg for the whole batch,
// and inside it, runs of datagrams to the same address whose sizes fit UDP GSO (all equal
// but the last, which may be shorter) go as one message with UDP_SEGMENT, so the kernel
// routes and builds them once. A viewer's share of a video frame (FU-A packets of equal
// size) is such a run. Receivers see ordinary datagrams, in order.
//
// Datagrams are copied into one contiguous arena, so a run is one iovec. When the socket
// cannot take more (EAGAIN) the rest of the batch is dropped and counted, as a single
// send would have been; a kernel that refuses GSO turns it off for this batch's socket.
//
// Threading: single-owner (the shard of the port that owns the socket).
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/stun/socket_address.hpp"

namespace vela::rtc {

struct UdpSendBatchLimits {
  size_t max_datagrams = 512;
  size_t arena_bytes = 512 * 1024;
  size_t max_datagram_bytes = 2048;  // larger ones are dropped (WebRTC stays under the MTU)
  size_t max_segments = 64;          // per GSO message (the kernel allows 64 or more)
  size_t max_gso_bytes = 60000;      // payload of one GSO message, under the IP limit
};

struct UdpSendResult {
  size_t sent = 0;     // datagrams the kernel took
  size_t dropped = 0;  // datagrams lost to a full buffer or a send error
};

class UdpSendBatch {
 public:
  // fd: a non-blocking UDP socket, bound; ipv6_socket says whether IPv4 destinations must
  // be written as IPv4-mapped IPv6 addresses.
  UdpSendBatch(int fd, bool ipv6_socket, UdpSendBatchLimits limits = {});

  // Copies the datagram in. False when it cannot be queued (too big; or the batch is full:
  // flush first, then push again).
  bool push(std::span<const uint8_t> datagram, const protocol::stun::SocketAddress& to);
  bool empty() const { return entries_.empty(); }
  bool full_for(size_t datagram_bytes) const;

  UdpSendResult flush();
  bool gso_enabled() const { return gso_enabled_; }
  void disable_gso() { gso_enabled_ = false; }

 private:
  struct Entry {
    size_t offset;
    uint16_t size;
    sockaddr_storage address;
    socklen_t address_size;
  };
  // One sendmmsg message: entries [first, first + count) sent as one GSO run (count > 1) or
  // a plain datagram (count == 1).
  struct Message {
    size_t first;
    size_t count;
  };

  void plan_messages();
  bool same_destination(const Entry& a, const Entry& b) const;
  // Sends messages_[from..) once; returns how many messages the kernel took, or -errno.
  int send_messages(size_t from);

  int fd_;
  bool ipv6_socket_;
  UdpSendBatchLimits limits_;
  bool gso_enabled_ = true;
  std::vector<uint8_t> arena_;
  size_t arena_used_ = 0;
  std::vector<Entry> entries_;
  std::vector<Message> messages_;
  // sendmmsg's arguments, kept between flushes so a flush does not allocate.
  std::vector<mmsghdr> headers_;
  std::vector<iovec> vectors_;
  std::vector<uint8_t> control_;
};

}  // namespace vela::rtc
