#pragma once
// Starts a StreamTranscoder when a stream starts publishing, if transcoding is enabled for
// it and its ladder has at least one rung (a passthrough-only ladder costs nothing: no
// subscription, no decoding), and stops it when the publisher leaves. The ladder is read
// from LadderSettings at each publish start. Both calls come on the stream's home shard;
// each shard's transcoders are kept apart, so no lock is needed.
#include <memory>
#include <unordered_map>
#include <vector>

#include "router/publish_observer.hpp"
#include "transcode/ladder_settings.hpp"
#include "transcode/stream_transcoder.hpp"

namespace vela::transcode {

class TranscodeObserver : public router::PublishObserver {
 public:
  // options.ladder is ignored: each stream's comes from `settings`. Everything passed by
  // reference outlives the observer and the worker pool's jobs.
  TranscodeObserver(runtime::ShardSet& shards, runtime::WorkerPool& workers, const LadderSettings& settings,
                    TranscodeStatus& status, StreamTranscoderOptions options, base::MetricsRegistry& metrics);

  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override;
  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override;

 private:
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  const LadderSettings& settings_;
  TranscodeStatus& status_;
  StreamTranscoderOptions options_;
  TranscodeMetrics metrics_;
  std::vector<std::unordered_map<const router::Stream*, std::shared_ptr<StreamTranscoder>>> transcoders_;
};

}  // namespace vela::transcode
