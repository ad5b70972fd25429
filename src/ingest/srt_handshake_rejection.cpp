#include "ingest/srt_handshake_rejection.hpp"

#include <charconv>

namespace vela::ingest {

namespace {
constexpr std::string_view kRejected = ":newConnection: connection rejected due to: ";
constexpr std::string_view kErrorPrefix = "ERROR:";
}  // namespace

std::optional<LibsrtRejection> parse_libsrt_rejection(std::string_view log_message) {
  // libsrt may put its own prefix (function name, separators) before "@<socket>".
  size_t marker = log_message.find(kRejected);
  if (marker == std::string_view::npos) return std::nullopt;
  size_t digits = marker;
  while (digits > 0 && log_message[digits - 1] >= '0' && log_message[digits - 1] <= '9') --digits;
  if (digits == marker || digits == 0 || log_message[digits - 1] != '@') return std::nullopt;
  LibsrtRejection rejection;
  auto [end, error] = std::from_chars(log_message.data() + digits, log_message.data() + marker, rejection.socket);
  if (error != std::errc{} || end != log_message.data() + marker) return std::nullopt;
  std::string_view rest = log_message.substr(marker + kRejected.size());
  // "INTERNAL REJECTION - ERROR:BADSECRET": the name after the last "ERROR:", else the text.
  if (size_t at = rest.rfind(kErrorPrefix); at != std::string_view::npos) rest.remove_prefix(at + kErrorPrefix.size());
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
  if (rest.empty()) return std::nullopt;
  rejection.reason = rest;
  return rejection;
}

SrtRejectionDescription describe_libsrt_rejection(std::string_view reason) {
  if (reason == "BADSECRET") return {"passphrase", "wrong passphrase"};
  if (reason == "UNSECURE") return {"passphrase", "no passphrase, and this stream requires one"};
  return {"handshake", "handshake rejected by libsrt"};
}

}  // namespace vela::ingest
