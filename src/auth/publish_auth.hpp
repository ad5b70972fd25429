#pragma once
// Decides whether a publisher may publish, and under which stream name. Open mode (the
// default, for one trusted machine): the key is the stream name. Keys mode: the key must
// be registered, maps to a stream name, and is never shown to viewers.
#include <map>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::auth {

enum class PublishMode { open, keys };

class PublishAuthorizer {
 public:
  PublishAuthorizer(PublishMode mode, std::map<std::string, std::string> keys);

  // app: the RTMP application (must be "live"); key: the publish key. Returns the stream
  // name, or an error saying why publishing is refused. Thread-safe (immutable).
  base::Result<std::string> authorize(std::string_view app, std::string_view key) const;

 private:
  PublishMode mode_;
  std::map<std::string, std::string, std::less<>> keys_;
};

}  // namespace vela::auth
