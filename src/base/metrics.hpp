#pragma once
// Counters and gauges exported at /metrics in Prometheus text format. The registry is
// built by the server and passed to modules (no global). Metric objects have stable
// addresses; updating one is a relaxed atomic operation, safe from any thread.
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace vela::base {

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class MetricsRegistry {
 public:
  // name: a Prometheus metric name; labels: e.g. `reason="bad_chunk"` or empty. Asking twice
  // for the same name and labels returns the same object. Registration takes a lock;
  // call it at set-up or session start, not per packet.
  Counter& counter(std::string_view name, std::string_view help, std::string_view labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, std::string_view labels = {});

  std::string render() const;

 private:
  struct Entry {
    std::string name;
    std::string help;
    std::string labels;
    bool is_counter;
    Counter counter;
    Gauge gauge;
  };
  Entry& find_or_add(std::string_view name, std::string_view help, std::string_view labels,
                     bool is_counter);

  mutable std::mutex mutex_;
  std::deque<Entry> entries_;
};

}  // namespace vela::base
