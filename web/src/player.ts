// Plays one live stream with hls.js (or the browser's native HLS) and keeps at it: a stream that
// is missing, ends or fails is retried every few seconds, so playback starts by itself when the
// publisher (re)connects.
import type Hls from "hls.js";
import type { ErrorData, HlsConfig } from "hls.js";

import { keepNearLiveEdge } from "./live_edge";

/** hls.js's module, loaded on first use (see Player.start). */
export type HlsModule = typeof import("hls.js");

export type PlayerStatus =
  | "connecting"
  | "playing"
  | "buffering" // was playing, now waiting for media
  | "ended" // the stream stopped; retrying
  | "not-found" // no such stream (yet); retrying
  | "error" // network or media failure; retrying
  | "unsupported"; // this browser has neither MSE nor native HLS

const kRetryDelayMs = 3000;

const kHlsConfig: Partial<HlsConfig> = {
  lowLatencyMode: true,
  // Target latency is the playlist's PART-HOLD-BACK: hls.js uses it in low-latency mode unless
  // liveSyncDuration is set, so the server stays in charge of it. When playback drifts behind the
  // target, hls.js catches up by playing up to 15% faster rather than seeking.
  maxLiveSyncPlaybackRate: 1.15,
  liveDurationInfinity: true,
  // Live viewers rarely seek back; keep only a few seconds of played media buffered.
  backBufferLength: 4,
  // hls.mjs has no built-in worker; fMP4 needs no transmuxing, so running inline costs nothing.
  enableWorker: false,
};

export class Player {
  // hls.js is 600 kB, most of the page's script: it is fetched (as its own chunk) only when a
  // stream is first played over HLS, so a WebRTC viewer's page starts sooner.
  private hlsLibrary: Promise<HlsModule> | null = null;
  // Bumped by start() and destroy(): a start still waiting for hls.js to load is abandoned
  // when a newer start or a destroy came meanwhile.
  private generation = 0;
  private hlsInstance: Hls | null = null;
  private stopEdgeKeeper: (() => void) | null = null;
  private stopEndWatch: (() => void) | null = null;
  private status: PlayerStatus | null = null;
  private retryTimer: number | undefined;
  private mediaRecoveryTried = false;
  private played = false;  // this page has played the stream at least once
  // False until start() and after destroy(): the <video> may meanwhile play something else
  // (WebRTC), whose events are not this player's business.
  private active = false;

  constructor(
    readonly video: HTMLVideoElement,
    private readonly src: string,
    private readonly onStatus: (status: PlayerStatus) => void,
    /** Called with every hls.js instance the player makes (one per attempt), and its module. */
    private readonly onHls: (hls: Hls, hlsModule: HlsModule) => void = () => {},
  ) {
    // Browsers allow autoplay only without sound; the page offers an unmute button.
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    const on = (type: string, handler: () => void) =>
      video.addEventListener(type, () => this.active && handler());
    on("playing", () => {
      this.played = true;
      this.report("playing");
    });
    on("waiting", () => this.status === "playing" && this.report("buffering"));
    on("ended", () => this.retry("ended"));
    on("loadedmetadata", () => this.onNativeMetadata());
    on("error", () => void this.onNativeError());
  }

  /** The hls.js instance of the current attempt; null with native HLS or between attempts. */
  get hls(): Hls | null {
    return this.hlsInstance;
  }

  start(): void {
    this.active = true;
    // Retries keep showing why they happen until playback starts.
    if (this.status === null) this.report("connecting");
    const generation = ++this.generation;
    this.hlsLibrary ??= import("hls.js");
    this.hlsLibrary.then(
      (hlsModule) => {
        if (generation !== this.generation || !this.active) return;
        if (hlsModule.default.isSupported()) this.startHls(hlsModule);
        else if (this.video.canPlayType("application/vnd.apple.mpegurl")) this.startNative();
        else this.report("unsupported");
      },
      () => {
        this.hlsLibrary = null; // fetch it again on the retry
        if (generation === this.generation) this.retry("error");
      },
    );
  }

  /** Stops playback and retries for good (until start() is called again). */
  destroy(): void {
    this.active = false;
    this.generation++;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stop();
    this.status = null;
  }

  private startHls(hlsModule: HlsModule): void {
    const { default: Hls, Events } = hlsModule;
    const hls = new Hls(kHlsConfig);
    this.hlsInstance = hls;
    this.mediaRecoveryTried = false;
    hls.on(Events.MANIFEST_PARSED, () => this.play());
    // A playlist that is already complete (EXT-X-ENDLIST) before playback began belongs to a
    // stream that ended: wait for it to go live again instead of replaying its last seconds.
    hls.on(Events.LEVEL_LOADED, (_event, data) => {
      if (data.details.live) return;
      if (!this.hasPlayed()) this.retry("ended");
      else this.stopEndWatch ??= watchForFinalStall(this.video, () => this.retry("ended"));
    });
    hls.on(Events.ERROR, (_event, data) => this.onHlsError(data, hlsModule));
    this.onHls(hls, hlsModule);
    hls.loadSource(this.src);
    hls.attachMedia(this.video);
    this.stopEdgeKeeper = keepNearLiveEdge(hls, this.video);
  }

  private startNative(): void {
    this.video.src = this.src;
    this.play();
  }

  private play(): void {
    // A rejected play() means autoplay is blocked even muted; the unmute button starts playback.
    this.video.play().catch(() => {});
  }

  private hasPlayed(): boolean {
    return this.status === "playing" || this.status === "buffering";
  }

  // Native HLS equivalent of the EXT-X-ENDLIST check: a live stream has an infinite duration.
  private onNativeMetadata(): void {
    if (!this.hlsInstance && Number.isFinite(this.video.duration) && !this.hasPlayed()) {
      this.retry("ended");
    }
  }

  private onHlsError(data: ErrorData, { ErrorTypes, ErrorDetails }: HlsModule): void {
    if (!data.fatal) return;
    if (data.type === ErrorTypes.MEDIA_ERROR && !this.mediaRecoveryTried) {
      this.mediaRecoveryTried = true;
      this.hlsInstance?.recoverMediaError();
      return;
    }
    if (data.response?.code === 404) {
      // A missing multivariant playlist means no such stream; anything else vanishing means it ended.
      this.retry(data.details === ErrorDetails.MANIFEST_LOAD_ERROR ? "not-found" : "ended");
    } else {
      this.retry("error");
    }
  }

  // Native HLS reports failures only as a media element error; ask the server what is wrong.
  private async onNativeError(): Promise<void> {
    if (this.hlsInstance || this.retryTimer !== undefined) return;
    const response = await fetch(this.src, { cache: "no-store" }).catch(() => null);
    this.retry(response?.status === 404 ? "not-found" : "error");
  }

  private retry(status: PlayerStatus): void {
    if (this.retryTimer !== undefined || !this.active) return;
    this.stop();
    // A stream that played and is gone (its ended playlists dropped, or the server
    // restarted) has ended, as far as this viewer can tell; it did not become unknown.
    if (status === "not-found" && (this.status === "ended" || this.played)) status = "ended";
    this.report(status);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, kRetryDelayMs);
  }

  private stop(): void {
    this.stopEdgeKeeper?.();
    this.stopEdgeKeeper = null;
    this.stopEndWatch?.();
    this.stopEndWatch = null;
    this.hlsInstance?.destroy();
    this.hlsInstance = null;
    if (this.video.hasAttribute("src")) {
      this.video.removeAttribute("src");
      this.video.load();
    }
  }

  private report(status: PlayerStatus): void {
    if (this.retryTimer !== undefined || status === this.status) return;
    this.status = status;
    this.onStatus(status);
  }
}

const kFinalStallMs = 2000;

// After the playlist completed (EXT-X-ENDLIST), the stream has ended once the playhead stops
// short of more media. The media element's own "ended" event needs MediaSource.endOfStream(),
// which hls.js does not always reach when a low-latency stream stops mid-segment; without this
// the viewer would sit on a spinner instead of being told the stream ended.
function watchForFinalStall(video: HTMLVideoElement, onEnded: () => void): () => void {
  let lastTime = video.currentTime;
  let stalledSince = performance.now();
  const timer = window.setInterval(() => {
    const now = performance.now();
    if (video.paused || video.currentTime !== lastTime) {
      lastTime = video.currentTime;
      stalledSince = now;
    } else if (now - stalledSince >= kFinalStallMs) {
      onEnded();
    }
  }, 500);
  return () => window.clearInterval(timer);
}
