// The player's own controls over the <video>: play/pause, mute and volume, picture-in-picture
// and full screen, with keyboard shortcuts (k or space, m, arrow up/down, p, f). Buttons for
// what the browser cannot do (no PiP, no full screen) are hidden. The video keeps no native
// controls: a live stream has no timeline to scrub.
import { byId } from "./dom";

const kVolumeStep = 0.1;

export class PlayerControls {
  private readonly playPause = byId<HTMLButtonElement>("play-pause");
  private readonly mute = byId<HTMLButtonElement>("unmute");
  private readonly volume = byId<HTMLInputElement>("volume");
  private readonly pip = byId<HTMLButtonElement>("pip");
  private readonly fullscreen = byId<HTMLButtonElement>("fullscreen");

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly frame: HTMLElement,
  ) {
    this.playPause.addEventListener("click", () => this.togglePlay());
    this.mute.addEventListener("click", () => this.toggleMute());
    this.volume.addEventListener("input", () => this.setVolume(Number(this.volume.value)));
    this.pip.hidden = !document.pictureInPictureEnabled;
    this.pip.addEventListener("click", () => void this.togglePictureInPicture());
    this.fullscreen.hidden = !document.fullscreenEnabled;
    this.fullscreen.addEventListener("click", () => void this.toggleFullscreen());
    for (const type of ["play", "pause", "playing"]) video.addEventListener(type, () => this.render());
    video.addEventListener("volumechange", () => this.render());
    document.addEventListener("fullscreenchange", () => this.render());
    video.addEventListener("enterpictureinpicture", () => this.render());
    video.addEventListener("leavepictureinpicture", () => this.render());
    document.addEventListener("keydown", (event) => this.onKey(event));
    this.render();
  }

  togglePlay(): void {
    if (this.video.paused) this.video.play().catch(() => {});
    else this.video.pause();
  }

  toggleMute(): void {
    this.video.muted = !this.video.muted;
    // Unmuting at volume 0 would stay silent: bring the sound back.
    if (!this.video.muted && this.video.volume === 0) this.video.volume = 0.5;
    if (this.video.paused) this.video.play().catch(() => {});
  }

  setVolume(volume: number): void {
    this.video.volume = Math.min(1, Math.max(0, volume));
    this.video.muted = this.video.volume === 0;
  }

  async togglePictureInPicture(): Promise<void> {
    if (document.pictureInPictureElement) await document.exitPictureInPicture().catch(() => {});
    else await this.video.requestPictureInPicture().catch(() => {});
  }

  async toggleFullscreen(): Promise<void> {
    if (document.fullscreenElement) await document.exitFullscreen().catch(() => {});
    else await this.frame.requestFullscreen().catch(() => {});
  }

  private onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    // Typing in a form field, or a focused control that uses the key itself, comes first.
    if (target?.closest("input, select, textarea")) return;
    if (event.key === " " && target?.closest("button")) return;
    const actions: Record<string, () => void> = {
      k: () => this.togglePlay(),
      " ": () => this.togglePlay(),
      m: () => this.toggleMute(),
      ArrowUp: () => this.setVolume((this.video.muted ? 0 : this.video.volume) + kVolumeStep),
      ArrowDown: () => this.setVolume((this.video.muted ? 0 : this.video.volume) - kVolumeStep),
      p: () => void this.togglePictureInPicture(),
      f: () => void this.toggleFullscreen(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  private render(): void {
    const paused = this.video.paused;
    this.playPause.textContent = paused ? "Play" : "Pause";
    this.playPause.setAttribute("aria-label", paused ? "Play (k)" : "Pause (k)");
    const muted = this.video.muted || this.video.volume === 0;
    this.mute.textContent = muted ? "Unmute" : "Mute";
    this.mute.setAttribute("aria-label", muted ? "Unmute (m)" : "Mute (m)");
    this.volume.value = String(muted ? 0 : this.video.volume);
    this.fullscreen.textContent = document.fullscreenElement ? "Exit full screen" : "Full screen";
    this.pip.textContent = document.pictureInPictureElement ? "Exit PiP" : "PiP";
  }
}
