// Player page. The server serves this page for every /watch/{name} URL, so the stream name
// comes from the path.
import type Hls from "hls.js";
import { byId } from "./dom";
import { Player, type PlayerStatus } from "./player";
import { QualityMenu, type QualityState } from "./quality_menu";
import { collectStats, type PlayerStats } from "./stats";

/** What end-to-end tests read from the page. */
export interface VelaPlayer {
  readonly hls: Hls | null;
  readonly video: HTMLVideoElement;
  stats(): PlayerStats;
  /** The quality menu: its levels (highest first), the viewer's choice and the level playing. */
  quality(): QualityState;
}

declare global {
  interface Window {
    velaPlayer?: VelaPlayer;
  }
}

const kStatsIntervalMs = 500;

const kStatusText: Record<PlayerStatus, string> = {
  connecting: "Connecting…",
  playing: "Live",
  buffering: "Buffering…",
  ended: "Stream ended. Waiting for it to come back…",
  "not-found": "Stream not found. Retrying…",
  error: "Playback failed. Retrying…",
  unsupported: "This browser cannot play HLS.",
};

function streamNameFromPath(path: string): string {
  try {
    return decodeURIComponent(path.replace(/^\/watch\//, "").replace(/\/+$/, ""));
  } catch {
    return ""; // malformed percent-encoding
  }
}

const name = streamNameFromPath(location.pathname);
const video = byId<HTMLVideoElement>("video");
const status = byId<HTMLParagraphElement>("status");
const unmute = byId<HTMLButtonElement>("unmute");
const quality = new QualityMenu(byId<HTMLSelectElement>("quality"));

document.title = `${name} · Vela`;
byId("title").textContent = name;

const player = new Player(
  video,
  `/live/${encodeURIComponent(name)}/index.m3u8`,
  (state) => {
    status.textContent = kStatusText[state];
    status.dataset.state = state;
  },
  (hls) => quality.attach(hls),
);

window.velaPlayer = {
  get hls() {
    return player.hls;
  },
  video,
  stats: () => collectStats(video, player.hls),
  quality: () => quality.state(),
};

unmute.addEventListener("click", () => {
  video.muted = !video.muted;
  if (video.paused) video.play().catch(() => {});
});
video.addEventListener("volumechange", () => {
  unmute.textContent = video.muted ? "Unmute" : "Mute";
});

// One <dt>/<dd> row per figure; the <dd>s are refreshed twice a second.
const statsList = byId<HTMLDListElement>("stats");
function statRow(label: string): HTMLElement {
  const term = document.createElement("dt");
  term.textContent = label;
  const value = document.createElement("dd");
  statsList.append(term, value);
  return value;
}
const latencyValue = statRow("Latency");
const pdtLatencyValue = statRow("Latency (PDT)");
const bufferValue = statRow("Buffer");
const levelValue = statRow("Level");
const resolutionValue = statRow("Resolution");
const bitrateValue = statRow("Bitrate");

const seconds = (value: number | null) => (value === null ? "–" : `${value.toFixed(2)} s`);

// "720p (auto)": the level playing, by its menu label, and who chose it.
function levelText(stats: PlayerStats): string {
  if (stats.level === null) return "–";
  const label = quality.state().levels.find((level) => level.index === stats.level)?.label ?? `#${stats.level}`;
  return stats.autoLevel ? `${label} (auto)` : label;
}

function renderStats(): void {
  const stats = collectStats(video, player.hls);
  latencyValue.textContent = seconds(stats.latency);
  pdtLatencyValue.textContent = seconds(stats.pdtLatency);
  bufferValue.textContent = seconds(stats.buffer);
  levelValue.textContent = levelText(stats);
  resolutionValue.textContent = stats.width > 0 ? `${stats.width}×${stats.height}` : "–";
  bitrateValue.textContent = stats.bitrate === null ? "–" : `${(stats.bitrate / 1e6).toFixed(2)} Mb/s`;
}

if (name) {
  player.start();
  setInterval(renderStats, kStatsIntervalMs);
} else {
  status.textContent = "No valid stream name in the address.";
}
