#include "rtc/rtc_port.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "base/time.hpp"
#include "protocol/stun/ice_tcp_framing.hpp"
#include "protocol/stun/stun_builder.hpp"
#include "protocol/stun/stun_message.hpp"

namespace vela::rtc {
namespace {

namespace asio = boost::asio;
namespace stun = protocol::stun;
using Bytes = std::vector<uint8_t>;

Bytes binding_request(const std::string& username, const std::string& password) {
  stun::TransactionId id{};
  id.fill(3);
  stun::MessageBuilder b(stun::kMethodBinding, stun::MessageClass::request, id);
  b.add_username(username);
  b.add_priority(0x6e0001ff);
  b.add_ice_controlling(7);
  b.add_use_candidate();
  EXPECT_TRUE(b.add_message_integrity(password).ok());
  b.add_fingerprint();
  return std::move(b).finish();
}

// A port number free for UDP right now (the port binds UDP and TCP to the same number).
uint16_t free_port(asio::io_context& io) {
  asio::ip::udp::socket probe(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return probe.local_endpoint().port();
}

// The shard's loop is driven from the test thread, so nothing runs concurrently.
class RtcPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RtcPortOptions options;
    options.address = asio::ip::make_address("127.0.0.1");
    options.port = free_port(shard.io());
    port = std::make_unique<RtcPort>(shard, options, metrics);
    ASSERT_TRUE(port->start().ok());
    auto certificate = protocol::dtls::DtlsCertificate::generate();
    ASSERT_TRUE(certificate.ok());
    PeerConnectionParams params;
    params.id = "0-port";
    params.local_ice = {"srvU", "server-password-0123456"};
    params.remote_ice = {"brwU", "browser-password-6543210"};
    params.certificate = *certificate;
    params.remote_fingerprint = (*certificate)->fingerprint_sha256();
    connection = std::make_shared<PeerConnection>(params, *port, base::monotonic_micros());
    ASSERT_TRUE(port->add(connection).ok());
  }
  void TearDown() override {
    if (port) port->stop();
    shard.io().run_for(std::chrono::milliseconds(20));
  }
  void run(int ms = 100) { shard.io().run_for(std::chrono::milliseconds(ms)); }
  asio::ip::udp::endpoint udp_endpoint() const { return {asio::ip::make_address("127.0.0.1"), port->port()}; }

  runtime::Shard shard{0};
  base::MetricsRegistry metrics;
  std::unique_ptr<RtcPort> port;
  std::shared_ptr<PeerConnection> connection;
};

TEST_F(RtcPortTest, AnswersAChecksUdpSourceAndLearnsThePath) {
  asio::io_context client_io;
  asio::ip::udp::socket client(client_io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  client.send_to(asio::buffer(binding_request("srvU:brwU", "server-password-0123456")), udp_endpoint());
  run();
  ASSERT_GT(client.available(), 0u);
  Bytes response(2048);
  asio::ip::udp::endpoint from;
  response.resize(client.receive_from(asio::buffer(response), from));
  auto message = stun::parse_message(response);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->message_class, stun::MessageClass::success);
  ASSERT_TRUE(connection->selected_path().has_value());
  EXPECT_EQ(connection->selected_path()->remote.port, client.local_endpoint().port());
  EXPECT_FALSE(connection->selected_path()->is_tcp());
}

TEST_F(RtcPortTest, UnknownUfragAndUnknownPathsAreDropped) {
  asio::io_context client_io;
  asio::ip::udp::socket client(client_io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  client.send_to(asio::buffer(binding_request("nobody:brwU", "server-password-0123456")), udp_endpoint());
  Bytes rtp{0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3, 4};
  client.send_to(asio::buffer(rtp), udp_endpoint());
  run();
  EXPECT_EQ(client.available(), 0u);
  EXPECT_FALSE(connection->selected_path().has_value());
}

TEST_F(RtcPortTest, IceTcpChecksAreFramedBothWays) {
  asio::io_context client_io;
  asio::ip::tcp::socket client(client_io);
  client.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port->port()));
  run(50);  // accept
  Bytes framed;
  ASSERT_TRUE(stun::append_framed(binding_request("srvU:brwU", "server-password-0123456"), framed).ok());
  // Split the frame across two writes: the deframer must put it back together.
  asio::write(client, asio::buffer(framed.data(), 7));
  run(50);
  asio::write(client, asio::buffer(framed.data() + 7, framed.size() - 7));
  run();
  ASSERT_GT(client.available(), 2u);
  uint8_t length_bytes[2];
  asio::read(client, asio::buffer(length_bytes));
  Bytes response((length_bytes[0] << 8) | length_bytes[1]);
  asio::read(client, asio::buffer(response));
  auto message = stun::parse_message(response);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->message_class, stun::MessageClass::success);
  ASSERT_TRUE(connection->selected_path().has_value());
  EXPECT_TRUE(connection->selected_path()->is_tcp());
}

TEST_F(RtcPortTest, AGarbageTcpStreamIsClosed) {
  asio::io_context client_io;
  asio::ip::tcp::socket client(client_io);
  client.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port->port()));
  run(50);
  Bytes zero_length_frame{0, 0, 1, 2};
  asio::write(client, asio::buffer(zero_length_frame));
  run();
  uint8_t byte;
  boost::system::error_code ec;
  client.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

}  // namespace
}  // namespace vela::rtc
