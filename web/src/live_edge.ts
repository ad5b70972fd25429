// Keeps a live player near its target latency. hls.js starts at the last keyframe before its
// target position (up to a whole GOP behind) and only speeds up by a few percent to catch up,
// so a start or a stall can leave it seconds behind for good. When the lag beyond the target
// exceeds kMaxLagS and the target position is already buffered, jump there.
import type Hls from "hls.js";

const kMaxLagS = 1.5;
const kCheckEveryMs = 1000;

export function keepNearLiveEdge(hls: Hls, video: HTMLVideoElement): () => void {
  const timer = window.setInterval(() => {
    const target = hls.liveSyncPosition;
    const targetLatency = hls.targetLatency;
    const latency = hls.latency;
    if (target === null || targetLatency === null || video.paused || !Number.isFinite(latency)) return;
    if (latency - targetLatency <= kMaxLagS || target <= video.currentTime) return;
    if (isBuffered(video, target)) video.currentTime = target;
  }, kCheckEveryMs);
  return () => window.clearInterval(timer);
}

function isBuffered(video: HTMLVideoElement, time: number): boolean {
  for (let i = 0; i < video.buffered.length; i++) {
    if (video.buffered.start(i) <= time && time < video.buffered.end(i)) return true;
  }
  return false;
}
