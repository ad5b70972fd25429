#include "protocol/dtls/dtls_datagrams.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vela::protocol::dtls {
namespace {

using Bytes = std::vector<uint8_t>;

// A DTLS 1.2 handshake record whose body is `body` bytes of `fill`.
Bytes record(size_t body, uint8_t fill) {
  Bytes r = {22,
             0xfe,
             0xfd,
             0,
             0,
             0,
             0,
             0,
             0,
             0,
             fill,
             static_cast<uint8_t>(body >> 8),
             static_cast<uint8_t>(body)};
  r.resize(kDtlsRecordHeaderSize + body, fill);
  return r;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(DtlsDatagrams, PacksWholeRecordsUpToTheMtu) {
  const Bytes a = record(487, 1), b = record(487, 2), c = record(487, 3);  // 500 bytes each
  const auto datagrams = pack_records(concat({a, b, c}), 1200);
  ASSERT_EQ(datagrams.size(), 2u);
  EXPECT_EQ(datagrams[0], concat({a, b}));
  EXPECT_EQ(datagrams[1], c);
}

TEST(DtlsDatagrams, FillsADatagramExactly) {
  const Bytes a = record(587, 1), b = record(587, 2);  // 600 + 600 = 1200
  const auto datagrams = pack_records(concat({a, b, a}), 1200);
  ASSERT_EQ(datagrams.size(), 2u);
  EXPECT_EQ(datagrams[0].size(), 1200u);
  EXPECT_EQ(datagrams[1], a);
}

TEST(DtlsDatagrams, OversizedRecordGoesAlone) {
  const Bytes small = record(10, 1), big = record(1500, 2);
  const auto datagrams = pack_records(concat({small, big, small}), 1200);
  ASSERT_EQ(datagrams.size(), 3u);
  EXPECT_EQ(datagrams[0], small);
  EXPECT_EQ(datagrams[1], big);
  EXPECT_EQ(datagrams[2], small);
}

TEST(DtlsDatagrams, TrailingPartialRecordIsKeptNotLost) {
  const Bytes whole = record(20, 1);
  Bytes partial = record(100, 2);
  partial.resize(40);  // claims 100 bytes of body, has 27
  const auto datagrams = pack_records(concat({whole, partial}), 1200);
  ASSERT_EQ(datagrams.size(), 1u);
  EXPECT_EQ(datagrams[0], concat({whole, partial}));

  const Bytes stub = {22, 0xfe};  // not even a header
  const auto alone = pack_records(stub, 1200);
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0], stub);
}

TEST(DtlsDatagrams, NothingInNothingOut) {
  EXPECT_TRUE(pack_records({}, 1200).empty());
}

}  // namespace
}  // namespace vela::protocol::dtls
