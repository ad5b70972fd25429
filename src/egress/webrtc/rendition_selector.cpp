#include "egress/webrtc/rendition_selector.hpp"

#include <algorithm>

namespace vela::egress {

RenditionSelector::RenditionSelector(RenditionSelectorOptions options) : options_(options) {}

void RenditionSelector::set_rungs(std::vector<RenditionRung> rungs) { rungs_ = std::move(rungs); }

std::optional<size_t> RenditionSelector::index_of(const std::string& name) const {
  for (size_t i = 0; i < rungs_.size(); ++i) {
    if (rungs_[i].name == name) return i;
  }
  return std::nullopt;
}

std::string RenditionSelector::start(int64_t now_us) {
  current_.clear();
  if (!rungs_.empty()) {
    size_t chosen = rungs_.size() - 1;
    for (size_t i = 0; i < rungs_.size(); ++i) {
      if (rungs_[i].bitrate > 0 && rungs_[i].bitrate <= options_.start_bps) {
        chosen = i;
        break;
      }
    }
    current_ = rungs_[chosen].name;
  }
  set_current(current_, now_us);
  return current_;
}

void RenditionSelector::set_current(std::string name, int64_t now_us) {
  current_ = std::move(name);
  last_switch_us_ = now_us;
  below_estimate_samples_ = 0;
  clean_since_us_.reset();
}

std::string RenditionSelector::move_to(size_t index, int64_t now_us) {
  const auto from = index_of(current_);
  const std::string& to = rungs_[index].name;
  if (from && index > *from && last_up_ && last_up_->first == current_ &&
      now_us - last_up_->second <= options_.failed_up_window_us) {
    // The step up to the rung we leave did not hold: try it again later, later each time.
    Backoff& b = backoff_[current_];
    b.wait_us = std::clamp(b.wait_us * 2, options_.min_backoff_us, options_.max_backoff_us);
    b.until_us = now_us + b.wait_us;
    last_up_.reset();
  } else if (from && index < *from) {
    last_up_ = std::pair{to, now_us};
  }
  set_current(to, now_us);
  return current_;
}

std::optional<std::string> RenditionSelector::update(const RenditionSample& sample) {
  const int64_t now = sample.now_us;
  if (rungs_.empty()) return std::nullopt;
  const auto index = index_of(current_);
  if (!index) {
    // The rung went away (the ladder changed): start over.
    const std::string was = current_;
    start(now);
    return current_ != was ? std::optional(current_) : std::nullopt;
  }
  if (last_up_ && now - last_up_->second > options_.failed_up_window_us) {
    backoff_.erase(last_up_->first);  // the step up held
    last_up_.reset();
  }
  if (now - last_switch_us_ < options_.settle_us) return std::nullopt;

  const RenditionRung& current = rungs_[*index];
  const auto estimate = static_cast<double>(sample.estimate_bps);
  uint64_t rate = current.bitrate;
  if (sample.received_bps > 0 && (rate == 0 || sample.received_bps < rate))
    rate = sample.received_bps;
  const bool under = sample.estimate_bps > 0 && rate > 0 &&
                     estimate < options_.down_ratio * static_cast<double>(rate);
  below_estimate_samples_ = under ? below_estimate_samples_ + 1 : 0;
  if (*index + 1 < rungs_.size() && (sample.loss > options_.high_loss || below_estimate_samples_ >= 2)) {
    size_t target = *index + 1;
    if (sample.estimate_bps > 0) {
      for (; target + 1 < rungs_.size(); ++target) {
        const auto bitrate = static_cast<double>(rungs_[target].bitrate);
        if (bitrate > 0 && bitrate <= options_.down_ratio * estimate) break;
      }
    }
    return move_to(target, now);
  }

  if (*index == 0) return std::nullopt;
  const RenditionRung& next = rungs_[*index - 1];
  const double needed = options_.up_ratio * static_cast<double>(next.bitrate);
  const auto backoff = backoff_.find(next.name);
  const bool blocked = backoff != backoff_.end() && now < backoff->second.until_us;
  const bool estimate_allows =
      sample.estimate_bps > 0 && ((next.bitrate > 0 && estimate >= needed) ||
                                  (sample.received_bps > 0 && sample.estimate_bps >= sample.received_bps));
  const bool receiver_allows =
      sample.receiver_limit_bps == 0 ||
      (next.bitrate > 0 && static_cast<double>(sample.receiver_limit_bps) >= needed);
  if (blocked || sample.loss >= options_.low_loss || !estimate_allows || !receiver_allows) {
    clean_since_us_.reset();
    return std::nullopt;
  }
  if (!clean_since_us_) clean_since_us_ = now;
  if (now - *clean_since_us_ < options_.up_hold_us) return std::nullopt;
  return move_to(*index - 1, now);
}

}  // namespace vela::egress
