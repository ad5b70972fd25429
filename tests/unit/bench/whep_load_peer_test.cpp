#include <gtest/gtest.h>

#include "bench/whep_load.hpp"
#include "bench/whep_load_peer.hpp"
#include "protocol/dtls/dtls_certificate.hpp"
#include "protocol/stun/stun_builder.hpp"
#include "protocol/stun/stun_message.hpp"

namespace vela::bench {
namespace {

namespace stun = protocol::stun;

PeerConfig config() {
  PeerConfig c;
  auto certificate = protocol::dtls::DtlsCertificate::generate();
  EXPECT_TRUE(certificate);
  c.certificate = *certificate;
  c.local_ufrag = "lo01";
  c.local_pwd = "localpasswordlocalpasswd";
  c.remote.ice_ufrag = "re01";
  c.remote.ice_pwd = "remotepasswordremotepass";
  c.remote.fingerprint = "00:11";
  c.tie_breaker = 99;
  return c;
}

TEST(WhepLoadPeer, SendsSignedControllingChecksUntilAnswered) {
  WhepPeer peer(config(), 0);
  Datagrams out;
  peer.on_tick(0, out);
  ASSERT_EQ(out.size(), 1u);
  auto request = stun::parse_message(out[0]);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->message_class, stun::MessageClass::request);
  EXPECT_EQ(request->username, "re01:lo01");
  EXPECT_TRUE(request->use_candidate);
  EXPECT_EQ(request->ice_controlling, 99u);
  EXPECT_TRUE(request->priority);
  EXPECT_TRUE(stun::verify_integrity(out[0], *request, "remotepasswordremotepass"));
  EXPECT_TRUE(stun::verify_fingerprint(out[0], *request));
  out.clear();
  peer.on_tick(50'000, out);
  EXPECT_TRUE(out.empty());
  peer.on_tick(100'000, out);
  ASSERT_EQ(out.size(), 1u);  // retransmitted after 100 ms

  // An answer signed with the wrong password is ignored; the right one starts DTLS.
  auto retry = stun::parse_message(out[0]);
  ASSERT_TRUE(retry);
  auto answer = [&](std::string_view password) {
    stun::MessageBuilder b(stun::kMethodBinding, stun::MessageClass::success, retry->transaction_id);
    b.add_xor_mapped_address(stun::SocketAddress::ipv4({127, 0, 0, 1}, 5000));
    EXPECT_TRUE(b.add_message_integrity(password));
    b.add_fingerprint();
    return std::move(b).finish();
  };
  auto from = stun::SocketAddress::ipv4({127, 0, 0, 1}, 6000);
  Datagrams dtls;
  auto wrong = answer("wrongpasswordwrongpasswd");
  peer.on_datagram(wrong, from, 110'000, dtls);
  EXPECT_EQ(peer.state(), WhepPeer::State::ice);
  auto right = answer("remotepasswordremotepass");
  peer.on_datagram(right, from, 120'000, dtls);
  EXPECT_EQ(peer.state(), WhepPeer::State::dtls);
  ASSERT_FALSE(dtls.empty());  // the ClientHello
  EXPECT_GE(dtls[0][0], 20);
  EXPECT_LE(dtls[0][0], 63);
}

TEST(WhepLoadPeer, AnswersChecksFromAFullIceServer) {
  WhepPeer peer(config(), 0);
  stun::TransactionId id{};
  id[0] = 7;
  stun::MessageBuilder b(stun::kMethodBinding, stun::MessageClass::request, id);
  b.add_username("lo01:re01");
  ASSERT_TRUE(b.add_message_integrity(std::string_view("localpasswordlocalpasswd")));
  b.add_fingerprint();
  auto bytes = std::move(b).finish();
  Datagrams out;
  auto from = stun::SocketAddress::ipv4({127, 0, 0, 1}, 6000);
  peer.on_datagram(bytes, from, 0, out);
  ASSERT_EQ(out.size(), 1u);
  auto response = stun::parse_message(out[0]);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->message_class, stun::MessageClass::success);
  EXPECT_EQ(response->transaction_id, id);
  EXPECT_EQ(response->xor_mapped_address, from);
  EXPECT_TRUE(stun::verify_integrity(out[0], *response, "localpasswordlocalpasswd"));
}

TEST(WhepLoadPeer, FailsWhenIceIsNeverAnswered) {
  WhepPeer peer(config(), 0);
  Datagrams out;
  for (int64_t t = 0; t <= 10'000'000; t += 100'000) peer.on_tick(t, out);
  EXPECT_EQ(peer.state(), WhepPeer::State::failed);
  EXPECT_NE(peer.failure().find("ICE"), std::string::npos);
}

TEST(WhepLoadArgs, ParsesAndRejects) {
  std::vector<std::string_view> ok{"--url", "http://127.0.0.1:1/whep/a", "--viewers", "200", "--duration=30",
                                   "--ramp-per-s", "50", "--report", "r.json"};
  auto options = parse_whep_load_args(ok);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->viewers, 200u);
  EXPECT_EQ(options->duration_s, 30u);
  EXPECT_EQ(options->ramp_per_s, 50u);
  EXPECT_EQ(options->report_path, "r.json");
  EXPECT_EQ(options->mode, SignallingMode::whep);
  std::vector<std::string_view> janus{"--url", "http://127.0.0.1:1/janus", "--janus-mountpoint", "3"};
  auto j = parse_whep_load_args(janus);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->mode, SignallingMode::janus);
  EXPECT_EQ(j->janus_mountpoint, 3u);
  std::vector<std::string_view> no_url{"--viewers", "1"};
  EXPECT_FALSE(parse_whep_load_args(no_url));
  std::vector<std::string_view> too_many{"--url", "u", "--viewers", "999999"};
  EXPECT_FALSE(parse_whep_load_args(too_many));
  std::vector<std::string_view> unknown{"--url", "u", "--bogus"};
  EXPECT_FALSE(parse_whep_load_args(unknown));
}

}  // namespace
}  // namespace vela::bench
