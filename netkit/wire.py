"""The wire recorder: what crossed a connection, and three ways to show it.

A ``Recording`` is a list of ``Chunk`` values (connection number, direction, time,
bytes, or an event such as a FIN or an RST). The proxies in ``netkit.proxies`` fill one
as bytes cross them; ``capture()`` fills one from the client side by tapping every
socket the code inside a ``with`` block creates (a whole ``ftplib`` session, control
and data connections, can be drawn). A recording shows itself as

* ``hexdump()``: offset, hex and ASCII per chunk, like ``hexdump -C``;
* ``to_text(limit)``: compact lines for an assertion message;
* ``diagram()``: an SVG sequence diagram (client and server lifelines, one arrow per
  chunk) that Jupyter displays inline.

``hexdump(data, marks)`` on its own dissects a packet field by field (an SNTP packet,
say), with the fields underlined under the hex and listed in a legend.
"""

import contextlib
import itertools
import socket as _socket_module
import struct
import threading
import time
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["Chunk", "Recording", "Diagram", "HexDump", "capture", "hexdump", "preview"]

#: Direction arrows: client to server, server to client.
DIRECTIONS = ("->", "<-")

#: Event name -> how it reads on the wire (in text and on the diagram).
EVENTS = {
    "connect": "connect",
    "close": "FIN",
    "half_close": "FIN (half-close)",
    "reset": "RST",
}

_SANS = "DejaVu Sans, Helvetica, Arial, sans-serif"
_MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"


# ---------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Chunk:
    """Bytes that crossed connection ``conn`` in ``direction`` at ``t`` seconds.

    ``direction`` is ``"->"`` (client to server) or ``"<-"`` (server to client). An event
    chunk (``event`` one of ``EVENTS``) has empty ``data``; its direction says who sent
    it (``"<-"`` ``"close"`` is a FIN from the server).
    """

    conn: int
    direction: str
    t: float
    data: bytes = b""
    event: str | None = None

    def __post_init__(self):
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction {self.direction!r} is not one of {DIRECTIONS}")
        if self.event is not None and self.event not in EVENTS:
            raise ValueError(f"event {self.event!r} is not one of {tuple(EVENTS)}")
        if self.event is not None and self.data:
            raise ValueError(f"an event chunk carries no data, got {self.data!r}")
        object.__setattr__(self, "data", bytes(self.data))

    def __repr__(self):
        head = f"Chunk(#{self.conn} {self.direction} {self.t:.3f}s"
        if self.event:
            return f"{head} {self.event})"
        hexpart = " ".join(f"{b:02x}" for b in self.data[:8]) + (" …" if len(self.data) > 8 else "")
        return f"{head} {_plural(len(self.data), 'byte')} [{hexpart}] {_short_repr(self.data, 24)})"


@dataclass(frozen=True)
class Diagram:
    """An SVG picture that Jupyter shows inline; ``save_svg(path)`` writes it to a file."""

    svg: str
    width: int
    height: int

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        return f'<div style="max-width:100%;overflow-x:auto">{self.svg}</div>'

    def save_svg(self, path):
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.svg)

    def __repr__(self):
        return f"<Diagram {self.width}x{self.height} SVG>"


# ---------------------------------------------------------------------------------------
# Small text helpers


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short_repr(data, limit):
    """``repr(data)`` cut to about ``limit`` characters, saying how long it was."""
    text = repr(data)
    if len(text) <= limit + 3:
        return text
    size = 0
    for cut, byte in enumerate(data):  # the longest prefix whose repr fits
        size += len(repr(bytes([byte]))) - 3
        if size > limit:
            break
    return f"{data[:cut]!r}…({len(data)} bytes)"


_ESCAPES = {9: "\\t", 10: "\\n", 13: "\\r"}


def preview(data, width=40):
    """A short printable label for ``data``: ``USER student\\r\\n`` or ``48 bytes``.

    Text (printable ASCII plus CR, LF, TAB) is shown with its control characters escaped,
    cut to ``width`` characters; anything else is shown as its length.
    """
    if not data:
        return "0 bytes"
    if any(not (32 <= b < 127 or b in _ESCAPES) for b in data):
        return _plural(len(data), "byte")
    text = "".join(_ESCAPES.get(b, chr(b)) for b in data)
    if len(text) <= width:
        return text
    suffix = f"… ({len(data)} bytes)"
    return text[: max(width - len(suffix), 4)] + suffix


# ---------------------------------------------------------------------------------------
# hexdump


def _key(index):
    """Field keys for hexdump marks: a..z, A..Z, then two letters."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if index < len(letters):
        return letters[index]
    index -= len(letters)
    return letters[index // len(letters) % len(letters)] + letters[index % len(letters)]


def _hex_column(j):
    """Text column where byte ``j`` (0..15) of a hexdump line starts."""
    return 10 + 3 * j + (1 if j >= 8 else 0)


def _underline(width, key, opens, closes):
    """``└── a ──┘`` of ``width`` characters; open ends when the field goes on."""
    if width <= 2:
        return key.ljust(width)[:width]
    inner = width - 2
    label = f" {key} " if inner >= len(key) + 4 else key
    body = label.center(inner, "─")
    return ("└" if opens else "─") + body + ("┘" if closes else "─")


_PASTELS = ("#dbeafe", "#fde68a", "#bbf7d0", "#fbcfe8", "#e9d5ff", "#fed7aa", "#cffafe", "#fecaca", "#d9f99d")
_STRONG = ("#1d4ed8", "#b45309", "#15803d", "#be185d", "#7e22ce", "#c2410c", "#0e7490", "#b91c1c", "#4d7c0f")


class HexDump(str):
    """The text of a hexdump; in Jupyter it shows as HTML with each marked field coloured.

    It is a ``str`` (print it, compare it, put it in a message); ``lines`` keeps, per
    character, which mark it belongs to, for ``_repr_html_``.
    """

    def __new__(cls, lines):
        text = "\n".join("".join(chars) for chars, _marks, _kind in lines)
        self = super().__new__(cls, text)
        self.lines = lines
        return self

    def _repr_html_(self):
        out = []
        for chars, marks, kind in self.lines:
            line = []
            for mark, group in itertools.groupby(zip(chars, marks), key=lambda pair: pair[1]):
                text = escape("".join(char for char, _mark in group))
                if mark is None:
                    line.append(text)
                elif kind == "data":
                    line.append(f'<span style="background:{_PASTELS[mark % len(_PASTELS)]}">{text}</span>')
                else:
                    line.append(f'<span style="color:{_STRONG[mark % len(_STRONG)]};font-weight:bold">{text}</span>')
            out.append("".join(line))
        body = "\n".join(out)
        return (f'<pre style="font-family:{_MONO};font-size:13px;line-height:1.4;'
                f'background:#fafafa;padding:8px;border-radius:4px">{body}</pre>')


def _levels(marks):
    """Underline row per mark: overlapping marks go on separate rows (first free row wins)."""
    levels, level_end = [], []
    for offset, size, _label in marks:
        for level, end in enumerate(level_end):
            if end <= offset:
                level_end[level] = offset + size
                break
        else:
            level = len(level_end)
            level_end.append(offset + size)
        levels.append(level)
    return levels, len(level_end)


def _data_line(start, line, owner):
    """One ``hexdump -C`` line and, per character, the mark it shows (or None)."""
    parts = [f"{b:02x}" for b in line]
    left, right = " ".join(parts[:8]), " ".join(parts[8:])
    ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in line)
    chars = list(f"{start:08x}  {left:<23}  {right:<23}  |{ascii_}|")
    marks = [None] * len(chars)
    for j in range(len(line)):
        mark = owner[start + j]
        col = _hex_column(j)
        marks[col] = marks[col + 1] = marks[61 + j] = mark
        if j + 1 < len(line) and mark is not None and owner[start + j + 1] == mark:
            # the gap between two bytes of one field belongs to the field
            for gap in range(col + 2, _hex_column(j + 1)):
                marks[gap] = mark
    return chars, marks, "data"


def hexdump(data, marks=None):
    """``data`` as classic hexdump lines (``hexdump -C``): offset, 16 bytes in hex, ASCII.

    ``marks`` is a list of ``(offset, size, label)`` fields: each is underlined below its
    hex bytes with a key letter, and a legend after the dump names it with its offset,
    size and bytes (``netkit.sntp.MARKS`` dissects an SNTP packet)::

        00000000  1b 00 00 00 ...
                  a  b  c  d  └─── e ───┘
         a  leap/version/mode  @0    1 byte    1b

    Returns a ``HexDump``: a ``str`` that Jupyter shows with each field coloured.
    """
    data = bytes(data)
    marks = list(marks or ())
    for mark in marks:
        offset, size, _label = mark
        if size < 1 or offset < 0 or offset + size > len(data):
            raise ValueError(f"mark {mark!r} does not lie inside the {_plural(len(data), 'byte')}")
    levels, rows = _levels(marks)
    # The mark a byte is coloured with: the smallest field that contains it.
    owner = [None] * len(data)
    for index in sorted(range(len(marks)), key=lambda i: -marks[i][1]):
        offset, size, _label = marks[index]
        owner[offset:offset + size] = [index] * size

    lines = []
    for start in range(0, len(data), 16):
        stop = min(start + 16, len(data))
        lines.append(_data_line(start, data[start:stop], owner))
        for level in range(rows):
            chars, owners = [" "] * 60, [None] * 60
            for index, ((offset, size, _label), mark_level) in enumerate(zip(marks, levels)):
                first, last = max(offset, start), min(offset + size, stop) - 1
                if mark_level != level or first > last:
                    continue
                col, end = _hex_column(first - start), _hex_column(last - start) + 1
                chars[col:end + 1] = _underline(end - col + 1, _key(index), first == offset,
                                                last == offset + size - 1)
                owners[col:end + 1] = [index] * (end - col + 1)
            width = len("".join(chars).rstrip())
            if width:
                lines.append((chars[:width], owners[:width], "under"))
    if marks:
        width = max(len(label) for _o, _s, label in marks)
        lines.append(([], [], "legend"))
        for index, (offset, size, label) in enumerate(marks):
            value = " ".join(f"{b:02x}" for b in data[offset:offset + min(size, 8)])
            value += " …" if size > 8 else ""
            text = f"{_key(index):>2}  {label:<{width}}  @{offset:<4} {_plural(size, 'byte'):<9} {value}"
            lines.append((list(text), [index] * 2 + [None] * (len(text) - 2), "legend"))
    return HexDump(lines)


# ---------------------------------------------------------------------------------------
# Recording


class Recording:
    """What crossed one or more connections, in order; safe to fill from many threads.

    ``names`` maps a connection number to a lane name for the diagram (``"control"``);
    ``peers`` maps it to the server's ``(host, port)`` where known.
    """

    def __init__(self):
        self._chunks = []
        self._changed = threading.Condition()
        self._start = time.monotonic()
        self.names = {}
        self.peers = {}

    def add(self, conn, direction, data=b"", event=None, t=None):
        """Append a chunk (``t`` defaults to now) and return it."""
        with self._changed:
            if t is None:
                t = time.monotonic() - self._start
            chunk = Chunk(conn, direction, t, bytes(data), event)
            self._chunks.append(chunk)
            self._changed.notify_all()
        return chunk

    @property
    def chunks(self):
        """A copy of the chunks recorded so far, in order."""
        with self._changed:
            return list(self._chunks)

    def __len__(self):
        return len(self.chunks)

    def __iter__(self):
        return iter(self.chunks)

    @property
    def conns(self):
        """Connection numbers, in order of first appearance."""
        return list(dict.fromkeys(chunk.conn for chunk in self.chunks))

    def data(self, direction, conn=None):
        """All bytes that crossed in ``direction`` (on connection ``conn``, or all)."""
        return b"".join(c.data for c in self.chunks
                        if c.direction == direction and (conn is None or c.conn == conn))

    def events(self, conn=None):
        """``(conn, direction, event)`` of every event, in order."""
        return [(c.conn, c.direction, c.event) for c in self.chunks
                if c.event and (conn is None or c.conn == conn)]

    def wait_for(self, predicate, timeout=2.0):
        """Block until ``predicate(chunks)`` is true (re-checked on every new chunk).

        Returns whether it became true within ``timeout`` seconds.
        """
        with self._changed:
            return self._changed.wait_for(lambda: predicate(list(self._chunks)), timeout)

    def __repr__(self):
        chunks = self.chunks
        size = sum(len(c.data) for c in chunks)
        conns = len({c.conn for c in chunks})
        return (f"<Recording {_plural(len(chunks), 'chunk')} on {_plural(conns, 'connection')}, "
                f"{_plural(size, 'byte')}>")

    # -- text ------------------------------------------------------------------------

    @staticmethod
    def _head(chunk):
        return f"#{chunk.conn} {chunk.direction} {chunk.t:.3f}s"

    def to_text(self, limit=20, width=60):
        """Compact lines such as ``#0 -> 0.003s  b'USER student\\r\\n'``.

        At most ``limit`` lines (the first ones and the last few, with a line saying how
        many were left out); each payload's repr is cut to about ``width`` characters.
        """
        chunks = self.chunks
        lines = [f"{self._head(c)}  " + (EVENTS[c.event] if c.event else _short_repr(c.data, width))
                 for c in chunks]
        if len(lines) > limit:
            tail = max(limit // 4, 1)
            head = max(limit - tail - 1, 1)
            skipped = len(lines) - head - tail
            lines = lines[:head] + [f"... {_plural(skipped, 'more chunk')} ..."] + lines[-tail:]
        return "\n".join(lines) if lines else "(nothing crossed the wire)"

    def hexdump(self):
        """Every chunk as a header line and an indented hexdump."""
        out = []
        for chunk in self.chunks:
            if chunk.event:
                out.append(f"{self._head(chunk)}  {EVENTS[chunk.event]}")
                continue
            out.append(f"{self._head(chunk)}  {_plural(len(chunk.data), 'byte')}")
            out.extend("  " + line for line in hexdump(chunk.data).splitlines())
        return "\n".join(out)

    # -- pictures --------------------------------------------------------------------

    def diagram(self, title=None, names=None, client="client", server="server", max_rows=80):
        """An SVG sequence diagram: see ``render_diagram``."""
        lanes = {**self.lane_names(), **self.names, **(names or {})}
        return render_diagram(self.chunks, title=title, names=lanes, client=client,
                              server=server, max_rows=max_rows, peers=self.peers)

    def save_svg(self, path, title=None, **options):
        """Write ``diagram(title, ...)`` to ``path``."""
        self.diagram(title, **options).save_svg(path)

    def lane_names(self):
        """Default lane names: ``control`` / ``data #k`` for an FTP-shaped recording.

        A recording is FTP-shaped when the first connection is open around all others
        and they all go to another server port than it does; otherwise lanes are ``#k``.
        """
        chunks = self.chunks
        conns = list(dict.fromkeys(c.conn for c in chunks))
        plain = {conn: f"#{conn}" for conn in conns}
        if len(conns) < 2 or not all(conn in self.peers for conn in conns):
            return plain
        span = {}
        for index, chunk in enumerate(chunks):
            first, _last = span.get(chunk.conn, (index, index))
            span[chunk.conn] = (first, index)
        control, others = conns[0], conns[1:]
        encloses = all(span[control][0] < span[c][0] and span[c][1] < span[control][1] for c in others)
        other_port = all(self.peers[c][1] != self.peers[control][1] for c in others)
        if not (encloses and other_port):
            return plain
        return {control: "control", **{c: f"data #{k}" for k, c in enumerate(others, 1)}}


# ---------------------------------------------------------------------------------------
# The sequence diagram
#
# Layout (pixels): a time column, a lane-name column, the client lifeline, the server
# lifeline. Rows are evenly spaced in order (not to scale in time: the time is written
# beside each row). Each connection has an activation bar on both lifelines, in its own
# colour, from its first to its last row; overlapping connections get side-by-side slots.

_WIDTH = 800
_CLIENT_X, _SERVER_X = 205, 715
_ROW = 28
_SLOT = 10
_MAX_SLOTS = 5
_LABEL = 52  # characters of preview on an arrow: fits between the outermost slots
_COLOURS = ("#0b6fb8", "#e08a00", "#1a9a6c", "#a0509a", "#4aa8dc", "#8c6d31", "#5f6b7a")
_RST = "#d62728"
_INK, _MUTED, _LINE = "#222222", "#6b7280", "#9ca3af"


def _text(x, y, text, size=12, anchor="start", family=_SANS, fill=_INK, extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{family}" font-size="{size}" '
            f'text-anchor="{anchor}" fill="{fill}"{extra}>{escape(text)}</text>')


def _slots(spans):
    """Greedy slot per connection so that overlapping activation bars sit side by side."""
    slots, busy_until = {}, []
    for conn, (first, last) in sorted(spans.items(), key=lambda item: item[1]):
        for slot, until in enumerate(busy_until):
            if until < first:
                busy_until[slot] = last
                break
        else:
            slot = len(busy_until)
            busy_until.append(last)
        slots[conn] = slot
    return slots


def _rows(chunks, max_rows):
    """Chunks to draw, with ``None`` where the middle of a long recording is left out."""
    if len(chunks) <= max_rows:
        return list(chunks), 0
    head = max_rows // 2
    tail = max_rows - head - 1
    return list(chunks[:head]) + [None] + list(chunks[len(chunks) - tail:]), len(chunks) - head - tail


def render_diagram(chunks, title=None, names=None, client="client", server="server", max_rows=80,
                   peers=None):
    """Draw ``chunks`` as an SVG sequence diagram and return a ``Diagram``.

    One arrow per chunk from the client lifeline to the server lifeline or back, labelled
    with a printable preview (``USER student\\r\\n``) or the byte count; the time in
    seconds on the left; events as dashed arrows (``connect``, ``FIN``) or red ones
    (``RST``). With several connections, each has a colour and a lane name (``names``).
    ``peers`` (conn -> (host, port)) adds the server port to the legend. A recording
    longer than ``max_rows`` shows its first and last rows.
    """
    names, peers = dict(names or {}), dict(peers or {})
    conns = sorted({c.conn for c in chunks})
    # The server port tells an FTP control connection from its data connections;
    # when every connection goes to the same port it says nothing.
    show_ports = len({peers[c][1] for c in conns if c in peers}) > 1
    colour = {conn: _COLOURS[k % len(_COLOURS)] for k, conn in enumerate(conns)}
    several = len(conns) > 1
    rows, skipped = _rows(chunks, max_rows)

    top = 16
    parts = []
    if title:
        parts.append(_text(_WIDTH / 2, top + 16, title, size=17, anchor="middle", extra=' font-weight="bold"'))
        top += 34
    if several:
        # Legend: a swatch and a name per connection, as many per line as fit.
        legend = [(conn, names.get(conn, f"#{conn}")[:14]
                   + (f" → port {peers[conn][1]}" if show_ports and conn in peers else ""))
                  for conn in conns]
        item = 34 + 7.5 * max(len(text) for _conn, text in legend)
        per_line = max(int((_WIDTH - 40) // item), 1)
        for k, (conn, text) in enumerate(legend):
            x, y = 24 + (k % per_line) * item, top + 12 + (k // per_line) * 20
            parts.append(f'<rect x="{x:.1f}" y="{y - 9}" width="12" height="10" rx="2" fill="{colour[conn]}"/>')
            parts.append(_text(x + 18, y, text, size=12, fill=_INK))
        top += 12 + 20 * ((len(conns) + per_line - 1) // per_line)

    head_y = top + 4
    first_row_y = head_y + 34 + 26
    row_y = [first_row_y + i * _ROW for i in range(len(rows))]
    bottom = (row_y[-1] if rows else first_row_y) + 26
    height = int(bottom + 12)

    # Connection spans over rows, for activation bars and slots.
    spans = {}
    for i, chunk in enumerate(rows):
        if chunk is not None:
            first, _last = spans.get(chunk.conn, (i, i))
            spans[chunk.conn] = (first, i)
    # Past five side by side the bars would eat the arrows: further slots wrap around.
    slots = {conn: slot % _MAX_SLOTS for conn, slot in _slots(spans).items()}

    def edge(conn, side):
        offset = 4 + slots.get(conn, 0) * _SLOT
        return _CLIENT_X + offset if side == "client" else _SERVER_X - offset

    # Lifelines and header boxes.
    for x, label in ((_CLIENT_X, client), (_SERVER_X, server)):
        parts.append(f'<line x1="{x}" y1="{head_y + 34}" x2="{x}" y2="{bottom}" stroke="{_LINE}" '
                     f'stroke-width="1.2" stroke-dasharray="5 4"/>')
        parts.append(f'<rect x="{x - 60}" y="{head_y}" width="120" height="34" rx="6" fill="#f3f4f6" '
                     f'stroke="#4b5563" stroke-width="1.2"/>')
        parts.append(_text(x, head_y + 22, label, size=14, anchor="middle", extra=' font-weight="bold"'))
    # Loopback conversations last milliseconds: say so rather than print 0.001s everywhere.
    in_ms = bool(chunks) and max(c.t for c in chunks) < 1.0
    clock = (lambda t: f"{t * 1000:.1f}") if in_ms else (lambda t: f"{t:.3f}")
    parts.append(_text(66, head_y + 22, "time (ms)" if in_ms else "time (s)", size=11, anchor="end", fill=_MUTED))

    # Activation bars: one per connection and side, from its first to its last row.
    for conn, (first, last) in spans.items():
        y1, y2 = row_y[first] - 12, row_y[last] + 12
        for side, x in (("client", _CLIENT_X), ("server", _SERVER_X)):
            offset = slots[conn] * _SLOT
            bx = x - 4 + offset if side == "client" else x - 4 - offset
            parts.append(f'<rect x="{bx}" y="{y1}" width="8" height="{y2 - y1}" fill="{colour[conn]}" '
                         f'fill-opacity="0.18" stroke="{colour[conn]}" stroke-width="1"/>')

    for i, chunk in enumerate(rows):
        y = row_y[i]
        if chunk is None:
            parts.append(_text((_CLIENT_X + _SERVER_X) / 2, y + 4, f"⋯  {_plural(skipped, 'more chunk')}  ⋯",
                               size=12, anchor="middle", fill=_MUTED, extra=' font-style="italic"'))
            continue
        parts.append(_arrow(chunk, y, edge(chunk.conn, "client"), edge(chunk.conn, "server"),
                            colour[chunk.conn], names.get(chunk.conn) if several else None, clock))

    body = "\n".join(parts)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
           f'viewBox="0 0 {_WIDTH} {height}" role="img">\n'
           f'<title>{escape(title or "sequence diagram")}</title>\n'
           f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')
    return Diagram(svg, _WIDTH, height)


def _visible_spaces(label):
    """``'220 '`` would hide its space at the edge of a label: show it as ``220␣``."""
    stripped = label.strip(" ")
    if stripped == label:
        return label
    left = len(label) - len(label.lstrip(" "))
    right = len(label) - len(label.rstrip(" "))
    return "␣" * left + stripped + "␣" * right if stripped else "␣" * len(label)


def _arrow(chunk, y, client_x, server_x, colour, lane, clock):
    """One ``<g class="arrow">``: the line, its head, its label, its time and lane."""
    x1, x2 = (client_x, server_x) if chunk.direction == "->" else (server_x, client_x)
    y1, y2 = y - 3, y + 3  # a slight slope: the bytes take time to cross
    kind = chunk.event or "data"
    stroke, width, dash, label_fill = colour, 1.8, "", _INK
    label, style = _visible_spaces(preview(chunk.data, _LABEL)), ""
    if chunk.event:
        label, style = EVENTS[chunk.event], ' font-style="italic"'
        dash = ' stroke-dasharray="6 4"'
        width, label_fill = 1.4, _MUTED
    if chunk.event == "reset":
        stroke, width, dash, label_fill, style = _RST, 2.2, "", _RST, ' font-weight="bold"'
    if chunk.event is None and label.endswith("bytes") and label[0].isdigit():
        label_fill = "#374151"
    sign = 1 if x2 > x1 else -1
    head = f"{x2:.1f},{y2:.1f} {x2 - sign * 10:.1f},{y2 - 5:.1f} {x2 - sign * 10:.1f},{y2 + 5:.1f}"
    # An RST ends in a cross instead of a head: the connection is killed there.
    tip = (f'<path d="M{x2 - 6:.1f},{y2 - 6:.1f} l12,12 m0,-12 l-12,12" stroke="{_RST}" stroke-width="2.4"/>'
           if chunk.event == "reset" else f'<polygon points="{head}" fill="{stroke}"/>')
    end = x2 - sign * (7 if chunk.event == "reset" else 9)
    parts = [f'<g class="arrow" data-conn="{chunk.conn}" data-direction={quoteattr(chunk.direction)} '
             f'data-kind="{kind}">',
             f'<line x1="{x1:.1f}" y1="{y1}" x2="{end:.1f}" y2="{y2}" stroke="{stroke}" '
             f'stroke-width="{width}"{dash}/>',
             tip,
             _text((x1 + x2) / 2, y - 7, label, size=12, anchor="middle", family=_MONO,
                   fill=label_fill, extra=style),
             _text(66, y + 4, clock(chunk.t), size=11, anchor="end", family=_MONO, fill=_MUTED)]
    if lane:
        parts.append(_text(76, y + 4, lane[:14], size=11, fill=colour))
    parts.append("</g>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# capture(): a client-side tap on every socket created inside a with-block

_STACK = []  # active captures, innermost last
_PATCH_LOCK = threading.Lock()
_ORIGINAL_SOCKET = _socket_module.socket


class _Tap:
    """The recording side of one tapped socket."""

    def __init__(self, recording, conn):
        self.recording = recording
        self.conn = conn
        self.active = True
        self.saw_eof = False
        self.closed = False
        self.linger_zero = False

    def add(self, direction, data=b"", event=None):
        if self.active and (data or event):
            self.recording.add(self.conn, direction, data, event)


class _Capture:
    def __init__(self, recording):
        self.recording = recording
        self.thread = threading.get_ident()
        self.counter = itertools.count()
        self.taps = []

    def tap(self, sock, event_direction):
        tap = _Tap(self.recording, next(self.counter))
        with contextlib.suppress(OSError):
            self.recording.peers[tap.conn] = sock.getpeername()[:2]
        self.taps.append(tap)
        sock._nk_tap = tap
        tap.add(event_direction, event="connect")


def _current():
    return _STACK[-1] if _STACK else None


class _SocketType(type):
    """While patched in, ``isinstance(s, socket.socket)`` must stay true for every socket,
    including those made before the ``with`` block."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _ORIGINAL_SOCKET)

    def __subclasscheck__(cls, other):
        return issubclass(other, _ORIGINAL_SOCKET)


class _RecordingSocket(_ORIGINAL_SOCKET, metaclass=_SocketType):
    """``socket.socket`` while a ``capture()`` is active: records once tapped.

    A socket is tapped when it ``connect()``s (in any thread), or when the capturing
    thread calls ``connect_ex()``, sends its first datagram or accepts it (``ftplib``'s
    active mode); so the sockets of a server running in another thread (which accept,
    answer datagrams, or connect without blocking) stay untapped. Untapped, it behaves
    exactly like ``socket.socket``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._nk_tap = None

    def _nk_record(self, direction, data=b"", event=None):
        tap = getattr(self, "_nk_tap", None)
        if tap is not None:
            tap.add(direction, data, event)

    def connect(self, address):
        super().connect(address)
        capture_ = _current()
        if capture_ and getattr(self, "_nk_tap", None) is None:
            capture_.tap(self, "->")

    def connect_ex(self, address):
        result = super().connect_ex(address)
        capture_ = _current()
        if result == 0 and capture_ and threading.get_ident() == capture_.thread \
                and getattr(self, "_nk_tap", None) is None:
            capture_.tap(self, "->")
        return result

    def accept(self):
        conn, address = super().accept()
        capture_ = _current()
        if capture_ and threading.get_ident() == capture_.thread and type(conn) is _RecordingSocket:
            capture_.tap(conn, "<-")  # the peer connected to us
        return conn, address

    def send(self, data, *args):
        sent = super().send(data, *args)
        self._nk_record("->", bytes(memoryview(data)[:sent]))
        return sent

    def sendall(self, data, *args):
        super().sendall(data, *args)
        self._nk_record("->", bytes(data))

    def sendto(self, data, *args):
        capture_ = _current()
        if capture_ and getattr(self, "_nk_tap", None) is None and threading.get_ident() == capture_.thread:
            capture_.tap(self, "->")
        sent = super().sendto(data, *args)
        self._nk_record("->", bytes(memoryview(data)[:sent]))
        return sent

    def _nk_received(self, data, flags):
        if flags & _socket_module.MSG_PEEK:
            return
        tap = getattr(self, "_nk_tap", None)
        if tap is None:
            return
        if data:
            tap.add("<-", data)
        elif self.type == _socket_module.SOCK_STREAM and not tap.saw_eof:
            tap.saw_eof = True
            tap.add("<-", event="close")

    def _nk_reset(self):
        tap = getattr(self, "_nk_tap", None)
        if tap is not None and not tap.saw_eof:
            tap.saw_eof = True
            tap.add("<-", event="reset")

    def recv(self, bufsize, flags=0):
        try:
            data = super().recv(bufsize, flags)
        except ConnectionResetError:
            self._nk_reset()
            raise
        self._nk_received(data, flags)
        return data

    def recv_into(self, buffer, nbytes=0, flags=0):
        try:
            count = super().recv_into(buffer, nbytes, flags)
        except ConnectionResetError:
            self._nk_reset()
            raise
        self._nk_received(bytes(memoryview(buffer).cast("B")[:count]), flags)
        return count

    def recvfrom(self, bufsize, flags=0):
        data, address = super().recvfrom(bufsize, flags)
        self._nk_received(data, flags)
        return data, address

    def recvfrom_into(self, buffer, nbytes=0, flags=0):
        count, address = super().recvfrom_into(buffer, nbytes, flags)
        self._nk_received(bytes(memoryview(buffer).cast("B")[:count]), flags)
        return count, address

    def setsockopt(self, level, option, value, *args):
        super().setsockopt(level, option, value, *args)
        tap = getattr(self, "_nk_tap", None)
        if tap is not None and (level, option) == (_socket_module.SOL_SOCKET, _socket_module.SO_LINGER):
            on, linger = struct.unpack("ii", value) if isinstance(value, (bytes, bytearray)) else (0, 0)
            tap.linger_zero = bool(on) and linger == 0

    def shutdown(self, how):
        super().shutdown(how)
        tap = getattr(self, "_nk_tap", None)
        if tap is not None and how in (_socket_module.SHUT_WR, _socket_module.SHUT_RDWR) and not tap.closed:
            tap.closed = True
            tap.add("->", event="half_close" if how == _socket_module.SHUT_WR else "close")

    def _real_close(self, *args, **kwargs):
        # socket.close() defers the real close while makefile() readers are open;
        # the FIN (or RST) leaves only here.
        tap = getattr(self, "_nk_tap", None)
        if tap is not None and not tap.closed and self.type == _socket_module.SOCK_STREAM:
            tap.closed = True
            tap.add("->", event="reset" if tap.linger_zero else "close")
        super()._real_close(*args, **kwargs)


@contextlib.contextmanager
def capture(recording=None):
    """Record, from the client side, every socket the code in the ``with`` block uses.

    Yields a ``Recording``. While active, ``socket.socket`` is a recording subclass
    (restored on exit), so ``socket.create_connection``, ``ftplib`` (control and data
    connections, its ``makefile`` readers included) and plain ``socket.socket(...)`` are
    seen. ``->`` is what this process sent, ``<-`` what it received; ``connect``, ``FIN``
    (our close, or the peer's EOF) and ``RST`` are events. Sockets accepted by a server
    running in another thread are not recorded: this is the client's view. Code that
    bound the class earlier (``from socket import socket``) is not seen.
    """
    recording = Recording() if recording is None else recording
    state = _Capture(recording)
    with _PATCH_LOCK:
        _STACK.append(state)
        _socket_module.socket = _RecordingSocket
    try:
        yield recording
    finally:
        with _PATCH_LOCK:
            _STACK.remove(state)
            if not _STACK:
                _socket_module.socket = _ORIGINAL_SOCKET
        for tap in state.taps:
            tap.active = False
