#include "packager/segment_plan.hpp"

#include <algorithm>

namespace vela::packager {

void SegmentPlan::add(int64_t pts, uint64_t msn) {
  while (!starts_.empty() && starts_.back().pts >= pts) starts_.pop_back();
  starts_.push_back(Start{pts, msn});
  if (starts_.size() > capacity_) starts_.pop_front();
}

std::optional<uint64_t> SegmentPlan::msn_at(int64_t pts) const {
  auto it = std::lower_bound(starts_.begin(), starts_.end(), pts,
                             [](const Start& start, int64_t value) { return start.pts < value; });
  if (it == starts_.end() || it->pts != pts) return std::nullopt;
  return it->msn;
}

}  // namespace vela::packager
