#pragma once
// Bridges one live stream's audio to the other codec: subscribes on the home shard (source
// tracks only) and hands every frame of the source's first audio track to an
// AudioBridgeJob: AAC becomes Opus (for WebRTC), Opus becomes AAC (for LL-HLS). The encoded
// frames come back to the home shard and are published on the same Stream as one derived
// track (id media::kFirstAudioBridgeTrackId, rendition "audio-opus" or "audio-aac"),
// announced with set_derived_tracks("audio_bridge", ...) once the encoder's header is known.
// A new source audio configuration starts a new job.
//
// Threading: home shard only, from construction to stop(); the work runs on workers.
#include <cstdint>
#include <memory>
#include <optional>

#include "router/stream.hpp"
#include "runtime/worker_pool.hpp"
#include "transcode/audio_bridge_job.hpp"

namespace vela::transcode {

struct AudioBridgeOptions {
  size_t queue_frames = 100;         // source audio queued for the worker at most (~2 s)
  size_t subscription_frames = 512;
  uint32_t opus_bitrate = 96'000;    // AAC -> Opus, 48 kHz, 20 ms frames
  uint32_t aac_bitrate = 128'000;    // Opus -> AAC-LC, 48 kHz
};

// The producer name of the bridge's derived tracks (router::Stream::set_derived_tracks).
inline constexpr char kAudioBridgeProducer[] = "audio_bridge";

class StreamAudioBridge : public std::enable_shared_from_this<StreamAudioBridge> {
 public:
  // Everything passed by reference outlives the bridge and the worker pool's jobs.
  StreamAudioBridge(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards, runtime::WorkerPool& workers,
                    AudioBridgeMetrics& metrics, AudioBridgeOptions options);

  void start();
  // The publisher is gone: unsubscribes, stops the job (its last results are discarded).
  void stop();

 private:
  void drain();
  void on_source_audio(const media::TrackInfo& track, const media::FramePtr& frame);
  void deliver(uint64_t job, AudioBridgeOutput output);

  std::shared_ptr<router::Stream> stream_;
  runtime::ShardSet& shards_;
  runtime::WorkerPool& workers_;
  AudioBridgeMetrics& metrics_;
  AudioBridgeOptions options_;
  std::shared_ptr<router::Subscription> subscription_;
  std::optional<media::TrackInfo> source_;  // the audio track the job was made for
  std::shared_ptr<AudioBridgeJob> job_;
  uint64_t job_number_ = 0;  // results of an earlier job are not published
  bool stopped_ = false;
};

}  // namespace vela::transcode
