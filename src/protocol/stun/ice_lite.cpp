#include "protocol/stun/ice_lite.hpp"

#include "protocol/stun/stun_builder.hpp"
#include "protocol/stun/stun_message.hpp"

namespace vela::protocol::stun {
namespace {

base::Error fail(std::string_view what) {
  return base::make_error("ICE: " + std::string(what));
}

std::string_view reason_for(uint16_t code) {
  switch (code) {
    case error_code::kBadRequest:
      return "Bad Request";
    case error_code::kUnauthorized:
      return "Unauthorized";
    case error_code::kUnknownAttribute:
      return "Unknown Attribute";
    case error_code::kRoleConflict:
      return "Role Conflict";
    default:
      return "Error";
  }
}

base::Result<IceUsername> split_username(std::string_view username) {
  size_t colon = username.find(':');
  if (colon == std::string_view::npos) return fail("USERNAME has no ':'");
  IceUsername out{username.substr(0, colon), username.substr(colon + 1)};
  if (out.local.empty() || out.remote.empty()) return fail("USERNAME has an empty ufrag");
  return out;
}

// Answers 400/401 without MESSAGE-INTEGRITY (the request could not be authenticated),
// 420/487 with it (RFC 8489 section 9.1.3, RFC 8445 section 7.3.1.1).
base::Result<IceLiteAgent::CheckOutcome> error_outcome(const MessageView& request, uint16_t code,
                                                       const std::string* password,
                                                       std::span<const uint16_t> unknown = {}) {
  MessageBuilder builder(kMethodBinding, MessageClass::error, request.transaction_id);
  builder.add_error_code(code, reason_for(code));
  if (!unknown.empty()) builder.add_unknown_attributes(unknown);
  if (password) {
    if (auto status = builder.add_message_integrity(*password); !status) return status.error();
  }
  builder.add_fingerprint();
  IceLiteAgent::CheckOutcome outcome;
  outcome.response = std::move(builder).finish();
  outcome.error = code;
  return outcome;
}

}  // namespace

base::Result<IceUsername> ice_username(std::span<const uint8_t> bytes) {
  auto message = parse_message(bytes);
  if (!message) return message.error();
  if (message->method != kMethodBinding || message->message_class != MessageClass::request)
    return fail("not a binding request");
  if (!message->username) return fail("binding request without USERNAME");
  return split_username(*message->username);
}

IceLiteAgent::IceLiteAgent(IceCredentials local, IceCredentials remote, int64_t created_ms,
                           IceLiteConfig config)
    : local_(std::move(local)),
      remote_(std::move(remote)),
      created_ms_(created_ms),
      config_(config) {}

bool IceLiteAgent::expired(int64_t now_ms) const {
  if (!last_consent_ms_) return now_ms - created_ms_ >= config_.connect_timeout_ms;
  return now_ms - *last_consent_ms_ >= config_.consent_timeout_ms;
}

base::Result<IceLiteAgent::CheckOutcome> IceLiteAgent::on_binding_request(
    std::span<const uint8_t> bytes, const SocketAddress& from, int64_t now_ms) {
  auto parsed = parse_message(bytes);
  if (!parsed) return parsed.error();
  const MessageView& request = *parsed;
  if (request.method != kMethodBinding || request.message_class != MessageClass::request)
    return fail("not a binding request");
  if (request.fingerprint_offset) {
    if (auto status = verify_fingerprint(bytes, request); !status) return status.error();
  }
  if (expired(now_ms)) return fail("session expired");

  if (!request.username || !request.integrity_offset)
    return error_outcome(request, error_code::kBadRequest, nullptr);
  auto username = split_username(*request.username);
  if (!username || username->local != local_.ufrag ||
      (!remote_.ufrag.empty() && username->remote != remote_.ufrag))
    return error_outcome(request, error_code::kUnauthorized, nullptr);
  if (!verify_integrity(bytes, request, local_.pwd))
    return error_outcome(request, error_code::kUnauthorized, nullptr);
  if (!request.unknown_required.empty())
    return error_outcome(request, error_code::kUnknownAttribute, &local_.pwd,
                         request.unknown_required);
  // A lite agent is always controlled; a peer that is controlled too must switch roles.
  if (request.ice_controlled) return error_outcome(request, error_code::kRoleConflict, &local_.pwd);

  MessageBuilder builder(kMethodBinding, MessageClass::success, request.transaction_id);
  builder.add_xor_mapped_address(from);
  if (auto status = builder.add_message_integrity(local_.pwd); !status) return status.error();
  builder.add_fingerprint();

  CheckOutcome outcome;
  outcome.response = std::move(builder).finish();
  outcome.authenticated = true;
  // Consent is per path: once one is selected, only checks on it (or a nomination that
  // moves it) keep the session alive.
  if (request.use_candidate) {
    selected_ = from;
    outcome.nominated = true;
  }
  if (!selected_ || *selected_ == from) last_consent_ms_ = now_ms;
  return outcome;
}

}  // namespace vela::protocol::stun
