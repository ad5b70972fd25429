// The quality menu: "Auto" (hls.js picks the level from the measured bandwidth) and one entry
// per level, highest first, labelled by picture height. Choosing a level pins hls.js to it;
// "Auto" hands the choice back. Follows each new hls.js instance the player makes.
import type Hls from "hls.js";
import type { Level } from "hls.js";

import type { HlsModule } from "./player";

export const kAutoLevel = -1;

export interface QualityLevel {
  /** Index in hls.levels (what hls.currentLevel takes). */
  index: number;
  label: string;
  height: number;
  bitrate: number;
}

export interface QualityState {
  levels: QualityLevel[];
  /** The viewer's choice: a level index, or kAutoLevel. */
  choice: number;
  /** The level playing now, or kAutoLevel before one is. */
  current: number;
}

/** Levels highest first; heights shared by several levels get their bitrate in the label. */
export function describeLevels(levels: readonly Pick<Level, "height" | "bitrate">[]): QualityLevel[] {
  const described = levels.map((level, index) => ({
    index,
    label: level.height > 0 ? `${level.height}p` : `${Math.round(level.bitrate / 1000)} kb/s`,
    height: level.height,
    bitrate: level.bitrate,
  }));
  for (const level of described) {
    const twins = described.filter((other) => other.label === level.label).length;
    if (twins > 1) level.label += ` (${Math.round(level.bitrate / 1000)} kb/s)`;
  }
  return described.sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);
}

export class QualityMenu {
  private hls: Hls | null = null;
  private levels: QualityLevel[] = [];
  private choice = kAutoLevel;

  constructor(private readonly select: HTMLSelectElement) {
    select.addEventListener("change", () => this.choose(Number(select.value)));
    this.render();
  }

  /** Follows a new hls.js instance; the viewer's choice carries over when that level exists. */
  attach(hls: Hls, { Events }: HlsModule): void {
    this.hls = hls;
    const refresh = () => {
      this.levels = describeLevels(hls.levels);
      if (!this.levels.some((level) => level.index === this.choice)) this.choice = kAutoLevel;
      if (this.choice !== kAutoLevel) hls.currentLevel = this.choice;
      this.render();
    };
    hls.on(Events.MANIFEST_PARSED, refresh);
    hls.on(Events.LEVELS_UPDATED, refresh);
  }

  /**
   * A level index, or kAutoLevel. A level is switched to at once (currentLevel flushes what is
   * buffered); Auto keeps what is buffered and lets hls.js choose the next loads (loadLevel).
   */
  choose(level: number): void {
    this.choice = this.levels.some((l) => l.index === level) ? level : kAutoLevel;
    if (this.hls && this.choice === kAutoLevel) this.hls.loadLevel = kAutoLevel;
    else if (this.hls) this.hls.currentLevel = this.choice;
    this.render();
  }

  /** No stream: no levels to offer (the viewer's choice is kept for when it comes back). */
  clear(): void {
    this.hls = null;
    this.levels = [];
    this.render();
  }

  state(): QualityState {
    return { levels: this.levels, choice: this.choice, current: this.hls?.currentLevel ?? kAutoLevel };
  }

  private render(): void {
    const options = [new Option("Auto", String(kAutoLevel))];
    for (const level of this.levels) options.push(new Option(level.label, String(level.index)));
    this.select.replaceChildren(...options);
    this.select.value = String(this.choice);
    this.select.disabled = this.levels.length < 2;
  }
}
