#pragma once
// Turns the DTLS records OpenSSL wrote into a memory BIO into datagrams of at most `mtu`
// bytes. A memory BIO concatenates everything written to it, so the datagram boundaries
// are rebuilt here from the record headers (13 bytes, the record length at bytes 11..12):
// records are packed in order, a record going into the current datagram while it fits.
// OpenSSL sizes its handshake fragments to the MTU (and to what is already pending), so
// no record is larger than the MTU; one that is still goes alone. Trailing bytes that do
// not form a whole record (never written by OpenSSL) are packed as one more record.
// Pure function.
#include <cstdint>
#include <span>
#include <vector>

namespace vela::protocol::dtls {

inline constexpr size_t kDtlsRecordHeaderSize = 13;

std::vector<std::vector<uint8_t>> pack_records(std::span<const uint8_t> records, size_t mtu);

}  // namespace vela::protocol::dtls
