#include "record/recording_meta.hpp"

#include <boost/json.hpp>

namespace vela::record {

namespace json = boost::json;

namespace {
constexpr int64_t kVersion = 1;
}  // namespace

std::string encode_recording_meta(const RecordingMeta& meta) {
  json::array renditions;
  for (const RenditionMeta& r : meta.renditions) {
    renditions.push_back(json::object{{"name", r.name}, {"codecs", r.codecs}, {"bandwidth", r.bandwidth},
                                      {"width", r.width}, {"height", r.height}});
  }
  json::object root{{"version", kVersion},
                    {"id", meta.id},
                    {"stream", meta.stream},
                    {"started_unix_ms", meta.started_unix_ms},
                    {"renditions", std::move(renditions)}};
  return json::serialize(root);
}

base::Result<RecordingMeta> decode_recording_meta(std::string_view text) {
  boost::system::error_code error;
  json::value root = json::parse(text, error);
  if (error) return base::make_error("recording.json: " + error.message());
  const json::object* object = root.if_object();
  if (!object) return base::make_error("recording.json: not an object");
  auto string_field = [](const json::object& o, const char* key) -> const json::string* {
    const json::value* v = o.if_contains(key);
    return v ? v->if_string() : nullptr;
  };
  auto integer_field = [](const json::object& o, const char* key) -> std::optional<int64_t> {
    const json::value* v = o.if_contains(key);
    if (!v) return std::nullopt;
    if (const int64_t* i = v->if_int64()) return *i;
    if (const uint64_t* u = v->if_uint64(); u && *u <= INT64_MAX) return static_cast<int64_t>(*u);
    return std::nullopt;
  };
  if (integer_field(*object, "version") != kVersion) return base::make_error("recording.json: unknown version");
  RecordingMeta meta;
  const json::string* id = string_field(*object, "id");
  const json::string* stream = string_field(*object, "stream");
  auto started = integer_field(*object, "started_unix_ms");
  const json::value* renditions = object->if_contains("renditions");
  if (!id || !stream || !started || !renditions || !renditions->is_array())
    return base::make_error("recording.json: id, stream, started_unix_ms and renditions are required");
  meta.id = *id;
  meta.stream = *stream;
  meta.started_unix_ms = *started;
  for (const json::value& entry : renditions->get_array()) {
    const json::object* r = entry.if_object();
    if (!r) return base::make_error("recording.json: a rendition is not an object");
    const json::string* name = string_field(*r, "name");
    const json::string* codecs = string_field(*r, "codecs");
    auto bandwidth = integer_field(*r, "bandwidth");
    auto width = integer_field(*r, "width");
    auto height = integer_field(*r, "height");
    auto fits = [](std::optional<int64_t> v) { return v && *v >= 0 && *v <= UINT32_MAX; };
    if (!name || !codecs || !fits(bandwidth) || !fits(width) || !fits(height))
      return base::make_error("recording.json: a rendition needs name, codecs, bandwidth, width and height");
    meta.renditions.push_back({std::string(*name), std::string(*codecs), static_cast<uint32_t>(*bandwidth),
                               static_cast<uint32_t>(*width), static_cast<uint32_t>(*height)});
  }
  if (meta.renditions.size() > UINT16_MAX) return base::make_error("recording.json: too many renditions");
  return meta;
}

}  // namespace vela::record
