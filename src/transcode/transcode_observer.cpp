#include "transcode/transcode_observer.hpp"

namespace vela::transcode {

TranscodeObserver::TranscodeObserver(runtime::ShardSet& shards, runtime::WorkerPool& workers,
                                     const LadderSettings& settings, TranscodeStatus& status,
                                     StreamTranscoderOptions options, base::MetricsRegistry& metrics)
    : shards_(shards),
      workers_(workers),
      settings_(settings),
      status_(status),
      options_(std::move(options)),
      metrics_(metrics),
      transcoders_(shards.size()) {}

void TranscodeObserver::on_publish_start(const std::shared_ptr<router::Stream>& stream) {
  StreamLadder ladder = settings_.effective(stream->name());
  if (!ladder.enabled || ladder.ladder.rungs.empty()) return;
  StreamTranscoderOptions options = options_;
  options.ladder = std::move(ladder.ladder);
  auto transcoder = std::make_shared<StreamTranscoder>(stream, shards_, workers_, metrics_, status_, std::move(options));
  transcoder->start();
  transcoders_[stream->home_shard()][stream.get()] = std::move(transcoder);
}

void TranscodeObserver::on_publish_end(const std::shared_ptr<router::Stream>& stream) {
  auto& home = transcoders_[stream->home_shard()];
  auto it = home.find(stream.get());
  if (it == home.end()) return;
  it->second->stop();
  home.erase(it);
}

}  // namespace vela::transcode
