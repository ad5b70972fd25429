// Command-line arguments and target URL of `vela bench hls-load`.
#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <optional>

#include "bench/hls_load.hpp"

namespace vela::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool is_loopback(const asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4().to_bytes()[0] == 127;
  return address.to_v6().is_loopback() ||
         (address.to_v6().is_v4_mapped() &&
          asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_bytes()[0] == 127);
}

}  // namespace

base::Result<HlsLoadOptions> parse_hls_load_args(std::span<const std::string_view> args) {
  HlsLoadOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[i + 1];
    }
    auto take = [&]() -> std::optional<std::string_view> {
      if (!value) return std::nullopt;
      if (arg.find('=') == std::string_view::npos) ++i;
      return value;
    };
    auto number = [&](uint32_t min, uint32_t max, uint32_t& out) -> base::Status {
      auto text = take();
      auto parsed = text ? parse_number<uint32_t>(*text) : std::nullopt;
      if (!parsed || *parsed < min || *parsed > max) {
        return base::make_error(fmt::format("{} needs an integer from {} to {}", name, min, max));
      }
      out = *parsed;
      return {};
    };
    base::Status status;
    if (name == "--url") {
      auto text = take();
      if (!text) return base::make_error("--url needs a value");
      options.url = std::string(*text);
    } else if (name == "--json") {
      auto text = take();
      if (!text || text->empty()) return base::make_error("--json needs a file name");
      options.json_path = std::string(*text);
    } else if (name == "--trace") {
      auto text = take();
      if (!text || text->empty()) return base::make_error("--trace needs a file name");
      options.trace_path = std::string(*text);
    } else if (name == "--availability-offset-us") {
      auto text = take();
      auto parsed = text ? parse_number<int64_t>(*text) : std::nullopt;
      if (!parsed || *parsed < -60'000'000 || *parsed > 60'000'000) {
        return base::make_error("--availability-offset-us needs microseconds within +-60 s");
      }
      options.availability_offset_us = *parsed;
    } else if (name == "--clients") {
      status = number(0, kMaxClients, options.clients);
    } else if (name == "--duration") {
      status = number(1, kMaxDurationS, options.duration_s);
    } else if (name == "--threads") {
      status = number(1, kMaxThreads, options.threads);
    } else if (name == "--timeout-ms") {
      status = number(100, 120'000, options.timeout_ms);
    } else if (name == "--ramp-ms") {
      status = number(0, 600'000, options.ramp_ms);
    } else {
      return base::make_error(fmt::format("unexpected argument '{}'", arg));
    }
    if (!status) return status.error();
  }
  if (options.url.empty()) return base::make_error("--url is required");
  return options;
}

base::Result<HttpTarget> parse_loopback_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return base::make_error(fmt::format("not a URL: '{}'", url));
  if (parsed->scheme() != "http") return base::make_error("only http:// URLs are supported");
  HttpTarget target;
  std::string host = parsed->host_address();
  if (host == "localhost") {
    target.address = "127.0.0.1";
  } else {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    beast::error_code error;
    auto address = asio::ip::make_address(host, error);
    if (error) return base::make_error(fmt::format("host '{}' is not an IP address", host));
    if (!is_loopback(address)) {
      return base::make_error(fmt::format("host '{}' is not a loopback address", host));
    }
    target.address = address.to_string();
  }
  if (parsed->has_port()) {
    auto port = parse_number<uint16_t>(parsed->port());
    if (!port || *port == 0) return base::make_error("bad port");
    target.port = *port;
  }
  target.host_header = std::string(parsed->encoded_host_and_port());
  target.path = std::string(parsed->encoded_path());
  if (target.path.empty() || target.path.front() != '/') target.path.insert(0, "/");
  if (parsed->has_query()) {
    target.path += '?';
    target.path += std::string(parsed->encoded_query());
  }
  return target;
}
}  // namespace vela::bench
