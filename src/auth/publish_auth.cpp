#include "auth/publish_auth.hpp"

namespace vela::auth {

bool is_valid_stream_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

PublishAuthorizer::PublishAuthorizer(PublishMode mode, std::map<std::string, std::string> keys)
    : mode_(mode), keys_(keys.begin(), keys.end()) {}

base::Result<std::string> PublishAuthorizer::authorize(std::string_view app, std::string_view key) const {
  if (app != "live") return base::make_error("unknown application '" + std::string(app) + "' (use /live/{key})");
  if (key.empty()) return base::make_error("empty stream key");
  if (mode_ == PublishMode::open) {
    if (!is_valid_stream_name(key)) {
      return base::make_error("invalid stream name (1-128 of A-Z a-z 0-9 _ . -)");
    }
    return std::string(key);
  }
  auto it = keys_.find(key);
  if (it == keys_.end()) return base::make_error("unknown stream key");
  return it->second;
}

}  // namespace vela::auth
