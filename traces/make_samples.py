#!/usr/bin/env python3
"""Writes the sample traffic traces in this folder (format: README.md, "Traffic traces")."""

HEADER = "# vcmsim traffic trace v1\n"


def display_scanout(path):
    # A 640x480, 4-byte-per-pixel framebuffer at 0x8400_0000 read in 256-byte bursts, one line
    # every 34.7 us (60 Hz), bursts of a line back to back every 20 ns.
    with open(path, "w") as f:
        f.write(HEADER + "# display scan-out: 640x480x4 at 60 Hz, 256-byte bursts, 2 frames\n")
        f.write("# time_ps  op  address      size\n")
        line_ps = 1_000_000_000_000 // (60 * 480)
        for frame in range(2):
            for y in range(480):
                t0 = (frame * 480 + y) * line_ps
                for b in range(10):
                    f.write(f"{t0 + b * 20_000} R 0x{0x8400_0000 + y * 2560 + b * 256:x} 256\n")


def strided_read(path):
    # An image-processing kernel reading 64-byte tiles down the columns of a 4096-byte-stride
    # image at 0x8800_0000 (one page per access: a TLB stress pattern).
    with open(path, "w") as f:
        f.write(HEADER + "# strided image read: 64-byte tiles down 32 columns of 256 rows, stride 4096\n")
        t = 0
        for col in range(32):
            for row in range(256):
                f.write(f"{t} R 0x{0x8800_0000 + row * 4096 + col * 64:x} 64\n")
                t += 5_000


def nic_ring(path):
    # A NIC-style ring: 256 descriptors of 16 bytes at 0x8C00_0000, each followed by a
    # 1536-byte packet buffer write (split in 512-byte bursts) and a descriptor write-back.
    with open(path, "w") as f:
        f.write(HEADER + "# NIC RX ring: descriptor read, packet write (3 x 512 B), descriptor write-back\n")
        t = 0
        for i in range(512):
            d = 0x8C00_0000 + (i % 256) * 16
            buf = 0x8C10_0000 + (i % 256) * 2048
            f.write(f"{t} R 0x{d:x} 16\n")
            for k in range(3):
                f.write(f"{t + 100_000 + k * 50_000} W 0x{buf + k * 512:x} 512\n")
            f.write(f"{t + 300_000} W 0x{d:x} 16\n")
            t += 1_200_000  # ~10 Gb/s of 1.5 KB packets


if __name__ == "__main__":
    display_scanout("display_scanout.trace")
    strided_read("strided_read.trace")
    nic_ring("nic_ring.trace")
