// WHEP playback: receives a stream's audio and video over WebRTC into a <video>. The player
// reports a failure (refused offer, ICE/DTLS failure, or no video for kMediaTimeoutMs) once
// and stops; the page decides what to fall back to.
import { endSession, negotiate, preferH264 } from "./whip";

const kMediaTimeoutMs = 5000;
const kSampleEveryMs = 500;

/** Receiver-side measurements from getStats(), refreshed twice a second. */
export interface WebRtcStats {
  /**
   * Estimated seconds from the server sending a frame to it being shown: the recent average
   * time from a frame's first packet to its decoded picture (or the jitter buffer's delay, if
   * longer), half the round-trip time, and one frame interval for display. It leaves out
   * encoding and the server's own processing, so the glass-to-glass latency is somewhat higher.
   */
  latency: number | null;
  jitterBuffer: number | null;
  /** Recent average seconds from a video frame's first packet to its decoding. */
  processing: number | null;
  framesPerSecond: number | null;
  roundTripTime: number | null;
  framesDecoded: number;
  videoPacketsReceived: number;
  audioPacketsReceived: number;
  /** Bits per second received (audio and video), over the last sample interval. */
  bitrate: number | null;
  width: number;
  height: number;
}

// The fields of the getStats() entries read here (TypeScript's DOM types lack some of them).
interface StatsEntry {
  type: string;
  kind?: string;
  framesDecoded?: number;
  packetsReceived?: number;
  bytesReceived?: number;
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
  totalProcessingDelay?: number;
  framesPerSecond?: number;
  frameWidth?: number;
  frameHeight?: number;
  currentRoundTripTime?: number;
  nominated?: boolean;
  state?: string;
  selectedCandidatePairId?: string;
}

const emptyStats = (): WebRtcStats => ({
  latency: null,
  jitterBuffer: null,
  processing: null,
  framesPerSecond: null,
  roundTripTime: null,
  framesDecoded: 0,
  videoPacketsReceived: 0,
  audioPacketsReceived: 0,
  bitrate: null,
  width: 0,
  height: 0,
});

export class WhepPlayer {
  private peer: RTCPeerConnection | null = null;
  private sessionUrl: string | null = null;
  private sampler: number | undefined;
  private latest: WebRtcStats = emptyStats();
  // Cumulative counters at the previous sample, for per-interval figures.
  private previous = { at: 0, bytes: 0, jitterDelay: 0, jitterEmitted: 0, processingDelay: 0, framesDecoded: 0 };
  private lastProgressAt = 0;
  private playing = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly endpoint: string,
    private readonly onPlaying: () => void,
    private readonly onFailure: (reason: string) => void,
  ) {}

  get pc(): RTCPeerConnection | null {
    return this.peer;
  }

  stats(): WebRtcStats {
    return this.latest;
  }

  async start(): Promise<void> {
    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    this.peer = pc;
    const stream = new MediaStream();
    pc.addEventListener("track", (event) => {
      stream.addTrack(event.track);
      if (this.video.srcObject !== stream) this.video.srcObject = stream;
      this.video.play().catch(() => {});
    });
    pc.addEventListener("connectionstatechange", () => {
      if (this.peer !== pc) return;
      if (pc.connectionState === "failed") this.fail("the WebRTC connection failed (ICE or DTLS)");
    });
    preferH264(pc.addTransceiver("video", { direction: "recvonly" }), RTCRtpReceiver.getCapabilities("video"));
    pc.addTransceiver("audio", { direction: "recvonly" });
    try {
      this.sessionUrl = await negotiate(pc, this.endpoint);
    } catch (err) {
      if (this.peer !== pc) return; // stopped meanwhile
      this.fail(`WHEP: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (this.peer !== pc) {
      // stop() ran while the offer was in flight: end the session it created.
      endSession(this.sessionUrl);
      return;
    }
    this.lastProgressAt = performance.now();
    this.sampler = window.setInterval(() => void this.sample(pc), kSampleEveryMs);
  }

  /** Ends the session on the server, closes the connection and detaches the media. */
  stop(): void {
    window.clearInterval(this.sampler);
    this.sampler = undefined;
    if (this.sessionUrl) endSession(this.sessionUrl);
    this.sessionUrl = null;
    this.peer?.close();
    this.peer = null;
    this.playing = false;
    this.latest = emptyStats();
    if (this.video.srcObject) this.video.srcObject = null;
  }

  private fail(reason: string): void {
    this.stop();
    this.onFailure(reason);
  }

  private async sample(pc: RTCPeerConnection): Promise<void> {
    const report = await pc.getStats().catch(() => null);
    if (!report || this.peer !== pc) return;
    const entries = new Map<string, StatsEntry>();
    report.forEach((entry: StatsEntry & { id: string }) => entries.set(entry.id, entry));
    const next = emptyStats();
    let bytes = 0;
    let jitterDelay = 0;
    let jitterEmitted = 0;
    let processingDelay = 0;
    for (const s of entries.values()) {
      if (s.type === "inbound-rtp") {
        bytes += s.bytesReceived ?? 0;
        if (s.kind === "audio") next.audioPacketsReceived += s.packetsReceived ?? 0;
        if (s.kind !== "video") continue;
        next.videoPacketsReceived += s.packetsReceived ?? 0;
        next.framesDecoded += s.framesDecoded ?? 0;
        next.width = s.frameWidth ?? next.width;
        next.height = s.frameHeight ?? next.height;
        next.framesPerSecond = s.framesPerSecond ?? next.framesPerSecond;
        jitterDelay += s.jitterBufferDelay ?? 0;
        jitterEmitted += s.jitterBufferEmittedCount ?? 0;
        processingDelay += s.totalProcessingDelay ?? 0;
      } else if (s.type === "transport" && s.selectedCandidatePairId) {
        next.roundTripTime = entries.get(s.selectedCandidatePairId)?.currentRoundTripTime ?? null;
      }
    }
    const now = performance.now();
    const prev = this.previous;
    if (prev.at > 0) {
      next.bitrate = ((bytes - prev.bytes) * 8 * 1000) / (now - prev.at);
      const emitted = jitterEmitted - prev.jitterEmitted;
      // The average over the last interval follows changes; the cumulative one would lag.
      next.jitterBuffer = emitted > 0 ? (jitterDelay - prev.jitterDelay) / emitted : this.latest.jitterBuffer;
      // From a frame's first packet to its decoded picture (jitter buffer, assembly, decode):
      // with lip sync off the jitter buffer alone is a millisecond or so, which is not what
      // a viewer waits.
      const decoded = next.framesDecoded - prev.framesDecoded;
      next.processing = decoded > 0 ? (processingDelay - prev.processingDelay) / decoded : this.latest.processing;
    }
    this.previous = { at: now, bytes, jitterDelay, jitterEmitted, processingDelay, framesDecoded: next.framesDecoded };
    const held = Math.max(next.jitterBuffer ?? 0, next.processing ?? 0);
    if (next.jitterBuffer !== null || next.processing !== null) {
      // Plus half the round trip (the network), plus one frame interval for display.
      const frameInterval = next.framesPerSecond ? 1 / next.framesPerSecond : 0;
      next.latency = held + (next.roundTripTime ?? 0) / 2 + frameInterval;
    }

    if (next.framesDecoded > this.latest.framesDecoded) this.lastProgressAt = now;
    this.latest = next;
    if (next.framesDecoded > 0 && !this.playing) {
      this.playing = true;
      this.onPlaying();
    }
    if (now - this.lastProgressAt > kMediaTimeoutMs) {
      const seconds = kMediaTimeoutMs / 1000;
      this.fail(this.playing ? `no video for ${seconds} s` : `no video within ${seconds} s of connecting`);
    }
  }
}
