#pragma once
// Starts a StreamThumbnailer when a stream starts publishing and stops it when the publisher
// leaves. Both calls come on the stream's home shard; each shard's thumbnailers are kept
// apart, so no lock is needed. With interval_s = 0 it does nothing (thumbnails off).
#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include "router/publish_observer.hpp"
#include "transcode/stream_thumbnailer.hpp"

namespace vela::transcode {

class ThumbnailMaker : public router::PublishObserver {
 public:
  // Everything passed by reference outlives the maker and the worker pool's jobs.
  ThumbnailMaker(runtime::ShardSet& shards, runtime::WorkerPool& workers, ThumbnailStore& store,
                 ThumbnailOptions options, base::MetricsRegistry& metrics);

  void on_publish_start(const std::shared_ptr<router::Stream>& stream) override;
  void on_publish_end(const std::shared_ptr<router::Stream>& stream) override;

 private:
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  ThumbnailStore& store_;
  ThumbnailOptions options_;
  ThumbnailMetrics metrics_;
  std::atomic<uint64_t> next_session_{0};  // publish sessions, across all shards
  std::vector<std::unordered_map<const router::Stream*, std::shared_ptr<StreamThumbnailer>>>
      thumbnailers_;
};

}  // namespace vela::transcode
