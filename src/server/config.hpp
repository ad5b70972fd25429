#pragma once
// The server's configuration: every key has a default (config/vela.toml documents them),
// a TOML file overrides some, and `--set key=value` overrides any. Loaded once at start;
// the resulting snapshot is immutable and passed by const reference.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "transcode/ladder_settings.hpp"

namespace vela::server {

struct HttpConfig {
  std::string listen = "0.0.0.0:8080";
  uint32_t max_connections = 10000;
  uint32_t max_header_bytes = 16 * 1024;
  uint32_t max_body_bytes = 1024 * 1024;
  double idle_timeout_s = 60;
  uint32_t max_parked_requests = 20000;  // blocking playlist reloads and preload hints
};

struct RtmpConfig {
  std::string listen = "0.0.0.0:1935";
  uint32_t max_connections = 1000;
  uint32_t max_message_bytes = 16 * 1024 * 1024;
  double idle_timeout_s = 30;
};

struct SrtConfig {
  std::string listen = "0.0.0.0:9000";  // UDP
  std::string passphrase;                // empty: unencrypted; else 10-79 characters
  // Per stream (by stream name): this passphrase instead of `passphrase` for its publishers.
  std::map<std::string, std::string> passphrases;
  uint32_t pbkeylen = 16;                // AES key bytes: 16, 24 or 32
  uint32_t latency_ms = 120;             // receiver latency (absorbs retransmissions)
  uint32_t max_connections = 100;
};

struct HlsConfig {
  double part_target_s = 0.333;
  double segment_target_s = 2.0;
  uint32_t window_segments = 8;
  double blocking_timeout_s = 6.0;  // longest a blocking reload or preload hint is held
};

struct StreamConfig {
  uint32_t subscriber_queue_frames = 512;
  uint32_t gop_cache_frames = 1024;
};

struct ThumbnailConfig {
  double interval_s = 5;  // at most one JPEG per stream this often; 0 turns thumbnails off
  uint32_t width = 320;   // largest width; smaller sources are not upscaled
};

struct TranscodeConfig {
  bool enabled = false;  // off: every stream is passed through and nothing is decoded
  // The global ladder: `transcode.passthrough` and `transcode.ladder` (array of rungs).
  transcode::Ladder ladder = transcode::default_ladder();
  double keyframe_interval_s = 0;     // 0: renditions start GOPs on the source's keyframes
  std::string x264_preset = "veryfast";
  // AAC <-> Opus for every stream (WebRTC plays AAC sources, LL-HLS plays Opus sources),
  // independent of `enabled`: once per stream on the worker pool.
  bool audio_bridge = true;
  // Per stream name (`transcode.streams.{name}`): enabled, passthrough and ladder overrides.
  std::map<std::string, transcode::LadderOverride> streams;
};

struct AuthConfig {
  std::string mode = "open";              // "open": key is the stream name; "keys": keys below
  std::map<std::string, std::string> keys;  // publish key -> stream name
};

struct RestreamConfig {
  // Stream name -> push URLs (rtmp://host[:port]/app/key), pushed while that stream is live.
  std::map<std::string, std::vector<std::string>> destinations;
  double backoff_min_s = 1;     // first retry after a failed push
  double backoff_max_s = 30;    // doubling stops here
  uint32_t max_per_stream = 8;  // configured plus API-added destinations
  uint32_t max_destinations = 1000;  // of all streams together
};

struct RecordConfig {
  bool enabled = true;          // every publish session is recorded under storage.data_dir/recordings
  double sync_interval_s = 1;   // a power loss loses at most one part plus this
  uint32_t max_queue_mb = 64;   // media waiting for the disk, all recordings; beyond it a recording stops
};

struct Config {
  HttpConfig http;
  RtmpConfig rtmp;
  SrtConfig srt;
  HlsConfig hls;
  StreamConfig stream;
  ThumbnailConfig thumbnails;
  TranscodeConfig transcode;
  AuthConfig auth;
  RestreamConfig restream;
  RecordConfig record;
  std::string webrtc_listen = "0.0.0.0:10000";
  std::vector<std::string> webrtc_public_ips;
  // H.264 with B-frames is re-encoded without them for WHEP viewers (browsers stall on it).
  bool webrtc_reencode_bframes = true;
  // WHEP answers keep audio in the video's stream, so browsers lip-sync them (video waits for
  // audio's longer path). false: audio in a stream of its own, lowest video latency. A viewer
  // overrides it with ?lip_sync=on|off.
  bool webrtc_lip_sync = true;
  // Test only: drop this share of WebRTC media datagrams (SRTP/SRTCP) in each direction, to
  // exercise NACK/RTX and keyframe recovery without a lossy network. 0 in production.
  double webrtc_test_drop_percent = 0;
  std::string data_dir = "./data";
  uint32_t shards = 0;  // 0: one per core
  std::string log_level = "info";
};

// file: path of a TOML file, or empty for the embedded defaults only.
// overrides: "key=value" strings from --set; the value is read as TOML, else as a string.
base::Result<Config> load_config(const std::string& file, const std::vector<std::string>& overrides);

}  // namespace vela::server
