#include "auth/publish_auth.hpp"

#include "base/stream_name.hpp"

namespace vela::auth {

PublishAuthorizer::PublishAuthorizer(PublishMode mode, std::map<std::string, std::string> keys)
    : mode_(mode), keys_(keys.begin(), keys.end()) {}

base::Result<std::string> PublishAuthorizer::authorize(std::string_view app, std::string_view key) const {
  if (app != "live") return base::make_error("unknown application '" + std::string(app) + "' (use /live/{key})");
  if (key.empty()) return base::make_error("empty stream key");
  if (mode_ == PublishMode::open) {
    if (!base::is_valid_stream_name(key)) {
      return base::make_error("invalid stream name (" + std::string(base::kStreamNameRule) + ")");
    }
    return std::string(key);
  }
  auto it = keys_.find(key);
  if (it == keys_.end()) return base::make_error("unknown stream key");
  return it->second;
}

}  // namespace vela::auth
