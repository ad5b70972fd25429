// WHIP (RFC 9725): publishes a camera/microphone stream to the server over WebRTC. Also holds
// the HTTP offer/answer exchange that WHEP playback (whep.ts) shares with it.
//
// No trickle ICE and no waiting for gathering: Vela is ICE-lite and learns the address to
// answer from our connectivity checks, which the browser sends to the candidates in the
// answer whatever it gathered, so the offer goes out at once (faster first frame).

/** The server answered the offer with something other than 201 Created. */
export class SignalingError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Creates the offer, POSTs it to `endpoint` (a WHIP or WHEP URL), applies the answer and
 * returns the session URL from the Location header. A non-201 answer throws SignalingError
 * carrying the server's own explanation (its error body).
 */
export async function negotiate(pc: RTCPeerConnection, endpoint: string, token?: string): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  const offer = pc.localDescription?.sdp ?? "";
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", ...authHeaders(token) },
      body: offer,
    });
  } catch (err) {
    throw new SignalingError(0, `cannot reach ${endpoint}: ${err instanceof Error ? err.message : err}`);
  }
  const body = await response.text().catch(() => "");
  if (response.status !== 201) {
    const reason = errorReason(body) || response.statusText || "no explanation given";
    throw new SignalingError(response.status, `the server refused (${response.status}): ${reason}`);
  }
  const location = response.headers.get("Location");
  if (!location) throw new SignalingError(response.status, "the server's answer has no Location header");
  await pc.setRemoteDescription({ type: "answer", sdp: body });
  return new URL(location, new URL(endpoint, document.baseURI)).href;
}

/** The server's reason in an error body: {"error": "..."} from Vela, else the text itself. */
function errorReason(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && typeof (parsed as { error?: unknown }).error === "string") {
      return (parsed as { error: string }).error;
    }
  } catch {
    // not JSON: a proxy's or another server's text
  }
  return body.trim();
}

/** Ends a session (DELETE on its URL). keepalive lets it complete while the page unloads. */
export function endSession(sessionUrl: string, token?: string): void {
  fetch(sessionUrl, { method: "DELETE", headers: authHeaders(token), keepalive: true }).catch(() => {});
}

/** Puts H.264 (packetization-mode 1, which the server requires) first; other codecs stay as fallbacks. */
export function preferH264(transceiver: RTCRtpTransceiver, capabilities: RTCRtpCapabilities | null): void {
  if (!capabilities || typeof transceiver.setCodecPreferences !== "function") return;
  const isH264 = (c: RTCRtpCodec) =>
    c.mimeType.toLowerCase() === "video/h264" && /packetization-mode=1/.test(c.sdpFmtpLine ?? "");
  const codecs = [...capabilities.codecs.filter(isH264), ...capabilities.codecs.filter((c) => !isH264(c))];
  try {
    transceiver.setCodecPreferences(codecs);
  } catch {
    // An older browser that validates differently: its default order still offers H.264.
  }
}

export type PublishState = "connecting" | "live" | "reconnecting" | "failed" | "stopped";

/** One WHIP publishing session: start() once, stop() once. */
export class WhipPublisher {
  private peer: RTCPeerConnection | null = null;
  private sessionUrl: string | null = null;

  constructor(
    private readonly endpoint: string,
    private readonly token: string,
    private readonly onState: (state: PublishState) => void,
  ) {}

  get pc(): RTCPeerConnection | null {
    return this.peer;
  }

  /** Sends every track of `stream`; throws (SignalingError or a WebRTC error) when setup fails. */
  async start(stream: MediaStream): Promise<void> {
    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    this.peer = pc;
    this.onState("connecting");
    pc.addEventListener("connectionstatechange", () => {
      if (this.peer !== pc) return;
      const state = pc.connectionState;
      if (state === "connected") this.onState("live");
      else if (state === "disconnected") this.onState("reconnecting");
      else if (state === "failed") this.onState("failed");
    });
    for (const track of stream.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      if (track.kind === "video") preferH264(transceiver, RTCRtpSender.getCapabilities("video"));
    }
    try {
      this.sessionUrl = await negotiate(pc, this.endpoint, this.token);
    } catch (err) {
      this.close();
      throw err;
    }
    // Under congestion, drop frame rate rather than resolution: a studio feed is transcoded
    // into a ladder anyway, and sharp frames matter more there than smooth motion.
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind !== "video") continue;
      const params = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
      params.degradationPreference = "maintain-resolution";
      await sender.setParameters(params).catch(() => {});
    }
  }

  /** Ends the session on the server and closes the connection. */
  stop(): void {
    if (this.sessionUrl) endSession(this.sessionUrl, this.token);
    this.sessionUrl = null;
    if (this.close()) this.onState("stopped");
  }

  private close(): boolean {
    const pc = this.peer;
    if (!pc) return false;
    this.peer = null;
    pc.close();
    return true;
  }
}
