// The slice of the REST API (GET /api/v1/streams) the pages use.

export interface VideoTrack {
  kind: "video";
  codec: string;
  width: number;
  height: number;
}

export interface AudioTrack {
  kind: "audio";
  codec: string;
  sample_rate: number;
  channels: number;
}

export interface StreamInfo {
  name: string;
  live: boolean;
  tracks: Array<VideoTrack | AudioTrack>;
  started_at: string; // RFC 3339
}

export async function fetchStreams(): Promise<StreamInfo[]> {
  const response = await fetch("/api/v1/streams", { cache: "no-store" });
  if (!response.ok) throw new Error(`GET /api/v1/streams: HTTP ${response.status}`);
  const body = (await response.json()) as { streams: StreamInfo[] };
  return body.streams;
}
