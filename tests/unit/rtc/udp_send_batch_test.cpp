#include "rtc/udp_send_batch.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "rtc/socket_address_conversion.hpp"

namespace vela::rtc {
namespace {

namespace asio = boost::asio;
using Bytes = std::vector<uint8_t>;
using protocol::stun::SocketAddress;

Bytes datagram(uint8_t tag, size_t size) {
  Bytes bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(tag + i);
  return bytes;
}

// A loopback receiver; reads whatever has arrived, one datagram per read.
struct Receiver {
  Receiver(asio::io_context& io, const char* address) : socket(io, asio::ip::udp::endpoint(asio::ip::make_address(address), 0)) {}
  SocketAddress address() const {
    auto local = socket.local_endpoint();
    return to_socket_address(local.address(), local.port());
  }
  std::vector<Bytes> drain() {
    std::vector<Bytes> out;
    boost::system::error_code ec;
    while (socket.available(ec) > 0 && !ec) {
      Bytes buffer(65536);
      buffer.resize(socket.receive(asio::buffer(buffer)));
      out.push_back(std::move(buffer));
    }
    return out;
  }
  asio::ip::udp::socket socket;
};

class UdpSendBatchTest : public ::testing::Test {
 protected:
  asio::io_context io;
  asio::ip::udp::socket sender{io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  Receiver a{io, "127.0.0.1"};
  Receiver b{io, "127.0.0.1"};

  // Pushes a frame-like mix: to A four equal datagrams and a shorter one (one GSO run), to
  // B two, then to A again with sizes that break runs. Returns what each should receive.
  std::pair<std::vector<Bytes>, std::vector<Bytes>> push_mix(UdpSendBatch& batch) {
    std::vector<Bytes> to_a, to_b;
    auto push = [&](std::vector<Bytes>& expected, const SocketAddress& to, Bytes bytes) {
      EXPECT_TRUE(batch.push(bytes, to));
      expected.push_back(std::move(bytes));
    };
    for (uint8_t i = 0; i < 4; ++i) push(to_a, a.address(), datagram(i, 1200));
    push(to_a, a.address(), datagram(9, 700));
    push(to_b, b.address(), datagram(20, 1100));
    push(to_b, b.address(), datagram(21, 1100));
    push(to_a, a.address(), datagram(30, 40));
    push(to_a, a.address(), datagram(31, 900));  // larger than the one before: a new run
    push(to_a, a.address(), datagram(32, 900));
    return {to_a, to_b};
  }
};

TEST_F(UdpSendBatchTest, RunsToOneAddressArriveAsSeparateDatagramsInOrder) {
  UdpSendBatch batch(sender.native_handle(), false);
  auto [to_a, to_b] = push_mix(batch);
  auto result = batch.flush();
  EXPECT_EQ(result.sent, to_a.size() + to_b.size());
  EXPECT_EQ(result.dropped, 0u);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(a.drain(), to_a);
  EXPECT_EQ(b.drain(), to_b);
  EXPECT_TRUE(batch.gso_enabled());  // loopback takes UDP GSO
}

TEST_F(UdpSendBatchTest, WithoutGsoTheSameDatagramsArrive) {
  UdpSendBatch batch(sender.native_handle(), false);
  batch.disable_gso();
  auto [to_a, to_b] = push_mix(batch);
  EXPECT_EQ(batch.flush().sent, to_a.size() + to_b.size());
  EXPECT_EQ(a.drain(), to_a);
  EXPECT_EQ(b.drain(), to_b);
}

TEST_F(UdpSendBatchTest, ARefusedDestinationIsDroppedAndTheRestStillGoes) {
  UdpSendBatch batch(sender.native_handle(), false);
  auto v6 = SocketAddress::ipv6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 9);  // not on an IPv4 socket
  ASSERT_TRUE(batch.push(datagram(1, 100), a.address()));
  ASSERT_TRUE(batch.push(datagram(2, 100), v6));
  ASSERT_TRUE(batch.push(datagram(3, 100), v6));
  ASSERT_TRUE(batch.push(datagram(4, 100), b.address()));
  auto result = batch.flush();
  EXPECT_EQ(result.sent, 2u);
  EXPECT_EQ(result.dropped, 2u);
  EXPECT_EQ(a.drain(), std::vector<Bytes>{datagram(1, 100)});
  EXPECT_EQ(b.drain(), std::vector<Bytes>{datagram(4, 100)});
}

TEST_F(UdpSendBatchTest, LimitsAreKept) {
  UdpSendBatchLimits limits;
  limits.max_datagrams = 3;
  limits.arena_bytes = 4000;
  limits.max_datagram_bytes = 1500;
  limits.max_segments = 2;
  UdpSendBatch batch(sender.native_handle(), false, limits);
  EXPECT_FALSE(batch.push(datagram(0, 1501), a.address()));  // too big for WebRTC
  EXPECT_FALSE(batch.push({}, a.address()));
  ASSERT_TRUE(batch.push(datagram(1, 1500), a.address()));
  ASSERT_TRUE(batch.push(datagram(2, 1500), a.address()));
  EXPECT_TRUE(batch.full_for(1500));  // arena
  EXPECT_FALSE(batch.push(datagram(3, 1500), a.address()));
  ASSERT_TRUE(batch.push(datagram(4, 900), a.address()));
  EXPECT_TRUE(batch.full_for(1));  // count
  EXPECT_EQ(batch.flush().sent, 3u);
  EXPECT_EQ(a.drain(), (std::vector<Bytes>{datagram(1, 1500), datagram(2, 1500), datagram(4, 900)}));
  EXPECT_FALSE(batch.full_for(1500));
}

TEST(UdpSendBatchDualStack, AnIpv4DestinationGoesOutOfAnIpv6Socket) {
  asio::io_context io;
  asio::ip::udp::socket sender(io, asio::ip::udp::v6());
  boost::system::error_code ec;
  sender.set_option(asio::ip::v6_only(false), ec);
  sender.bind(asio::ip::udp::endpoint(asio::ip::address_v6::any(), 0), ec);
  if (ec) GTEST_SKIP() << "no IPv6 here: " << ec.message();
  Receiver receiver(io, "127.0.0.1");
  UdpSendBatch batch(sender.native_handle(), true);
  ASSERT_TRUE(batch.push(datagram(5, 300), receiver.address()));
  ASSERT_TRUE(batch.push(datagram(6, 300), receiver.address()));
  EXPECT_EQ(batch.flush().sent, 2u);
  EXPECT_EQ(receiver.drain(), (std::vector<Bytes>{datagram(5, 300), datagram(6, 300)}));
}

TEST(SocketAddressConversion, ReadsRecvmmsgSourcesOfBothFamilies) {
  sockaddr_storage storage{};
  auto& v4 = reinterpret_cast<sockaddr_in&>(storage);
  v4.sin_family = AF_INET;
  v4.sin_port = htons(5004);
  v4.sin_addr.s_addr = htonl(0xc0000201);  // 192.0.2.1
  EXPECT_EQ(to_socket_address(storage), SocketAddress::ipv4({192, 0, 2, 1}, 5004));

  storage = {};
  auto& v6 = reinterpret_cast<sockaddr_in6&>(storage);
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(443);
  v6.sin6_addr.s6_addr[10] = 0xff;
  v6.sin6_addr.s6_addr[11] = 0xff;
  v6.sin6_addr.s6_addr[12] = 10;
  v6.sin6_addr.s6_addr[15] = 7;
  EXPECT_EQ(to_socket_address(storage), SocketAddress::ipv4({10, 0, 0, 7}, 443));  // IPv4-mapped
  v6.sin6_addr.s6_addr[10] = 0;
  v6.sin6_addr.s6_addr[11] = 0;
  v6.sin6_addr.s6_addr[0] = 0xfd;
  EXPECT_EQ(to_socket_address(storage)->family, SocketAddress::Family::ipv6);

  storage = {};
  storage.ss_family = AF_UNIX;
  EXPECT_FALSE(to_socket_address(storage).has_value());
}

}  // namespace
}  // namespace vela::rtc
