#pragma once
// Where the source rendition's segments start, so that every rendition of a stream cuts its
// segments at the same media times with the same numbers. The source's segmenter records
// each segment start (the keyframe's pts and the segment's msn); a derived rendition, whose
// keyframes sit at exactly the source's keyframe pts, looks its keyframes up and starts a
// segment only where the source did. Derived frames trail the source's (they are encoded
// from them), so a start is recorded before any rendition asks for it; the plan keeps the
// most recent starts only (far more than a transcoder lags). Pure; one owner thread.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace vela::packager {

class SegmentPlan {
 public:
  explicit SegmentPlan(size_t capacity = 256) : capacity_(capacity) {}

  // A segment `msn` starts at `pts`. A pts at or before an earlier start (the source clock
  // jumped back) forgets the starts from there on.
  void add(int64_t pts, uint64_t msn);
  // The msn of the segment starting exactly at `pts`, if the source started one there.
  std::optional<uint64_t> msn_at(int64_t pts) const;

 private:
  struct Start {
    int64_t pts = 0;
    uint64_t msn = 0;
  };
  size_t capacity_;
  std::deque<Start> starts_;  // increasing pts
};

}  // namespace vela::packager
