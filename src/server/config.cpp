#include "server/config.hpp"

#include <functional>
#include <set>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

namespace vela::server {
namespace {

using Setter = std::function<base::Status(const toml::node&)>;

template <class T>
Setter number(T& out, double min, double max) {
  return [&out, min, max](const toml::node& n) -> base::Status {
    std::optional<double> v = n.value<double>();
    if (!v) return base::make_error("expected a number");
    if (*v < min || *v > max) {
      std::ostringstream msg;
      msg << "must be between " << min << " and " << max;
      return base::make_error(msg.str());
    }
    out = static_cast<T>(*v);
    return {};
  };
}

Setter text(std::string& out, std::set<std::string> allowed = {}) {
  return [&out, allowed](const toml::node& n) -> base::Status {
    std::optional<std::string> v = n.value<std::string>();
    if (!v) return base::make_error("expected a string");
    if (!allowed.empty() && !allowed.contains(*v)) return base::make_error("unknown value '" + *v + "'");
    out = *v;
    return {};
  };
}

Setter one_of(uint32_t& out, std::set<uint32_t> allowed) {
  return [&out, allowed](const toml::node& n) -> base::Status {
    std::optional<int64_t> v = n.value<int64_t>();
    if (!v || *v < 0 || !allowed.contains(static_cast<uint32_t>(*v))) {
      std::string list;
      for (uint32_t a : allowed) list += (list.empty() ? "" : ", ") + std::to_string(a);
      return base::make_error("must be one of " + list);
    }
    out = static_cast<uint32_t>(*v);
    return {};
  };
}

// SRT passphrases are 10-79 characters (libsrt's bounds); empty turns encryption off.
Setter passphrase(std::string& out) {
  return [&out](const toml::node& n) -> base::Status {
    std::optional<std::string> v = n.value<std::string>();
    if (!v) return base::make_error("expected a string");
    if (!v->empty() && (v->size() < 10 || v->size() > 79)) {
      return base::make_error("must be empty or 10-79 characters");
    }
    out = *v;
    return {};
  };
}

// Stream name -> SRT passphrase, each 10-79 characters.
Setter passphrase_map(std::map<std::string, std::string>& out) {
  return [&out](const toml::node& n) -> base::Status {
    const toml::table* table = n.as_table();
    if (!table) return base::make_error("expected a table of stream name = passphrase");
    for (const auto& [key, value] : *table) {
      std::optional<std::string> v = value.value<std::string>();
      if (!v || v->size() < 10 || v->size() > 79) {
        return base::make_error("'" + std::string(key.str()) + "': a passphrase is 10-79 characters");
      }
      out[std::string(key.str())] = *v;
    }
    return {};
  };
}

Setter text_list(std::vector<std::string>& out) {
  return [&out](const toml::node& n) -> base::Status {
    const toml::array* array = n.as_array();
    if (!array) return base::make_error("expected an array of strings");
    out.clear();
    for (const auto& item : *array) {
      std::optional<std::string> v = item.value<std::string>();
      if (!v) return base::make_error("expected an array of strings");
      out.push_back(*v);
    }
    return {};
  };
}

// Stream name -> array of strings; a key given again replaces its list.
Setter text_list_map(std::map<std::string, std::vector<std::string>>& out) {
  return [&out](const toml::node& n) -> base::Status {
    const toml::table* table = n.as_table();
    if (!table) return base::make_error("expected a table of stream name = [\"url\", ...]");
    for (const auto& [key, value] : *table) {
      std::vector<std::string> list;
      if (base::Status status = text_list(list)(value); !status) {
        return base::make_error("'" + std::string(key.str()) + "': " + status.error().message);
      }
      out[std::string(key.str())] = std::move(list);
    }
    return {};
  };
}

Setter string_map(std::map<std::string, std::string>& out) {
  return [&out](const toml::node& n) -> base::Status {
    const toml::table* table = n.as_table();
    if (!table) return base::make_error("expected a table of strings");
    for (const auto& [key, value] : *table) {
      std::optional<std::string> v = value.value<std::string>();
      if (!v) return base::make_error("expected a string for '" + std::string(key.str()) + "'");
      out[std::string(key.str())] = *v;
    }
    return {};
  };
}

// Strictly a TOML boolean (toml++'s value<bool>() would also take integers).
std::optional<bool> boolean(const toml::node& n) {
  if (const auto* b = n.as_boolean()) return b->get();
  return std::nullopt;
}

Setter flag(bool& out) {
  return [&out](const toml::node& n) -> base::Status {
    std::optional<bool> v = boolean(n);
    if (!v) return base::make_error("expected true or false");
    out = *v;
    return {};
  };
}

// [{name = "720p", height = 720, video_kbps = 2500, max_fps = 30}, ...]; max_fps optional.
// Ranges and names are checked with the whole ladder (validate_ladder) after loading.
base::Result<std::vector<transcode::LadderRung>> ladder_rungs(const toml::node& n) {
  const toml::array* array = n.as_array();
  if (!array) return base::make_error("expected an array of {name, height, video_kbps, max_fps} tables");
  std::vector<transcode::LadderRung> rungs;
  for (const auto& item : *array) {
    const toml::table* t = item.as_table();
    std::optional<std::string> name = t ? (*t)["name"].value<std::string>() : std::nullopt;
    std::optional<int64_t> height = t ? (*t)["height"].value<int64_t>() : std::nullopt;
    std::optional<int64_t> kbps = t ? (*t)["video_kbps"].value<int64_t>() : std::nullopt;
    if (!name || !height || !kbps || *height < 0 || *kbps < 0) {
      return base::make_error("each rung needs name (string), height and video_kbps (integers)");
    }
    transcode::LadderRung rung{*name, static_cast<uint32_t>(*height), static_cast<uint32_t>(*kbps), 30};
    if (t->contains("max_fps")) {
      std::optional<double> fps = (*t)["max_fps"].value<double>();
      if (!fps) return base::make_error("rung '" + *name + "': max_fps must be a number");
      rung.max_fps = *fps;
    }
    rungs.push_back(std::move(rung));
  }
  return rungs;
}

Setter rungs(std::vector<transcode::LadderRung>& out) {
  return [&out](const toml::node& n) -> base::Status {
    auto parsed = ladder_rungs(n);
    if (!parsed) return parsed.error();
    out = std::move(*parsed);
    return {};
  };
}

// Stream name -> {enabled, passthrough, ladder}, each optional.
Setter transcode_streams(std::map<std::string, transcode::LadderOverride>& out) {
  return [&out](const toml::node& n) -> base::Status {
    const toml::table* table = n.as_table();
    if (!table) return base::make_error("expected a table of stream name = {enabled, passthrough, ladder}");
    for (const auto& [key, value] : *table) {
      std::string name(key.str());
      const toml::table* fields = value.as_table();
      if (!fields) return base::make_error("'" + name + "': expected a table {enabled, passthrough, ladder}");
      transcode::LadderOverride override;
      for (const auto& [field, node] : *fields) {
        if (field.str() == "enabled" || field.str() == "passthrough") {
          std::optional<bool> v = boolean(node);
          if (!v) return base::make_error("'" + name + "." + std::string(field.str()) + "': expected true or false");
          (field.str() == "enabled" ? override.enabled : override.passthrough) = *v;
        } else if (field.str() == "ladder") {
          auto parsed = ladder_rungs(node);
          if (!parsed) return base::make_error("'" + name + ".ladder': " + parsed.error().message);
          override.rungs = std::move(*parsed);
        } else {
          return base::make_error("'" + name + "': unknown key '" + std::string(field.str()) + "'");
        }
      }
      out[name] = std::move(override);
    }
    return {};
  };
}

// The global ladder and every stream's effective one must be usable.
base::Status validate_transcode(const TranscodeConfig& t) {
  if (base::Status valid = transcode::validate_ladder(t.ladder); !valid) {
    return base::make_error("config key 'transcode.ladder': " + valid.error().message);
  }
  for (const auto& [name, override] : t.streams) {
    auto effective = transcode::apply_override({t.enabled, t.ladder}, override);
    if (base::Status valid = transcode::validate_ladder(effective.ladder); !valid) {
      return base::make_error("config key 'transcode.streams." + name + "': " + valid.error().message);
    }
  }
  return {};
}

std::map<std::string, Setter> setters(Config& c) {
  return {
      {"http.listen", text(c.http.listen)},
      {"http.max_connections", number(c.http.max_connections, 1, 1e6)},
      {"http.max_header_bytes", number(c.http.max_header_bytes, 1024, 1 << 20)},
      {"http.max_body_bytes", number(c.http.max_body_bytes, 0, 64 << 20)},
      {"http.idle_timeout_s", number(c.http.idle_timeout_s, 1, 3600)},
      {"http.max_parked_requests", number(c.http.max_parked_requests, 0, 1e6)},
      {"rtmp.listen", text(c.rtmp.listen)},
      {"rtmp.max_connections", number(c.rtmp.max_connections, 1, 1e5)},
      {"rtmp.max_message_bytes", number(c.rtmp.max_message_bytes, 64 * 1024, 64 << 20)},
      {"rtmp.idle_timeout_s", number(c.rtmp.idle_timeout_s, 1, 3600)},
      {"hls.part_target_s", number(c.hls.part_target_s, 0.1, 2.0)},
      {"hls.segment_target_s", number(c.hls.segment_target_s, 0.5, 20.0)},
      {"hls.window_segments", number(c.hls.window_segments, 3, 1000)},
      {"hls.blocking_timeout_s", number(c.hls.blocking_timeout_s, 0.5, 60)},
      {"stream.subscriber_queue_frames", number(c.stream.subscriber_queue_frames, 16, 1e5)},
      {"stream.gop_cache_frames", number(c.stream.gop_cache_frames, 16, 1e5)},
      {"thumbnails.interval_s", number(c.thumbnails.interval_s, 0, 3600)},
      {"thumbnails.width", number(c.thumbnails.width, 16, 3840)},
      {"transcode.enabled", flag(c.transcode.enabled)},
      {"transcode.passthrough", flag(c.transcode.ladder.passthrough)},
      {"transcode.ladder", rungs(c.transcode.ladder.rungs)},
      {"transcode.keyframe_interval_s", number(c.transcode.keyframe_interval_s, 0, 20)},
      {"transcode.x264_preset", text(c.transcode.x264_preset, {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                                                "medium", "slow", "slower", "veryslow"})},
      {"transcode.streams", transcode_streams(c.transcode.streams)},
      {"transcode.audio_bridge", flag(c.transcode.audio_bridge)},
      {"auth.mode", text(c.auth.mode, {"open", "keys"})},
      {"auth.keys", string_map(c.auth.keys)},
      {"restream.destinations", text_list_map(c.restream.destinations)},
      {"restream.backoff_min_s", number(c.restream.backoff_min_s, 0.1, 600)},
      {"restream.backoff_max_s", number(c.restream.backoff_max_s, 0.1, 3600)},
      {"restream.max_per_stream", number(c.restream.max_per_stream, 1, 64)},
      {"restream.max_destinations", number(c.restream.max_destinations, 1, 100000)},
      {"srt.listen", text(c.srt.listen)},
      {"srt.passphrase", passphrase(c.srt.passphrase)},
      {"srt.passphrases", passphrase_map(c.srt.passphrases)},
      {"srt.pbkeylen", one_of(c.srt.pbkeylen, {16, 24, 32})},
      {"srt.latency_ms", number(c.srt.latency_ms, 20, 10000)},
      {"srt.max_connections", number(c.srt.max_connections, 1, 1e5)},
      {"webrtc.listen", text(c.webrtc_listen)},
      {"webrtc.public_ips", text_list(c.webrtc_public_ips)},
      {"webrtc.reencode_bframes", flag(c.webrtc_reencode_bframes)},
      {"webrtc.lip_sync", flag(c.webrtc_lip_sync)},
      {"webrtc.test_drop_percent", number(c.webrtc_test_drop_percent, 0, 50)},
      {"storage.data_dir", text(c.data_dir)},
      {"record.enabled", flag(c.record.enabled)},
      {"record.sync_interval_s", number(c.record.sync_interval_s, 0.05, 60)},
      {"record.max_queue_mb", number(c.record.max_queue_mb, 1, 4096)},
      {"runtime.shards", number(c.shards, 0, 256)},
      {"log.level", text(c.log_level, {"trace", "debug", "info", "warn", "error"})},
  };
}

// Applies every leaf of `table` (dotted path `prefix`) through the setters.
base::Status apply_table(const toml::table& table, const std::string& prefix,
                         std::map<std::string, Setter>& set) {
  for (const auto& [key, node] : table) {
    std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    auto it = set.find(path);
    if (it != set.end()) {
      base::Status status = it->second(node);
      if (!status) return base::make_error("config key '" + path + "': " + status.error().message);
    } else if (const toml::table* sub = node.as_table()) {
      base::Status status = apply_table(*sub, path, set);
      if (!status) return status;
    } else {
      return base::make_error("unknown config key '" + path + "'");
    }
  }
  return {};
}

// "a.b=value": the value parsed as a TOML value when it is one, else taken as a string.
base::Result<toml::table> parse_override(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return base::make_error("--set expects key=value, got '" + text + "'");
  std::string key = text.substr(0, eq);
  std::string value = text.substr(eq + 1);
  toml::table result;
  try {
    toml::table parsed = toml::parse("v = " + value);
    result = parsed;
  } catch (const toml::parse_error&) {
    result.insert("v", value);
  }
  // Re-nest under the dotted key: a.b.c = v.
  toml::table root;
  toml::table* cursor = &root;
  std::istringstream parts(key);
  std::vector<std::string> segments;
  for (std::string part; std::getline(parts, part, '.');) segments.push_back(part);
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    cursor = cursor->insert(segments[i], toml::table{}).first->second.as_table();
  }
  cursor->insert(segments.back(), *result.get("v"));
  return root;
}

}  // namespace

base::Result<Config> load_config(const std::string& file, const std::vector<std::string>& overrides) {
  Config config;
  auto set = setters(config);
  if (!file.empty()) {
    try {
      toml::table table = toml::parse_file(file);
      base::Status status = apply_table(table, "", set);
      if (!status) return base::make_error(file + ": " + status.error().message);
    } catch (const toml::parse_error& e) {
      std::ostringstream msg;
      msg << file << ":" << e.source().begin.line << ": " << e.description();
      return base::make_error(msg.str());
    }
  }
  for (const auto& text : overrides) {
    auto table = parse_override(text);
    if (!table) return table.error();
    base::Status status = apply_table(*table, "", set);
    if (!status) return base::make_error("--set " + text + ": " + status.error().message);
  }
  if (base::Status valid = validate_transcode(config.transcode); !valid) return valid.error();
  return config;
}

}  // namespace vela::server
