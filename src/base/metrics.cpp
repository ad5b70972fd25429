#include "base/metrics.hpp"

#include <map>
#include <vector>

namespace vela::base {

MetricsRegistry::Entry& MetricsRegistry::find_or_add(std::string_view name, std::string_view help,
                                                     std::string_view labels, bool is_counter) {
  std::lock_guard lock(mutex_);
  for (auto& e : entries_) {
    if (e.name == name && e.labels == labels) return e;
  }
  auto& e = entries_.emplace_back();
  e.name = name;
  e.help = help;
  e.labels = labels;
  e.is_counter = is_counter;
  return e;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  std::string_view labels) {
  return find_or_add(name, help, labels, true).counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help,
                              std::string_view labels) {
  return find_or_add(name, help, labels, false).gauge;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  // Group samples by family so each family's HELP/TYPE is printed once.
  std::map<std::string, std::vector<const Entry*>> families;
  for (const auto& e : entries_) families[e.name].push_back(&e);
  std::string out;
  for (const auto& [name, family] : families) {
    const Entry& first = *family.front();
    out += "# HELP " + name + " " + first.help + "\n";
    out += "# TYPE " + name + (first.is_counter ? " counter\n" : " gauge\n");
    for (const Entry* e : family) {
      out += name;
      if (!e->labels.empty()) out += "{" + e->labels + "}";
      out += " ";
      out += e->is_counter ? std::to_string(e->counter.value()) : std::to_string(e->gauge.value());
      out += "\n";
    }
  }
  return out;
}

}  // namespace vela::base
