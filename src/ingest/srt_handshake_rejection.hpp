#pragma once
// What libsrt says when it rejects a caller after Vela's listen callback admitted it. The
// passphrase is checked inside libsrt's handshake (KMREQ), after the callback, and the only
// trace libsrt leaves is a log line naming the new socket and the reason, e.g.
//   "@159144672:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:BADSECRET"
// The listener parses that line to log the refusal with the caller's address and count it.
// Pure; the text is libsrt's (1.5, with whatever prefix its log handler adds), so anything
// else is simply not a rejection.
#include <cstdint>
#include <optional>
#include <string_view>

namespace vela::ingest {

struct LibsrtRejection {
  int32_t socket = 0;           // the id libsrt gave the caller's socket in the listen callback
  std::string_view reason;      // libsrt's name for it, e.g. "BADSECRET"
};

std::optional<LibsrtRejection> parse_libsrt_rejection(std::string_view log_message);

struct SrtRejectionDescription {
  std::string_view metric_reason;  // vela_srt_refused_total{reason=...}
  std::string_view text;           // for the log
};

// BADSECRET and UNSECURE are passphrase refusals; anything else is a handshake refusal.
SrtRejectionDescription describe_libsrt_rejection(std::string_view reason);

}  // namespace vela::ingest
