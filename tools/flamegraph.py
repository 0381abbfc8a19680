#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""flamegraph.py: a flame graph (SVG) and the top symbols from `perf script`.

    flamegraph.py PERF_SCRIPT_OUTPUT OUT.svg [TOP.txt]

Reads the call stacks that `perf script` prints (one block per sample, the
leaf first), folds identical stacks and draws each frame as a box as wide as
the share of samples it is on, the root at the bottom: the usual flame graph,
so that where the time goes is seen at a glance.  Each box's tooltip gives
the symbol, its samples and their share.  With TOP.txt, also writes the
symbols by samples spent in themselves (self) and under them (total), and
how much of its time each CPU was idle when `perf script` gives the CPU.
"""
import collections
import html
import sys

WIDTH = 1200
ROW = 16
FONT = 11
MIN_PX = 0.3  # narrower boxes are not drawn


def stacks(path):
    """Yield (command, CPU or None, [frames root first]) for each sample."""
    comm, cpu, frames = None, None, []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if comm is not None:
                    yield comm, cpu, list(reversed(frames))
                comm, cpu, frames = None, None, []
            elif not line[0].isspace():
                head = line.split()
                comm, cpu, frames = head[0], None, []
                for word in head[1:]:
                    if word.startswith("[") and word.endswith("]"):
                        cpu = word[1:-1].lstrip("0") or "0"
            else:
                parts = line.split(None, 1)
                sym = parts[1] if len(parts) > 1 else parts[0]
                sym = sym.rsplit(" (", 1)[0]
                sym = sym.split("+0x", 1)[0]
                frames.append(sym or "[unknown]")
    if comm is not None:
        yield comm, cpu, list(reversed(frames))


class Node:
    def __init__(self):
        self.n = 0
        self.kids = collections.OrderedDict()


def idle(frames):
    """Whether a sample was taken in the idle loop."""
    return bool(frames) and (frames[-1].endswith("safe_halt") or
                             "do_idle" in frames)


def build(path):
    root, selfc, totc = Node(), collections.Counter(), collections.Counter()
    percpu = collections.defaultdict(lambda: [0, 0])  # samples, idle ones
    for comm, cpu, frames in stacks(path):
        if cpu is not None:
            percpu[cpu][0] += 1
            percpu[cpu][1] += idle(frames)
        frames = [comm] + frames
        root.n += 1
        node = root
        for sym in frames:
            node = node.kids.setdefault(sym, Node())
            node.n += 1
        selfc[frames[-1]] += 1
        for sym in set(frames):
            totc[sym] += 1
    return root, selfc, totc, percpu


def colour(name):
    h = sum(ord(c) for c in name)
    return "rgb(%d,%d,%d)" % (205 + h % 50, 80 + h % 120, 40 + h % 40)


def draw(root, out):
    depth = [0]

    def measure(node, d):
        depth[0] = max(depth[0], d)
        for kid in node.kids.values():
            measure(kid, d + 1)

    measure(root, 0)
    height = (depth[0] + 2) * ROW
    boxes = []

    def place(node, name, x, d):
        w = WIDTH * node.n / root.n
        if w < MIN_PX:
            return
        y = height - (d + 1) * ROW
        share = 100.0 * node.n / root.n
        tip = html.escape("%s: %d samples, %.2f %%" % (name, node.n, share))
        text = ""
        if w > 7 * 3:
            chars = int(w / 7)
            label = name if len(name) <= chars else name[:chars - 2] + ".."
            text = '<text x="%.1f" y="%d">%s</text>' % (
                x + 3, y + ROW - 4, html.escape(label))
        boxes.append('<g><title>%s</title><rect x="%.1f" y="%d" width="%.1f"'
                     ' height="%d" fill="%s"/>%s</g>' %
                     (tip, x, y, w, ROW - 1, colour(name), text))
        for kname, kid in node.kids.items():
            place(kid, kname, x, d + 1)
            x += WIDTH * kid.n / root.n

    place(root, "all", 0.0, 0)
    with open(out, "w") as f:
        f.write('<?xml version="1.0" standalone="no"?>\n'
                '<svg version="1.1" width="%d" height="%d" '
                'xmlns="http://www.w3.org/2000/svg" '
                'font-family="monospace" font-size="%d">\n'
                % (WIDTH, height, FONT))
        f.write("\n".join(boxes))
        f.write("\n</svg>\n")


def top(selfc, totc, percpu, n, out):
    with open(out, "w") as f:
        f.write("%d samples\n" % n)
        for cpu in sorted(percpu, key=int):
            c, idle = percpu[cpu]
            f.write("CPU %s: %d samples, idle in %.1f %% of them\n" %
                    (cpu, c, 100.0 * idle / c))
        f.write("\nself %   total %  symbol\n")
        for sym, c in selfc.most_common(60):
            f.write("%6.2f  %7.2f  %s\n" %
                    (100.0 * c / n, 100.0 * totc[sym] / n, sym))


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    root, selfc, totc, percpu = build(sys.argv[1])
    if not root.n:
        sys.exit("flamegraph.py: no samples in " + sys.argv[1])
    draw(root, sys.argv[2])
    if len(sys.argv) == 4:
        top(selfc, totc, percpu, root.n, sys.argv[3])


if __name__ == "__main__":
    main()
