// Playback measurements, read the same way whether hls.js or the browser's native HLS plays.
import type Hls from "hls.js";

export interface PlayerStats {
  /** Seconds behind the live edge of the playlist (hls.latency), or null before it is known. */
  latency: number | null;
  /** Seconds between now and the program date time of the frame on screen, or null without one. */
  pdtLatency: number | null;
  /** Seconds buffered ahead of currentTime. */
  buffer: number;
  currentTime: number;
  /** True while the playhead is advancing (not paused, ended or starved). */
  playing: boolean;
  width: number;
  height: number;
  /** Declared bits per second (BANDWIDTH) of the playing rendition, or null when unknown. */
  bitrate: number | null;
  /** hls.js: index of the playing level in hls.levels; null with native HLS or before one plays. */
  level: number | null;
  /** hls.js: whether hls.js picks the level itself (ABR); null with native HLS. */
  autoLevel: boolean | null;
}

// Safari's native HLS exposes the program date time of media time 0.
type NativeHlsVideo = HTMLVideoElement & { getStartDate?: () => Date };

export function bufferAhead(video: HTMLVideoElement): number {
  const { buffered, currentTime } = video;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) <= currentTime && currentTime <= buffered.end(i)) {
      return buffered.end(i) - currentTime;
    }
  }
  return 0;
}

function edgeLatency(video: HTMLVideoElement, hls: Hls | null): number | null {
  if (hls) return hls.liveSyncPosition === null ? null : hls.latency;
  const { seekable } = video;
  return seekable.length > 0 ? seekable.end(seekable.length - 1) - video.currentTime : null;
}

function playingDate(video: NativeHlsVideo, hls: Hls | null): Date | null {
  if (hls) return hls.playingDate;
  const start = video.getStartDate?.().getTime() ?? NaN;
  return Number.isFinite(start) ? new Date(start + video.currentTime * 1000) : null;
}

export function collectStats(video: HTMLVideoElement, hls: Hls | null): PlayerStats {
  const date = playingDate(video, hls);
  const levelIndex = hls && hls.currentLevel >= 0 ? hls.currentLevel : null;
  const level = levelIndex === null ? undefined : hls?.levels[levelIndex];
  return {
    latency: edgeLatency(video, hls),
    pdtLatency: date ? (Date.now() - date.getTime()) / 1000 : null,
    buffer: bufferAhead(video),
    currentTime: video.currentTime,
    playing: !video.paused && !video.ended && video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA,
    width: video.videoWidth,
    height: video.videoHeight,
    bitrate: level?.bitrate ?? null,
    level: level ? levelIndex : null,
    autoLevel: hls ? hls.autoLevelEnabled : null,
  };
}
