#pragma once
// Starts a StreamBframeFree for every stream that starts publishing (its H.264 is re-encoded
// without B-frames for WebRTC, once per stream and only if the source has B-frames) and
// stops it when the publisher leaves. The server adds it only when `webrtc.reencode_bframes`
// is on.
#include "transcode/bframe_free_stream.hpp"
#include "transcode/per_stream_observer.hpp"

namespace vela::transcode {

using BframeFreeVideo = PerStreamObserver<StreamBframeFree, BframeFreeStreamOptions, BframeFreeMetrics>;

}  // namespace vela::transcode
