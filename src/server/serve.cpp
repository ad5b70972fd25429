#include "server/serve.hpp"

#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <thread>

#include "auth/publish_auth.hpp"
#include "http/hls_origin.hpp"
#include "http/server.hpp"
#include "ingest/rtmp_listener.hpp"
#include "egress/srt_play_session.hpp"
#include "ingest/srt_listener.hpp"
#include "runtime/listener.hpp"
#include "egress/restream_manager.hpp"
#include "egress/rtmp_push_session.hpp"
#include "egress/srt_push_session.hpp"
#include "record/recorder.hpp"
#include "server/packaging_observer.hpp"
#include "server/recording_routes.hpp"
#include "server/recording_sink.hpp"
#include "server/restream_observer.hpp"
#include "server/restream_routes.hpp"
#include "server/transcode_routes.hpp"
#include "server/web_routes.hpp"
#include "server/webrtc_service.hpp"
#include "transcode/audio_bridge.hpp"
#include "transcode/bframe_free_video.hpp"
#include "transcode/ffmpeg_log.hpp"
#include "transcode/thumbnail_maker.hpp"
#include "transcode/transcode_observer.hpp"

namespace vela::server {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// How long sessions and shards get to end by themselves after SIGINT/SIGTERM.
constexpr std::chrono::seconds kShutdownGrace{10};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

packager::LivePackagerOptions packaging_options(const Config& config) {
  packager::LivePackagerOptions options;
  options.segmenter.part_target_s = config.hls.part_target_s;
  options.segmenter.segment_target_s = config.hls.segment_target_s;
  options.timeline.part_target_s = config.hls.part_target_s;
  options.timeline.target_duration_s = static_cast<uint32_t>(config.hls.segment_target_s + 0.5);
  options.timeline.window_segments = config.hls.window_segments;
  options.queue_frames = config.stream.subscriber_queue_frames;
  // Without the audio bridge an Opus source never gets AAC: package its video at once.
  if (!config.transcode.audio_bridge) options.bridged_audio_wait_s = 0;
  return options;
}

// Runs fn on every shard and waits until all have run it.
template <class Fn>
void on_every_shard(runtime::ShardSet& shards, Fn fn) {
  std::vector<std::future<void>> done;
  for (size_t i = 0; i < shards.size(); ++i) {
    auto promise = std::make_shared<std::promise<void>>();
    done.push_back(promise->get_future());
    shards.at(i).post([fn, i, promise] {
      fn(i);
      promise->set_value();
    });
  }
  for (auto& f : done) f.wait();
}

}  // namespace

int serve(const Config& config) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("vela"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  // FFmpeg's messages through this logger, per stream and rate-limited, until serve() returns.
  transcode::FfmpegLogRouting ffmpeg_logs;

  auto http_endpoint = runtime::parse_endpoint(config.http.listen);
  auto rtmp_endpoint = runtime::parse_endpoint(config.rtmp.listen);
  auto srt_endpoint = runtime::parse_endpoint(config.srt.listen);
  for (const auto& [key, endpoint] : {std::pair{"http.listen", &http_endpoint}, std::pair{"rtmp.listen", &rtmp_endpoint},
                                      std::pair{"srt.listen", &srt_endpoint}}) {
    if (!*endpoint) {
      spdlog::critical("config key '{}': {}", key, endpoint->error().message);
      return 1;
    }
  }

  size_t shard_count = config.shards ? config.shards : std::max(1u, std::thread::hardware_concurrency());
  runtime::ShardSet shards(shard_count);
  base::MetricsRegistry metrics;
  router::StreamRegistry registry(shards, router::StreamOptions{config.stream.gop_cache_frames});
  auth::PublishAuthorizer authorizer(config.auth.mode == "keys" ? auth::PublishMode::keys : auth::PublishMode::open,
                                     config.auth.keys);

  // Ended streams keep their final playlist long enough for players to see EXT-X-ENDLIST.
  auto ended_retention = millis(std::max(30.0, config.hls.segment_target_s * config.hls.window_segments));
  std::vector<std::unique_ptr<packager::HlsShardDirectory>> directories;
  std::vector<packager::HlsShardDirectory*> directory_ptrs;
  for (size_t i = 0; i < shard_count; ++i) {
    directories.push_back(std::make_unique<packager::HlsShardDirectory>(shards.at(i).io(), ended_retention));
    directory_ptrs.push_back(directories.back().get());
  }
  // Recordings: repaired at start-up (a crash left them unfinished), then written by the
  // recorder's own thread from what the packagers produce.
  std::optional<record::Recorder> recorder;
  packager::LivePackagerOptions packaging_settings = packaging_options(config);
  if (config.record.enabled) {
    recorder.emplace(record::RecorderOptions{std::filesystem::path(config.data_dir) / "recordings",
                                             millis(config.record.sync_interval_s),
                                             size_t{config.record.max_queue_mb} << 20},
                     metrics);
    auto repaired = recorder->start();
    if (!repaired) {
      spdlog::critical("recordings: {}", repaired.error().message);
      return 1;
    }
    if (repaired->repaired > 0 || repaired->failed > 0) {
      spdlog::warn("recordings: {} found, {} unfinished ones repaired, {} could not be read", repaired->recordings,
                   repaired->repaired, repaired->failed);
    }
    packaging_settings.sink_factory = [&recorder](const router::Stream& stream) {
      return std::make_unique<RecordingSink>(*recorder, stream.name());
    };
  }
  PackagingObserver packaging(shards, directory_ptrs, packaging_settings);
  // Restream (push-out) while a stream is live. rtmps:// goes to the RTMP target, whose
  // validation refuses it with the reason (TLS is not supported yet).
  egress::RestreamOptions restream_options;
  restream_options.backoff.min = millis(config.restream.backoff_min_s);
  restream_options.backoff.max = millis(config.restream.backoff_max_s);
  restream_options.max_per_stream = config.restream.max_per_stream;
  restream_options.max_total = config.restream.max_destinations;
  egress::RestreamManager restream(shards, restream_options,
                                   {{"rtmp", egress::rtmp_push_target()},
                                    {"rtmps", egress::rtmp_push_target()},
                                    {"srt", egress::srt_push_target()}});
  for (const auto& [name, urls] : config.restream.destinations) {
    for (const auto& url : urls) {
      if (base::Status added = restream.add_configured(name, url); !added) {
        spdlog::critical("config key 'restream.destinations.{}': {}", name, added.error().message);
        return 1;
      }
    }
  }
  RestreamObserver restream_observer(restream);
  // CPU work never runs on a shard: thumbnails and transcoding run on this pool (one job per
  // stream at a time) and post results back. One thread per core: a 1080p default ladder
  // keeps a thread about half busy, and the shards themselves mostly wait on sockets.
  // Declared after the shards, so it is joined before they go.
  runtime::WorkerPool workers(shard_count, 1024);
  transcode::ThumbnailStore thumbnails;
  transcode::ThumbnailMaker thumbnail_maker(shards, workers, thumbnails,
                                            {.interval_s = config.thumbnails.interval_s,
                                             .max_width = config.thumbnails.width,
                                             .queue_frames = config.stream.subscriber_queue_frames},
                                            metrics);
  // Transcoding, where enabled: one ordered job chain per stream on the same pool, the
  // renditions published back onto the stream as derived tracks.
  transcode::LadderSettings ladders({config.transcode.enabled, config.transcode.ladder}, config.transcode.streams);
  transcode::TranscodeStatus transcode_status;
  transcode::StreamTranscoderOptions transcode_options;
  transcode_options.keyframe_interval_s = config.transcode.keyframe_interval_s;
  transcode_options.preset = config.transcode.x264_preset;
  transcode_options.subscription_frames = config.stream.subscriber_queue_frames;
  transcode::TranscodeObserver transcoder(shards, workers, ladders, transcode_status, transcode_options, metrics);
  // AAC <-> Opus once per stream (WHEP plays AAC sources, LL-HLS Opus ones), on the same pool.
  transcode::AudioBridge audio_bridge(shards, workers, {.subscription_frames = config.stream.subscriber_queue_frames},
                                      metrics);
  // H.264 with B-frames re-encoded without them for WHEP, once per stream, on the same pool.
  transcode::BframeFreeVideo webrtc_video(shards, workers, {.subscription_frames = config.stream.subscriber_queue_frames},
                                          metrics);

  http::HlsOrigin origin(directory_ptrs,
                         {config.hls.blocking_timeout_s,
                          std::max<uint32_t>(1, config.http.max_parked_requests / static_cast<uint32_t>(shard_count))},
                         metrics);
  http::Router router;
  add_web_routes(router, registry, metrics);
  add_restream_routes(router, restream);
  add_recording_routes(router, recorder ? &*recorder : nullptr);
  add_transcode_routes(router, ladders, transcode_status);
  router.add_prefix(http::beast_http::verb::get, "/live/",
                    [&origin](const http::Request& req, http::RequestContext& ctx) { return origin.handle(req, ctx); });
  // A new thumbnail comes at most once per interval, so caches may keep one that long.
  std::string thumbnail_cache = "public, max-age=" + std::to_string(std::max(1, static_cast<int>(config.thumbnails.interval_s)));
  const std::string thumbnail_route = "/live/{}/thumbnail.jpg";
  router.add_pattern(http::beast_http::verb::get, thumbnail_route,
                     [&thumbnails, thumbnail_route, thumbnail_cache](const http::Request&, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       auto name = http::match_pattern(thumbnail_route, ctx.path);
                       auto thumbnail = thumbnails.find(std::string(name.value_or("")));
                       http::Response res = thumbnail ? http::make_response(http::Status::ok, "image/jpeg", thumbnail->jpeg)
                                                      : http::error_response(http::Status::not_found, "no thumbnail");
                       res.set(http::beast_http::field::cache_control, thumbnail ? thumbnail_cache : "no-store");
                       co_return res;
                     });

  router::PublishObserverList publish_observers;
  publish_observers.add(packaging);
  publish_observers.add(thumbnail_maker);
  publish_observers.add(transcoder);
  if (config.transcode.audio_bridge) publish_observers.add(audio_bridge);
  if (config.webrtc_reencode_bframes) publish_observers.add(webrtc_video);
  publish_observers.add(restream_observer);
  ingest::PublishContext publish_context{registry, authorizer, publish_observers, metrics};
  // WebRTC (WHIP/WHEP): one UDP + ICE-TCP port per shard from webrtc.listen's port on.
  auto webrtc = WebRtcService::create(shards, publish_context, config);
  if (!webrtc) {
    spdlog::critical("{}", webrtc.error().message);
    return 1;
  }
  (*webrtc)->add_routes(router);
  if (base::Status status = (*webrtc)->start(); !status) {
    spdlog::critical("{}", status.error().message);
    return 1;
  }
  auto per_shard = [&](uint32_t total) { return std::max<uint32_t>(1, total / static_cast<uint32_t>(shard_count)); };
  for (const auto* endpoint : {&*http_endpoint, &*rtmp_endpoint}) {
    if (base::Status free = runtime::ensure_port_free(shards.at(0).io(), *endpoint); !free) {
      spdlog::critical("{}", free.error().message);
      return 1;
    }
  }
  std::vector<std::unique_ptr<http::Server>> http_servers;
  std::vector<std::unique_ptr<ingest::RtmpListener>> rtmp_listeners;
  for (size_t i = 0; i < shard_count; ++i) {
    http::ServerOptions http_options{*http_endpoint, per_shard(config.http.max_connections), config.http.max_header_bytes,
                                     config.http.max_body_bytes, millis(config.http.idle_timeout_s)};
    http_servers.push_back(std::make_unique<http::Server>(shards.at(i), http_options, router, metrics));
    ingest::RtmpListenerOptions rtmp_options{*rtmp_endpoint, per_shard(config.rtmp.max_connections),
                                             config.rtmp.max_message_bytes, millis(config.rtmp.idle_timeout_s)};
    rtmp_listeners.push_back(std::make_unique<ingest::RtmpListener>(shards.at(i), rtmp_options, publish_context));
    // Before the shard threads run, so this thread may open their listeners.
    for (base::Status status : {http_servers.back()->start(), rtmp_listeners.back()->start()}) {
      if (!status) {
        spdlog::critical("{}", status.error().message);
        return 1;
      }
    }
  }
  // SRT has one I/O thread of its own (libsrt's sockets are not Asio objects); it posts
  // each connection's bytes to the connection's home shard.
  ingest::SrtListenerOptions srt_options;
  srt_options.endpoint = asio::ip::udp::endpoint(srt_endpoint->address(), srt_endpoint->port());
  srt_options.passphrase = config.srt.passphrase;
  srt_options.stream_passphrases = config.srt.passphrases;
  srt_options.pbkeylen = static_cast<int>(config.srt.pbkeylen);
  srt_options.latency_ms = static_cast<int>(config.srt.latency_ms);
  srt_options.max_connections = config.srt.max_connections;
  ingest::SrtListener srt_listener(shards, srt_options, publish_context);
  // SRT viewers (m=request on the same port) are egress sessions on a shard.
  egress::SrtPlayMetrics srt_play_metrics(metrics);
  srt_listener.set_player_factory([&srt_play_metrics, queue = config.stream.subscriber_queue_frames](
                                      ingest::SrtPlayerRequest request) {
    auto session = std::make_shared<egress::SrtPlaySession>(
        request.shard, request.socket, request.id, std::move(request.stream), egress::SrtPlayOptions{queue},
        srt_play_metrics, std::move(request.close_socket));
    return ingest::SrtPlayerHooks{[session] { session->start(); },
                                  [session](std::string reason) { session->on_socket_closed(reason); }};
  });
  if (base::Status status = srt_listener.start(); !status) {
    spdlog::critical("config key 'srt.listen' ({}): {}", config.srt.listen, status.error().message);
    return 1;
  }
  shards.start();
  spdlog::info("vela serving: http {} rtmp {} srt {} webrtc {} (+{} ports) shards {} data_dir {}", config.http.listen,
               config.rtmp.listen, config.srt.listen, config.webrtc_listen, shard_count - 1, shard_count, config.data_dir);

  asio::io_context signals_io;
  asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code&, int signal) { received = signal; });
  signals_io.run();

  spdlog::info("signal {}: shutting down", received);
  // The shutdown order (docs/ARCHITECTURE.md, "Shutdown"). Every session ends on its own
  // shard while every observer is alive; the shards then run out of work by themselves, so
  // nothing is left in an io_context to be destroyed half-done.
  auto deadline = std::chrono::steady_clock::now() + kShutdownGrace;
  // 1. SRT: its I/O thread stops accepting, closes every connection and posts each
  //    session's end to its shard.
  srt_listener.stop();
  // 2. On every shard: stop accepting; end WHIP/WHEP sessions now, shut RTMP sockets down
  //    (each session ends its publication when it sees that), close idle HTTP connections
  //    and answer parked LL-HLS requests.
  on_every_shard(shards, [&](size_t i) {
    rtmp_listeners[i]->stop();
    (*webrtc)->stop(i);
    http_servers[i]->stop();
    directories[i]->stop();
  });
  // 3. Wait for the sessions to finish their last exchange and their publish-end work.
  auto open_sessions = [&] {
    size_t n = 0;
    for (auto& s : http_servers) n += s->open_connections();
    for (auto& l : rtmp_listeners) n += l->open_sessions();
    return n;
  };
  while (open_sessions() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  on_every_shard(shards, [](size_t) {});  // what the ends posted (SRT viewers' ends included) has run
  // 4. Let the worker pool finish its jobs; their results are posted to the shards, which
  //    still run. No stream is live, so nothing submits more.
  workers.join();
  // 5. The shards run what is left (restream pushes unwinding, cancelled timers) and return.
  std::vector<size_t> busy;
  if (!shards.stop_and_wait_until(deadline, busy) || open_sessions() > 0) {
    // Something did not end in time. Destroying its suspended work would run it against
    // objects already gone, so leave without tearing down.
    spdlog::error("shutdown: {} sessions still open and {} shards still busy after {} s; exiting without teardown",
                  open_sessions(), busy.size(), kShutdownGrace.count());
    spdlog::shutdown();
    std::_Exit(1);
  }
  shards.join();
  // 6. Every packager has stopped and finished its recording: write what is queued.
  if (recorder) recorder->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace vela::server
