// Command-line arguments of `vela bench whep-load`.
#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "bench/whep_load.hpp"

namespace vela::bench {

namespace {

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

base::Result<WhepLoadOptions> parse_whep_load_args(std::span<const std::string_view> args) {
  WhepLoadOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view name = arg;
    std::optional<std::string_view> value;
    bool inline_value = false;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    } else if (i + 1 < args.size()) {
      value = args[i + 1];
    }
    auto take = [&]() -> std::optional<std::string_view> {
      if (!value) return std::nullopt;
      if (!inline_value) ++i;
      return value;
    };
    auto number = [&](uint64_t min, uint64_t max) -> base::Result<uint64_t> {
      auto text = take();
      auto parsed = text ? parse_number<uint64_t>(*text) : std::nullopt;
      if (!parsed || *parsed < min || *parsed > max)
        return base::make_error(fmt::format("{} needs an integer from {} to {}", name, min, max));
      return *parsed;
    };
    if (name == "--url") {
      auto text = take();
      if (!text || text->empty()) return base::make_error("--url needs a value");
      options.url = std::string(*text);
    } else if (name == "--report") {
      auto text = take();
      if (!text || text->empty()) return base::make_error("--report needs a file name");
      options.report_path = std::string(*text);
    } else if (name == "--viewers") {
      auto n = number(0, kMaxViewers);
      if (!n) return n.error();
      options.viewers = static_cast<uint32_t>(*n);
    } else if (name == "--duration") {
      auto n = number(1, kMaxDurationS);
      if (!n) return n.error();
      options.duration_s = static_cast<uint32_t>(*n);
    } else if (name == "--ramp-per-s") {
      auto n = number(1, 1000);
      if (!n) return n.error();
      options.ramp_per_s = static_cast<uint32_t>(*n);
    } else if (name == "--janus-mountpoint") {
      auto n = number(1, UINT32_MAX);
      if (!n) return n.error();
      options.mode = SignallingMode::janus;
      options.janus_mountpoint = *n;
    } else {
      return base::make_error(fmt::format("unexpected argument '{}'", arg));
    }
  }
  if (options.url.empty()) return base::make_error("--url is required");
  return options;
}

}  // namespace vela::bench
