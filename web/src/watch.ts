// Player page. The server serves this page for every /watch/{name} URL, so the stream name
// comes from the path. LL-HLS by default; WebRTC (WHEP) with ?protocol=webrtc or the switch,
// falling back to LL-HLS when it fails. Over WebRTC, ?lip_sync=off (or unticking "Lip sync")
// asks the server for audio outside the video's sync group: the browser then shows video as
// soon as it is decoded instead of holding it back to match the audio's longer path. Without
// the parameter the server's default (webrtc.lip_sync) applies, and the box shows it.
import type Hls from "hls.js";
import { PlayerControls } from "./controls";
import { byId, statRow as addStatRow } from "./dom";
import { Player, type PlayerStatus } from "./player";
import { QualityMenu, type QualityState } from "./quality_menu";
import { collectStats, type PlayerStats } from "./stats";
import { WhepPlayer, type WebRtcStats } from "./whep";

export type Protocol = "ll-hls" | "webrtc";

/** What end-to-end tests read from the page. */
export interface VelaPlayer {
  readonly hls: Hls | null;
  readonly video: HTMLVideoElement;
  stats(): PlayerStats;
  /** The quality menu: its levels (highest first), the viewer's choice and the level playing. */
  quality(): QualityState;
  /** The protocol actually playing (WebRTC only once video decodes); null while connecting. */
  protocol(): Protocol | null;
  /** WHEP: the peer connection and its receiver stats; null when not on WebRTC. */
  readonly pc: RTCPeerConnection | null;
  webrtc(): WebRtcStats | null;
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
  ended: "This stream has ended. It plays again if it comes back.",
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
const liveState = byId<HTMLSpanElement>("live-state");
const quality = new QualityMenu(byId<HTMLSelectElement>("quality"));
const qualityRow = byId<HTMLLabelElement>("quality-row");
const fallbackNote = byId<HTMLParagraphElement>("fallback");
const protocolInputs = [...document.querySelectorAll<HTMLInputElement>('input[name="protocol"]')];
const lipSyncInput = byId<HTMLInputElement>("lip-sync");

document.title = `${name} · Vela`;
byId("title").textContent = name;

const player = new Player(
  video,
  `/live/${encodeURIComponent(name)}/index.m3u8`,
  (state) => showStatus(state, kStatusText[state]),
  (hls, hlsModule) => quality.attach(hls, hlsModule),
);

function showStatus(state: PlayerStatus, text: string): void {
  status.textContent = text;
  status.dataset.state = state;
  liveState.hidden = state !== "playing";
  // Nothing plays: a quality menu of the stream that was is stale.
  if (state === "ended" || state === "not-found") quality.clear();
}

let whep: WhepPlayer | null = null;

function showPlaying(protocol: Protocol | null): void {
  if (protocol) document.body.dataset.protocol = protocol;
  else delete document.body.dataset.protocol;
}

function playHls(): void {
  whep?.stop();
  whep = null;
  qualityRow.hidden = false;
  showPlaying("ll-hls");
  player.start();
}

function playWebRtc(): void {
  whep?.stop();
  whep = null;
  player.destroy();
  qualityRow.hidden = true;
  fallbackNote.hidden = true;
  delete document.body.dataset.fallback;
  showPlaying(null);
  if (typeof RTCPeerConnection !== "function") {
    fallBack("this browser has no WebRTC");
    return;
  }
  showStatus("connecting", "Connecting over WebRTC…");
  const session: WhepPlayer = new WhepPlayer(
    video,
    `/whep/${encodeURIComponent(name)}${lipSyncChoice() ? `?lip_sync=${lipSyncChoice()}` : ""}`,
    () => {
      lipSyncInput.checked = answerKeepsLipSync(session.pc?.remoteDescription?.sdp ?? "");
      showPlaying("webrtc");
      showStatus("playing", "Live · WebRTC");
    },
    (reason) => {
      if (whep !== session) return;
      whep = null;
      fallBack(reason);
    },
  );
  whep = session;
  void session.start();
}

function fallBack(reason: string): void {
  fallbackNote.textContent = `WebRTC did not work (${reason}); playing LL-HLS instead.`;
  fallbackNote.hidden = false;
  document.body.dataset.fallback = reason;
  selectSwitch("ll-hls");
  playHls();
}

function selectSwitch(protocol: Protocol): void {
  for (const input of protocolInputs) input.checked = input.value === protocol;
}

function choose(protocol: Protocol): void {
  const url = new URL(location.href);
  if (protocol === "webrtc") url.searchParams.set("protocol", "webrtc");
  else url.searchParams.delete("protocol");
  history.replaceState(null, "", url);
  if (protocol === "webrtc") playWebRtc();
  else {
    fallbackNote.hidden = true;
    playHls();
  }
}

for (const input of protocolInputs) {
  input.addEventListener("change", () => input.checked && choose(input.value as Protocol));
}

/** The viewer's explicit lip sync choice (?lip_sync=on|off), or null for the server's default. */
function lipSyncChoice(): "on" | "off" | null {
  const value = new URLSearchParams(location.search).get("lip_sync");
  return value === "on" || value === "off" ? value : null;
}

/** Whether the WHEP answer puts audio and video in one stream (a=msid), which browsers lip-sync. */
function answerKeepsLipSync(sdp: string): boolean {
  const streamOf = (kind: string) => new RegExp(`^a=msid:(\\S+) ${kind}\\r?$`, "m").exec(sdp)?.[1];
  const audio = streamOf("audio");
  return audio === undefined || audio === streamOf("video");
}

lipSyncInput.addEventListener("change", () => {
  const url = new URL(location.href);
  url.searchParams.set("lip_sync", lipSyncInput.checked ? "on" : "off");
  history.replaceState(null, "", url);
  if (whep) playWebRtc(); // a new session with the new choice
});
// Ends the WHEP session on the server rather than leaving it to time out.
window.addEventListener("pagehide", () => whep?.stop());

// With WebRTC, latency is the receiver's estimate and bitrate what arrives, not the declared one.
function currentStats(): PlayerStats {
  const stats = collectStats(video, player.hls);
  if (whep) {
    const rtc = whep.stats();
    stats.latency = rtc.latency;
    stats.bitrate = rtc.bitrate;
  }
  return stats;
}

window.velaPlayer = {
  get hls() {
    return player.hls;
  },
  video,
  stats: currentStats,
  quality: () => quality.state(),
  protocol: () => (document.body.dataset.protocol as Protocol | undefined) ?? null,
  get pc() {
    return whep?.pc ?? null;
  },
  webrtc: () => whep?.stats() ?? null,
};

new PlayerControls(video, byId<HTMLDivElement>("player"));

// One <dt>/<dd> row per figure; the <dd>s are refreshed twice a second.
const statsList = byId<HTMLDListElement>("stats");
const statRow = (label: string): HTMLElement => addStatRow(statsList, label);
const protocolValue = statRow("Protocol");
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
  const stats = currentStats();
  const protocol = window.velaPlayer?.protocol() ?? null;
  protocolValue.textContent = protocol === "webrtc" ? "WebRTC" : protocol === "ll-hls" ? "LL-HLS" : "–";
  // The WebRTC figure leaves out encoding and server time (see WebRtcStats.latency).
  latencyValue.textContent =
    whep && stats.latency !== null ? `${(stats.latency * 1000).toFixed(0)} ms (estimate)` : seconds(stats.latency);
  pdtLatencyValue.textContent = seconds(stats.pdtLatency);
  bufferValue.textContent = seconds(stats.buffer);
  levelValue.textContent = levelText(stats);
  resolutionValue.textContent = stats.width > 0 ? `${stats.width}×${stats.height}` : "–";
  bitrateValue.textContent = stats.bitrate === null ? "–" : `${(stats.bitrate / 1e6).toFixed(2)} Mb/s`;
}

if (name) {
  const query = new URLSearchParams(location.search);
  const requested: Protocol = query.get("protocol") === "webrtc" ? "webrtc" : "ll-hls";
  lipSyncInput.checked = lipSyncChoice() !== "off";
  selectSwitch(requested);
  if (requested === "webrtc") playWebRtc();
  else playHls();
  setInterval(renderStats, kStatsIntervalMs);
} else {
  status.textContent = "No valid stream name in the address.";
}
