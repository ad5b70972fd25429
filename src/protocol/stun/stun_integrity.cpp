#include "protocol/stun/stun_integrity.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace vela::protocol::stun {
namespace {

constexpr size_t kHeaderSize = 20;

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// The reflected CRC-32 table for polynomial 0x04C11DB7, built at compile time.
constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

}  // namespace

base::Result<IntegrityTag> compute_integrity(std::span<const uint8_t> prefix, uint16_t length,
                                             std::span<const uint8_t> key) {
  if (prefix.size() < kHeaderSize) return base::make_error("STUN: no header to authenticate");
  std::array<uint8_t, kHeaderSize> header;
  for (size_t i = 0; i < kHeaderSize; ++i) header[i] = prefix[i];
  header[2] = static_cast<uint8_t>(length >> 8);
  header[3] = static_cast<uint8_t>(length);

  std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return base::make_error("STUN: HMAC unavailable");
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return base::make_error("STUN: HMAC context allocation failed");
  char digest[] = "SHA1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal for HMAC but OpenSSL wants a non-null pointer.
  static constexpr uint8_t kEmpty = 0;
  const uint8_t* key_data = key.empty() ? &kEmpty : key.data();
  IntegrityTag tag{};
  size_t written = 0;
  if (EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), header.data(), header.size()) != 1 ||
      EVP_MAC_update(ctx.get(), prefix.data() + kHeaderSize, prefix.size() - kHeaderSize) != 1 ||
      EVP_MAC_final(ctx.get(), tag.data(), &written, tag.size()) != 1 || written != tag.size()) {
    return base::make_error("STUN: HMAC-SHA1 computation failed");
  }
  return tag;
}

uint32_t compute_fingerprint(std::span<const uint8_t> bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes) crc = kCrcTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return (crc ^ 0xFFFFFFFFu) ^ kFingerprintXor;
}

}  // namespace vela::protocol::stun
