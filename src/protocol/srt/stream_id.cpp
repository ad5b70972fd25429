#include "protocol/srt/stream_id.hpp"

#include <optional>

namespace vela::protocol::srt {
namespace {

constexpr std::string_view kAccessControlPrefix = "#!::";
constexpr std::string_view kDefaultApp = "live";

base::Error fail(std::string_view what) {
  return base::make_error("stream id: " + std::string(what));
}

bool has_control_chars(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// "live/demo" -> app "live", key "demo"; "demo" -> app "live", key "demo".
base::Status split_resource(std::string_view resource, StreamId& out) {
  if (resource.empty()) return fail("empty resource (expected live/{key})");
  size_t slash = resource.find('/');
  std::string_view app = kDefaultApp;
  std::string_view key = resource;
  if (slash != std::string_view::npos) {
    app = resource.substr(0, slash);
    key = resource.substr(slash + 1);
    if (app.empty()) return fail("empty application before '/' (expected live/{key})");
    if (key.empty()) return fail("empty stream key after '" + std::string(app) + "/'");
    if (key.find('/') != std::string_view::npos) return fail("stream key must not contain '/'");
  }
  out.app = std::string(app);
  out.key = std::string(key);
  return {};
}

std::optional<StreamMode> mode_named(std::string_view name) {
  if (name == "publish") return StreamMode::publish;
  if (name == "request" || name == "play") return StreamMode::request;
  return std::nullopt;
}

base::Result<StreamId> parse_access_control(std::string_view body) {
  StreamId id;
  id.mode = StreamMode::request;  // the SRT access-control default when m is absent
  bool seen_r = false, seen_m = false, seen_u = false, seen_s = false;
  std::string_view resource;
  if (body.empty()) return fail("no key=value pairs after '#!::'");
  while (!body.empty()) {
    size_t comma = body.find(',');
    std::string_view pair = body.substr(0, comma);
    body = comma == std::string_view::npos ? std::string_view{} : body.substr(comma + 1);
    if (comma != std::string_view::npos && body.empty()) return fail("trailing ','");
    if (pair.empty()) return fail("empty key=value pair");
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return fail("'" + std::string(pair) + "' is not key=value");
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    if (key.empty()) return fail("empty key in '" + std::string(pair) + "'");
    auto once = [&](bool& seen) -> base::Status {
      if (seen) return fail("key '" + std::string(key) + "' given twice");
      seen = true;
      return {};
    };
    if (key == "r") {
      if (auto s = once(seen_r); !s) return s.error();
      resource = value;
    } else if (key == "m") {
      if (auto s = once(seen_m); !s) return s.error();
      auto mode = mode_named(value);
      if (!mode)
        return fail("unsupported mode m=" + std::string(value) + " (use publish or request)");
      id.mode = *mode;
    } else if (key == "u") {
      if (auto s = once(seen_u); !s) return s.error();
      id.user = std::string(value);
    } else if (key == "s") {
      if (auto s = once(seen_s); !s) return s.error();
      id.session = std::string(value);
    }
    // Other keys (h host, t type, custom ones) carry nothing Vela uses; ignored as the
    // access-control convention allows.
  }
  if (!seen_r) return fail("missing resource (r=live/{key})");
  if (auto s = split_resource(resource, id); !s) return s.error();
  return id;
}

}  // namespace

std::string_view to_string(StreamMode mode) {
  return mode == StreamMode::publish ? "publish" : "request";
}

base::Result<StreamId> parse_stream_id(std::string_view text) {
  if (text.empty()) return fail("empty (expected publish:live/{key})");
  if (text.size() > kMaxStreamIdLength) {
    return fail("longer than " + std::to_string(kMaxStreamIdLength) + " bytes");
  }
  if (has_control_chars(text)) return fail("contains control characters");
  if (text.starts_with(kAccessControlPrefix))
    return parse_access_control(text.substr(kAccessControlPrefix.size()));
  if (text.starts_with("#!")) return fail("unsupported '#!' syntax (expected #!::key=value,...)");

  StreamId id;
  id.mode = StreamMode::publish;
  std::string_view resource = text;
  size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    auto mode = mode_named(text.substr(0, colon));
    if (!mode)
      return fail("unknown mode '" + std::string(text.substr(0, colon)) +
                  "' (use publish:live/{key})");
    id.mode = *mode;
    resource = text.substr(colon + 1);
    if (resource.find(':') != std::string_view::npos) return fail("more than one ':'");
  }
  if (auto s = split_resource(resource, id); !s) return s.error();
  return id;
}

}  // namespace vela::protocol::srt
