#include "bench/playlist_scan.hpp"

#include <charconv>
#include <chrono>
#include <cmath>

namespace vela::bench {
namespace {

constexpr std::string_view kPart = "#EXT-X-PART:";
constexpr std::string_view kPdt = "#EXT-X-PROGRAM-DATE-TIME:";
constexpr std::string_view kInf = "#EXTINF:";
constexpr std::string_view kMediaSequence = "#EXT-X-MEDIA-SEQUENCE:";
constexpr std::string_view kSkip = "#EXT-X-SKIP:";
constexpr std::string_view kPreloadHint = "#EXT-X-PRELOAD-HINT:";
constexpr std::string_view kStreamInf = "#EXT-X-STREAM-INF:";
constexpr std::string_view kEndList = "#EXT-X-ENDLIST";

// Next line of `text` from `pos` (without "\n" or "\r\n"); advances pos past it.
std::string_view next_line(std::string_view text, size_t& pos) {
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(pos, end - pos);
  pos = end < text.size() ? end + 1 : end;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

template <class T>
std::optional<T> parse_unsigned(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Exactly `n` digits at text[pos..].
std::optional<int> fixed_digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

int64_t seconds_to_micros(double seconds) {
  return std::llround(seconds * 1e6);
}

}  // namespace

std::optional<std::string_view> find_attribute(std::string_view attributes, std::string_view name) {
  size_t pos = 0;
  while (pos < attributes.size()) {
    size_t eq = attributes.find('=', pos);
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = attributes.substr(pos, eq - pos);
    size_t value_start = eq + 1;
    size_t value_end;
    std::string_view value;
    if (value_start < attributes.size() && attributes[value_start] == '"') {
      size_t close = attributes.find('"', value_start + 1);
      if (close == std::string_view::npos) return std::nullopt;
      value = attributes.substr(value_start + 1, close - value_start - 1);
      value_end = close + 1;
      if (value_end < attributes.size() && attributes[value_end] != ',') return std::nullopt;
    } else {
      value_end = attributes.find(',', value_start);
      if (value_end == std::string_view::npos) value_end = attributes.size();
      value = attributes.substr(value_start, value_end - value_start);
    }
    if (key == name) return value;
    pos = value_end + 1;
  }
  return std::nullopt;
}

std::optional<int64_t> parse_program_date_time(std::string_view text) {
  // YYYY-MM-DDThh:mm:ss[.f+](Z|+hh:mm|-hh:mm)
  auto year = fixed_digits(text, 0, 4);
  auto month = fixed_digits(text, 5, 2);
  auto day = fixed_digits(text, 8, 2);
  auto hour = fixed_digits(text, 11, 2);
  auto minute = fixed_digits(text, 14, 2);
  auto second = fixed_digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                      std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;

  size_t pos = 19;
  int64_t fraction_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction_us += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    offset_s = 0;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    auto offset_hours = fixed_digits(text, pos + 1, 2);
    auto offset_minutes = fixed_digits(text, pos + 4, 2);
    if (!offset_hours || !offset_minutes || *offset_minutes > 59) return std::nullopt;
    offset_s = (*offset_hours * 3600 + *offset_minutes * 60) * (text[pos] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  int64_t days_since_epoch = sys_days(date).time_since_epoch().count();
  int64_t seconds = days_since_epoch * 86400 + *hour * 3600 + *minute * 60 + *second - offset_s;
  return seconds * 1'000'000 + fraction_us;
}

std::optional<double> parse_duration(std::string_view text) {
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  double value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<PartTag> parse_part_tag(std::string_view attributes) {
  auto duration = find_attribute(attributes, "DURATION");
  auto uri = find_attribute(attributes, "URI");
  if (!duration || !uri || uri->empty()) return std::nullopt;
  auto seconds = parse_duration(*duration);
  if (!seconds) return std::nullopt;
  PartTag tag;
  tag.duration_s = *seconds;
  tag.uri = *uri;
  auto independent = find_attribute(attributes, "INDEPENDENT");
  tag.independent = independent && *independent == "YES";
  return tag;
}

std::optional<std::string_view> parse_preload_hint(std::string_view attributes) {
  auto type = find_attribute(attributes, "TYPE");
  if (!type || *type != "PART") return std::nullopt;
  auto uri = find_attribute(attributes, "URI");
  if (!uri || uri->empty()) return std::nullopt;
  return uri;
}

void MediaPlaylistScan::clear() {
  media_sequence = 0;
  parts.clear();
  preload_hint.reset();
  ended = false;
}

base::Status scan_media_playlist(std::string_view text, MediaPlaylistScan& out) {
  out.clear();
  size_t pos = 0;
  if (next_line(text, pos) != "#EXTM3U") return base::make_error("not a playlist (no #EXTM3U)");

  uint64_t msn = 0;
  uint32_t index = 0;                  // next part index in segment msn
  double elapsed_s = 0;                // parts of segment msn so far
  std::optional<int64_t> segment_pdt;  // of segment msn
  double extinf_s = -1;                // of segment msn, once seen
  bool counted_start = false;          // media sequence (and skip) applied

  while (pos < text.size()) {
    std::string_view line = next_line(text, pos);
    if (line.empty()) continue;
    if (line.front() != '#') {
      // A segment URI ends segment msn; a later one without its own PDT continues from it.
      if (extinf_s < 0) return base::make_error("segment URI without #EXTINF");
      if (segment_pdt) *segment_pdt += seconds_to_micros(extinf_s);
      ++msn;
      index = 0;
      elapsed_s = 0;
      extinf_s = -1;
      continue;
    }
    if (line.starts_with(kPart)) {
      auto tag = parse_part_tag(line.substr(kPart.size()));
      if (!tag) return base::make_error("malformed #EXT-X-PART");
      elapsed_s += tag->duration_s;
      PlaylistPart part;
      part.msn = msn;
      part.index = index++;
      part.duration_s = tag->duration_s;
      part.independent = tag->independent;
      part.uri = tag->uri;
      part.available_us = segment_pdt ? *segment_pdt + seconds_to_micros(elapsed_s) : 0;
      out.parts.push_back(part);
    } else if (line.starts_with(kPdt)) {
      auto pdt = parse_program_date_time(line.substr(kPdt.size()));
      if (!pdt) return base::make_error("malformed #EXT-X-PROGRAM-DATE-TIME");
      segment_pdt = *pdt;
    } else if (line.starts_with(kInf)) {
      std::string_view value = line.substr(kInf.size());
      value = value.substr(0, value.find(','));
      auto seconds = parse_duration(value);
      if (!seconds) return base::make_error("malformed #EXTINF");
      extinf_s = *seconds;
    } else if (line.starts_with(kMediaSequence)) {
      auto value = parse_unsigned<uint64_t>(line.substr(kMediaSequence.size()));
      if (!value || counted_start) return base::make_error("malformed #EXT-X-MEDIA-SEQUENCE");
      out.media_sequence = *value;
      msn += *value;
      counted_start = true;
    } else if (line.starts_with(kSkip)) {
      auto skipped = find_attribute(line.substr(kSkip.size()), "SKIPPED-SEGMENTS");
      auto value = skipped ? parse_unsigned<uint64_t>(*skipped) : std::nullopt;
      if (!value) return base::make_error("malformed #EXT-X-SKIP");
      msn += *value;
    } else if (line.starts_with(kPreloadHint)) {
      auto uri = parse_preload_hint(line.substr(kPreloadHint.size()));
      if (uri) out.preload_hint = uri;
    } else if (line == kEndList) {
      out.ended = true;
    }
  }
  return {};
}

std::optional<std::string_view> first_variant_uri(std::string_view multivariant) {
  size_t pos = 0;
  if (next_line(multivariant, pos) != "#EXTM3U") return std::nullopt;
  bool after_stream_inf = false;
  while (pos < multivariant.size()) {
    std::string_view line = next_line(multivariant, pos);
    if (line.empty()) continue;
    if (line.starts_with(kStreamInf)) {
      after_stream_inf = true;
    } else if (line.front() != '#' && after_stream_inf) {
      return line;
    }
  }
  return std::nullopt;
}

bool resolve_uri(std::string_view base_path, std::string_view uri, std::string& out) {
  out.clear();
  if (uri.empty()) return false;
  if (uri.starts_with("http://")) {
    size_t slash = uri.find('/', 7);
    if (slash == std::string_view::npos) return false;
    out.append(uri.substr(slash));
    return true;
  }
  if (uri.find("://") != std::string_view::npos && uri.find("://") < uri.find('/')) return false;
  if (uri.front() == '/') {
    out.append(uri);
    return true;
  }
  size_t last_slash = base_path.rfind('/');
  out.append(last_slash == std::string_view::npos ? std::string_view("/")
                                                  : base_path.substr(0, last_slash + 1));
  out.append(uri);
  return true;
}

PartRange parts_after(const MediaPlaylistScan& scan, uint64_t msn, uint32_t index) {
  const auto& parts = scan.parts;
  size_t first = parts.size();
  while (first > 0) {
    const PlaylistPart& part = parts[first - 1];
    if (part.msn < msn || (part.msn == msn && part.index <= index)) break;
    --first;
  }
  return {first, parts.size()};
}

}  // namespace vela::bench
