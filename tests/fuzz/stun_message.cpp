// STUN message parser: must never crash; the checksum verifiers must cope with whatever
// parsed; and what parsed must survive a rebuild with MessageBuilder unchanged.
#include "protocol/stun/stun_message.hpp"

#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/stun/stun_builder.hpp"

using namespace vela::protocol::stun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  (void)is_stun(bytes);
  auto parsed = parse_message(bytes);
  if (!parsed) {
    if (parsed.error().message.empty()) __builtin_trap();
    return 0;
  }
  const MessageView& m = *parsed;
  if (size < kHeaderSize || size % 4 != 0) __builtin_trap();
  if (m.integrity_offset && *m.integrity_offset + 24 > size) __builtin_trap();
  if (m.fingerprint_offset && *m.fingerprint_offset + 8 != size) __builtin_trap();
  if (m.username && m.username->size() > kMaxUsernameLength) __builtin_trap();
  (void)verify_integrity(bytes, m, std::string_view("VOkJxbRl1RmTxUk/WvJxBt"));
  (void)verify_fingerprint(bytes, m);

  MessageBuilder builder(m.method, m.message_class, m.transaction_id);
  if (m.username) builder.add_username(*m.username);
  if (m.priority) builder.add_priority(*m.priority);
  if (m.use_candidate) builder.add_use_candidate();
  if (m.ice_controlling) builder.add_ice_controlling(*m.ice_controlling);
  if (m.ice_controlled) builder.add_ice_controlled(*m.ice_controlled);
  if (m.xor_mapped_address) builder.add_xor_mapped_address(*m.xor_mapped_address);
  if (m.error) builder.add_error_code(m.error->code, m.error->reason);
  if (!builder.add_message_integrity(std::string_view("pw"))) __builtin_trap();
  builder.add_fingerprint();
  auto rebuilt = std::move(builder).finish();
  auto again = parse_message(rebuilt);
  if (!again) __builtin_trap();
  if (again->method != m.method || again->message_class != m.message_class ||
      again->transaction_id != m.transaction_id || again->username != m.username ||
      again->priority != m.priority || again->use_candidate != m.use_candidate ||
      again->ice_controlling != m.ice_controlling || again->ice_controlled != m.ice_controlled ||
      again->xor_mapped_address != m.xor_mapped_address ||
      again->error.has_value() != m.error.has_value() ||
      (m.error && (again->error->code != m.error->code || again->error->reason != m.error->reason)))
    __builtin_trap();
  if (!verify_integrity(rebuilt, *again, std::string_view("pw")) ||
      !verify_fingerprint(rebuilt, *again))
    __builtin_trap();
  return 0;
}
