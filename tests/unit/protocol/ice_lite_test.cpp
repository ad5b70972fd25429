#include "protocol/stun/ice_lite.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/stun/stun_builder.hpp"
#include "protocol/stun/stun_message.hpp"
#include "unit/protocol/stun_rfc5769_vectors.hpp"

namespace vela::protocol::stun {
namespace {

using Bytes = std::vector<uint8_t>;

const IceCredentials kServer{"srvU", "server-password-0123456"};
const IceCredentials kBrowser{"brwU", "browser-password-6543210"};
const SocketAddress kHostPath = SocketAddress::ipv4({192, 168, 1, 20}, 50000);
const SocketAddress kRelayPath =
    SocketAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, 3478);

struct Check {
  std::string username = "srvU:brwU";
  std::string password = kServer.pwd;
  bool use_candidate = false;
  bool controlling = true;
  bool controlled = false;
  bool integrity = true;
  bool fingerprint = true;
  uint16_t unknown_attribute = 0;
  uint8_t id = 1;
};

Bytes request(const Check& check) {
  TransactionId id{};
  id.fill(check.id);
  MessageBuilder b(kMethodBinding, MessageClass::request, id);
  if (!check.username.empty()) b.add_username(check.username);
  b.add_priority(0x6e0001ff);
  if (check.controlling) b.add_ice_controlling(0x1122334455667788);
  if (check.controlled) b.add_ice_controlled(0x1122334455667788);
  if (check.use_candidate) b.add_use_candidate();
  if (check.unknown_attribute) b.add_attribute(check.unknown_attribute, Bytes{1, 2});
  if (check.integrity) {
    EXPECT_TRUE(b.add_message_integrity(check.password).ok());
  }
  if (check.fingerprint) b.add_fingerprint();
  return std::move(b).finish();
}

IceLiteAgent::CheckOutcome answer(IceLiteAgent& agent, const Check& check,
                                  const SocketAddress& from, int64_t now_ms) {
  auto outcome = agent.on_binding_request(request(check), from, now_ms);
  EXPECT_TRUE(outcome.ok()) << (outcome ? "" : outcome.error().message);
  return outcome ? *outcome : IceLiteAgent::CheckOutcome{};
}

// Parses a response and checks what every response must satisfy.
MessageView response_of(const IceLiteAgent::CheckOutcome& outcome, uint8_t id = 1) {
  auto m = parse_message(outcome.response);
  EXPECT_TRUE(m.ok()) << (m ? "" : m.error().message);
  if (!m) return {};
  TransactionId expected{};
  expected.fill(id);
  EXPECT_EQ(m->transaction_id, expected);
  EXPECT_EQ(m->method, kMethodBinding);
  EXPECT_TRUE(verify_fingerprint(outcome.response, *m).ok());
  return *m;
}

TEST(IceLite, SuccessAnswersTheSourceAddressSigned) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  for (const SocketAddress& from : {kHostPath, kRelayPath}) {
    auto outcome = answer(agent, {}, from, 100);
    EXPECT_TRUE(outcome.authenticated);
    EXPECT_FALSE(outcome.nominated);
    EXPECT_FALSE(outcome.error);
    MessageView m = response_of(outcome);
    EXPECT_EQ(m.message_class, MessageClass::success);
    EXPECT_EQ(m.xor_mapped_address, from);
    EXPECT_TRUE(verify_integrity(outcome.response, m, kServer.pwd).ok());
    EXPECT_FALSE(verify_integrity(outcome.response, m, kBrowser.pwd).ok());
  }
  EXPECT_TRUE(agent.connected());
  EXPECT_FALSE(agent.selected());
}

TEST(IceLite, UseCandidateSelectsAndMovesThePath) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  EXPECT_TRUE(answer(agent, {.use_candidate = true}, kHostPath, 10).nominated);
  EXPECT_EQ(agent.selected(), kHostPath);
  // A plain check from another path does not move the selection.
  auto plain = answer(agent, {}, kRelayPath, 20);
  EXPECT_TRUE(plain.authenticated);
  EXPECT_FALSE(plain.nominated);
  EXPECT_EQ(agent.selected(), kHostPath);
  // A nominating check from another path does.
  EXPECT_TRUE(answer(agent, {.use_candidate = true}, kRelayPath, 30).nominated);
  EXPECT_EQ(agent.selected(), kRelayPath);
}

TEST(IceLite, ControlledPeerIsARoleConflict) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  auto outcome = answer(agent, {.use_candidate = true, .controlling = false, .controlled = true},
                        kHostPath, 10);
  EXPECT_EQ(outcome.error, error_code::kRoleConflict);
  EXPECT_FALSE(outcome.authenticated);
  MessageView m = response_of(outcome);
  EXPECT_EQ(m.message_class, MessageClass::error);
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->code, 487);
  EXPECT_TRUE(verify_integrity(outcome.response, m, kServer.pwd).ok());
  EXPECT_FALSE(agent.selected());
  EXPECT_FALSE(agent.connected());
}

TEST(IceLite, Rfc5769RequestIsARoleConflict) {
  // The RFC 5769 request claims ICE-CONTROLLED and is signed with its password.
  IceLiteAgent agent({"evtj", std::string(rfc5769::kPassword)}, {"h6vY", ""}, 0);
  auto outcome = agent.on_binding_request(rfc5769::kRequest, kHostPath, 1);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->error, error_code::kRoleConflict);
  auto m = parse_message(outcome->response);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->transaction_id, rfc5769::kTransactionId);
  EXPECT_TRUE(verify_integrity(outcome->response, *m, rfc5769::kPassword).ok());
}

TEST(IceLite, PeerWithoutRoleAttributeIsAccepted) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  EXPECT_TRUE(answer(agent, {.controlling = false}, kHostPath, 10).authenticated);
}

TEST(IceLite, WrongCredentialsAre401WithoutIntegrity) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  for (const Check& check : {Check{.password = kBrowser.pwd}, Check{.username = "other:brwU"},
                             Check{.username = "srvU:other"}, Check{.username = "srvUbrwU"},
                             Check{.username = "srvU:"}}) {
    auto outcome = answer(agent, check, kHostPath, 10);
    EXPECT_EQ(outcome.error, error_code::kUnauthorized) << check.username;
    MessageView m = response_of(outcome);
    ASSERT_TRUE(m.error);
    EXPECT_EQ(m.error->code, 401);
    EXPECT_FALSE(m.integrity_offset);
  }
  EXPECT_FALSE(agent.connected());
}

TEST(IceLite, UnknownRemoteUfragAcceptsAnySender) {
  IceLiteAgent agent(kServer, {}, 0);
  EXPECT_TRUE(answer(agent, {.username = "srvU:whoever"}, kHostPath, 10).authenticated);
  agent.set_remote(kBrowser);
  EXPECT_EQ(answer(agent, {.username = "srvU:whoever"}, kHostPath, 10).error, 401);
}

TEST(IceLite, MissingUsernameOrIntegrityIs400) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  EXPECT_EQ(answer(agent, {.username = ""}, kHostPath, 10).error, error_code::kBadRequest);
  EXPECT_EQ(answer(agent, {.integrity = false}, kHostPath, 10).error, error_code::kBadRequest);
}

TEST(IceLite, UnknownRequiredAttributeIs420) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  auto outcome = answer(agent, {.unknown_attribute = 0x7ABC}, kHostPath, 10);
  EXPECT_EQ(outcome.error, error_code::kUnknownAttribute);
  // Comprehension-optional attributes are fine.
  EXPECT_TRUE(answer(agent, {.unknown_attribute = 0xC0DE}, kHostPath, 10).authenticated);
}

TEST(IceLite, DropsWhatIsNotAValidBindingRequest) {
  IceLiteAgent agent(kServer, kBrowser, 0);
  Bytes bad_fingerprint = request({});
  bad_fingerprint.back() ^= 1;
  EXPECT_FALSE(agent.on_binding_request(bad_fingerprint, kHostPath, 10).ok());
  EXPECT_FALSE(agent.on_binding_request(Bytes{0, 1, 0}, kHostPath, 10).ok());
  MessageBuilder indication(kMethodBinding, MessageClass::indication, TransactionId{});
  EXPECT_FALSE(agent.on_binding_request(std::move(indication).finish(), kHostPath, 10).ok());
  // A request without FINGERPRINT is answered (RFC 7983 demultiplexing does not need it).
  EXPECT_TRUE(answer(agent, {.fingerprint = false}, kHostPath, 10).authenticated);
}

TEST(IceLite, ConsentExpiresWithoutChecks) {
  IceLiteAgent agent(kServer, kBrowser, 1'000, {.consent_timeout_ms = 30'000});
  answer(agent, {.use_candidate = true}, kHostPath, 2'000);
  EXPECT_FALSE(agent.expired(31'999));
  answer(agent, {}, kHostPath, 31'000);  // a consent check on the selected path
  EXPECT_FALSE(agent.expired(60'999));
  EXPECT_TRUE(agent.expired(61'000));
  // Once expired, nothing revives the session.
  EXPECT_FALSE(agent.on_binding_request(request({}), kHostPath, 61'000).ok());
  EXPECT_TRUE(agent.expired(61'000));
}

TEST(IceLite, OnlyTheSelectedPathRefreshesConsent) {
  IceLiteAgent agent(kServer, kBrowser, 0, {.consent_timeout_ms = 30'000});
  answer(agent, {.use_candidate = true}, kHostPath, 0);
  EXPECT_TRUE(answer(agent, {}, kRelayPath, 20'000).authenticated);  // answered, but...
  EXPECT_EQ(agent.last_consent_ms(), 0);                             // ...not the path in use
  EXPECT_TRUE(agent.expired(30'000));
}

TEST(IceLite, FailedChecksDoNotRefreshConsent) {
  IceLiteAgent agent(kServer, kBrowser, 0, {.consent_timeout_ms = 5'000});
  answer(agent, {}, kHostPath, 0);
  answer(agent, {.password = "wrong"}, kHostPath, 4'000);
  answer(agent, {.controlling = false, .controlled = true}, kHostPath, 4'500);
  EXPECT_TRUE(agent.expired(5'000));
}

TEST(IceLite, SessionThatNeverConnectsTimesOut) {
  IceLiteAgent agent(kServer, kBrowser, 500, {.connect_timeout_ms = 10'000});
  EXPECT_FALSE(agent.expired(10'499));
  answer(agent, {.password = "wrong"}, kHostPath, 5'000);
  EXPECT_TRUE(agent.expired(10'500));
  IceLiteAgent connected(kServer, kBrowser, 500,
                         {.consent_timeout_ms = 30'000, .connect_timeout_ms = 10'000});
  answer(connected, {}, kHostPath, 10'000);
  EXPECT_FALSE(connected.expired(10'500));
}

TEST(IceUsername, ExtractsBothUfrags) {
  Bytes bytes = request({});
  auto username = ice_username(bytes);
  ASSERT_TRUE(username.ok()) << username.error().message;
  EXPECT_EQ(username->local, "srvU");
  EXPECT_EQ(username->remote, "brwU");
  auto rfc = ice_username(rfc5769::kRequest);
  ASSERT_TRUE(rfc.ok());
  EXPECT_EQ(rfc->local, "evtj");
  EXPECT_EQ(rfc->remote, "h6vY");
}

TEST(IceUsername, RejectsWhatCannotBeRouted) {
  EXPECT_FALSE(ice_username(request({.username = ""})).ok());
  EXPECT_FALSE(ice_username(request({.username = "nocolon"})).ok());
  EXPECT_FALSE(ice_username(request({.username = ":brwU"})).ok());
  EXPECT_FALSE(ice_username(rfc5769::kResponseIpv4).ok());
  EXPECT_FALSE(ice_username(Bytes{0x16, 0xfe, 0xfd}).ok());  // DTLS
}

}  // namespace
}  // namespace vela::protocol::stun
