"""A bare native messaging host that sends every frame straight back: the benchmark baseline."""

import struct
import sys


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.read(4)
        if len(header) < 4:
            return
        (length,) = struct.unpack("=I", header)
        stdout.write(header + stdin.read(length))
        stdout.flush()


if __name__ == "__main__":
    main()
