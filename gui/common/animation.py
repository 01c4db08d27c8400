"""A run as an animation for slides: one frame per recorded step, written as GIF (Pillow) or MP4
(imageio-ffmpeg, the ``mp4`` extra, which ships its own ffmpeg).

:class:`FrameRecorder` steps a tab's controller and renders each frame with the code that writes
a screenshot or an exported plot (``gui.common.export``); it does one frame per :meth:`advance`,
so the window drives it from a timer and stays responsive, and ``python main.py animate`` from a
loop. Imports nothing of the window.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

ANIMATION_FORMATS = ("gif", "mp4")
MP4_EXTRA = "MP4 needs the mp4 extra (imageio-ffmpeg, which ships its own ffmpeg): pip install 'stepwise[mp4]'"
#: Frames one animation may hold: a GIF keeps every frame in memory until it is written.
MAX_FRAMES = 1000
MAX_FPS = 60.0


class AnimationError(ValueError):
    """An animation that cannot be made as asked (format, extra missing, too many frames); says why."""


def animation_format(path: str) -> str:
    """``gif`` or ``mp4`` from the file's suffix; for MP4, the extra must be installed."""
    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in ANIMATION_FORMATS:
        raise AnimationError(f"{Path(path).name}: an animation is written as .gif or .mp4")
    if fmt == "mp4":
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise AnimationError(MP4_EXTRA) from None
    return fmt


def frame_targets(start: int, steps: int, every: int) -> list[int]:
    """The cursor of each frame: the start and every ``every``-th step after it, and the last
    (the steps ``run --every`` records)."""
    from engine.trace import recorded_steps  # here: engine.trace imports sympy, the window starts without it

    if steps < 0 or every < 1:
        raise AnimationError("steps must be >= 0 and every >= 1")
    targets = [start + k for k in recorded_steps(steps, every)]
    if len(targets) > MAX_FRAMES:
        raise AnimationError(f"{len(targets)} frames: at most {MAX_FRAMES}; record fewer with a larger "
                             f"'every' (e.g. {-(-steps // (MAX_FRAMES - 1))})")
    return targets


def check_fps(fps: float) -> float:
    fps = float(fps)
    if not (0 < fps <= MAX_FPS):
        raise AnimationError(f"fps {fps:g}: choose more than 0 and at most {MAX_FPS:g} frames a second")
    return fps


def flattened(image):
    """A QImage as an RGB PIL image on white (a GIF has no partial transparency)."""
    from PIL import Image
    from PySide6.QtGui import QImage

    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = rgba.width(), rgba.height()
    data = bytes(rgba.constBits())[: rgba.bytesPerLine() * height]
    frame = Image.frombuffer("RGBA", (width, height), data, "raw", "RGBA", rgba.bytesPerLine(), 1)
    background = Image.new("RGBA", (width, height), "white")
    return Image.alpha_composite(background, frame).convert("RGB")


def _caption_pixels(width: int) -> int:
    return max(12, width // 70)


def caption_height(width: int) -> int:
    """Pixels the step caption adds below a frame ``width`` pixels wide."""
    return round(_caption_pixels(width) * 1.6)


def captioned(image, text: str):
    """The frame over a white strip holding ``text`` (the step), so every frame says where the run is
    and no two frames are alike (a GIF writer would merge equal ones)."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    pixels = _caption_pixels(image.width())
    strip = caption_height(image.width())
    out = QImage(image.width(), image.height() + strip, QImage.Format.Format_ARGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    try:
        painter.drawImage(0, 0, image)
        font = painter.font()
        font.setPixelSize(pixels)
        painter.setFont(font)
        painter.setPen(QColor(60, 60, 60))
        painter.drawText(QRect(0, image.height(), out.width() - pixels, strip),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
    finally:
        painter.end()
    return out


class GifSink:
    """Frames quantised to 255 colours each, written when closed: a palette per frame (a racer's
    colour first drawn late keeps it) by octree (median cut turns a thin orange path yellow)."""

    def __init__(self, path: str, fps: float) -> None:
        with open(path, "wb"):  # a folder that cannot be written fails now, not after every frame
            pass
        self.path, self.duration_ms = path, round(1000 / fps)
        self.frames: list = []

    def add(self, image) -> None:
        from PIL import Image

        self.frames.append(flattened(image).quantize(255, method=Image.Quantize.FASTOCTREE,
                                                     dither=Image.Dither.NONE))

    def close(self) -> None:
        """Write the GIF (OSError with the reason when the file cannot be written)."""
        if not self.frames:
            raise AnimationError("no frames to write")
        with open(self.path, "wb") as handle:
            self.frames[0].save(handle, format="GIF", save_all=True, append_images=self.frames[1:],
                                duration=self.duration_ms, loop=0)

    def abort(self) -> None:
        self.frames = []
        Path(self.path).unlink(missing_ok=True)


class Mp4Sink:
    """Frames streamed to ffmpeg (H.264) as they come; sides padded to even sizes, as H.264 needs."""

    def __init__(self, path: str, fps: float) -> None:
        with open(path, "wb"):  # a clear OSError now, before ffmpeg's own
            pass
        self.path, self.fps = path, fps
        self._writer = None
        self._size: tuple[int, int] | None = None

    def add(self, image) -> None:
        from PIL import Image

        frame = flattened(image)
        if self._writer is None:
            import imageio_ffmpeg

            self._size = (frame.width + frame.width % 2, frame.height + frame.height % 2)
            self._writer = imageio_ffmpeg.write_frames(self.path, self._size, fps=self.fps, codec="libx264",
                                                       pix_fmt_out="yuv420p", macro_block_size=1, quality=8)
            self._writer.send(None)
        if frame.size != self._size:
            padded = Image.new("RGB", self._size, "white")
            padded.paste(frame, (0, 0))
            frame = padded
        self._writer.send(frame.tobytes())

    def close(self) -> None:
        if self._writer is None:
            raise AnimationError("no frames to write")
        self._writer.close()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
        Path(self.path).unlink(missing_ok=True)


def open_sink(path: str, fps: float):
    """The writer for ``path``'s format (:class:`GifSink` or :class:`Mp4Sink`)."""
    fmt = animation_format(path)
    fps = check_fps(fps)
    return GifSink(path, fps) if fmt == "gif" else Mp4Sink(path, fps)


def step_updates(controller, n: int) -> None:
    """``n`` updates, whatever the Step button's size (the network tab may step by phase), made at
    once (not in the background, as the network tab's over a large data set would be)."""
    moves = getattr(controller, "moves", None)
    with moves.synchronous() if moves is not None else contextlib.nullcontext():
        _step_updates(controller, n)


def _step_updates(controller, n: int) -> None:
    granularity = getattr(controller, "granularity", None)
    if granularity is None or granularity == "iteration":
        controller.step(n)
        return
    controller.granularity = "iteration"
    try:
        controller.step(n)
    finally:
        controller.granularity = granularity


class FrameRecorder:
    """Steps ``controller`` to each frame's step and hands ``render()``'s image, captioned with the
    step, to ``sink``; a run that stops early ends the animation at its last step."""

    def __init__(self, controller, render: Callable[[], object], steps: int, every: int, sink,
                 settle: Callable[[], None] = lambda: None) -> None:
        self.controller, self.render, self.sink, self.settle = controller, render, sink, settle
        self.start = controller.cursor
        self.targets = frame_targets(self.start, steps, every)
        self.done = 0
        self.frames = 0
        self.last_cursor: int | None = None

    @property
    def total(self) -> int:
        return len(self.targets)

    def advance(self) -> bool:
        """Render the next frame; False when there is none left (then :meth:`finish`)."""
        if self.done >= self.total:
            return False
        target = self.targets[self.done]
        if self.controller.cursor < target:
            step_updates(self.controller, target - self.controller.cursor)
        self.settle()
        cursor = self.controller.cursor
        if cursor == self.last_cursor:  # the run stopped before this step: no frame repeats
            self.done = self.total
            return False
        self.sink.add(captioned(self.render(), f"step {cursor}"))
        self.last_cursor = cursor
        self.frames += 1
        self.done += 1
        return self.done < self.total

    def finish(self) -> None:
        """Write the file (OSError with the reason on failure)."""
        self.sink.close()

    def cancel(self) -> None:
        self.sink.abort()
