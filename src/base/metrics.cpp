#include "base/metrics.hpp"

#include <map>
#include <vector>

namespace vela::base {

namespace {

// A series' value now; a scoped one released after the family was collected reads 0.
template <class Entry>
int64_t value_of(const Entry& e) {
  if (!e.scoped) return e.is_counter ? static_cast<int64_t>(e.counter.value()) : e.gauge.value();
  if (e.is_counter) {
    auto held = e.scoped_counter.lock();
    return held ? static_cast<int64_t>(held->value()) : 0;
  }
  auto held = e.scoped_gauge.lock();
  return held ? held->value() : 0;
}

// The series a scoped entry's holders share, or a new one if they are all gone.
template <class Metric>
std::shared_ptr<Metric> held_or_new(std::weak_ptr<Metric>& slot) {
  auto held = slot.lock();
  if (!held) slot = held = std::make_shared<Metric>();
  return held;
}

}  // namespace

MetricsRegistry::Entry& MetricsRegistry::find_or_add(std::string_view name, std::string_view help,
                                                     std::string_view labels, bool is_counter, bool scoped) {
  Entry* found = nullptr;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->name == name && it->labels == labels && it->scoped == scoped) {
      found = &*it++;
    } else if (it->expired()) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  if (found) return *found;
  auto& e = entries_.emplace_back();
  e.name = name;
  e.help = help;
  e.labels = labels;
  e.is_counter = is_counter;
  e.scoped = scoped;
  return e;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  std::string_view labels) {
  std::lock_guard lock(mutex_);
  return find_or_add(name, help, labels, true, false).counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help,
                              std::string_view labels) {
  std::lock_guard lock(mutex_);
  return find_or_add(name, help, labels, false, false).gauge;
}

std::shared_ptr<Counter> MetricsRegistry::scoped_counter(std::string_view name, std::string_view help,
                                                         std::string_view labels) {
  std::lock_guard lock(mutex_);
  return held_or_new(find_or_add(name, help, labels, true, true).scoped_counter);
}

std::shared_ptr<Gauge> MetricsRegistry::scoped_gauge(std::string_view name, std::string_view help,
                                                     std::string_view labels) {
  std::lock_guard lock(mutex_);
  return held_or_new(find_or_add(name, help, labels, false, true).scoped_gauge);
}

size_t MetricsRegistry::series() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& e : entries_) n += e.expired() ? 0 : 1;
  return n;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  // Group samples by family so each family's HELP/TYPE is printed once.
  std::map<std::string, std::vector<const Entry*>> families;
  for (const auto& e : entries_) {
    if (!e.expired()) families[e.name].push_back(&e);
  }
  std::string out;
  for (const auto& [name, family] : families) {
    const Entry& first = *family.front();
    out += "# HELP " + name + " " + first.help + "\n";
    out += "# TYPE " + name + (first.is_counter ? " counter\n" : " gauge\n");
    for (const Entry* e : family) {
      out += name;
      if (!e->labels.empty()) out += "{" + e->labels + "}";
      out += " ";
      out += std::to_string(value_of(*e));
      out += "\n";
    }
  }
  return out;
}

}  // namespace vela::base
