#pragma once
// Starts a StreamAudioBridge for every stream that starts publishing (its audio, AAC or
// Opus, is bridged to the other codec once per stream, never per viewer) and stops it when
// the publisher leaves. The server adds it only when `transcode.audio_bridge` is on.
#include "transcode/audio_bridge_stream.hpp"
#include "transcode/per_stream_observer.hpp"

namespace vela::transcode {

using AudioBridge = PerStreamObserver<StreamAudioBridge, AudioBridgeOptions, AudioBridgeMetrics>;

}  // namespace vela::transcode
