// Studio page: goes live from the browser's camera and microphone over WHIP. The key is
// prefilled from ?key= (and the name from ?name=; in open mode the key is the name).
import { byId, statRow as addStatRow } from "./dom";
import { type PublishState, WhipPublisher } from "./whip";

type StudioState = "idle" | "previewing" | "no-camera" | PublishState;

interface StudioStats {
  /** Bits per second sent (audio and video) over the last second; null before a sample. */
  bitrate: number | null;
  width: number;
  height: number;
  framesPerSecond: number | null;
  /** Why the encoder sends less than it could ("cpu", "bandwidth"), or null. */
  qualityLimitation: string | null;
}

/** What end-to-end tests read from the page. */
export interface VelaStudio {
  readonly pc: RTCPeerConnection | null;
  readonly stream: MediaStream | null;
  state(): StudioState;
  stats(): StudioStats;
}

declare global {
  interface Window {
    velaStudio?: VelaStudio;
  }
}

// The outbound-rtp fields read here (TypeScript's DOM types lack some of them).
interface OutboundEntry {
  type: string;
  kind?: string;
  bytesSent?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  qualityLimitationReason?: string;
}

const kStatsIntervalMs = 1000;
const kHeights: Record<string, number> = { "360": 360, "720": 720, "1080": 1080 };

const kStatusText: Record<StudioState, string> = {
  idle: "Starting the camera…",
  previewing: "Ready. Press Go live to publish.",
  "no-camera": "", // set with the browser's reason
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Connection lost. Reconnecting…",
  failed: "The connection failed. Press Go live to try again.",
  stopped: "Stopped. Press Go live to publish again.",
};

const preview = byId<HTMLVideoElement>("preview");
const liveBadge = byId("live");
const form = byId<HTMLFormElement>("form");
const keyInput = byId<HTMLInputElement>("key");
const nameInput = byId<HTMLInputElement>("name");
const resolution = byId<HTMLSelectElement>("resolution");
const goLive = byId<HTMLButtonElement>("go-live");
const stopButton = byId<HTMLButtonElement>("stop");
const status = byId<HTMLParagraphElement>("status");
const watch = byId<HTMLParagraphElement>("watch");
const watchLink = byId<HTMLAnchorElement>("watch-link");

let state: StudioState = "idle";
let stream: MediaStream | null = null;
let publisher: WhipPublisher | null = null;
let stats: StudioStats = { bitrate: null, width: 0, height: 0, framesPerSecond: null, qualityLimitation: null };
let previousBytes = { at: 0, bytes: 0 };

function setState(next: StudioState, text = kStatusText[next]): void {
  state = next;
  document.body.dataset.state = next;
  status.textContent = text;
  status.dataset.state = next === "live" ? "playing" : next;
  liveBadge.hidden = next !== "live";
  const publishing = next === "connecting" || next === "live" || next === "reconnecting";
  goLive.disabled = publishing;
  stopButton.disabled = !publishing;
  keyInput.disabled = nameInput.disabled = resolution.disabled = publishing;
}

async function startPreview(): Promise<void> {
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  const height = kHeights[resolution.value] ?? 720;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { height: { ideal: height }, width: { ideal: Math.round((height * 16) / 9) }, frameRate: { ideal: 30 } },
      audio: true,
    });
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    setState("no-camera", `Camera or microphone unavailable (${reason}).`);
    return;
  }
  preview.srcObject = stream;
  preview.play().catch(() => {});
  setState("previewing");
}

async function goLiveNow(): Promise<void> {
  if (!stream) await startPreview();
  if (!stream) return;
  const key = keyInput.value.trim();
  const name = nameInput.value.trim() || key;
  const session: WhipPublisher = new WhipPublisher(`/whip/${encodeURIComponent(name)}`, key, (next) => {
    if (publisher !== session) return;
    if (next === "failed") {
      publisher = null;
      session.stop();
    }
    setState(next);
  });
  publisher = session;
  previousBytes = { at: 0, bytes: 0 };
  watchLink.href = `/watch/${encodeURIComponent(name)}`;
  watchLink.textContent = new URL(watchLink.href, location.href).href;
  watch.hidden = false;
  try {
    await session.start(stream);
  } catch (err) {
    if (publisher !== session) return;
    publisher = null;
    setState("failed", `Could not go live: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function stopPublishing(): void {
  const session = publisher;
  publisher = null;
  session?.stop();
  setState("stopped");
}

async function sampleStats(): Promise<void> {
  const pc = publisher?.pc;
  if (!pc) return;
  const report = await pc.getStats().catch(() => null);
  if (!report) return;
  let bytes = 0;
  const next: StudioStats = { bitrate: null, width: 0, height: 0, framesPerSecond: null, qualityLimitation: null };
  report.forEach((entry: OutboundEntry) => {
    if (entry.type !== "outbound-rtp") return;
    bytes += entry.bytesSent ?? 0;
    if (entry.kind !== "video") return;
    next.width = entry.frameWidth ?? 0;
    next.height = entry.frameHeight ?? 0;
    next.framesPerSecond = entry.framesPerSecond ?? null;
    next.qualityLimitation = entry.qualityLimitationReason && entry.qualityLimitationReason !== "none" ? entry.qualityLimitationReason : null;
  });
  const now = performance.now();
  if (previousBytes.at > 0) next.bitrate = ((bytes - previousBytes.bytes) * 8 * 1000) / (now - previousBytes.at);
  previousBytes = { at: now, bytes };
  stats = next;
  renderStats();
}

// One <dt>/<dd> row per figure.
const statsList = byId<HTMLDListElement>("stats");
const statRow = (label: string): HTMLElement => addStatRow(statsList, label);
const bitrateValue = statRow("Sending");
const resolutionValue = statRow("Resolution");
const fpsValue = statRow("Frame rate");
const limitValue = statRow("Limited by");

function renderStats(): void {
  bitrateValue.textContent = stats.bitrate === null ? "–" : `${(stats.bitrate / 1e6).toFixed(2)} Mb/s`;
  resolutionValue.textContent = stats.width > 0 ? `${stats.width}×${stats.height}` : "–";
  fpsValue.textContent = stats.framesPerSecond === null ? "–" : `${stats.framesPerSecond.toFixed(0)} fps`;
  limitValue.textContent = stats.qualityLimitation ?? "–";
}

const params = new URLSearchParams(location.search);
keyInput.value = params.get("key") ?? "";
nameInput.value = params.get("name") ?? "";
const requestedHeight = params.get("resolution");
if (requestedHeight && requestedHeight in kHeights) resolution.value = requestedHeight;

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void goLiveNow();
});
stopButton.addEventListener("click", stopPublishing);
resolution.addEventListener("change", () => void startPreview());
// Ends the WHIP session on the server rather than leaving it to time out.
window.addEventListener("pagehide", () => publisher?.stop());

window.velaStudio = {
  get pc() {
    return publisher?.pc ?? null;
  },
  get stream() {
    return stream;
  },
  state: () => state,
  stats: () => stats,
};

renderStats();
setInterval(() => void sampleStats(), kStatsIntervalMs);
// navigator.mediaDevices only exists in secure contexts.
if ("mediaDevices" in navigator) void startPreview();
else setState("no-camera", "This page needs a secure origin (https or localhost) for the camera.");
