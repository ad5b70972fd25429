#pragma once
// Which video rendition a WHEP viewer plays, from what its link carries: the adaptive part
// of WebRTC playback. Pure: the session feeds it a sample about once a second and moves the
// viewer (at a keyframe of the target) when it names another rendition.
//
// Rungs are ordered best first (the source, then the transcoded renditions by bitrate).
// - Start: the best rung whose bitrate is known and at most start_bps (2.5 Mbit/s: the
//   720p rung of the default ladder); without one, the lowest rung.
// - Down: at once when the loss exceeds high_loss (10 %); or when the estimate stays under
//   down_ratio (0.85) x the current rung's rate for two samples in a row. That rate is the
//   rung's bitrate, or what the viewer actually received over the last second when that
//   is lower (an encoder under its cap must not look like a weak link). The target is the
//   best lower rung whose bitrate fits under down_ratio x the estimate, at least one rung
//   down.
// - Up, one rung at a time: after the link stayed clean for up_hold_us (4 s): loss under
//   low_loss (2 %) and the estimate at least up_ratio (1.3) x the next rung's bitrate, or at
//   least the rate being sent. The second case is needed because the send-side estimate
//   cannot see beyond what is sent (BandwidthEstimator stays within 1.5 x the received
//   rate), so stepping up is the probe. A receiver that states its limit (REMB) must allow
//   up_ratio x the next rung's bitrate.
// - No flapping: a step down within failed_up_window_us of stepping up to that rung blocks
//   the rung for a backoff that doubles on each such failure (8 s up to 64 s); any
//   decision waits settle_us (2 s) after the last switch, for the estimate to follow.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vela::egress {

struct RenditionRung {
  std::string name;       // RtpFeedTracks::video: "" = the source
  uint64_t bitrate = 0;   // bits/s; 0 = unknown (the source without a nominal rate)
};

struct RenditionSelectorOptions {
  uint64_t start_bps = 2'500'000;
  double high_loss = 0.10;
  double low_loss = 0.02;
  double down_ratio = 0.85;
  double up_ratio = 1.3;
  int64_t up_hold_us = 4'000'000;
  int64_t settle_us = 2'000'000;
  int64_t failed_up_window_us = 10'000'000;
  int64_t min_backoff_us = 8'000'000;
  int64_t max_backoff_us = 64'000'000;
};

struct RenditionSample {
  int64_t now_us = 0;
  uint64_t estimate_bps = 0;  // the viewer's bandwidth estimate; 0 = none yet
  double loss = 0;            // 0..1, the latest measured
  uint64_t received_bps = 0;  // what was sent to the viewer over the last interval
  uint64_t receiver_limit_bps = 0;  // REMB; 0 = none
};

class RenditionSelector {
 public:
  explicit RenditionSelector(RenditionSelectorOptions options = {});

  // The rungs available now, best first. A current rung that is gone is kept by name until
  // the next update() moves away from it.
  void set_rungs(std::vector<RenditionRung> rungs);
  const std::vector<RenditionRung>& rungs() const { return rungs_; }
  // Chooses the starting rung (see above) and makes it current; "" without rungs.
  std::string start(int64_t now_us);
  // The rendition to move to, or nullopt to stay. The answer becomes current at once (the
  // session completes the move at the target's next keyframe).
  std::optional<std::string> update(const RenditionSample& sample);
  // Overrides the current rung (a move that could not be completed).
  void set_current(std::string name, int64_t now_us);
  const std::string& current() const { return current_; }

 private:
  struct Backoff {
    int64_t wait_us = 0;
    int64_t until_us = 0;
  };
  std::optional<size_t> index_of(const std::string& name) const;
  std::string move_to(size_t index, int64_t now_us);

  RenditionSelectorOptions options_;
  std::vector<RenditionRung> rungs_;
  std::string current_;
  int64_t last_switch_us_ = 0;
  int below_estimate_samples_ = 0;
  std::optional<int64_t> clean_since_us_;  // up conditions met since
  std::optional<std::pair<std::string, int64_t>> last_up_;  // rung stepped up to, when
  std::map<std::string, Backoff> backoff_;
};

}  // namespace vela::egress
