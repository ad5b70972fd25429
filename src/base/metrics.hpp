#pragma once
// Counters and gauges exported at /metrics in Prometheus text format. The registry is
// built by the server and passed to modules (no global). Metric objects have stable
// addresses; updating one is a relaxed atomic operation, safe from any thread.
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
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

  // Series whose labels name something that comes and goes (a stream): shown while a handle
  // to them is held and gone from /metrics once the last one is released, so that ended
  // streams leave nothing behind. Holders of the same name and labels share one series.
  std::shared_ptr<Counter> scoped_counter(std::string_view name, std::string_view help, std::string_view labels);
  std::shared_ptr<Gauge> scoped_gauge(std::string_view name, std::string_view help, std::string_view labels);

  std::string render() const;
  size_t series() const;  // how many are shown now

 private:
  struct Entry {
    std::string name;
    std::string help;
    std::string labels;
    bool is_counter;
    bool scoped = false;
    Counter counter;  // unscoped
    Gauge gauge;
    std::weak_ptr<Counter> scoped_counter;
    std::weak_ptr<Gauge> scoped_gauge;

    bool expired() const { return scoped && scoped_counter.expired() && scoped_gauge.expired(); }
  };
  // Under mutex_. Scoped entries whose holders are all gone are dropped on the way.
  Entry& find_or_add(std::string_view name, std::string_view help, std::string_view labels, bool is_counter,
                     bool scoped);

  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // stable addresses: Counter& and Gauge& stay valid
};

}  // namespace vela::base
