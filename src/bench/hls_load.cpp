#include "bench/hls_load.hpp"

#include <sys/resource.h>

#include <array>
#include <charconv>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "base/time.hpp"
#include "bench/playlist_scan.hpp"

namespace vela::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr size_t kMaxPlaylistBytes = 1 << 20;
constexpr uint64_t kMaxBodyBytes = 64 << 20;
constexpr size_t kReadBufferBytes = 64 * 1024;  // per connection; one socket read at most
constexpr auto kWatchdogPeriod = std::chrono::milliseconds(50);
constexpr auto kRetryDelay = std::chrono::milliseconds(200);
constexpr auto kProgressPeriod = std::chrono::seconds(10);

// Reads one response: keeps the status, counts the body, and appends it to `text` when
// given (playlists) or drops it (media). Header fields are not stored: no allocation.
class ResponseSink final : public http::basic_parser<false> {
 public:
  explicit ResponseSink(std::string* text) : text_(text) { body_limit(kMaxBodyBytes); }

  int status() const { return status_; }
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
    status_ = code;
  }
  void on_field_impl(http::field, beast::string_view, beast::string_view,
                     beast::error_code&) override {}
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}
  size_t on_body_impl(beast::string_view body, beast::error_code& ec) override {
    return take(body, ec);
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                            beast::error_code& ec) override {
    return take(body, ec);
  }
  void on_finish_impl(beast::error_code&) override {}

  size_t take(beast::string_view body, beast::error_code& ec) {
    body_bytes_ += body.size();
    if (text_) {
      if (text_->size() + body.size() > kMaxPlaylistBytes) {
        ec = http::error::body_limit;
        return 0;
      }
      text_->append(body.data(), body.size());
    }
    return body.size();
  }

  std::string* text_;
  int status_ = 0;
  uint64_t body_bytes_ = 0;
};

enum class Outcome { ok, http_error, failed };

struct Client {
  explicit Client(asio::io_context& io) : socket(io), timer(io), buffer(kReadBufferBytes) {
    // Beast reads at most the free capacity (and at least 512 bytes): without room up front
    // every body would come in 512-byte reads.
    buffer.reserve(kReadBufferBytes);
  }

  tcp::socket socket;
  asio::steady_timer timer;  // start ramp and retry pauses
  beast::flat_buffer buffer;
  std::string request;     // the request being sent
  std::string query;       // delivery directives
  std::string text;        // the last playlist's body; the scan's views point into it
  std::string media_path;  // media playlist path, from the multivariant
  std::string part_path;
  MediaPlaylistScan scan;
  uint32_t id = 0;
  bool connected = false;
  bool has_cursor = false;  // (msn, index): the newest part this client has
  uint64_t msn = 0;
  uint32_t index = 0;
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
  bool timed_out = false;
};

// First arrival of each recent part at any client of one worker (a small ring keyed by
// the part; older entries are overwritten, which only loses the spread of stale parts).
class FirstArrivals {
 public:
  // Returns the first arrival of (msn, index), recording `now_us` if it is the first.
  int64_t first(uint64_t msn, uint32_t index, int64_t now_us) {
    uint64_t key = msn * 16384 + index;
    Slot& slot = slots_[key % slots_.size()];
    if (!slot.used || slot.key != key) slot = Slot{key, now_us, true};
    return slot.first_us;
  }

 private:
  struct Slot {
    uint64_t key = 0;
    int64_t first_us = 0;
    bool used = false;
  };
  std::array<Slot, 512> slots_{};
};

// One io_context thread and the clients it runs.
class Worker {
 public:
  Worker(const HlsLoadOptions& options, const HttpTarget& target, uint32_t first_client,
         uint32_t client_count, bool progress)
      : options_(options),
        target_(target),
        endpoint_(asio::ip::make_address(target.address), target.port),
        timeout_(std::chrono::milliseconds(options.timeout_ms)),
        stop_timer_(io_),
        watchdog_timer_(io_),
        progress_timer_(io_),
        first_client_(first_client),
        progress_(progress) {
    clients_.reserve(client_count);
    for (uint32_t i = 0; i < client_count; ++i) {
      clients_.push_back(std::make_unique<Client>(io_));
      Client& c = *clients_.back();
      c.id = first_client + i;
      c.request.reserve(256 + target.path.size());
      c.query.reserve(64);
      c.text.reserve(16 * 1024);
      c.media_path.reserve(128);
      c.part_path.reserve(128);
      c.scan.parts.reserve(64);
    }
  }

  ~Worker() {
    if (trace_) std::fclose(trace_);
  }

  void run() {
    if (!options_.trace_path.empty()) {
      std::string path = options_.trace_path;
      if (options_.threads > 1) path += "." + std::to_string(first_client_);
      trace_ = std::fopen(path.c_str(), "w");
      if (trace_)
        std::fputs("client,msn,index,available_us,arrival_us,first_arrival_us,new_parts,nth\n",
                   trace_);
    }
    started_ = SteadyClock::now();
    uint32_t total = std::max<uint32_t>(options_.clients, 1);
    for (size_t i = 0; i < clients_.size(); ++i) {
      auto delay =
          std::chrono::milliseconds(uint64_t{options_.ramp_ms} * (first_client_ + i) / total);
      asio::co_spawn(io_, run_client(*clients_[i], delay), asio::detached);
    }
    asio::co_spawn(io_, watchdog(), asio::detached);
    if (progress_) asio::co_spawn(io_, report_progress(), asio::detached);
    stop_timer_.expires_after(std::chrono::seconds(options_.duration_s));
    stop_timer_.async_wait([this](beast::error_code) { stop(); });
    io_.run();
  }

  const HlsLoadCounters& counters() const { return counters_; }
  const LatencyHistogram& delay() const { return delay_; }
  const LatencyHistogram& delay_raw() const { return delay_raw_; }
  const LatencyHistogram& reload() const { return reload_; }
  const LatencyHistogram& spread() const { return spread_; }

 private:
  void stop() {
    stopping_ = true;
    watchdog_timer_.cancel();
    progress_timer_.cancel();
    for (auto& c : clients_) {
      beast::error_code ignored;
      c->timer.cancel();
      c->socket.close(ignored);
    }
  }

  asio::awaitable<void> watchdog() {
    while (!stopping_) {
      watchdog_timer_.expires_after(kWatchdogPeriod);
      co_await watchdog_timer_.async_wait(kUse);
      auto now = SteadyClock::now();
      for (auto& c : clients_) {
        if (c->deadline <= now) {
          c->timed_out = true;
          c->deadline = SteadyClock::time_point::max();
          beast::error_code ignored;
          c->socket.close(ignored);
        }
      }
    }
  }

  asio::awaitable<void> report_progress() {
    while (!stopping_) {
      progress_timer_.expires_after(kProgressPeriod);
      auto [error] = co_await progress_timer_.async_wait(kUse);
      if (error || stopping_) break;
      double elapsed = std::chrono::duration<double>(SteadyClock::now() - started_).count();
      std::fprintf(stderr,
                   "hls-load: %5.1f s  open %u  playlists %lu  parts %lu  errors %lu  "
                   "delay p50 %.1f ms p95 %.1f ms\n",
                   elapsed, open_, static_cast<unsigned long>(counters_.playlists),
                   static_cast<unsigned long>(counters_.parts),
                   static_cast<unsigned long>(counters_.errors()), delay_.percentile(50) / 1e3,
                   delay_.percentile(95) / 1e3);
    }
  }

  asio::awaitable<void> pause(Client& c, SteadyClock::duration how_long) {
    c.timer.expires_after(how_long);
    co_await c.timer.async_wait(kUse);
  }

  void close(Client& c) {
    beast::error_code ignored;
    c.socket.close(ignored);
    if (c.connected) --open_;
    c.connected = false;
  }

  asio::awaitable<bool> connect(Client& c) {
    c.buffer.clear();
    c.timed_out = false;
    c.deadline = SteadyClock::now() + timeout_;
    auto [error] = co_await c.socket.async_connect(endpoint_, kUse);
    c.deadline = SteadyClock::time_point::max();
    if (error) {
      if (stopping_) co_return false;
      ++(c.timed_out ? counters_.timeouts : counters_.connect_errors);
      beast::error_code ignored;
      c.socket.close(ignored);
      co_return false;
    }
    beast::error_code ignored;
    c.socket.set_option(tcp::no_delay(true), ignored);
    ++counters_.connections;
    ++open_;
    c.connected = true;
    co_return true;
  }

  // One request and its response on the client's connection. `text`: where the body goes
  // (playlists), or nullptr to count and drop it (media). Closes the connection on any
  // failure and when the server does not keep it alive.
  asio::awaitable<Outcome> exchange(Client& c, std::string_view path, std::string_view query,
                                    std::string* text) {
    c.request.clear();
    c.request += "GET ";
    c.request += path;
    if (!query.empty()) {
      c.request += '?';
      c.request += query;
    }
    c.request += " HTTP/1.1\r\nHost: ";
    c.request += target_.host_header;
    c.request += "\r\nUser-Agent: vela-bench-hls-load\r\n\r\n";
    if (text) text->clear();

    c.timed_out = false;
    c.deadline = SteadyClock::now() + timeout_;
    auto [write_error, written] =
        co_await asio::async_write(c.socket, asio::buffer(c.request), kUse);
    if (write_error) {
      c.deadline = SteadyClock::time_point::max();
      co_return failed(c);
    }
    ResponseSink sink(text);
    auto [read_error, read] = co_await http::async_read(c.socket, c.buffer, sink, kUse);
    c.deadline = SteadyClock::time_point::max();
    if (read_error) co_return failed(c);
    counters_.body_bytes += sink.body_bytes();
    if (!sink.keep_alive()) close(c);
    if (sink.status() != 200) {
      ++counters_.http_errors;
      co_return Outcome::http_error;
    }
    co_return Outcome::ok;
  }

  Outcome failed(Client& c) {
    if (!stopping_) ++(c.timed_out ? counters_.timeouts : counters_.io_errors);
    close(c);
    return Outcome::failed;
  }

  void query_for_next_part(Client& c) {
    char digits[24];
    c.query.assign("_HLS_msn=");
    auto end = std::to_chars(digits, digits + sizeof digits, c.msn).ptr;
    c.query.append(digits, end);
    c.query += "&_HLS_part=";
    end = std::to_chars(digits, digits + sizeof digits, c.index + 1).ptr;
    c.query.append(digits, end);
  }

  asio::awaitable<void> run_client(Client& c, std::chrono::milliseconds start_delay) {
    if (start_delay.count() > 0) co_await pause(c, start_delay);
    while (!stopping_) {
      if (!c.connected && !co_await connect(c)) {
        if (!stopping_) co_await pause(c, kRetryDelay);
        continue;
      }
      if (c.media_path.empty()) {
        Outcome outcome = co_await exchange(c, target_.path, {}, &c.text);
        if (outcome != Outcome::ok) {
          if (!stopping_) co_await pause(c, kRetryDelay);
          continue;
        }
        auto uri = first_variant_uri(c.text);
        std::string_view base = std::string_view(target_.path).substr(0, target_.path.find('?'));
        if (!uri || !resolve_uri(base, *uri, c.media_path)) {
          ++counters_.parse_errors;
          c.media_path.clear();
          co_await pause(c, kRetryDelay);
        }
        continue;
      }

      if (c.has_cursor) {
        query_for_next_part(c);
      } else {
        c.query.clear();
      }
      Outcome outcome = co_await exchange(c, c.media_path, c.query, &c.text);
      if (outcome != Outcome::ok) {
        if (!stopping_) co_await pause(c, kRetryDelay);
        continue;
      }
      const int64_t playlist_arrival_us = base::wall_clock_micros();
      ++counters_.playlists;
      if (!scan_media_playlist(c.text, c.scan)) {
        ++counters_.parse_errors;
        co_await pause(c, kRetryDelay);
        continue;
      }
      if (c.scan.ended || c.scan.parts.empty()) {
        // Not live (yet, or any more): start over at the live edge.
        c.has_cursor = false;
        co_await pause(c, kRetryDelay);
        continue;
      }
      if (!c.has_cursor) {
        // Join at the live edge: the newest listed part counts as had.
        c.msn = c.scan.parts.back().msn;
        c.index = c.scan.parts.back().index;
        c.has_cursor = true;
        continue;
      }
      PartRange range = parts_after(c.scan, c.msn, c.index);
      bool cursor_listed = range.first > 0 && c.scan.parts[range.first - 1].msn == c.msn &&
                           c.scan.parts[range.first - 1].index == c.index;
      if (range.first == range.last) {
        // A blocking reload must not return before the part it asked for.
        ++counters_.stale_playlists;
        co_await pause(c, kRetryDelay);
        continue;
      }
      if (!cursor_listed) ++counters_.resyncs;
      if (const PlaylistPart& awaited = c.scan.parts[range.first]; awaited.available_us > 0) {
        reload_.record(playlist_arrival_us -
                       (awaited.available_us + options_.availability_offset_us));
      }

      for (size_t i = range.first; i < range.last && !stopping_; ++i) {
        const PlaylistPart& part = c.scan.parts[i];
        c.msn = part.msn;
        c.index = part.index;
        if (!resolve_uri(c.media_path, part.uri, c.part_path)) {
          ++counters_.parse_errors;
          continue;
        }
        Outcome fetched = co_await exchange(c, c.part_path, {}, nullptr);
        if (fetched == Outcome::failed) break;
        if (fetched != Outcome::ok) continue;
        int64_t now_us = base::wall_clock_micros();
        ++counters_.parts;
        if (part.available_us > 0) {
          delay_raw_.record(now_us - part.available_us);
          delay_.record(now_us - (part.available_us + options_.availability_offset_us));
        }
        int64_t first_us = first_arrivals_.first(part.msn, part.index, now_us);
        spread_.record(now_us - first_us);
        if (trace_) {
          std::fprintf(trace_, "%u,%lu,%u,%ld,%ld,%ld,%zu,%zu\n", c.id,
                       static_cast<unsigned long>(part.msn), part.index,
                       static_cast<long>(part.available_us), static_cast<long>(now_us),
                       static_cast<long>(first_us), range.last - range.first, i - range.first);
        }
      }
    }
    close(c);
  }

  const HlsLoadOptions& options_;
  const HttpTarget& target_;
  asio::io_context io_{1};
  tcp::endpoint endpoint_;
  SteadyClock::duration timeout_;
  asio::steady_timer stop_timer_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer progress_timer_;
  uint32_t first_client_;
  bool progress_;
  bool stopping_ = false;
  uint32_t open_ = 0;
  SteadyClock::time_point started_;
  std::vector<std::unique_ptr<Client>> clients_;
  HlsLoadCounters counters_;
  LatencyHistogram delay_;
  LatencyHistogram delay_raw_;
  LatencyHistogram reload_;
  LatencyHistogram spread_;
  FirstArrivals first_arrivals_;
  std::FILE* trace_ = nullptr;
};

void add_own_usage(HlsLoadReport& report) {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return;
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  report.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  report.max_rss_kb = static_cast<uint64_t>(usage.ru_maxrss);
}

}  // namespace

HlsLoadReport run_hls_load(const HlsLoadOptions& options, const HttpTarget& target) {
  HlsLoadReport report;
  report.clients = options.clients;
  report.availability_offset_us = options.availability_offset_us;
  auto started = SteadyClock::now();
  if (options.clients == 0) {
    // Baseline: nothing to do but let the time pass, so scripts treat every N alike.
    std::this_thread::sleep_for(std::chrono::seconds(options.duration_s));
    report.elapsed_s = std::chrono::duration<double>(SteadyClock::now() - started).count();
    add_own_usage(report);
    return report;
  }
  uint32_t threads = std::min(options.threads, options.clients);
  report.threads = threads;
  std::vector<std::unique_ptr<Worker>> workers;
  uint32_t next = 0;
  for (uint32_t t = 0; t < threads; ++t) {
    uint32_t count = options.clients / threads + (t < options.clients % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(options, target, next, count, threads == 1));
    next += count;
  }
  std::vector<std::thread> running;
  for (uint32_t t = 1; t < threads; ++t) running.emplace_back([&, t] { workers[t]->run(); });
  workers[0]->run();
  for (auto& thread : running) thread.join();
  report.elapsed_s = std::chrono::duration<double>(SteadyClock::now() - started).count();
  for (auto& worker : workers) {
    report.counters.merge(worker->counters());
    report.delay.merge(worker->delay());
    report.delay_raw.merge(worker->delay_raw());
    report.reload.merge(worker->reload());
    report.spread.merge(worker->spread());
  }
  add_own_usage(report);
  return report;
}

int hls_load_main(std::span<const std::string_view> args) {
  constexpr const char* kUsage =
      "usage: vela bench hls-load --url http://127.0.0.1:PORT/live/NAME/index.m3u8\n"
      "         [--clients N (500, 0..5000)] [--duration S (60)] [--threads T (1)]\n"
      "         [--timeout-ms MS (10000)] [--ramp-ms MS (1000)] [--json FILE]\n"
      "         [--availability-offset-us US (0)] [--trace FILE (CSV line per part)]\n";
  for (std::string_view arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  auto options = parse_hls_load_args(args);
  if (!options) {
    std::fprintf(stderr, "vela bench hls-load: %s\n%s", options.error().message.c_str(), kUsage);
    return 2;
  }
  auto target = parse_loopback_url(options->url);
  if (!target) {
    std::fprintf(stderr, "vela bench hls-load: %s\n", target.error().message.c_str());
    return 2;
  }
  HlsLoadReport report = run_hls_load(*options, *target);
  std::fputs(format_report_text(report).c_str(), stdout);
  if (!options->json_path.empty()) {
    std::FILE* file = std::fopen(options->json_path.c_str(), "w");
    if (!file) {
      std::fprintf(stderr, "vela bench hls-load: cannot write %s\n", options->json_path.c_str());
      return 1;
    }
    std::string json = format_report_json(report);
    std::fwrite(json.data(), 1, json.size(), file);
    std::fclose(file);
  }
  return 0;
}

}  // namespace vela::bench
