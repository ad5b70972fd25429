#include "protocol/dtls/dtls_datagrams.hpp"

namespace vela::protocol::dtls {

std::vector<std::vector<uint8_t>> pack_records(std::span<const uint8_t> records, size_t mtu) {
  std::vector<std::vector<uint8_t>> datagrams;
  std::vector<uint8_t> current;
  size_t at = 0;
  while (at < records.size()) {
    size_t size = records.size() - at;  // a partial record: the rest
    if (size >= kDtlsRecordHeaderSize) {
      const size_t body = (size_t{records[at + 11]} << 8) | records[at + 12];
      if (kDtlsRecordHeaderSize + body <= size) size = kDtlsRecordHeaderSize + body;
    }
    if (!current.empty() && current.size() + size > mtu) {
      datagrams.push_back(std::move(current));
      current = {};
    }
    current.insert(current.end(), records.begin() + at, records.begin() + at + size);
    at += size;
  }
  if (!current.empty()) datagrams.push_back(std::move(current));
  return datagrams;
}

}  // namespace vela::protocol::dtls
