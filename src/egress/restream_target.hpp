#pragma once
// How the restream supervisor pushes to one URL scheme ("rtmp", "srt", ...): a session
// factory plus URL validation (for a clear 400 / config error before any attempt) and
// redaction (stream keys and passphrases never reach logs or the API).
// validate and redact are called from any thread.
#include <functional>
#include <string>

#include "base/result.hpp"
#include "egress/push_session.hpp"

namespace vela::egress {

struct PushTarget {
  PushSessionFactory make;
  std::function<base::Status(const std::string& url)> validate;
  std::function<std::string(const std::string& url)> redact;
};

}  // namespace vela::egress
