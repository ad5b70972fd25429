#include "rtc/udp_send_batch.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>

#include <cerrno>
#include <cstring>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h; older libc headers lack it
#endif

namespace vela::rtc {

using protocol::stun::SocketAddress;

namespace {

socklen_t write_address(const SocketAddress& to, bool ipv6_socket, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof(out));
  if (to.family == SocketAddress::Family::ipv4 && !ipv6_socket) {
    auto& v4 = reinterpret_cast<sockaddr_in&>(out);
    v4.sin_family = AF_INET;
    v4.sin_port = htons(to.port);
    std::memcpy(&v4.sin_addr, to.ip.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto& v6 = reinterpret_cast<sockaddr_in6&>(out);
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(to.port);
  if (to.family == SocketAddress::Family::ipv4) {  // ::ffff:a.b.c.d on a dual-stack socket
    v6.sin6_addr.s6_addr[10] = 0xff;
    v6.sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&v6.sin6_addr.s6_addr[12], to.ip.data(), 4);
  } else {
    std::memcpy(&v6.sin6_addr, to.ip.data(), 16);
  }
  return sizeof(sockaddr_in6);
}

bool is_buffer_full(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS; }

}  // namespace

UdpSendBatch::UdpSendBatch(int fd, bool ipv6_socket, UdpSendBatchLimits limits)
    : fd_(fd), ipv6_socket_(ipv6_socket), limits_(limits), arena_(limits.arena_bytes) {
  entries_.reserve(limits_.max_datagrams);
  messages_.reserve(limits_.max_datagrams);
}

bool UdpSendBatch::full_for(size_t datagram_bytes) const {
  return entries_.size() >= limits_.max_datagrams || arena_used_ + datagram_bytes > arena_.size();
}

bool UdpSendBatch::push(std::span<const uint8_t> datagram, const SocketAddress& to) {
  if (datagram.empty() || datagram.size() > limits_.max_datagram_bytes || full_for(datagram.size())) return false;
  Entry entry{arena_used_, static_cast<uint16_t>(datagram.size()), {}, 0};
  entry.address_size = write_address(to, ipv6_socket_, entry.address);
  std::memcpy(arena_.data() + arena_used_, datagram.data(), datagram.size());
  arena_used_ += datagram.size();
  entries_.push_back(entry);
  return true;
}

bool UdpSendBatch::same_destination(const Entry& a, const Entry& b) const {
  return a.address_size == b.address_size && std::memcmp(&a.address, &b.address, a.address_size) == 0;
}

// Groups entries into messages. A GSO run continues while the destination is the same, the
// run so far has equal sizes, the next datagram is no larger than the first (a shorter one
// ends the run), and the run stays within the segment and byte limits.
void UdpSendBatch::plan_messages() {
  messages_.clear();
  size_t i = 0;
  while (i < entries_.size()) {
    size_t count = 1;
    if (gso_enabled_) {
      const Entry& first = entries_[i];
      size_t bytes = first.size;
      while (i + count < entries_.size() && count < limits_.max_segments) {
        const Entry& next = entries_[i + count];
        if (!same_destination(first, next) || next.size > first.size || bytes + next.size > limits_.max_gso_bytes)
          break;
        bytes += next.size;
        ++count;
        if (next.size < first.size) break;  // only the last segment may be shorter
      }
    }
    messages_.push_back({i, count});
    i += count;
  }
}

int UdpSendBatch::send_messages(size_t from) {
  constexpr size_t kControlBytes = CMSG_SPACE(sizeof(uint16_t));
  const size_t n = messages_.size() - from;
  headers_.assign(n, mmsghdr{});
  vectors_.resize(n);
  control_.assign(n * kControlBytes, 0);
  for (size_t k = 0; k < n; ++k) {
    const Message& message = messages_[from + k];
    Entry& first = entries_[message.first];
    const Entry& last = entries_[message.first + message.count - 1];
    vectors_[k] = {arena_.data() + first.offset, last.offset + last.size - first.offset};
    msghdr& header = headers_[k].msg_hdr;
    header.msg_name = &first.address;
    header.msg_namelen = first.address_size;
    header.msg_iov = &vectors_[k];
    header.msg_iovlen = 1;
    if (message.count > 1) {
      header.msg_control = control_.data() + k * kControlBytes;
      header.msg_controllen = kControlBytes;
      cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
      cmsg->cmsg_level = SOL_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t segment = first.size;
      std::memcpy(CMSG_DATA(cmsg), &segment, sizeof(segment));
    }
  }
  int sent = ::sendmmsg(fd_, headers_.data(), static_cast<unsigned>(n), MSG_DONTWAIT);
  return sent >= 0 ? sent : -errno;
}

UdpSendResult UdpSendBatch::flush() {
  UdpSendResult result;
  plan_messages();
  size_t next = 0;  // first message not yet sent or dropped
  while (next < messages_.size()) {
    int outcome = send_messages(next);
    if (outcome > 0) {
      for (int k = 0; k < outcome; ++k) result.sent += messages_[next + k].count;
      next += static_cast<size_t>(outcome);
      continue;
    }
    const int error = -outcome;
    if (is_buffer_full(error)) break;
    if ((error == EIO || error == EINVAL) && gso_enabled_ && messages_[next].count > 1) {
      // This kernel or route refuses UDP GSO: send the rest one datagram at a time.
      gso_enabled_ = false;
      std::vector<Message> rest(messages_.begin() + static_cast<std::ptrdiff_t>(next), messages_.end());
      messages_.resize(next);
      for (const Message& message : rest)
        for (size_t e = 0; e < message.count; ++e) messages_.push_back({message.first + e, 1});
      continue;
    }
    result.dropped += messages_[next].count;  // an unreachable or refused destination
    ++next;
  }
  for (size_t k = next; k < messages_.size(); ++k) result.dropped += messages_[k].count;
  entries_.clear();
  messages_.clear();
  arena_used_ = 0;
  return result;
}

}  // namespace vela::rtc
