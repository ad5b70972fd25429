#include "ingest/srt_handshake_rejection.hpp"

#include <gtest/gtest.h>

namespace vela::ingest {
namespace {

TEST(LibsrtRejection, ParsesTheLinesLibsrtWritesForPassphraseRefusals) {
  // As libsrt 1.5.1 (Debian 12) logs them.
  auto bad = parse_libsrt_rejection("@159144672:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:BADSECRET");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->socket, 159144672);
  EXPECT_EQ(bad->reason, "BADSECRET");
  EXPECT_EQ(describe_libsrt_rejection(bad->reason).metric_reason, "passphrase");
  EXPECT_EQ(describe_libsrt_rejection(bad->reason).text, "wrong passphrase");

  // With the prefix libsrt's log handler passes along.
  auto prefixed = parse_libsrt_rejection(": @422630335:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:BADSECRET");
  ASSERT_TRUE(prefixed.has_value());
  EXPECT_EQ(prefixed->socket, 422630335);

  auto missing = parse_libsrt_rejection("@159144673:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:UNSECURE\n");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->reason, "UNSECURE");
  EXPECT_EQ(describe_libsrt_rejection(missing->reason).metric_reason, "passphrase");
}

TEST(LibsrtRejection, AnyOtherReasonIsAHandshakeRefusal) {
  auto other = parse_libsrt_rejection("@7:newConnection: connection rejected due to: PEER - something new");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->reason, "PEER - something new");
  EXPECT_EQ(describe_libsrt_rejection(other->reason).metric_reason, "handshake");
}

TEST(LibsrtRejection, OtherLinesAndMalformedOnesAreNotRejections) {
  for (const char* line : {
           "", "@", "@:newConnection: connection rejected due to: ERROR:BADSECRET",
           "@12x:newConnection: connection rejected due to: ERROR:BADSECRET",
           "@99999999999:newConnection: connection rejected due to: ERROR:BADSECRET",  // not an int32
           "@12:newConnection: connection rejected due to: ERROR:",
           "@12:newConnection: connection rejected due to: ",
           "processConnectRequest: rsp(REJECT): 1010 - Incorrect passphrase",
           "KMREQ/rcv: (snd) Rx process failure - BADSECRET",
           "12:newConnection: connection rejected due to: ERROR:BADSECRET",
           ": @-12:newConnection: connection rejected due to: ERROR:BADSECRET",
       }) {
    EXPECT_FALSE(parse_libsrt_rejection(line).has_value()) << line;
  }
}

}  // namespace
}  // namespace vela::ingest
