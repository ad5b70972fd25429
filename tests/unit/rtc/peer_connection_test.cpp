#include "rtc/peer_connection.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "protocol/stun/stun_builder.hpp"
#include "protocol/stun/stun_message.hpp"

namespace vela::rtc {
namespace {

namespace dtls = protocol::dtls;
namespace stun = protocol::stun;
using Bytes = std::vector<uint8_t>;

const RtcPath kBrowserPath{stun::SocketAddress::ipv4({127, 0, 0, 1}, 50000), 0};

struct CapturingSender : DatagramSender {
  std::deque<std::pair<Bytes, RtcPath>> sent;
  void send_datagram(std::span<const uint8_t> datagram, const RtcPath& path) override {
    sent.emplace_back(Bytes(datagram.begin(), datagram.end()), path);
  }
};

struct RecordingObserver : PeerConnectionObserver {
  bool connected = false;
  std::vector<Bytes> rtp, rtcp;
  int ticks = 0;
  std::string closed;
  void on_connected(int64_t) override { connected = true; }
  void on_rtp(std::span<uint8_t> packet, int64_t) override { rtp.emplace_back(packet.begin(), packet.end()); }
  void on_rtcp(std::span<uint8_t> packet, int64_t) override { rtcp.emplace_back(packet.begin(), packet.end()); }
  void on_tick(int64_t) override { ++ticks; }
  void on_closed(const std::string& reason) override { closed = reason; }
};

Bytes binding_request(const std::string& username, const std::string& password, bool use_candidate) {
  stun::TransactionId id{};
  id.fill(7);
  stun::MessageBuilder b(stun::kMethodBinding, stun::MessageClass::request, id);
  b.add_username(username);
  b.add_priority(0x6e0001ff);
  b.add_ice_controlling(42);
  if (use_candidate) b.add_use_candidate();
  EXPECT_TRUE(b.add_message_integrity(password).ok());
  b.add_fingerprint();
  return std::move(b).finish();
}

Bytes rtp_packet(uint16_t sequence) {
  Bytes p{0x80, 96, static_cast<uint8_t>(sequence >> 8), static_cast<uint8_t>(sequence), 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44};
  for (int i = 0; i < 20; ++i) p.push_back(static_cast<uint8_t>(i));
  return p;
}

// A browser in miniature: DTLS client with its own certificate, SRTP once keyed.
class PeerConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server_certificate = dtls::DtlsCertificate::generate();
    auto browser_certificate = dtls::DtlsCertificate::generate();
    ASSERT_TRUE(server_certificate && browser_certificate);
    PeerConnectionParams params;
    params.id = "0-test";
    params.local_ice = {"srvU", "server-password-0123456"};
    params.remote_ice = {"brwU", "browser-password-6543210"};
    params.certificate = *server_certificate;
    params.dtls_role = dtls::DtlsTransportRole::server;
    params.remote_fingerprint = (*browser_certificate)->fingerprint_sha256();
    connection = std::make_shared<PeerConnection>(params, sender, 0);
    observer = std::make_shared<RecordingObserver>();
    connection->set_observer(observer);
    browser_dtls = std::make_unique<dtls::DtlsTransport>(*browser_certificate, dtls::DtlsTransportRole::client,
                                                         (*server_certificate)->fingerprint_sha256());
  }

  // Runs the ICE check and the DTLS handshake; true when both sides are keyed.
  bool connect() {
    EXPECT_TRUE(connection->on_stun(binding_request("srvU:brwU", "server-password-0123456", true), kBrowserPath, 1000));
    auto response = stun::parse_message(sender.sent.back().first);
    EXPECT_TRUE(response && response->message_class == stun::MessageClass::success);
    sender.sent.clear();
    auto out = browser_dtls->start();
    for (int round = 0; round < 10 && !(browser_dtls->connected() && connection->connected()); ++round) {
      for (auto& datagram : out.datagrams) connection->on_packet(datagram, kBrowserPath, 2000);
      out = {};
      while (!sender.sent.empty()) {
        auto [bytes, path] = sender.sent.front();
        sender.sent.pop_front();
        EXPECT_EQ(path, kBrowserPath);
        auto more = browser_dtls->on_datagram(bytes);
        if (more.failed) ADD_FAILURE() << "browser dtls: " << *more.failed;
        out.datagrams.insert(out.datagrams.end(), more.datagrams.begin(), more.datagrams.end());
      }
    }
    if (!browser_dtls->connected() || !connection->connected()) {
      ADD_FAILURE() << "browser " << browser_dtls->connected() << " server " << connection->connected() << " closed " << observer->closed;
      return false;
    }
    auto srtp = dtls::SrtpSession::create(*browser_dtls->keys());
    EXPECT_TRUE(srtp.ok());
    if (srtp) browser_srtp = std::move(*srtp);
    return browser_srtp != nullptr;
  }

  CapturingSender sender;
  std::shared_ptr<PeerConnection> connection;
  std::shared_ptr<RecordingObserver> observer;
  std::unique_ptr<dtls::DtlsTransport> browser_dtls;
  std::unique_ptr<dtls::SrtpSession> browser_srtp;
};

TEST_F(PeerConnectionTest, IceThenDtlsThenSrtpBothWays) {
  ASSERT_TRUE(connect());
  EXPECT_TRUE(observer->connected);
  ASSERT_TRUE(connection->selected_path().has_value());
  EXPECT_EQ(*connection->selected_path(), kBrowserPath);

  // Browser -> server: decrypted for the observer.
  Bytes packet = rtp_packet(1);
  Bytes wire = packet;
  ASSERT_TRUE(browser_srtp->protect_rtp(wire).ok());
  EXPECT_NE(wire, packet);
  connection->on_packet(wire, kBrowserPath, 3000);
  ASSERT_EQ(observer->rtp.size(), 1u);
  EXPECT_EQ(observer->rtp[0], packet);

  // Server -> browser: encrypted on the selected path.
  Bytes outgoing = rtp_packet(2);
  ASSERT_TRUE(connection->send_rtp(outgoing));
  ASSERT_EQ(sender.sent.size(), 1u);
  Bytes received = sender.sent.back().first;
  auto size = browser_srtp->unprotect_rtp(received);
  ASSERT_TRUE(size.ok());
  received.resize(*size);
  EXPECT_EQ(received, rtp_packet(2));
}

TEST_F(PeerConnectionTest, NothingFlowsBeforeTheHandshake) {
  Bytes outgoing = rtp_packet(1);
  EXPECT_FALSE(connection->send_rtp(outgoing));
  Bytes incoming = rtp_packet(1);
  connection->on_packet(incoming, kBrowserPath, 1000);
  EXPECT_TRUE(observer->rtp.empty());
  EXPECT_EQ(connection->stats().dropped_before_connect, 1u);
}

TEST_F(PeerConnectionTest, WrongPasswordIsNotAPath) {
  EXPECT_FALSE(connection->on_stun(binding_request("srvU:brwU", "not-the-password-000000", true), kBrowserPath, 1000));
  EXPECT_FALSE(connection->selected_path().has_value());
}

TEST_F(PeerConnectionTest, TamperedMediaIsCountedAndDropped) {
  ASSERT_TRUE(connect());
  Bytes wire = rtp_packet(5);
  ASSERT_TRUE(browser_srtp->protect_rtp(wire).ok());
  wire[wire.size() / 2] ^= 0x40;
  connection->on_packet(wire, kBrowserPath, 3000);
  EXPECT_TRUE(observer->rtp.empty());
  EXPECT_EQ(connection->stats().srtp_errors, 1u);
}

TEST_F(PeerConnectionTest, ConsentExpiryClosesAndTellsTheObserverOnce) {
  ASSERT_TRUE(connect());
  connection->on_tick(5'000'000);
  EXPECT_GT(observer->ticks, 0);
  connection->on_tick(60'000'000);  // no checks for a minute
  EXPECT_TRUE(connection->closed());
  EXPECT_NE(observer->closed.find("consent"), std::string::npos) << observer->closed;
  Bytes outgoing = rtp_packet(3);
  EXPECT_FALSE(connection->send_rtp(outgoing));
}

TEST_F(PeerConnectionTest, ChecksWithoutDtlsDoNotKeepASessionOpen) {
  // The peer passes ICE and keeps its consent fresh, but never sends a DTLS ClientHello.
  for (int64_t now_us = 1'000'000; now_us <= 25'000'000; now_us += 1'000'000) {
    connection->on_stun(binding_request("srvU:brwU", "server-password-0123456", true), kBrowserPath, now_us);
    connection->on_tick(now_us);
    if (connection->closed()) break;
    EXPECT_LE(now_us, 20'000'000) << "still open";
  }
  EXPECT_TRUE(connection->closed());
  EXPECT_NE(observer->closed.find("not connected within 20 s"), std::string::npos) << observer->closed;
}

TEST_F(PeerConnectionTest, AConnectedSessionOutlivesTheSetupTimeout) {
  ASSERT_TRUE(connect());
  for (int64_t now_us = 3'000'000; now_us <= 40'000'000; now_us += 1'000'000) {
    connection->on_stun(binding_request("srvU:brwU", "server-password-0123456", true), kBrowserPath, now_us);
    connection->on_tick(now_us);
  }
  EXPECT_FALSE(connection->closed()) << observer->closed;
}

TEST_F(PeerConnectionTest, CloseSendsCloseNotifyToThePeer) {
  ASSERT_TRUE(connect());
  connection->close("client sent DELETE");
  EXPECT_EQ(observer->closed, "client sent DELETE");
  ASSERT_FALSE(sender.sent.empty());
  auto out = browser_dtls->on_datagram(sender.sent.back().first);
  EXPECT_TRUE(out.closed_by_peer);
}

}  // namespace
}  // namespace vela::rtc
