#include "packager/hls_names.hpp"

namespace vela::packager {
namespace {

constexpr std::string_view kMultivariantName = "index.m3u8";
constexpr std::string_view kPlaylistSuffix = ".m3u8";
constexpr std::string_view kInitPrefix = "init";
constexpr std::string_view kInitSuffix = ".mp4";
constexpr std::string_view kSegmentPrefix = "seg";
constexpr std::string_view kPartPrefix = "part";
constexpr std::string_view kMediaSuffix = ".m4s";

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Canonical form only: "0" or digits without a leading zero, so each object has one name.
std::optional<uint64_t> parse_canonical(std::string_view text, uint64_t max) {
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  return parse_decimal(text, max);
}

// "{prefix}{digits}{suffix}" -> digits, or nullopt.
std::optional<std::string_view> strip(std::string_view text, std::string_view prefix,
                                      std::string_view suffix) {
  if (text.size() < prefix.size() + suffix.size() || !text.starts_with(prefix) ||
      !text.ends_with(suffix)) {
    return std::nullopt;
  }
  return text.substr(prefix.size(), text.size() - prefix.size() - suffix.size());
}

base::Result<ObjectRef> parse_media_object(std::string_view rendition, std::string_view file) {
  ObjectRef ref;
  ref.rendition = std::string(rendition);
  if (auto digits = strip(file, kInitPrefix, kInitSuffix)) {
    auto id = parse_canonical(*digits, kMaxSequenceNumber);
    if (!id) return base::make_error("bad init id");
    ref.kind = ObjectKind::init;
    ref.init_id = *id;
    return ref;
  }
  if (auto digits = strip(file, kSegmentPrefix, kMediaSuffix)) {
    auto msn = parse_canonical(*digits, kMaxSequenceNumber);
    if (!msn) return base::make_error("bad segment number");
    ref.kind = ObjectKind::segment;
    ref.msn = *msn;
    return ref;
  }
  if (auto numbers = strip(file, kPartPrefix, kMediaSuffix)) {
    size_t dot = numbers->find('.');
    if (dot == std::string_view::npos) return base::make_error("bad part name");
    auto msn = parse_canonical(numbers->substr(0, dot), kMaxSequenceNumber);
    auto index = parse_canonical(numbers->substr(dot + 1), kMaxPartIndex);
    if (!msn || !index) return base::make_error("bad part number");
    ref.kind = ObjectKind::part;
    ref.msn = *msn;
    ref.part = static_cast<uint32_t>(*index);
    return ref;
  }
  return base::make_error("unknown media object name");
}

}  // namespace

std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > max / 10) return std::nullopt;
    value *= 10;
    if (digit > max - value) return std::nullopt;
    value += digit;
  }
  return value;
}

bool is_valid_rendition_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxRenditionNameLength) return false;
  if (name.front() == '_' || name.front() == '-') return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return name != "index";
}

base::Result<ObjectRef> parse_object_path(std::string_view path) {
  if (path == kMultivariantName) return ObjectRef{};
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) {
    if (!path.ends_with(kPlaylistSuffix)) return base::make_error("unknown object name");
    std::string_view rendition = path.substr(0, path.size() - kPlaylistSuffix.size());
    if (!is_valid_rendition_name(rendition)) return base::make_error("bad rendition name");
    ObjectRef ref;
    ref.kind = ObjectKind::media_playlist;
    ref.rendition = std::string(rendition);
    return ref;
  }
  std::string_view rendition = path.substr(0, slash);
  std::string_view file = path.substr(slash + 1);
  if (!is_valid_rendition_name(rendition)) return base::make_error("bad rendition name");
  if (file.find('/') != std::string_view::npos) return base::make_error("path too deep");
  return parse_media_object(rendition, file);
}

std::string multivariant_path() {
  return std::string(kMultivariantName);
}

std::string media_playlist_path(std::string_view rendition) {
  return std::string(rendition) + std::string(kPlaylistSuffix);
}

std::string init_path(std::string_view rendition, uint64_t init_id) {
  return std::string(rendition) + "/" + std::string(kInitPrefix) + std::to_string(init_id) +
         std::string(kInitSuffix);
}

std::string segment_path(std::string_view rendition, uint64_t msn) {
  return std::string(rendition) + "/" + std::string(kSegmentPrefix) + std::to_string(msn) +
         std::string(kMediaSuffix);
}

std::string part_path(std::string_view rendition, uint64_t msn, uint32_t index) {
  return std::string(rendition) + "/" + std::string(kPartPrefix) + std::to_string(msn) + "." +
         std::to_string(index) + std::string(kMediaSuffix);
}

std::string object_path(const ObjectRef& ref) {
  switch (ref.kind) {
    case ObjectKind::multivariant:
      return multivariant_path();
    case ObjectKind::media_playlist:
      return media_playlist_path(ref.rendition);
    case ObjectKind::init:
      return init_path(ref.rendition, ref.init_id);
    case ObjectKind::segment:
      return segment_path(ref.rendition, ref.msn);
    case ObjectKind::part:
      return part_path(ref.rendition, ref.msn, ref.part);
  }
  return {};
}

}  // namespace vela::packager
